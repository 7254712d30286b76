import { isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { DesiredObject, KubeObject } from '../model';
import { ManifestError } from './manifest-error';

/**
 * Parses a YAML or JSON stream (multi-document) into Kubernetes objects with the line each
 * document starts on. `kind: List` is unwrapped into its items, as kubectl and Argo CD do.
 * Empty documents are skipped; anything else that is not a Kubernetes object is an error
 * naming `file:line`, so one bad manifest stops the whole load (and the sync) up front.
 */
export function parseManifests(text: string, file: string): DesiredObject[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const out: DesiredObject[] = [];
  for (const doc of docs) {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const errLine = err.linePos?.[0]?.line ?? line;
      throw new ManifestError({ file, line: errLine }, `invalid YAML: ${err.message.split('\n')[0]}`);
    }
    if (doc.contents === null || doc.contents === undefined || (isScalar(doc.contents) && doc.contents.value === null)) {
      continue;
    }
    if (!isMap(doc.contents)) {
      throw new ManifestError({ file, line }, 'expected a Kubernetes object (a mapping with apiVersion, kind and metadata)');
    }
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    const position = { file, line };
    if (isList(value)) {
      for (const item of value.items) {
        out.push({ object: checkObject(item, file, line), source: position });
      }
    } else {
      out.push({ object: checkObject(value, file, line), source: position });
    }
  }
  return out;
}

function isList(v: any): v is { items: unknown[] } {
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)
    && typeof v.apiVersion === 'string' && (v.apiVersion === 'v1' || !v.metadata?.name);
}

function checkObject(v: any, file: string, line: number): KubeObject {
  const at = { file, line };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ManifestError(at, 'expected a Kubernetes object (a mapping with apiVersion, kind and metadata)');
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
  if (typeof v.metadata.name !== 'string' && typeof v.metadata.generateName !== 'string') {
    throw new ManifestError(at, `${v.kind} has no metadata.name (or metadata.generateName)`);
  }
  return v as KubeObject;
}
