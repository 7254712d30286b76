import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { findArgoObjects, FoundArgoObject } from './argo-objects';
import { announceTargets, currentCluster } from './current-cluster';
import { integerOption } from './integer-option';
import { ARGOCD_NAMESPACE } from '../argo/destination';
import { FIELD_MANAGER } from '../engine/annotations';
import { ClusterInfo, LocalGitSource } from '../engine/appset';
import { ApplicationSetEvent, ApplicationSetRunResult, engineCallbacks, readClusterSecrets, runApplicationSet } from '../engine/appset-controller';
import { ClusterClients } from '../engine/cluster-clients';
import { generatorClusters, readClustersFile } from '../engine/clusters-file';
import { KubeClient } from '../engine/kube/client';
import { KubeApi } from '../engine/kube/kube-api';
import { resolveKubeConfig } from '../engine/kube/kubeconfig';
import { gitRoot } from '../engine/load/source-tree';

interface SyncCommandOptions {
  kubeconfig?: string;
  context?: string;
  clusters?: string;
  repoRoot?: string;
  repoUrl?: string;
  includeManual: boolean;
  timeout: number;
  output: 'text' | 'json';
}

/**
 * `cdk8s-argocd appset sync <file-or-dir>`: applies the AppProjects and ApplicationSets found there
 * and runs the engine's ApplicationSet controller on each set: a folder of sets alone (`sync` runs
 * the sets of the tree and the top-level ones itself, see tree-appsets.ts).
 */
export function registerAppsetSyncCommand(appset: Command): void {
  appset.command('sync')
    .description('apply the ApplicationSets (and AppProjects) in <file-or-dir> to the cluster, then act as Argo CD\'s ApplicationSet controller: create, update and delete their Applications per applicationsSync, write the sets\' status, and sync the Applications (RollingSync step by step)')
    .argument('<file-or-dir>', 'an ApplicationSet manifest, or a directory searched for them (e.g. manifests)')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster Argo CD\'s objects live in (default: KUBECONFIG, else a running local cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--clusters <file>', 'clusters file: the clusters generators see and the kubeconfigs of destinations (default: the Argo CD cluster Secrets in the argocd namespace, plus in-cluster)')
    .option('--repo-root <dir>', 'the checkout that sources and git generators read (default: the Git repository containing <file-or-dir>)')
    .option('--repo-url <url>', 'only sources and git generators with this repoURL read the local checkout')
    .option('--include-manual', 'without RollingSync, also sync generated Applications without automated sync (they are only compared otherwise)', false)
    .option('--timeout <seconds>', 'give up waiting for a rollout after this long', integerOption({ min: 1, unit: 'seconds' }), 300)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (target: string, opts: SyncCommandOptions) => {
      try {
        process.exitCode = await runSync(target, opts);
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}

/** One line for one event of the ApplicationSet controller. */
export function describeEvent(e: ApplicationSetEvent): string {
  switch (e.type) {
    case 'changed': return `${e.applicationSet}: ${e.action}d Application ${e.application}`;
    case 'sync-started': return `${e.applicationSet}: sync ${e.application}${e.step ? ` (step ${e.step})` : ''} started`;
    case 'sync-finished': return `${e.applicationSet}: sync ${e.application}${e.step ? ` (step ${e.step})` : ''} ${e.outcome.phase}: ${e.outcome.sync}, ${e.outcome.health}${e.outcome.message && e.outcome.phase !== 'Succeeded' ? ` (${e.outcome.message})` : ''}`;
    case 'compared': return `${e.applicationSet}: ${e.application} is ${e.sync}, ${e.health} (manual sync policy: not synced; --include-manual syncs it)`;
    case 'rollout': return `${e.applicationSet}: ${e.message}`;
  }
}

/** Applies the objects, failing before anything is written when the cluster cannot take them. */
export async function applyAll(api: KubeApi, objects: readonly FoundArgoObject[]): Promise<void> {
  for (const kind of ['AppProject', 'ApplicationSet']) {
    if (!(await api.resourceFor('argoproj.io/v1alpha1', kind))) {
      throw new Error(`the cluster does not serve argoproj.io/v1alpha1 ${kind}s: install the Argo CD CRDs first (the local cluster: cdk8s-argocd cluster up)`);
    }
  }
  for (const o of objects) {
    if (typeof o.object.metadata?.name !== 'string') throw new Error(`${o.file}: an ${o.object.kind} needs metadata.name`);
  }
  const namespaces = new Set(objects.map((o) => o.object.metadata.namespace ?? ARGOCD_NAMESPACE));
  for (const ns of namespaces) {
    if (!(await api.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))) {
      throw new Error(`namespace ${ns} does not exist (Argo CD's objects live there): create it first (kubectl create namespace ${ns})`);
    }
  }
  for (const o of objects) {
    const object = { ...o.object, metadata: { ...o.object.metadata, namespace: o.object.metadata.namespace ?? ARGOCD_NAMESPACE } };
    try {
      await api.apply(object, FIELD_MANAGER, { force: true });
    } catch (e) {
      throw new Error(`${o.file}: applying ${object.kind} ${object.metadata.namespace}/${object.metadata.name}: ${(e as Error).message}`);
    }
  }
}

async function runSync(target: string, opts: SyncCommandOptions): Promise<number> {
  const objects = findArgoObjects(target, ['AppProject', 'ApplicationSet']);
  const sets = objects.filter((o) => o.object.kind === 'ApplicationSet');
  if (sets.length === 0) throw new Error(`no ApplicationSet found in ${target}`);
  const entries = opts.clusters ? readClustersFile(opts.clusters) : [];
  const targetDir = fs.statSync(target).isDirectory() ? target : path.dirname(target);
  const repoRoot = path.resolve(opts.repoRoot ?? gitRoot(path.resolve(targetDir)) ?? targetDir);

  const current = currentCluster(opts);
  const resolved = await resolveKubeConfig(current.kube);
  const here = { server: resolved.config.getCurrentCluster()?.server ?? '', context: resolved.config.getCurrentContext(), source: current.source };
  announceTargets('appset sync', sets.map((s) => ({ name: s.object.metadata.name, target: here })), opts.output);
  const api = await KubeClient.create(resolved.config);
  const clients = new ClusterClients(current.kube, entries, 16, opts.clusters, current.source, current.chosen);
  try {
    await applyAll(api, objects);
    const clusters: ClusterInfo[] = opts.clusters ? generatorClusters(entries) : await readClusterSecrets(api, ARGOCD_NAMESPACE);
    const git = new LocalGitSource({ root: repoRoot, repoURLs: opts.repoUrl ? [opts.repoUrl] : undefined });
    const callbacks = engineCallbacks({ clientFor: (app) => clients.forApplication(app), controlPlane: api });
    const results: ApplicationSetRunResult[] = [];
    for (const set of sets) {
      const result = await runApplicationSet(api, { name: set.object.metadata.name, namespace: set.object.metadata.namespace ?? ARGOCD_NAMESPACE }, {
        clusters,
        git,
        projectNamespace: ARGOCD_NAMESPACE,
        repoRoot,
        repoURL: opts.repoUrl,
        position: { file: path.relative(repoRoot, set.file) || set.file, line: 1 },
        ...callbacks,
        includeManual: opts.includeManual,
        timeoutSeconds: opts.timeout,
        onEvent: opts.output === 'text' ? (e) => process.stdout.write(`${describeEvent(e)}\n`) : undefined,
      });
      results.push(result);
      if (opts.output === 'text') process.stdout.write(`${result.applicationSet}: ${result.ok ? 'done' : 'FAILED'}: ${result.message}\n`);
    }
    if (opts.output === 'json') process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    api.close();
    await clients.close();
  }
}
