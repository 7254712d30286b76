/**
 * The pinned-images file (`images.yaml` or `images.json`): one `name: image:tag` entry per image,
 * read by the constructs (`Images.fromFile`) and updated by `cdk8s-argocd set-image`. Updates
 * change only the values they set, in place, so comments, key order and quoting stay as written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isMap, isScalar, LineCounter, parseDocument, Scalar } from 'yaml';
import { parsePinnedImage } from './image-reference';

/** Names of images: what the code asks for (`images.get('hello-api')`). */
const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** The file names looked for when none is given, in this order. */
export const DEFAULT_IMAGES_FILES = ['images.yaml', 'images.yml', 'images.json'];

/** A malformed or invalid images file; the message starts with `file:line:column`. */
export class ImagesFileError extends Error {}

/** One entry and where it is. */
interface Entry {
  readonly image: string;
  readonly line: number;
  /** Offsets of the value's text. */
  readonly valueStart: number;
  readonly valueEnd: number;
  readonly quote: 'plain' | 'single' | 'double';
}

export interface ParsedImages {
  /** Name → image, in file order. */
  readonly images: ReadonlyMap<string, string>;
  readonly entries: ReadonlyMap<string, Entry>;
  /** Whether the top-level mapping is a JSON/flow `{…}` (new entries go inside the braces). */
  readonly flow: boolean;
}

export function isJsonFile(file: string): boolean {
  return file.toLowerCase().endsWith('.json');
}

/** What is wrong with an image name, or undefined. */
export function imageNameError(name: string): string | undefined {
  return IMAGE_NAME.test(name) ? undefined : `image name '${name}' must start with a letter or digit and hold only letters, digits, '.', '_', '/' and '-'`;
}

/** Parses the text of an images file; errors name `shown:line:column`. */
export function parseImagesText(text: string, shown: string, json: boolean): ParsedImages {
  const lines = new LineCounter();
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${shown}:${p.line}:${p.col}`;
  };
  if (json) {
    // JSON.parse is the strict judge of JSON (the YAML parser below would accept comments).
    try {
      JSON.parse(text);
    } catch (e) {
      const message = (e as Error).message;
      const offset = /position (\d+)/.exec(message);
      // Offsets count UTF-16 units, as the line counter does; it needs the lines first.
      parseDocument(text, { lineCounter: lines });
      const where = offset ? at(Math.min(Number(offset[1]), text.length)) : `${shown}:1:1`;
      throw new ImagesFileError(`${where}: not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`);
    }
  }
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, keepSourceTokens: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new ImagesFileError(`${at(e.pos[0])}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const images = new Map<string, string>();
  const entries = new Map<string, Entry>();
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return { images, entries, flow: json };
  }
  if (!isMap(doc.contents)) {
    throw new ImagesFileError(`${at(doc.contents.range?.[0] ?? 0)}: expected a mapping of image names to images, e.g. hello-api: ghcr.io/acme/hello-api:1.4.2`);
  }
  const errors: string[] = [];
  for (const pair of doc.contents.items) {
    const key = pair.key;
    const value = pair.value;
    const keyAt = isScalar(key) && key.range ? at(key.range[0]) : `${shown}:1:1`;
    if (!isScalar(key) || typeof key.value !== 'string') {
      errors.push(`${keyAt}: image names are strings`);
      continue;
    }
    const name = key.value;
    const nameError = imageNameError(name);
    if (nameError) {
      errors.push(`${keyAt}: ${nameError}`);
      continue;
    }
    if (!isScalar(value) || typeof value.value !== 'string' || !value.range) {
      errors.push(`${isScalar(value) && value.range ? at(value.range[0]) : keyAt}: '${name}' must be an image reference string, e.g. ghcr.io/acme/${name}:1.0.0`);
      continue;
    }
    const parsed = parsePinnedImage(value.value);
    if (typeof parsed === 'string') {
      errors.push(`${at(value.range[0])}: '${name}': ${parsed}`);
      continue;
    }
    images.set(name, value.value);
    entries.set(name, {
      image: value.value,
      line: lines.linePos(value.range[0]).line,
      valueStart: value.range[0],
      valueEnd: value.range[1],
      quote: value.type === Scalar.QUOTE_DOUBLE ? 'double' : value.type === Scalar.QUOTE_SINGLE ? 'single' : 'plain',
    });
  }
  if (errors.length > 0) throw new ImagesFileError(errors.join('\n'));
  return { images, entries, flow: doc.contents.flow === true || json };
}

/** Reads and parses an images file. */
export function readImagesFile(file: string, shown = file): ParsedImages {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e.code === 'ENOENT') throw new ImagesFileError(`${shown}: no such file: create it with one 'name: image:tag' line per image (e.g. hello-api: ghcr.io/acme/hello-api:1.4.2)`);
    throw new ImagesFileError(`${shown}: cannot read it: ${e.message}`);
  }
  return parseImagesText(text, shown, isJsonFile(file));
}

/**
 * The text with `updates` applied: existing entries change their value in place (same quoting),
 * new ones are appended (inside the braces of a JSON or flow mapping).
 */
export function updateImagesText(text: string, parsed: ParsedImages, updates: ReadonlyMap<string, string>, json: boolean): string {
  let out = text;
  // From the end, so earlier offsets stay valid.
  const existing = [...updates].filter(([name]) => parsed.entries.has(name))
    .map(([name, image]) => ({ entry: parsed.entries.get(name)!, image }))
    .sort((a, b) => b.entry.valueStart - a.entry.valueStart);
  for (const { entry, image } of existing) {
    out = out.slice(0, entry.valueStart) + quoted(image, json ? 'double' : entry.quote) + out.slice(entry.valueEnd);
  }
  const added = [...updates].filter(([name]) => !parsed.entries.has(name));
  if (added.length === 0) return out;
  if (parsed.flow) {
    // A new key inside braces: written out again as JSON (a YAML flow mapping becomes JSON, which
    // is YAML too), keeping the order and the file's indentation.
    const value: { [name: string]: string } = json ? JSON.parse(out) : Object.fromEntries(parsed.images);
    for (const [name, image] of updates) value[name] = image;
    const indent = /\n([ \t]+)"/.exec(out)?.[1] ?? '  ';
    return `${JSON.stringify(value, null, indent)}\n`;
  }
  const body = out.length === 0 || out.endsWith('\n') ? out : `${out}\n`;
  return body + added.map(([name, image]) => `${name}: ${quoted(image, 'plain')}\n`).join('');
}

function quoted(value: string, style: 'plain' | 'single' | 'double'): string {
  if (style === 'double') return JSON.stringify(value);
  if (style === 'single') return `'${value.replace(/'/g, "''")}'`;
  // Image references never need quotes in YAML: no ': ', no ' #', no leading indicator.
  return value;
}

/**
 * Writes `text` to `file` atomically: a temporary file in the same folder, flushed, then renamed
 * over it, so a reader (or a killed run) sees the old file or the new one, never half of one.
 */
export function writeFileAtomically(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  // Keep the file's permission bits (the low nine bits of its mode).
  const fd = fs.openSync(tmp, 'w', fs.existsSync(file) ? fs.statSync(file).mode % 0o1000 : 0o644);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
