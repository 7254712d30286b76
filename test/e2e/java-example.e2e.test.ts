/**
 * The Java package works for a Java user: jsii-pacmak builds it (dist/java), it is installed into
 * the local Maven repository like any `mvn install`, and examples/basic/java — the TypeScript
 * example written in Java, in a fresh copy of its Maven project — synthesizes a directory
 * byte-identical to the TypeScript example's committed examples/basic/manifests.
 *
 * Needs a JDK (17+) and Maven; their absence fails the test and names them. Maven downloads into
 * ~/.m2 (or CDK8S_ARGOCD_MAVEN_REPO) once; later runs work from there.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createTwoFilesPatch } from 'diff';

const root = path.join(__dirname, '..', '..');
const example = path.join(root, 'examples', 'basic');
const localRepo = process.env.CDK8S_ARGOCD_MAVEN_REPO ?? path.join(os.homedir(), '.m2', 'repository');

/** Runs a command; throws with its output when it fails or is missing. */
function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const res = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (res.error) {
    const missing = (res.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing
      ? `${command} is not on PATH: the Java proof needs a JDK (17 or newer: java, javac) and Maven (mvn)`
      : `${command} ${args.join(' ')}: ${res.error.message}`);
  }
  if (res.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${res.status ?? res.signal}:\n${res.stdout}\n${res.stderr}`);
  }
  return `${res.stdout}`;
}

/** Every file under `dir` (dotfiles too), as sorted relative POSIX paths. */
function filesUnder(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(path.join(dir, e.name), rel) : [rel];
  }).sort();
}

/** The newest modification time of the files under `dir`. */
function newestMtime(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((newest, e) => {
    const full = path.join(dir, e.name);
    return Math.max(newest, e.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }, 0);
}

const mvnArgs = ['-B', '-q', `-Dmaven.repo.local=${localRepo}`];

describe('examples/basic in Java', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-java-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('synthesizes the same files as the TypeScript example, byte for byte', () => {
    // The toolchain first, so that a machine without it gets one clear message.
    run('java', ['-version']);
    run('mvn', ['-v']);

    // The jsii assembly (lib/, .jsii) is compiled unless it is newer than every source.
    const assembly = path.join(root, '.jsii');
    if (!fs.existsSync(assembly) || fs.statSync(assembly).mtimeMs < newestMtime(path.join(root, 'src'))) {
      run('npx', ['projen', 'compile']);
    }
    // Skipped when dist/java was built from the same inputs (scripts/package-java.js).
    run('npx', ['projen', 'package:java'], { env: { ...process.env, CDK8S_ARGOCD_MAVEN_REPO: localRepo } });

    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const { groupId, artifactId } = pkg.jsii.targets.java.maven;
    const built = path.join(root, 'dist', 'java', ...groupId.split('.'), artifactId, pkg.version);
    const jar = path.join(built, `${artifactId}-${pkg.version}.jar`);
    expect(fs.existsSync(jar)).toBe(true);
    // Install exactly this build (a rebuilt jar of the same version replaces the previous one).
    run('mvn', [...mvnArgs, 'install:install-file', `-Dfile=${jar}`, `-DpomFile=${path.join(built, `${artifactId}-${pkg.version}.pom`)}`]);

    // A fresh copy of the example's Maven project: nothing of an earlier build (target/) in it.
    const project = path.join(work, 'basic-java');
    fs.cpSync(path.join(example, 'java'), project, { recursive: true, filter: src => path.basename(src) !== 'target' });
    const outdir = path.join(work, 'manifests');
    run('mvn', [...mvnArgs, 'compile', 'exec:java', `-Dcdk8s-argocd.version=${pkg.version}`, `-Dexec.args=${outdir}`], {
      cwd: project,
      // The synth's one-line summary is not what this test checks.
      env: { ...process.env, CDK8S_ARGOCD_QUIET: '1' },
    });

    const committed = path.join(example, 'manifests');
    const expected = filesUnder(committed);
    expect(expected.length).toBeGreaterThan(1);
    expect(filesUnder(outdir)).toEqual(expected);
    // Byte for byte; a file that differs shows as a unified diff naming it.
    const patches = expected
      .filter(file => !fs.readFileSync(path.join(outdir, file)).equals(fs.readFileSync(path.join(committed, file))))
      .map(file => createTwoFilesPatch(`examples/basic/manifests/${file}`, `Java output: ${file}`,
        fs.readFileSync(path.join(committed, file), 'utf8'), fs.readFileSync(path.join(outdir, file), 'utf8')));
    expect(patches).toEqual([]);
  }, 40 * 60_000);
});
