import { Document, isScalar, LineCounter, parseAllDocuments, ParsedNode, YAMLError } from 'yaml';
import { DesiredObject, KubeObject } from '../model';
import { ManifestError } from './manifest-error';
import { GO_YAML_SCALAR_TAGS } from './yaml-1-1-scalars';

/** One YAML document as JSON-like data (Kubernetes tooling's reading of it) and where it starts. */
export interface YamlDocument {
  readonly value: unknown;
  /** 1-based line of the document's first node. */
  readonly line: number;
  /** Line of the node at `path` (e.g. `['metadata', 'name']`), or the document's line. */
  lineOf(path: readonly (string | number)[]): number;
}

export interface ReadYamlOptions {
  /**
   * Credential files (kubeconfigs, clusters files): errors give only line, column and the parser's
   * error code, never a message that may quote the text around the error (a `token:` line).
   */
  readonly sensitive?: boolean;
}

/**
 * Reads a YAML or JSON stream with the scalar rules of sigs.k8s.io/yaml (see yaml-1-1-scalars.ts)
 * and its map-key rules (keys become strings; a null or collection key is an error). A syntax
 * error is a {@link ManifestError} with the line it is on.
 */
export function readYamlDocuments(text: string, file: string, options: ReadYamlOptions = {}): YamlDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    schema: 'failsafe',
    customTags: GO_YAML_SCALAR_TAGS,
    merge: true,
    // go-yaml keeps the last of two keys that resolve alike (`y:` and `yes:`); the same key written twice is a mistake.
    uniqueKeys: (a, b) => isScalar(a) && isScalar(b) && a.source === b.source && a.source !== '<<',
  });
  const out: YamlDocument[] = [];
  for (const doc of docs) {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    if (doc.errors.length > 0) {
      throw yamlError(doc.errors[0], file, lineCounter, text, options);
    }
    const lineOf = (path: readonly (string | number)[]) => {
      const node = doc.getIn(path, true) as ParsedNode | undefined;
      return node?.range ? lineCounter.linePos(node.range[0]).line : line;
    };
    out.push({ value: toJson(doc, file, line), line, lineOf });
  }
  return out;
}

function yamlError(err: YAMLError, file: string, lineCounter: LineCounter, text: string, options: ReadYamlOptions): ManifestError {
  // Without prettyErrors the error has only an offset; prettyErrors would also quote the text around it.
  // An error found at the end of the text (an unclosed `{`) is blamed on the last line that has text.
  const offset = err.pos[0] >= text.trimEnd().length ? Math.max(0, text.trimEnd().length - 1) : err.pos[0];
  const pos = lineCounter.linePos(offset);
  const at = { file, line: pos.line };
  if (options.sensitive) {
    return new ManifestError(at, `invalid YAML at column ${pos.col} (${err.code}); fix the file (its contents are not shown because it may hold credentials)`);
  }
  return new ManifestError(at, `invalid YAML: ${err.message.split('\n')[0]}`);
}

/** sigs.k8s.io/yaml's YAMLToJSON: map keys become strings, numbers must be finite. */
function toJson(doc: Document.Parsed, file: string, line: number): unknown {
  const convert = (v: unknown): unknown => {
    if (v instanceof Map) {
      const obj: Record<string, unknown> = {};
      for (const [k, val] of v) {
        if (k === null || typeof k === 'object') {
          throw new ManifestError({ file, line }, `unsupported map key ${k === null ? 'null (`~:` or an empty key)' : 'that is a list or map'}; write the key as a string`);
        }
        obj[String(k)] = convert(val);
      }
      return obj;
    }
    if (Array.isArray(v)) {
      return v.map(convert);
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new ManifestError({ file, line }, `${v} (.inf/.nan) cannot be written as JSON, so Kubernetes cannot read it; quote it if it is a string`);
    }
    return v;
  };
  return convert(doc.toJS({ maxAliasCount: 100, mapAsMap: true }));
}

/**
 * Parses a YAML or JSON stream (multi-document) into Kubernetes objects with the line each
 * document starts on. `kind: List` is unwrapped into its items, as kubectl and Argo CD do.
 * Empty documents are skipped; anything else that is not a Kubernetes object is an error
 * naming `file:line`, so one bad manifest stops the whole load (and the sync) up front.
 */
export function parseManifests(text: string, file: string): DesiredObject[] {
  const out: DesiredObject[] = [];
  for (const doc of readYamlDocuments(text, file)) {
    const value = doc.value;
    if (value === null || value === undefined) {
      continue;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ManifestError({ file, line: doc.line }, 'expected a Kubernetes object (a mapping with apiVersion, kind and metadata)');
    }
    const position = { file, line: doc.line };
    if (isList(value)) {
      value.items.forEach((item, i) => out.push({ object: checkObject(item, file, doc.line, (p) => doc.lineOf(['items', i, ...p])), source: position }));
    } else {
      out.push({ object: checkObject(value, file, doc.line, doc.lineOf), source: position });
    }
  }
  return out;
}

function isList(v: any): v is { items: unknown[] } {
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)
    && typeof v.apiVersion === 'string' && (v.apiVersion === 'v1' || !v.metadata?.name);
}

/** How a non-string value reads back, for "quote it" hints (`n` became false). */
function describe(v: unknown): string {
  return typeof v === 'boolean' ? `the boolean ${v} (YAML 1.1, as kubectl and Argo CD read it, makes y/n/yes/no/on/off booleans)`
    : typeof v === 'number' ? `the number ${v}` : `a ${Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v}`;
}

const METADATA_STRINGS = ['name', 'generateName', 'namespace'];

function checkObject(v: any, file: string, line: number, lineOf: (p: readonly (string | number)[]) => number): KubeObject {
  const at = { file, line };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ManifestError(at, 'expected a Kubernetes object (a mapping with apiVersion, kind and metadata)');
  }
  for (const field of ['apiVersion', 'kind']) {
    if (v[field] !== undefined && typeof v[field] !== 'string') {
      throw new ManifestError({ file, line: lineOf([field]) }, `${field} is ${describe(v[field])}, not a string: quote it`);
    }
  }
  if (typeof v.apiVersion !== 'string' || v.apiVersion === '') {
    throw new ManifestError(at, 'object has no apiVersion: add e.g. `apiVersion: v1`');
  }
  if (typeof v.kind !== 'string' || v.kind === '') {
    throw new ManifestError(at, 'object has no kind: add e.g. `kind: ConfigMap`');
  }
  if (typeof v.metadata !== 'object' || v.metadata === null || Array.isArray(v.metadata)) {
    throw new ManifestError(at, `${v.kind} has no metadata: add metadata.name`);
  }
  for (const field of METADATA_STRINGS) {
    const value = v.metadata[field];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new ManifestError({ file, line: lineOf(['metadata', field]) },
        `${v.kind} metadata.${field} is ${describe(value)}, not a string, so Argo CD rejects it: quote the value`);
    }
  }
  if (typeof v.metadata.name !== 'string' && typeof v.metadata.generateName !== 'string') {
    throw new ManifestError(at, `${v.kind} has no metadata.name (or metadata.generateName)`);
  }
  return v as KubeObject;
}
