/**
 * A user's repository in a temporary folder, with this checkout standing in for the cdk8s-argocd
 * package (and this repository's node_modules for its other dependencies, ts-node for tsx), so
 * README snippets and `init` output can be run as a user would, without npm install. Not a test file.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.join(__dirname, '..', '..');

/** node_modules in `dir`: this repository's dependencies, and this checkout as cdk8s-argocd. */
export function linkDependencies(dir: string): void {
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  const repoModules = fs.realpathSync(path.join(REPO, 'node_modules'));
  for (const name of fs.readdirSync(repoModules)) fs.symlinkSync(path.join(repoModules, name), path.join(modules, name));
  const pkg = path.join(modules, 'cdk8s-argocd');
  fs.mkdirSync(pkg);
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'cdk8s-argocd', main: 'index.js' }));
  fs.writeFileSync(path.join(pkg, 'index.js'), `module.exports = require(${JSON.stringify(path.join(REPO, 'src', 'index.ts'))});\n`);
}

/** `node <args>` in `dir` with TypeScript loadable by ts-node, and no synth settings inherited from the caller. */
export function runNode(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      TS_NODE_TRANSPILE_ONLY: 'true',
      // Like tsx, which transpiles with its own settings rather than the repository's tsconfig.json.
      TS_NODE_SKIP_PROJECT: 'true',
      TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', target: 'es2022', esModuleInterop: true }),
      CDK8S_OUTDIR: '',
      CDK8S_ARGOCD_CHECK: '',
      ...env,
    },
  });
}

/** `npx tsx main.ts …`, with ts-node. */
export function runMain(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return runNode(dir, ['-r', 'ts-node/register', 'main.ts', ...args], env);
}

/** The repository's own jest (its jest.config.js), e.g. `['--ci']`. */
export function runJest(dir: string, args: string[]): SpawnSyncReturns<string> {
  return runNode(dir, [path.join(dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--no-watchman', '--rootDir', dir, ...args]);
}

/** Files below `root`, sorted, without dot files and folders. */
export function filesBelow(root: string): string[] {
  return fs.readdirSync(root, { withFileTypes: true })
    .filter(e => !e.name.startsWith('.') && e.name !== 'node_modules')
    .flatMap(e => (e.isDirectory() ? filesBelow(path.join(root, e.name)).map(f => `${e.name}/${f}`) : [e.name]))
    .sort();
}
