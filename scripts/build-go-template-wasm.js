/**
 * `npx projen build:go-template` (run before compile and before the tests): builds the Go program
 * in wasm/go-template/ — Go's text/template, Sprig and fasttemplate, the libraries Argo CD renders
 * ApplicationSet templates with — into wasm/go-template.wasm, which ships in the npm package.
 *
 * Building needs Go; using the package does not. The output is rebuilt only when the Go sources
 * (go.mod, go.sum, *.go) change: their hash is stored next to it.
 */
// Plain JavaScript (no ts-node): it runs before every test run and must cost nothing when up to date.
const { execFileSync, spawnSync } = require('child_process');
const { createHash } = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const sourceDir = path.join(root, 'wasm', 'go-template');
const output = path.join(root, 'wasm', 'go-template.wasm');
const stamp = `${output}.sha256`;

function sourceHash() {
  const hash = createHash('sha256');
  const files = fs.readdirSync(sourceDir).filter(f => f === 'go.mod' || f === 'go.sum' || (f.endsWith('.go') && !f.endsWith('_test.go'))).sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(sourceDir, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

const wanted = sourceHash();
if (fs.existsSync(output) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === wanted) {
  process.exit(0);
}

const go = spawnSync('go', ['version'], { encoding: 'utf8' });
if (go.error || go.status !== 0) {
  console.error('Building wasm/go-template.wasm (the ApplicationSet template renderer) needs Go 1.24 or newer on PATH, and `go version` failed: install Go from https://go.dev/dl/ and run again.');
  process.exit(1);
}

const partial = `${output}.partial`;
console.log(`building wasm/go-template.wasm with ${go.stdout.trim()}`);
try {
  execFileSync('go', ['build', '-buildmode=c-shared', '-trimpath', '-buildvcs=false', '-ldflags=-s -w', '-o', partial, '.'], {
    cwd: sourceDir,
    env: { ...process.env, GOOS: 'wasip1', GOARCH: 'wasm', CGO_ENABLED: '0' },
    stdio: 'inherit',
  });
} catch {
  fs.rmSync(partial, { force: true });
  console.error('go build of wasm/go-template failed (see above); it needs Go 1.24 or newer and the Go module proxy (or a warm module cache)');
  process.exit(1);
}
fs.renameSync(partial, output);
fs.writeFileSync(stamp, `${wanted}\n`);
