/**
 * `npx projen package:java`: builds the Java package into dist/java with jsii-pacmak, against
 * Maven's usual local repository (~/.m2/repository, or $CDK8S_ARGOCD_MAVEN_REPO) — pacmak's default
 * is an empty repository per run, which would download everything again on every build. The build
 * is skipped when dist/java was built from the same inputs (see inputsHash).
 *
 * First it makes sure that repository has the Java binding of every jsii dependency at the version
 * npm installed. cdk8s and constructs come from Maven Central as usual. org.cdk8s:cdk8s-plus-28 is
 * published there too, but not every mirror serves it (this project's machines get a 404): when
 * Maven cannot download it, it is built from the installed npm package — whose .jsii assembly and
 * tarball are exactly what the published jar is made of — with the same jsii-pacmak, whose Maven
 * build installs it into the local repository under its own coordinates. Nothing is done when the
 * jar is already there.
 */
// Plain JavaScript (no ts-node), like build-go-template-wasm.js: it must cost nothing when up to date.
const { spawnSync } = require('child_process');
const { createHash } = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const localRepo = process.env.CDK8S_ARGOCD_MAVEN_REPO || path.join(os.homedir(), '.m2', 'repository');
// The jsii dependencies that Maven Central may not serve here, as npm package → Maven coordinates.
const deps = [{ npm: 'cdk8s-plus-28', groupId: 'org.cdk8s', artifactId: 'cdk8s-plus-28' }];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) {
    const what = result.error.code === 'ENOENT' ? `${command} is not on PATH` : result.error.message;
    console.error(`${command} ${args.join(' ')}: ${what}. Building the Java package needs a JDK (17 or newer) and Maven (mvn).`);
    process.exit(1);
  }
  return result;
}

for (const dep of deps) {
  const version = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', dep.npm, 'package.json'), 'utf8')).version;
  const coords = `${dep.groupId}:${dep.artifactId}:${version}`;
  const jar = path.join(localRepo, ...dep.groupId.split('.'), dep.artifactId, version, `${dep.artifactId}-${version}.jar`);
  if (fs.existsSync(jar)) continue;

  const get = run('mvn', ['-B', '-q', `-Dmaven.repo.local=${localRepo}`, 'dependency:get', `-Dartifact=${coords}`, '-Dtransitive=false']);
  if (get.status === 0) continue;

  console.log(`${coords} could not be downloaded from Maven Central: building it from node_modules/${dep.npm} with jsii-pacmak`);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `java-deps-${dep.npm}-`));
  try {
    // --no-npmignore: pacmak must not edit the installed package.
    const pacmak = run(path.join(root, 'node_modules', '.bin', 'jsii-pacmak'), [
      path.join(root, 'node_modules', dep.npm), '--target', 'java', '--outdir', outdir,
      '--maven-local-repository', localRepo, '--no-npmignore',
    ], { stdio: 'inherit' });
    if (pacmak.status !== 0) {
      console.error(`jsii-pacmak could not build the Java binding of ${dep.npm}@${version} (see above)`);
      process.exit(1);
    }
    // pacmak's Maven build ends with `deploy`, which installs into the local repository first.
    if (!fs.existsSync(jar)) {
      console.error(`jsii-pacmak built ${dep.npm}@${version} but ${jar} is not there`);
      process.exit(1);
    }
    console.log(`${coords} built from the npm package and installed into ${localRepo}`);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * A hash of what goes into the jar: the jar embeds the npm package, i.e. the compiled library (lib/,
 * .jsii), the files it ships (wasm/, crds/) and the bundled dependencies (pinned by the lockfile).
 * pacmak's own fingerprint covers only the API (.jsii), so it cannot tell a stale jar.
 */
function inputsHash() {
  const hash = createHash('sha256');
  const add = (file) => {
    hash.update(`${path.relative(root, file)}\0`);
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  };
  const addTree = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) addTree(full);
      else add(full);
    }
  };
  for (const file of ['package.json', 'package-lock.json', '.jsii', 'scripts/package-java.js', 'node_modules/jsii-pacmak/package.json']) {
    add(path.join(root, file));
  }
  addTree(path.join(root, 'lib'));
  addTree(path.join(root, 'crds'));
  for (const f of fs.readdirSync(path.join(root, 'wasm')).filter(n => n.endsWith('.wasm')).sort()) add(path.join(root, 'wasm', f));
  return hash.digest('hex');
}

if (!fs.existsSync(path.join(root, '.jsii'))) {
  console.error('.jsii is missing: compile first (npx projen compile)');
  process.exit(1);
}
const stamp = path.join(root, 'dist', 'java', '.inputs.sha256');
const wanted = inputsHash();
if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === wanted) {
  console.log('dist/java is up to date');
  process.exit(0);
}
fs.rmSync(stamp, { force: true });
const pacmak = run(path.join(root, 'node_modules', '.bin', 'jsii-pacmak'),
  ['-v', '--target', 'java', '--maven-local-repository', localRepo, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
if (pacmak.status !== 0) process.exit(pacmak.status ?? 1);
fs.writeFileSync(stamp, `${wanted}\n`);
