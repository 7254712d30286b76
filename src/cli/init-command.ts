/**
 * `cdk8s-argocd init [dir]`: a working GitOps repository in an empty directory — package.json with
 * synth / synth:check / test scripts, main.ts, a jest snapshot test, tsconfig.json, cdk8s.yaml,
 * .gitignore, a GitHub Actions workflow, and the synthesized manifests/ and snapshot, so the first
 * commit is complete and `npm install && npm test` passes. The templates are in init/scaffold-files.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import {
  defaultPackageSpec, jestSnapshotFile, MANIFESTS_DIR, missingGitignoreEntries, packageNameFor, packageSpec, repoUrlError,
  scaffoldFiles, scaffoldVersions, SNAPSHOT_FILE, SNAPSHOT_TEST_NAME,
} from './init/scaffold-files';
import { findGitRoot } from '../git/git-root';
import { shownPath } from '../synth/file-system-error';
import { writeCommittedDirectory } from '../synth/write';

// This package's root: lib/cli/ (compiled) and src/cli/ (ts-node) are both two levels below it.
const PACKAGE_ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ownPackageJson = require('../../package.json');

export interface InitOptions {
  readonly package?: string;
  readonly repoUrl?: string;
  readonly force?: boolean;
  readonly git?: boolean;
}

/** How to get a tarball of this build, for the error `init` gives when it has no published version. */
function buildTip(): string {
  const tarball = path.join(PACKAGE_ROOT, `cdk8s-argocd-${ownPackageJson.version}.tgz`);
  const shown = shownPath(tarball);
  return fs.existsSync(tarball)
    ? `pass the tarball built from it: --package ${shown}`
    : `run \`npm pack\` in ${shownPath(PACKAGE_ROOT)} (after \`npx projen compile\`) and pass the tarball: --package ${shown}` +
      ' (or --package <version> of a published cdk8s-argocd)';
}

/** `origin` of the Git repository around `dir`, if there is one. */
function originUrl(dir: string): string | undefined {
  const r = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** Entries of `dir` other than `.git` (an empty clone is empty), or undefined if it does not exist. */
function existingEntries(dir: string): string[] | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) throw new Error(`${dir} exists and is not a directory`);
  return fs.readdirSync(dir).filter(e => e !== '.git').sort();
}

/** Writes the scaffold into `dirArg`; returns what to print. Throws with a one-line message on refusal. */
export function initScaffold(dirArg: string, opts: InitOptions): string[] {
  const dir = path.resolve(dirArg);
  const shown = shownPath(dir);
  const entries = existingEntries(dir);
  if (entries && entries.length > 0 && !opts.force) {
    const listed = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    throw new Error(`${shown} is not empty (${listed}): init writes into an empty directory; pass --force to add the scaffold's files that are missing there (existing files are never overwritten)`);
  }

  const pkg = opts.package !== undefined
    ? packageSpec(opts.package, process.cwd(), dir)
    : { spec: defaultPackageSpec(ownPackageJson.version, buildTip()) };
  if (pkg.localPath && !fs.existsSync(pkg.localPath)) {
    throw new Error(`--package ${opts.package}: ${pkg.localPath} does not exist`);
  }
  if (pkg.localPath && fs.statSync(pkg.localPath).isDirectory()) {
    // npm links a folder instead of installing it, so a checkout's own node_modules gives the
    // repository a second copy of cdk8s, and synth fails ("can't render non-simple object of type 'Lazy'").
    throw new Error(`--package ${opts.package} is a folder, which npm would link with its own copy of cdk8s: ` +
      `pass a tarball instead (\`npm pack\` in ${shownPath(pkg.localPath)} makes one)`);
  }

  // Argo CD reads manifests/ at its path inside the Git repository: the repository around `dir`, or
  // `dir` itself (which `git init` makes the root, and which npm scripts run in without Git).
  const gitRoot = entries !== undefined ? findGitRoot(dir) : findGitRoot(path.dirname(dir));
  const root = gitRoot ?? dir;
  const pathInRepo = path.relative(root, dir).split(path.sep).join('/') || '.';
  const origin = gitRoot ? originUrl(gitRoot) : undefined;
  const repoURL = opts.repoUrl ?? origin ?? `https://github.com/OWNER/${path.basename(dir)}.git`;
  const urlError = repoUrlError(repoURL);
  if (urlError) throw new Error(urlError);

  const files = scaffoldFiles({
    name: packageNameFor(path.basename(dir)),
    repoURL,
    cdk8sArgocd: pkg.spec,
    versions: scaffoldVersions(ownPackageJson),
    pathInRepo,
  });

  // Loaded here, not at CLI start: cdk8s-plus takes a while to load and only init needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildScaffoldApp } = require('./init/scaffold-app') as typeof import('./init/scaffold-app');
  const manifests = buildScaffoldApp({
    repoURL,
    outdir: path.join(dir, MANIFESTS_DIR),
    outdirPathInRepo: path.posix.join(pathInRepo, MANIFESTS_DIR),
  }).synthFiles();
  files[SNAPSHOT_FILE] = jestSnapshotFile(SNAPSHOT_TEST_NAME, manifests);

  const created = entries === undefined;
  fs.mkdirSync(dir, { recursive: true });
  let summary;
  try {
    // First, as it refuses foreign files in manifests/ before writing anything.
    summary = writeCommittedDirectory(path.join(dir, MANIFESTS_DIR), manifests, () => undefined);
  } catch (e) {
    if (created) fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const kept: string[] = [];
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    try {
      // 'wx': never overwrite, even a file created since the check above.
      fs.writeFileSync(target, content, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      kept.push(file);
    }
  }

  const out = [`${shown}: wrote ${Object.keys(files).length - kept.length} file(s) and ${MANIFESTS_DIR}/ (${summary.written} file(s) written, ${summary.unchanged} unchanged)`];
  if (kept.length > 0) out.push(`kept your ${kept.join(', ')} (not overwritten): compare with what init writes into an empty directory`);
  if (kept.includes('.gitignore')) {
    // The local cluster's state holds private keys: say so rather than let `git add -A` take them.
    const missing = missingGitignoreEntries(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'));
    if (missing.length > 0) out.push(`your .gitignore does not ignore ${missing.join(', ')}: add ${missing.length === 1 ? 'it' : 'them'} (.cdk8s-argocd/ holds the local cluster's private keys)`);
  }
  if (opts.git !== false && !gitRoot) {
    const git = spawnSync('git', ['init', '-q'], { cwd: dir, encoding: 'utf8' });
    out.push(git.status === 0 ? 'initialized a Git repository (nothing committed)' : `git init failed (${(git.error?.message ?? git.stderr).trim()}): run it yourself`);
  } else if (gitRoot && pathInRepo !== '.') {
    out.push(`inside the Git repository ${shownPath(gitRoot)}: source.path is ${pathInRepo}/${MANIFESTS_DIR}/…; GitHub runs workflows only from the repository root, so move .github/workflows/ci.yml there (its steps already run in ${pathInRepo})`);
  }
  if (!opts.repoUrl && !origin) out.push(`repoURL is a placeholder (${repoURL}): set it in main.ts and run \`npm run synth\`, or init again with --repo-url`);
  if (pkg.localPath) {
    const inside = !path.relative(root, pkg.localPath).startsWith('..');
    if (!inside) out.push(`cdk8s-argocd comes from ${pkg.spec}, outside the repository: CI (npm ci) will not find it there; commit the tarball into the repository, or use a published version`);
  }
  out.push('next:', ...(shown === '.' ? [] : [`  cd ${shown}`]), '  npm install', '  npm test                 # the snapshot test', '  npm run synth            # after changing main.ts: rewrites manifests/ (synth:check verifies it)');
  return out;
}

export function registerInitCommand(program: Command): void {
  program.command('init [dir]')
    .description('create a GitOps repository in an empty directory (default: the current one): package.json, main.ts, a jest snapshot test, ' +
      'tsconfig.json, cdk8s.yaml, .gitignore, a GitHub Actions workflow and the synthesized manifests/; exit 0 done, 2 refused')
    .option('--package <spec>', 'where the scaffold gets cdk8s-argocd: a version or a tarball (.tgz) (default: ^ this CLI\'s version)')
    .option('--repo-url <url>', 'Git URL Argo CD reads the repository from (default: the Git remote origin, else a placeholder)')
    .option('--force', 'write into a non-empty directory: adds the missing files, never overwrites one')
    .option('--no-git', 'do not run git init')
    .action((dir: string | undefined, opts: InitOptions) => {
      for (const line of initScaffold(dir ?? '.', opts)) process.stdout.write(`${line}\n`);
      process.exitCode = 0;
    });
}
