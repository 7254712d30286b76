/**
 * What `cdk8s-argocd init` writes, as pure functions of its options: every template lives here.
 * The I/O (checking the directory, writing, synthesizing, `git init`) is in ../init-command.ts.
 */
import * as path from 'path';

/** The packages a scaffold depends on, each with the version spec to write into its package.json. */
export const SCAFFOLD_DEPENDENCIES = ['cdk8s', 'cdk8s-plus-28', 'constructs'] as const;
export const SCAFFOLD_DEV_DEPENDENCIES = ['@types/jest', '@types/node', 'jest', 'ts-jest', 'tsx', 'typescript'] as const;

/** The jest test name of the scaffold's snapshot test, as the snapshot file keys it. */
export const SNAPSHOT_TEST_NAME = 'manifests';
export const SNAPSHOT_FILE = 'test/__snapshots__/main.test.ts.snap';
/** The committed directory, GitOpsApp's default outdir. */
export const MANIFESTS_DIR = 'manifests';

export interface ScaffoldOptions {
  /** npm package name of the scaffold. */
  readonly name: string;
  /** `repoURL` of the GitOpsApp in main.ts. */
  readonly repoURL: string;
  /** The dependency spec for cdk8s-argocd (`^1.2.3`, `file:../cdk8s-argocd-0.0.0.tgz`). */
  readonly cdk8sArgocd: string;
  /** Version specs of SCAFFOLD_DEPENDENCIES and SCAFFOLD_DEV_DEPENDENCIES, from scaffoldVersions(). */
  readonly versions: { readonly [pkg: string]: string };
  /**
   * The scaffold's folder inside its Git repository (POSIX), when it is not the repository root:
   * CI steps run there.
   */
  readonly pathInRepo?: string;
}

interface PackageJsonDeps {
  readonly dependencies?: { readonly [pkg: string]: string };
  readonly devDependencies?: { readonly [pkg: string]: string };
}

/**
 * The version specs the scaffold pins, taken from this package's own package.json (the versions
 * this repository builds and tests with), so there is no second list to drift.
 */
export function scaffoldVersions(ownPackageJson: PackageJsonDeps): { [pkg: string]: string } {
  const versions: { [pkg: string]: string } = {};
  for (const pkg of [...SCAFFOLD_DEPENDENCIES, ...SCAFFOLD_DEV_DEPENDENCIES]) {
    const spec = ownPackageJson.devDependencies?.[pkg] ?? ownPackageJson.dependencies?.[pkg];
    if (!spec) throw new Error(`cdk8s-argocd's package.json names no version of ${pkg}: this build of cdk8s-argocd is broken`);
    versions[pkg] = spec;
  }
  return versions;
}

/** An npm package name (lower case, URL-safe, ≤ 214 characters) made from a folder name. */
export function packageNameFor(folderName: string): string {
  const name = folderName.toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '')
    .slice(0, 214);
  return name || 'gitops';
}

/** Why `repoURL` cannot be written into main.ts as a string literal, if it cannot. */
export function repoUrlError(repoURL: string): string | undefined {
  if (!repoURL) return '--repo-url must not be empty';
  if (/[\s'"`\\]/.test(repoURL)) return `--repo-url '${repoURL}' contains a quote, backslash or white space, which no Git URL has`;
  return undefined;
}

/** A `--package` spec, and where it points on disk if it is a path rather than a registry version, tag or URL. */
export interface PackageSpec {
  /** The spec to write into the scaffold's package.json. */
  readonly spec: string;
  /** The absolute local path it names, for `init` to check it exists. */
  readonly localPath?: string;
}

/**
 * `--package` as given (relative to the working directory) → the spec for the scaffold's
 * package.json (paths relative to the scaffold, as `npm install <path>` writes them). A spec is a
 * path when it starts with `file:`, `.` or `/`, or names a `.tgz`/`.tar.gz` tarball; anything else
 * (`1.2.3`, `^1.2.0`, `latest`, a Git or tarball URL) is passed to npm unchanged.
 */
export function packageSpec(raw: string, cwd: string, scaffoldDir: string): PackageSpec {
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || /^(github|gitlab|bitbucket|gist|git\+[a-z]+|npm):/i.test(raw);
  const filePrefixed = raw.startsWith('file:');
  const looksLikePath = filePrefixed || /^(\.{1,2}([\\/]|$)|\/)/.test(raw) || (!isUrl && /\.(tgz|tar\.gz)$/.test(raw));
  if (!looksLikePath) return { spec: raw };
  const localPath = path.resolve(cwd, filePrefixed ? raw.slice('file:'.length) : raw);
  const relative = path.relative(path.resolve(scaffoldDir), localPath).split(path.sep).join('/');
  return { spec: `file:${relative || '.'}`, localPath };
}

/** The spec for cdk8s-argocd when `--package` is not given: this CLI's own version, `^x.y.z`. */
export function defaultPackageSpec(version: string, buildTip: string): string {
  if (version === '0.0.0') {
    throw new Error(`this cdk8s-argocd is an unpublished development build (version 0.0.0), which the npm registry does not have: ${buildTip}`);
  }
  return `^${version}`;
}

function sortedObject(entries: ReadonlyArray<readonly [string, string]>): { [key: string]: string } {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function packageJson(options: ScaffoldOptions): string {
  const pkg = {
    name: options.name,
    version: '0.1.0',
    private: true,
    description: 'GitOps repository: TypeScript (cdk8s-argocd) synthesized into manifests/ for Argo CD',
    type: 'commonjs',
    scripts: {
      'synth': 'tsx main.ts',
      'synth:check': 'tsx main.ts --check',
      // jest writes a missing snapshot locally and fails on one in CI (CI=true); it updates
      // changed snapshots only when asked.
      'test': 'jest',
      'test:update': 'jest --ci=false --updateSnapshot',
      'typecheck': 'tsc --noEmit',
    },
    dependencies: sortedObject([
      ['cdk8s-argocd', options.cdk8sArgocd],
      ...SCAFFOLD_DEPENDENCIES.map(p => [p, options.versions[p]] as const),
    ]),
    devDependencies: sortedObject(SCAFFOLD_DEV_DEPENDENCIES.map(p => [p, options.versions[p]] as const)),
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** The scaffold's main.ts. scaffold-app.ts builds the same app for `init` itself. */
export function mainTs(repoURL: string): string {
  return `import * as kplus from 'cdk8s-plus-28';
import { Application, GitOpsApp, SyncOption } from 'cdk8s-argocd';

export function buildApp(): GitOpsApp {
  const app = new GitOpsApp({ repoURL: '${repoURL}' }); // outdir: manifests

  const api = new Application(app, 'hello-api', {
    destination: { namespace: 'hello' },
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: [SyncOption.CREATE_NAMESPACE],
    },
  });
  const web = new kplus.Deployment(api, 'web', { containers: [{ image: 'nginx:1.27', portNumber: 80 }] });
  web.exposeViaService({ name: 'hello-api' });

  return app;
}

// Synthesize when run (\`npm run synth\`, \`cdk8s synth\`), not when a test imports buildApp.
if (require.main === module) {
  buildApp().synth();
}
`;
}

export const MAIN_TEST_TS = `import { buildApp } from '../main';

test('${SNAPSHOT_TEST_NAME}', () => {
  expect(buildApp().synthFiles()).toMatchSnapshot(); // { 'apps/hello-api.yaml': '…', … }
});
`;

export const JEST_CONFIG_JS = `module.exports = {
  testEnvironment: 'node',
  // Transpile only (fast); \`npx tsc --noEmit\` type-checks.
  transform: { '^.+\\\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }] },
};
`;

export const TSCONFIG_JSON = `${JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    lib: ['es2022'],
    module: 'node16',
    moduleResolution: 'node16',
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    isolatedModules: true,
    noEmit: true,
    types: ['node', 'jest'],
  },
  exclude: ['node_modules', 'manifests', 'dist'],
}, null, 2)}\n`;

export const CDK8S_YAML = `language: typescript
app: npx tsx main.ts
imports:
  - k8s
`;

export const GITIGNORE = `node_modules/
# \`cdk8s synth\` output; the committed directory is manifests/
dist/
# The local cluster's state (etcd data, its CA's private keys, an admin kubeconfig), from \`cdk8s-argocd cluster up\`
.cdk8s-argocd/
`;

/** The entries of GITIGNORE that `existing` (a user's .gitignore) lacks, compared line by line. */
export function missingGitignoreEntries(existing: string): string[] {
  const have = new Set(existing.split(/\r?\n/).map(l => l.trim().replace(/^\//, '').replace(/\/$/, '')));
  return GITIGNORE.split('\n')
    .filter(l => l && !l.startsWith('#'))
    .filter(l => !have.has(l.replace(/\/$/, '')));
}

/**
 * The GitHub Actions workflow: committed manifests up to date, types, snapshot tests; and on a
 * pull request, `rehearse` against the base branch, posted as a comment (README "rehearse"). (v5 of
 * checkout and setup-node: the first majors on the node24 action runtime; v4's node20 is deprecated.)
 */
export function ciWorkflow(pathInRepo?: string): string {
  const inFolder = pathInRepo && pathInRepo !== '.';
  const defaults = inFolder ? `    defaults:\n      run:\n        working-directory: ${pathInRepo}\n` : '';
  const cachePath = inFolder ? `\n          cache-dependency-path: ${pathInRepo}/package-lock.json` : '';
  return `name: ci
on:
  push:
  pull_request:
jobs:
  check:
    runs-on: ubuntu-latest
${defaults}    steps:
      - uses: actions/checkout@v5
      - uses: actions/setup-node@v5
        with:
          node-version: 22
          cache: npm${cachePath}
      - run: npm ci
      # Fails with a diff when manifests/ is not what main.ts synthesizes.
      - run: npm run synth:check
      - run: npm run typecheck
      # CI=true: a missing or changed snapshot fails.
      - run: npm test
  rehearse:
    # What Argo CD will do when this merges, rehearsed on a throwaway local control plane.
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
${defaults}    steps:
      - uses: actions/checkout@v5
        with:
          fetch-depth: 0
      - uses: actions/setup-node@v5
        with:
          node-version: 22
          cache: npm${cachePath}
      # The local control plane's binaries, built once (with the runner's Go) and kept.
      - uses: actions/cache@v4
        with:
          path: ~/.cache/cdk8s-argocd
          key: cdk8s-argocd-\${{ runner.os }}-\${{ hashFiles('**/package-lock.json') }}
      - run: npm ci
      - id: rehearse
        continue-on-error: true
        run: npx cdk8s-argocd rehearse --base origin/\${{ github.base_ref }} -o markdown > rehearsal.md
      - if: always() && hashFiles('**/rehearsal.md') != ''
        run: gh pr comment \${{ github.event.pull_request.number }} --body-file rehearsal.md
        env:
          GH_TOKEN: \${{ github.token }}
      # Exit 1: a predicted failure, a danger sign or an Application that never settles.
      - if: steps.rehearse.outcome == 'failure'
        run: exit 1
`;
}

/** Every file `init` writes except the synthesized ones (manifests/ and the snapshot). */
export function scaffoldFiles(options: ScaffoldOptions): { [relativePath: string]: string } {
  return {
    'package.json': packageJson(options),
    'main.ts': mainTs(options.repoURL),
    'test/main.test.ts': MAIN_TEST_TS,
    'jest.config.js': JEST_CONFIG_JS,
    'tsconfig.json': TSCONFIG_JSON,
    'cdk8s.yaml': CDK8S_YAML,
    '.gitignore': GITIGNORE,
    '.github/workflows/ci.yml': ciWorkflow(options.pathInRepo),
  };
}

/**
 * A jest snapshot file holding `value` for the test `testName`, byte for byte as jest (v29+, default
 * snapshotFormat: no string escaping, no prototype names) writes it for `toMatchSnapshot()`, so
 * `init` can commit the snapshot of what it synthesized. Handles objects of strings only.
 */
export function jestSnapshotFile(testName: string, value: { [key: string]: string }): string {
  // pretty-format: keys sorted, strings in double quotes unescaped, a trailing comma per entry.
  const keys = Object.keys(value).sort();
  const printed = keys.length === 0 ? '{}' : `{\n${keys.map(k => `  "${k}": "${value[k]}",`).join('\n')}\n}`;
  // jest-snapshot: multi-line values get a line break at both ends; then backticks, backslashes and
  // `${` are escaped for the template literal, and line endings normalized.
  const data = printed.includes('\n') ? `\n${printed}\n` : printed;
  const backtick = (s: string) => `\`${s.replace(/`|\\|\$\{/g, '\\$&')}\``;
  const normalized = data.replace(/\r\n|\r/g, '\n');
  return `// Jest Snapshot v1, https://jestjs.io/docs/snapshot-testing\n\nexports[${backtick(`${testName} 1`)}] = ${backtick(normalized)};\n`;
}
