/**
 * `npx projen package:go` (run by `npm run package:all`): builds the Go module of this library into
 * dist/go/cdk8sargocd with jsii-pacmak, which also compiles it (`go build`) against its dependencies.
 *
 * Those dependencies are the Go modules of our jsii dependencies (cdk8s-core-go, cdk8s-plus-go,
 * constructs-go) at the versions npm installed. Not every Go module proxy serves them: the one this
 * project's machines reach refuses cdk8s-core-go v2.70.0 (it serves the other two). Each one the proxy does not
 * serve is built from the installed npm package — whose .jsii assembly and tarball are exactly what
 * the published Go module is generated from — by the same jsii-pacmak run, into dist/go/<package>,
 * where pacmak (and the Go proof, test/languages) point a local `replace` at it. Only
 * dist/go/cdk8sargocd is this project's artifact; its go.mod requires the published modules.
 */
// Plain JavaScript (no ts-node), like build-go-template-wasm.js.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) {
    const what = result.error.code === 'ENOENT' ? `${command} is not on PATH` : result.error.message;
    console.error(`${command} ${args.join(' ')}: ${what}. Building the Go package needs Go 1.25 or newer (go on PATH).`);
    process.exit(1);
  }
  return result;
}

/** The Go module path jsii-pacmak gives an npm package with a Go target (module/package, /vN from v2 on). */
function goModulePath(pkg) {
  const go = pkg.jsii.targets.go;
  const packageName = go.packageName ?? pkg.name.replace(/[^a-z0-9]/gi, '').toLowerCase();
  const major = Number(pkg.version.split('.')[0]);
  return `${go.moduleName}/${packageName}${major >= 2 ? `/v${major}` : ''}`;
}

const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'package-go-probe-'));
const buildFromNpm = [];
try {
  // A throwaway module: `go mod download` of one module needs a main module to run in.
  fs.writeFileSync(path.join(probeDir, 'go.mod'), 'module probe\n\ngo 1.25\n');
  for (const name of Object.keys(own.peerDependencies ?? {}).sort()) {
    const dir = path.join(root, 'node_modules', name);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    if (!pkg.jsii?.targets?.go) continue;
    const module = `${goModulePath(pkg)}@v${pkg.version}`;
    const download = run('go', ['mod', 'download', '-json', module], { cwd: probeDir });
    if (download.status === 0) continue;
    const reason = (() => {
      try { return JSON.parse(download.stdout).Error; } catch { return download.stderr.trim(); }
    })();
    console.log(`${module} is not served by the Go module proxy (${reason}): building it from node_modules/${name} with jsii-pacmak`);
    buildFromNpm.push(dir);
  }
} finally {
  fs.rmSync(probeDir, { recursive: true, force: true });
}

// A stand-in from an earlier run must not shadow a module the proxy serves now.
fs.rmSync(path.join(root, 'dist', 'go'), { recursive: true, force: true });
// --no-npmignore: pacmak must not edit the installed packages.
const pacmak = run(path.join(root, 'node_modules', '.bin', 'jsii-pacmak'), [
  '-v', '--target', 'go', '--outdir', 'dist', '--no-npmignore', '.', ...buildFromNpm,
], { cwd: root, stdio: 'inherit' });
process.exit(pacmak.status ?? 1);
