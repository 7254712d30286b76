/**
 * Vendors the External Secrets Operator Helm chart into examples/platform-waves/charts/external-secrets,
 * so that the example (and `npm run demo`) renders it without reaching https://charts.external-secrets.io.
 *
 *   npx ts-node --transpile-only scripts/vendor-external-secrets-chart.ts [--zip <module.zip>]
 *
 * The source is the project's Go module at the chart's release tag, from the Go module proxy
 * (https://proxy.golang.org/github.com/external-secrets/external-secrets/@v/v0.14.4.zip), which
 * holds the chart (deploy/charts/external-secrets) and the CRDs (deploy/crds/bundle.yaml) but not
 * the packaged chart. What the project's release packaging does is done here the same way:
 * - templates/crds/<singular>.yaml from the CRD bundle, as hack/helm.generate.sh does (each CRD
 *   behind `installCRDs` / `crds.create<Kind>`, v1alpha1 versions and the conversion webhook behind
 *   `crds.conversion.enabled`, the webhook Service name and namespace templated);
 * - Chart.yaml's version and appVersion set to the release (the module's Chart.yaml still says the
 *   previous one; the release workflow bumps it).
 * One change of ours: the optional bitwarden-sdk-server dependency (an OCI chart, disabled by
 * default: `bitwarden-sdk-server.enabled: false`) is removed from Chart.yaml and Chart.lock goes,
 * because Helm refuses to template a chart whose listed dependency is missing from charts/, enabled
 * or not, and fetching it needs ghcr.io. Test and CI folders (.helmignore'd) are not copied.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

export const ESO_VERSION = '0.14.4';
const MODULE = 'github.com/external-secrets/external-secrets';
const repoRoot = path.resolve(__dirname, '..');
const target = path.join(repoRoot, 'examples', 'platform-waves', 'charts', 'external-secrets');

/** Folders and files the chart's .helmignore leaves out of the package: not vendored. */
const NOT_PACKAGED = ['ci', 'tests', 'README.md.gotmpl', path.join('templates', 'crds', 'README.md')];

async function moduleZip(given: string | undefined): Promise<string> {
  if (given) {
    return given;
  }
  const url = `https://proxy.golang.org/${MODULE}/@v/v${ESO_VERSION}.zip`;
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(`GET ${url}: HTTP ${res.status}`);
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eso-module-')), 'module.zip');
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

/** The `{{- if … }}` that guards one CRD, as hack/helm.generate.sh writes it. */
function installGuard(kind: string): string {
  return kind.includes('Cluster') || kind.includes('PushSecret')
    ? `{{- if and (.Values.installCRDs) (.Values.crds.create${kind}) }}`
    : '{{- if .Values.installCRDs }}';
}

/** Puts the v1alpha1 entry of `versions:` (indent 4) behind `crds.conversion.enabled`. */
function guardV1alpha1(lines: string[]): string[] {
  const out: string[] = [];
  let entry: string[] | undefined;
  let inVersions = false;
  const flush = () => {
    if (entry) {
      const alpha = entry.some((l) => l === '      name: v1alpha1');
      out.push(...(alpha ? ['{{- if .Values.crds.conversion.enabled }}', ...entry, '{{- end }}'] : entry));
      entry = undefined;
    }
  };
  for (const line of lines) {
    if (line === '  versions:') {
      inVersions = true;
      out.push(line);
      continue;
    }
    if (inVersions && line.startsWith('    - ')) {
      flush();
      entry = [line];
    } else if (inVersions && (line.startsWith('      ') || line === '')) {
      entry!.push(line);
    } else {
      flush();
      inVersions = false;
      out.push(line);
    }
  }
  flush();
  return out;
}

/** One CRD of the bundle as the chart template hack/helm.generate.sh makes of it. */
function crdTemplate(text: string, kind: string): string {
  let lines = text.split('\n');
  if (kind.includes('ExternalSecret') || kind.includes('SecretStore')) {
    lines = guardV1alpha1(lines);
  }
  const out: string[] = [installGuard(kind)];
  let annotated = false;
  for (const line of lines) {
    if (line === '  conversion:') {
      out.push('{{- if .Values.crds.conversion.enabled }}');
    }
    out.push(line
      .replace(/name: kubernetes$/, 'name: {{ include "external-secrets.fullname" . }}-webhook')
      .replace(/namespace: default$/, 'namespace: {{ .Release.Namespace | quote }}'));
    if (!annotated && line === '  annotations:') {
      annotated = true;
      out.push('    {{- with .Values.crds.annotations }}', '    {{- toYaml . | nindent 4}}', '    {{- end }}',
        '    {{- if and .Values.crds.conversion.enabled .Values.webhook.certManager.enabled .Values.webhook.certManager.addInjectorAnnotations }}',
        '    cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "external-secrets.fullname" . }}-webhook',
        '    {{- end }}');
    }
  }
  // Closes the install guard and the conversion guard.
  out.push('{{- end }}', '{{- end }}');
  return `${out.join('\n').trimEnd()}\n`;
}

async function main(): Promise<void> {
  const zipIndex = process.argv.indexOf('--zip');
  const zip = await moduleZip(zipIndex >= 0 ? process.argv[zipIndex + 1] : undefined);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'eso-vendor-'));
  const prefix = `${MODULE}@v${ESO_VERSION}`;
  execFileSync('unzip', ['-q', zip, `${prefix}/deploy/*`, '-d', work], { stdio: 'inherit' });
  const deploy = path.join(work, prefix, 'deploy');

  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(path.join(deploy, 'charts', 'external-secrets'), target, { recursive: true });
  for (const p of NOT_PACKAGED) {
    fs.rmSync(path.join(target, p), { recursive: true, force: true });
  }

  const chartFile = path.join(target, 'Chart.yaml');
  const chart = fs.readFileSync(chartFile, 'utf8')
    .replace(/^version: .*$/m, `version: "${ESO_VERSION}"`)
    .replace(/^appVersion: .*$/m, `appVersion: "v${ESO_VERSION}"`)
    .replace(/^dependencies:\n(?:[ -].*\n)*/m, '');
  fs.writeFileSync(chartFile, `# Vendored by scripts/vendor-external-secrets-chart.ts from ${prefix} (deploy/charts/external-secrets):\n`
    + '# version set to the release; the disabled bitwarden-sdk-server dependency (oci://ghcr.io) removed.\n' + chart);
  fs.rmSync(path.join(target, 'Chart.lock'), { force: true });

  const bundle = fs.readFileSync(path.join(deploy, 'crds', 'bundle.yaml'), 'utf8');
  const crdDir = path.join(target, 'templates', 'crds');
  fs.mkdirSync(crdDir, { recursive: true });
  const texts = bundle.split(/^---\n/m).filter((t) => t.trim());
  for (const text of texts) {
    const crd = parseAllDocuments(text)[0].toJS();
    fs.writeFileSync(path.join(crdDir, `${crd.spec.names.singular}.yaml`), crdTemplate(text.trimEnd(), crd.spec.names.kind));
  }
  process.stderr.write(`vendored ${prefix} chart into ${path.relative(repoRoot, target)} (${texts.length} CRDs)\n`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`vendor-external-secrets-chart: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
