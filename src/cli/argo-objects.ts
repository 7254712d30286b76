import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ManifestFiles } from '../engine/load/manifest-file';

/** An `argoproj.io` document and the file it was read from. */
export interface FoundArgoObject {
  readonly file: string;
  readonly object: any;
}

/** ApplicationSet documents in a file, or in every YAML/JSON file below a directory (dot-folders skipped). */
export function findApplicationSets(target: string): FoundArgoObject[] {
  return findArgoObjects(target, ['ApplicationSet']);
}

/**
 * `argoproj.io` documents of these kinds in a file, or in every YAML/JSON file below a directory.
 * `read`: the run's manifest reads, whose texts are used instead of reading the files again.
 */
export function findArgoObjects(target: string, kinds: readonly string[], read?: ManifestFiles): FoundArgoObject[] {
  const files: string[] = [];
  const walk = (p: string): void => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) {
        if (!entry.startsWith('.')) walk(path.join(p, entry));
      }
    } else if (p === target || /\.(ya?ml|json)$/.test(p)) {
      files.push(p);
    }
  };
  if (!fs.existsSync(target)) throw new Error(`${target} does not exist`);
  walk(target);
  // Cheap pre-filter, as for Applications: most files of a manifests directory hold none of these
  // kinds, and parsing every one of them (thousands in a large tree) costs seconds.
  const mentionsKind = new RegExp(`kind['"]?\\s*:\\s*['"]?(${kinds.join('|')})\\b`);
  const found: FoundArgoObject[] = [];
  for (const file of files) {
    const text = read?.textIfRead(file) ?? fs.readFileSync(file, 'utf8');
    if (file !== target && !mentionsKind.test(text)) {
      continue;
    }
    const docs = parseAllDocuments(text);
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length > 0) {
        if (file === target) throw new Error(`${file}: ${doc.errors[0].message}`);
        continue;
      }
      const object = doc.toJSON();
      if (object?.apiVersion?.startsWith('argoproj.io/') && kinds.includes(object.kind)) found.push({ file, object });
    }
  }
  return found;
}
