/**
 * CRD_INVALIDATES_RESOURCES: a CustomResourceDefinition change that existing custom resources (the
 * live ones of every rehearsed Application) do not survive:
 *
 * - a version in `status.storedVersions` is dropped from `spec.versions`: kube-apiserver rejects
 *   the CRD update itself (stored objects would become unreadable);
 * - a version a custom resource uses is no longer served: reads and writes of it fail;
 * - the version's schema no longer accepts the resource (a new required field, a narrowed enum, a
 *   changed type, tighter bounds): kube-apiserver ratchets (a write that leaves the invalid fields
 *   as they are passes), but any write that changes the resource's spec — Argo CD syncing a
 *   changed manifest, its operator updating it — and re-creating it are rejected (the e2e test
 *   shows both on the local control plane);
 * - a field the resource sets disappears from the schema (without
 *   `x-kubernetes-preserve-unknown-fields`): the API server prunes it, on read and on write, so
 *   its value is lost.
 *
 * Validation is Ajv over the structural schema (OpenAPI v3 subset, as kube-apiserver's
 * structural-schema validation reads it), and only errors the base schema did not already raise
 * count: the rehearsal reports what the change breaks, not what was already broken.
 */

import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { deepEqual } from '../../engine/diff/json-path';
import { groupOf, KubeObject } from '../../engine/model';
import { FindingKind, FindingSeverity, RehearsalFinding } from '../report';
import { ChangeContext, describe, isCrd, resourceOf } from './context';

interface CrdVersion {
  readonly name: string;
  readonly served?: boolean;
  readonly storage?: boolean;
  readonly schema?: { openAPIV3Schema?: unknown };
}

function versionsOf(crd: KubeObject): CrdVersion[] {
  return (crd.spec?.versions ?? []) as CrdVersion[];
}

/** The structural schema as JSON schema: Kubernetes extensions and formats left to the API server. */
function jsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(jsonSchema);
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k.startsWith('x-kubernetes-') || k === 'format') {
      continue;
    }
    // `properties`/`patternProperties` hold field names, not keywords: keep every name.
    out[k] = k === 'properties' || k === 'definitions'
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([name, s]) => [name, jsonSchema(s)]))
      : jsonSchema(v);
  }
  if (src['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = out.anyOf ?? [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

// Created on first use: most rehearsals change no CRD.
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) {
    ajv = ajv ?? new Ajv({ allErrors: true, strict: false, validateFormats: false });
    v = ajv.compile(jsonSchema(schema) as object);
    compiled.set(key, v);
  }
  return v;
}

/** A custom resource as its schema sees it: metadata is validated by the API server, not the CRD. */
function validated(cr: KubeObject): Record<string, unknown> {
  const { metadata: _metadata, ...rest } = cr;
  void _metadata;
  return rest;
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath || '/';
  if (e.keyword === 'enum') {
    return `${at} must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  }
  if (e.keyword === 'required') {
    return `${at === '/' ? '' : at}/${(e.params as { missingProperty: string }).missingProperty} is required`;
  }
  return `${at} ${e.message ?? e.keyword}`;
}

function schemaErrors(schema: unknown, cr: KubeObject): string[] {
  if (schema === undefined) {
    return [];
  }
  const v = validator(schema);
  v(validated(cr));
  return [...new Set((v.errors ?? []).filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if').map(describeError))];
}

/**
 * Paths the resource sets that the schema does not declare and does not preserve: the API server
 * prunes them. `additionalProperties` (a map) and `x-kubernetes-preserve-unknown-fields` keep them.
 */
function prunedFields(value: unknown, schema: any, path: string, out: string[]): void {
  if (!schema || typeof schema !== 'object' || value === null || typeof value !== 'object') {
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => prunedFields(v, schema.items, `${path}/${i}`, out));
    return;
  }
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && !schema.properties) {
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const child = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (child) {
      prunedFields(v, child, `${path}/${k}`, out);
    } else if (schema.additionalProperties !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
      out.push(`${path}/${k}`);
    }
  }
}

function prunedBy(schema: unknown, cr: KubeObject): string[] {
  if (schema === undefined) {
    return [];
  }
  const out: string[] = [];
  const { metadata: _m, apiVersion: _a, kind: _k, ...fields } = cr;
  void _m; void _a; void _k;
  prunedFields(fields, schema, '', out);
  return out;
}

function schemaOf(crd: KubeObject, version: string): unknown {
  const v = versionsOf(crd).find((x) => x.name === version);
  // v1 CRDs carry the schema per version; a top-level spec.validation is the v1beta1 form.
  return v?.schema?.openAPIV3Schema ?? crd.spec?.validation?.openAPIV3Schema;
}

function customResourcesOf(crd: KubeObject, allLive: readonly KubeObject[]): KubeObject[] {
  return allLive.filter((o) => groupOf(o.apiVersion) === crd.spec?.group && o.kind === crd.spec?.names?.kind);
}

/**
 * The custom resources the CRD change meets, as head leaves them: every rehearsed Application's
 * live ones, each replaced by its head version when head changes it in the same merge.
 */
export interface CustomResources {
  readonly live: readonly KubeObject[];
  readonly headVersion: (live: KubeObject) => KubeObject | undefined;
}

function crdFindings(ctx: ChangeContext, live: KubeObject, head: KubeObject, source: string, crs: CustomResources): RehearsalFinding[] {
  const out: RehearsalFinding[] = [];
  const crdName = describe(head);
  const headVersions = versionsOf(head);
  const stored: string[] = live.status?.storedVersions ?? versionsOf(live).filter((v) => v.storage).map((v) => v.name);
  const dropped = stored.filter((s) => !headVersions.some((v) => v.name === s));
  const crdResource = { ...resourceOf(head), source };
  if (dropped.length > 0) {
    out.push({
      kind: FindingKind.CRD_INVALIDATES_RESOURCES,
      severity: FindingSeverity.FAILURE,
      application: ctx.name,
      resource: crdResource,
      path: 'spec.versions',
      message: `${crdName} drops ${dropped.join(', ')} from spec.versions, but status.storedVersions still lists ${dropped.length > 1 ? 'them' : 'it'}: the API server rejects the CRD update. Keep the version (served: false) until the stored objects are migrated and it is removed from status.storedVersions.`,
    });
  }
  for (const liveCr of customResourcesOf(head, crs.live)) {
    const cr = crs.headVersion(liveCr) ?? liveCr;
    const version = cr.apiVersion.slice(cr.apiVersion.indexOf('/') + 1);
    const hv = headVersions.find((v) => v.name === version);
    if (!hv || hv.served === false) {
      out.push({
        kind: FindingKind.CRD_INVALIDATES_RESOURCES,
        severity: FindingSeverity.FAILURE,
        application: ctx.name,
        resource: resourceOf(cr),
        path: 'apiVersion',
        message: `${describe(cr)} is ${cr.apiVersion}, which ${crdName} no longer serves at head: reading and updating it fails. Move it to a served version first, or keep ${version} served.`,
      });
      continue;
    }
    const before = schemaOf(live, version);
    const after = schemaOf(head, version);
    if (after === undefined || deepEqual(before, after)) {
      continue;
    }
    const old = new Set(schemaErrors(before, cr));
    const invalid = schemaErrors(after, cr).filter((e) => !old.has(e));
    const wasPruned = new Set(prunedBy(before, cr));
    const pruned = prunedBy(after, cr).filter((p) => !wasPruned.has(p));
    if (invalid.length === 0 && pruned.length === 0) {
      continue;
    }
    const problems = [
      ...invalid.map((e) => e),
      ...pruned.map((p) => `${p} is no longer in the schema (its value is pruned)`),
    ];
    const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
    out.push({
      kind: FindingKind.CRD_INVALIDATES_RESOURCES,
      severity: FindingSeverity.FAILURE,
      application: ctx.name,
      resource: resourceOf(cr),
      path: (invalid.length ? invalid[0] : pruned[0]).split(' ')[0],
      message: `${describe(cr)} no longer satisfies ${crdName} ${version} at head: ${shown}. `
        + `The API server lets it stay as it is, but rejects any change to its spec and re-creating it${pruned.length ? ', and pruned fields are lost' : ''}; `
        + 'change the resource in the same commit, or keep the schema compatible.',
    });
  }
  return out;
}

export function crdFindingsFor(ctx: ChangeContext, crs: CustomResources): RehearsalFinding[] {
  return ctx.kept
    .filter((m) => m.desired && isCrd(m.live))
    .flatMap((m) => crdFindings(ctx, m.live, m.desired!.object, `${m.desired!.source.file}:${m.desired!.source.line}`, crs));
}
