/**
 * `cdk8s-argocd set-image NAME=IMAGE:TAG …`: pins images in the images file and re-synthesizes,
 * as one step under one lock, so two CI runs that race each keep their change and the committed
 * directory ends up synthesized from both.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { parsePinnedImage } from './image-reference';
import {
  DEFAULT_IMAGES_FILES, imageNameError, ImagesFileError, isJsonFile, parseImagesText, updateImagesText, writeFileAtomically,
} from './images-file';
import { acquireFileLock } from '../synth/file-lock';

/** Seconds a set-image waits for another one by default. */
export const SET_IMAGE_LOCK_TIMEOUT_SECONDS = 300;

/** Input errors (bad arguments, a malformed file, no synth command): exit 2. */
export class SetImageUsageError extends Error {}

export interface SetImageOptions {
  /** `NAME=IMAGE:TAG` arguments. */
  readonly assignments: readonly string[];
  /** The project folder: where the images file, `cdk8s.yaml` and `package.json` are. */
  readonly cwd: string;
  /** The images file (relative to cwd); default: the first of images.yaml, images.yml, images.json that exists. */
  readonly file?: string;
  /** Allow names the file does not have yet. */
  readonly add?: boolean;
  /** The synth command (a shell command); undefined: from cdk8s.yaml or package.json; false: none. */
  readonly synth?: string | false;
  readonly lockTimeoutSeconds?: number;
  readonly log: (line: string) => void;
}

export interface SetImageResult {
  /** Names whose image changed. */
  readonly changed: string[];
  /** The synth command that ran, if any. */
  readonly synthCommand?: string;
  /** Exit code of the synth (0 when none ran). */
  readonly synthExitCode: number;
}

/** Parses `NAME=IMAGE:TAG` arguments; refuses bad names, unpinned or invalid references and repeats. */
export function parseAssignments(args: readonly string[]): Map<string, string> {
  if (args.length === 0) throw new SetImageUsageError('give at least one NAME=IMAGE:TAG, e.g. hello-api=ghcr.io/acme/hello-api:1.4.2');
  const out = new Map<string, string>();
  const errors: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      errors.push(`'${arg}' is not NAME=IMAGE:TAG (e.g. hello-api=ghcr.io/acme/hello-api:1.4.2)`);
      continue;
    }
    const name = arg.slice(0, eq);
    const image = arg.slice(eq + 1);
    const nameError = imageNameError(name);
    const parsed = parsePinnedImage(image);
    if (nameError) errors.push(nameError);
    else if (typeof parsed === 'string') errors.push(`${name}: ${parsed}`);
    else if (out.has(name)) errors.push(`${name} is given twice`);
    else out.set(name, image);
  }
  if (errors.length > 0) throw new SetImageUsageError(errors.join('; '));
  return out;
}

/**
 * The command that re-synthesizes the project: `app` of `cdk8s.yaml` (what `cdk8s synth` runs; run
 * directly it writes the committed directory), else `npm run synth` when package.json has that script.
 */
export function resolveSynthCommand(cwd: string): string {
  for (const name of ['cdk8s.yaml', 'cdk8s.yml']) {
    const file = path.join(cwd, name);
    if (!fs.existsSync(file)) continue;
    let config: any;
    try {
      config = parseYaml(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new SetImageUsageError(`${name}: not valid YAML (${(e as Error).message.split('\n')[0]}): fix it, or pass --synth '<command>'`);
    }
    if (typeof config?.app === 'string' && config.app.trim()) return config.app.trim();
  }
  const pkgFile = path.join(cwd, 'package.json');
  if (fs.existsSync(pkgFile)) {
    try {
      if (typeof JSON.parse(fs.readFileSync(pkgFile, 'utf8'))?.scripts?.synth === 'string') return 'npm run synth';
    } catch {
      // reported below like a missing script
    }
  }
  throw new SetImageUsageError(`no synth command: ${path.relative(process.cwd(), cwd) || '.'} has no cdk8s.yaml with an 'app' and no 'synth' script in package.json; pass --synth '<command>' (or --no-synth to only update the file)`);
}

function resolveImagesFile(cwd: string, file: string | undefined): string {
  if (file !== undefined) return path.resolve(cwd, file);
  for (const name of DEFAULT_IMAGES_FILES) {
    if (fs.existsSync(path.join(cwd, name))) return path.join(cwd, name);
  }
  throw new SetImageUsageError(`no images file: none of ${DEFAULT_IMAGES_FILES.join(', ')} in ${path.relative(process.cwd(), cwd) || '.'}; create one (hello-api: ghcr.io/acme/hello-api:1.4.2) or pass --file`);
}

/**
 * Under the lock (`.<file>.lock` beside the images file): reads the file as it is now, writes the
 * new images (temp file + rename), and runs the synth. If the synth fails, the file is put back,
 * so the images file and the committed directory never disagree.
 */
export function setImages(options: SetImageOptions): SetImageResult {
  const updates = parseAssignments(options.assignments);
  const file = resolveImagesFile(options.cwd, options.file);
  const shown = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) throw new SetImageUsageError(`${shown}: no such file: create it (hello-api: ghcr.io/acme/hello-api:1.4.2)`);
  const synthCommand = options.synth === false ? undefined : options.synth ?? resolveSynthCommand(options.cwd);

  const lock = path.join(path.dirname(file), `.${path.basename(file)}.lock`);
  const shownLock = path.relative(process.cwd(), lock) || lock;
  const release = acquireFileLock(lock, options.lockTimeoutSeconds ?? SET_IMAGE_LOCK_TIMEOUT_SECONDS, {
    waiting: who => `${shown}: waiting for another set-image (${who}) to finish`,
    staleRemoved: holder => `${shown}: removing the lock of a set-image that is no longer running${holder ? ` (pid ${holder.pid})` : ''}`,
    timedOut: (who, seconds) => `another set-image (${who}) has held ${shownLock} for more than ${seconds} s: wait for it to finish, or, if none is running, delete ${shownLock}; raise the wait with --lock-timeout`,
  }, options.log);
  try {
    // Under the lock no other set-image writes: a temporary file here was left by a killed run.
    const leftover = `.${path.basename(file)}.tmp-`;
    for (const f of fs.readdirSync(path.dirname(file))) {
      if (f.startsWith(leftover)) fs.rmSync(path.join(path.dirname(file), f), { force: true });
    }
    const before = fs.readFileSync(file, 'utf8');
    const json = isJsonFile(file);
    let parsed;
    try {
      parsed = parseImagesText(before, shown, json);
    } catch (e) {
      if (e instanceof ImagesFileError) throw new SetImageUsageError(e.message);
      throw e;
    }
    const unknown = [...updates.keys()].filter(n => !parsed.images.has(n));
    if (unknown.length > 0 && !options.add) {
      const known = parsed.images.size > 0 ? `known: ${[...parsed.images.keys()].join(', ')}` : 'it has none yet';
      throw new SetImageUsageError(`${shown} has no image ${unknown.map(n => `'${n}'`).join(', ')} (${known}): fix the name, or pass --add to add it`);
    }
    const changed = [...updates].filter(([name, image]) => parsed.images.get(name) !== image).map(([name]) => name);
    const after = updateImagesText(before, parsed, updates, json);
    // What we write must read back as what we meant (a guard against a formatting slip).
    const check = parseImagesText(after, shown, json);
    for (const [name, image] of updates) {
      if (check.images.get(name) !== image) throw new Error(`internal error: ${shown} would not read back ${name}=${image}; nothing was written`);
    }
    if (after !== before) writeFileAtomically(file, after);
    for (const [name, image] of updates) {
      options.log(`${shown}: ${name}=${image}${changed.includes(name) ? (parsed.images.has(name) ? ` (was ${parsed.images.get(name)})` : ' (added)') : ' (unchanged)'}`);
    }
    if (synthCommand === undefined) return { changed, synthExitCode: 0 };

    options.log(`synth: ${synthCommand}`);
    // The synth must write (not compare), whatever CI's environment says.
    const run = spawnSync(synthCommand, {
      cwd: options.cwd,
      shell: true,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_ARGOCD_CHECK: '' },
      maxBuffer: 256 * 1024 * 1024,
    });
    if (run.stdout) process.stdout.write(run.stdout);
    if (run.stderr) process.stderr.write(run.stderr);
    const code = run.status ?? 1;
    if (code !== 0 || run.error) {
      if (after !== before) writeFileAtomically(file, before);
      options.log(`synth failed (${run.error ? run.error.message : run.signal ? `signal ${run.signal}` : `exit ${code}`}); ${shown} is put back as it was`);
      return { changed: [], synthCommand, synthExitCode: code || 1 };
    }
    return { changed, synthCommand, synthExitCode: 0 };
  } finally {
    release();
  }
}
