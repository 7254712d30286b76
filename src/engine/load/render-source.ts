import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { ApplicationSourceSpec } from '../application-spec';
import { DesiredObject } from '../model';
import { loadDirectorySource } from './directory-source';
import { RemoteSourceError } from './manifest-error';
import { ManifestFiles } from './manifest-file';
import { rendererBinary } from './renderer-binary';
import { outsideRepository } from './repository-path';
import { parseManifests } from './yaml-documents';
import { missingValueFileMessage } from '../../argo/source-paths';

export enum SourceType {
  DIRECTORY = 'Directory',
  KUSTOMIZE = 'Kustomize',
  HELM = 'Helm',
}

/** Renders Helm sources with this `helm` binary instead of the embedded renderer. */
export const HELM_BINARY_ENV = 'CDK8S_ARGOCD_HELM_BINARY';
/** Renders Kustomize sources with this `kustomize` binary (`<bin> build DIR`) instead of the embedded renderer. */
export const KUSTOMIZE_BINARY_ENV = 'CDK8S_ARGOCD_KUSTOMIZE_BINARY';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Argo CD's source type detection: explicit settings first, then Chart.yaml / kustomization.yaml. */
export function detectSourceType(source: ApplicationSourceSpec, dir: string): SourceType {
  if (source.helm || source.chart) {
    return SourceType.HELM;
  }
  if (source.kustomize) {
    return SourceType.KUSTOMIZE;
  }
  if (source.directory) {
    return SourceType.DIRECTORY;
  }
  if (fs.existsSync(path.join(dir, 'Chart.yaml'))) {
    return SourceType.HELM;
  }
  if (KUSTOMIZATION_FILES.some((f) => fs.existsSync(path.join(dir, f)))) {
    return SourceType.KUSTOMIZE;
  }
  return SourceType.DIRECTORY;
}

/** Runs a renderer and parses its output; `label` names the source in positions. */
function renderWith(cmd: string, args: string[], label: string, missing: string): DesiredObject[] {
  const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  if (res.error) {
    if ((res.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(missing);
    }
    throw new Error(`${label}: cannot run ${cmd}: ${res.error.message}`);
  }
  if (res.status !== 0) {
    throw new Error(`${label}: ${cmd} ${args[0]} failed (exit ${res.status}): ${res.stderr.trim()}`);
  }
  return parseManifests(res.stdout, label);
}

export interface RenderContext {
  /** Repository root (file names in positions are relative to it). */
  readonly repoRoot: string;
  /** The Application's name (Helm's default release name). */
  readonly appName: string;
  /** Destination namespace (Helm's `--namespace`). */
  readonly namespace?: string;
  /** Where the source is in the Application (`spec.source`, `spec.sources[1]`), for messages. @default 'spec.source' */
  readonly sourceField?: string;
  /** The run's manifest reads (a directory source's files are read once per run). @default - read afresh */
  readonly files?: ManifestFiles;
}

/**
 * The chart argument(s) of `helm template`: the chart folder, or for a chart
 * from a chart repository its name with `--repo` (HTTP) or an `oci://`
 * reference (Argo CD writes OCI repositories without a scheme), and the
 * version from targetRevision.
 */
function chartArgs(source: ApplicationSourceSpec, dir: string): string[] {
  if (!source.chart) {
    return [dir];
  }
  const repo = source.repoURL ?? '';
  const version = source.targetRevision ? ['--version', source.targetRevision] : [];
  if (/^https?:\/\//.test(repo)) {
    return [source.chart, '--repo', repo, ...version];
  }
  const oci = repo.startsWith('oci://') ? repo : `oci://${repo}`;
  return [`${oci.replace(/\/+$/, '')}/${source.chart}`, ...version];
}

/** Loads one source folder according to its type. */
export function renderSource(source: ApplicationSourceSpec, dir: string, ctx: RenderContext): DesiredObject[] {
  const rel = path.relative(ctx.repoRoot, dir) || '.';
  switch (detectSourceType(source, dir)) {
    case SourceType.DIRECTORY:
      if (source.directory?.jsonnet && Object.keys(source.directory.jsonnet as object).length > 0) {
        throw new Error(`${rel}: directory.jsonnet is not supported by the engine; render it to YAML first`);
      }
      return loadDirectorySource(dir, source.directory ?? {}, ctx.repoRoot, ctx.files);
    case SourceType.KUSTOMIZE: {
      // The embedded renderer's `build` and a user's `kustomize build` take the same arguments.
      const own = process.env[KUSTOMIZE_BINARY_ENV];
      return renderWith(own || rendererBinary(), ['build', dir], `${rel} (kustomize build)`,
        `${rel}: ${KUSTOMIZE_BINARY_ENV}=${own} cannot be run; unset it to use the embedded renderer`);
    }
    case SourceType.HELM: {
      const helm = source.helm ?? {};
      const args = ['template', helm.releaseName ?? ctx.appName, ...chartArgs(source, dir), '--namespace', helm.namespace ?? ctx.namespace ?? 'default'];
      const label = source.chart ? `${ctx.appName} (helm template ${source.chart} from ${source.repoURL})` : `${rel} (helm template)`;
      for (const f of helm.valueFiles ?? []) {
        const file = path.resolve(dir, f);
        const outside = outsideRepository(ctx.repoRoot, file);
        if (outside) {
          throw new Error(`${ctx.appName}: helm.valueFiles ${f} ${outside}; Argo CD refuses value files outside the repository`);
        }
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
          // Argo CD's repo-server leaves missing value files out when asked to, and fails otherwise.
          if (helm.ignoreMissingValueFiles) continue;
          const shown = path.relative(ctx.repoRoot, file).split(path.sep).join('/');
          throw new Error(`${ctx.appName}: ${missingValueFileMessage(`${ctx.sourceField ?? 'spec.source'}.helm.valueFiles`, f, shown)}`);
        }
        args.push('--values', file);
      }
      let tmpDir: string | undefined;
      try {
        if (helm.values || helm.valuesObject) {
          // Inline values go last so they win over valueFiles, as in Argo CD.
          tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-helm-'));
          const tmp = path.join(tmpDir, 'values.yaml');
          // YAML 1.1 quoting: Helm reads values with YAML 1.1 scalars, so `"yes"` must stay a string.
          fs.writeFileSync(tmp, helm.values ?? stringify(helm.valuesObject, { version: '1.1' }), { mode: 0o600 });
          args.push('--values', tmp);
        }
        for (const p of helm.parameters ?? []) {
          args.push(p.forceString ? '--set-string' : '--set', `${p.name}=${p.value}`);
        }
        args.push(helm.skipCrds ? '--skip-crds' : '--include-crds');
        if (helm.kubeVersion) {
          args.push('--kube-version', helm.kubeVersion);
        }
        for (const v of helm.apiVersions ?? []) {
          args.push('--api-versions', v);
        }
        // The embedded renderer's `template` and a user's `helm template` take the same arguments.
        const own = process.env[HELM_BINARY_ENV];
        return renderWith(own || rendererBinary(), args, label,
          `${ctx.appName}: ${HELM_BINARY_ENV}=${own} cannot be run; unset it to use the embedded renderer`);
      } catch (e) {
        // A chart from a chart repository is fetched now: its failure is the repository's, not the repository's files'.
        throw source.chart ? new RemoteSourceError((e as Error).message) : e;
      } finally {
        // Inline values may hold secrets: never leave them behind, whether helm succeeded or not.
        if (tmpDir) {
          fs.rmSync(tmpDir, { recursive: true, force: true });
        }
      }
    }
  }
}
