import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { ARGOCD_CRD_DIR, ARGOCD_CRDS } from '../../src/engine/crds/argocd-crds';

// The CRDs shipped in the package (crds/), the very files `install-crds` installs.
const CRD_FILES: { [kind: string]: string } = Object.fromEntries(ARGOCD_CRDS.map((c) => [c.kind, c.file]));

// What Kubernetes accepts in metadata of a custom resource (the CRD schema only says `object`).
const OBJECT_META = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' },
    namespace: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
  },
};

/**
 * Turns a CRD's structural OpenAPI v3 schema into a strict JSON schema: objects with declared
 * properties reject unknown fields unless marked `x-kubernetes-preserve-unknown-fields`, which is
 * how kube-apiserver's strict field validation behaves.
 */
function strictSchema(node: any): any {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'format') continue;
    out[key] = strictSchema(value);
  }
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    if (!out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const isObject = node.type === 'object' || node.properties !== undefined;
  if (isObject && node.properties && node.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(kind: string): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    const crd = parse(fs.readFileSync(path.join(ARGOCD_CRD_DIR, CRD_FILES[kind]), 'utf8'));
    const version = crd.spec.versions.find((x: any) => x.name === 'v1alpha1');
    const schema = strictSchema(version.schema.openAPIV3Schema);
    schema.properties.metadata = OBJECT_META;
    schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])];
    v = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    validators.set(kind, v);
  }
  return v;
}

/** Whether `kind` is an Argo CD kind the shipped CRDs cover. */
export function isArgoKind(obj: any): boolean {
  return obj?.apiVersion === 'argoproj.io/v1alpha1' && obj.kind in CRD_FILES;
}

/** Errors of one Argo CD object against the v3.5 CRD schema (empty when valid). */
export function crdErrors(obj: any): string[] {
  if (!isArgoKind(obj)) throw new Error(`not an Argo CD object: ${obj?.apiVersion} ${obj?.kind}`);
  const validate = validatorFor(obj.kind);
  if (validate(obj)) return [];
  return (validate.errors ?? []).map(e => `${obj.kind} ${obj.metadata?.name}: ${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${(e.params as any).additionalProperty}'` : ''}`);
}

/** Errors of every Argo CD object in a set of synthesized files. */
export function crdErrorsInFiles(files: { [path: string]: string }): { checked: number; errors: string[] } {
  let checked = 0;
  const errors: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    for (const doc of parseAllDocuments(text)) {
      const obj = doc.toJS();
      if (!isArgoKind(obj)) continue;
      checked++;
      errors.push(...crdErrors(obj).map(e => `${file}: ${e}`));
    }
  }
  return { checked, errors };
}
