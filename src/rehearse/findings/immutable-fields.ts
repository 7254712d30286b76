/**
 * IMMUTABLE_FIELD: an update the API server rejects ("field is immutable", "Forbidden: updates to
 * statefulset spec for fields other than …"). Our local control plane accepts some of these, and
 * a real cluster rejects all of them, so the rehearsal predicts them from the field rules of
 * kube-apiserver's validation (pkg/apis/{apps,batch,core}/validation, `Validate*Update`):
 *
 * - Deployment, ReplicaSet, DaemonSet: `spec.selector`.
 * - StatefulSet: all of `spec` but replicas, ordinals, template, updateStrategy,
 *   persistentVolumeClaimRetentionPolicy, minReadySeconds and revisionHistoryLimit.
 * - Job: `spec.selector`, `spec.template` (for a suspended Job that never started, its pod
 *   template's labels, annotations, nodeSelector, tolerations, node affinity and scheduling gates
 *   may change), `spec.completions` (unless an Indexed Job changes it together with parallelism),
 *   `spec.completionMode`, `spec.podFailurePolicy`, `spec.backoffLimitPerIndex`.
 * - Service: `spec.clusterIP`/`clusterIPs` (unless it moves to or from ExternalName), and a
 *   headless Service (clusterIP None) becoming NodePort or LoadBalancer.
 * - PersistentVolumeClaim: all of `spec` but `resources.requests.storage` growing on a bound claim
 *   (shrinking is forbidden, an unbound claim cannot be resized), `volumeAttributesClassName`, and
 *   `volumeName` while unbound.
 * - Pod: all of `spec` but container images, activeDeadlineSeconds, tolerations and
 *   terminationGracePeriodSeconds.
 * - ConfigMap, Secret with `immutable: true`: `data`, `binaryData`, and `immutable` itself.
 *
 * `Force=true` (annotation or the Application's syncOptions) makes Argo CD delete and re-create
 * the object when the update is rejected (`kubectl apply --force` / `kubectl replace --force`; the
 * engine's `forceFallback` does the same), so a forced change is not a failure — except that a
 * re-created PVC loses its volume, which is reported as a danger. `Replace=true` alone is a
 * `kubectl replace`, an update like any other: still rejected.
 */

import { deletePath, deepClone, JsonPath } from '../../engine/diff/json-path';
import { normalizeForDiff } from '../../engine/diff/normalize';
import { KubeObject } from '../../engine/model';
import { optionTrue } from '../../engine/sync-options';
import { FindingKind, FindingSeverity, RehearsalFinding } from '../report';
import { ChangeContext, describe, forced, isKind, MatchedObject, resourceOf, writeOptions } from './context';
import { changedPaths, exactChangedPaths, pathString, quantity } from './field-changes';

/** The changed paths of one object and how to fix them. */
interface Violation {
  readonly paths: JsonPath[];
  /** What to do instead, without Force (e.g. "keep the selector"). */
  readonly keep: string;
}

const WORKLOAD_SELECTOR_KINDS = ['Deployment', 'ReplicaSet', 'DaemonSet'];

// kube-apiserver 1.36 (the local control plane's) also lets revisionHistoryLimit change: the e2e test checks this list against it.
const STATEFULSET_MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'revisionHistoryLimit']);

/** Changed paths with `exempt` removed from both sides first (fields the API server lets change). */
function changedExcept(desired: KubeObject, live: KubeObject, root: JsonPath, exempt: (o: KubeObject) => JsonPath[]): JsonPath[] {
  const d = deepClone(desired);
  const l = deepClone(live);
  for (const o of [d, l]) {
    // Deepest first, so removing a list item never shifts another exempt path.
    for (const p of exempt(o).reverse()) {
      deletePath(o, p);
    }
  }
  return changedPaths(d, l, root);
}

function statefulSet(d: KubeObject, l: KubeObject): Violation {
  const keys = new Set([...Object.keys(d.spec ?? {}), ...Object.keys(l.spec ?? {})].filter((k) => !STATEFULSET_MUTABLE.has(k)));
  const paths = [...keys].flatMap((k) => (k === 'selector' ? exactChangedPaths : changedPaths)(d, l, ['spec', k]));
  return { paths, keep: 'keep these fields as they are (a StatefulSet can change only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds and revisionHistoryLimit)' };
}

function job(d: KubeObject, l: KubeObject): Violation {
  const paths: JsonPath[] = [];
  paths.push(...exactChangedPaths(d, l, ['spec', 'selector']));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex']) {
    paths.push(...changedPaths(d, l, ['spec', f]));
  }
  const indexed = (d.spec?.completionMode ?? l.spec?.completionMode) === 'Indexed';
  const elastic = indexed && d.spec?.completions !== undefined && d.spec?.completions === d.spec?.parallelism;
  if (!elastic) {
    paths.push(...changedPaths(d, l, ['spec', 'completions']));
  }
  // Mutable scheduling directives: only while the Job is suspended and has never started.
  const schedulingMutable = l.spec?.suspend === true && !l.status?.startTime;
  paths.push(...changedExcept(d, l, ['spec', 'template'], () => (schedulingMutable ? [
    ['spec', 'template', 'metadata', 'labels'], ['spec', 'template', 'metadata', 'annotations'],
    ['spec', 'template', 'spec', 'nodeSelector'], ['spec', 'template', 'spec', 'tolerations'],
    ['spec', 'template', 'spec', 'affinity', 'nodeAffinity'], ['spec', 'template', 'spec', 'schedulingGates'],
  ] : [])));
  return { paths, keep: 'give the Job a new name (a Job is run once; a changed one is a new Job), or make it a hook' };
}

function service(d: KubeObject, l: KubeObject): Violation {
  const paths: JsonPath[] = [];
  const externalName = d.spec?.type === 'ExternalName' || l.spec?.type === 'ExternalName';
  if (!externalName) {
    const ip = d.spec?.clusterIP;
    if (ip !== undefined && ip !== '' && ip !== (l.spec?.clusterIP ?? '')) {
      paths.push(['spec', 'clusterIP']);
    }
    const ips = d.spec?.clusterIPs as string[] | undefined;
    if (ips !== undefined && ips.length > 0 && JSON.stringify(ips) !== JSON.stringify(l.spec?.clusterIPs ?? [])) {
      paths.push(['spec', 'clusterIPs']);
    }
    const headless = l.spec?.clusterIP === 'None';
    if (headless && (d.spec?.type === 'NodePort' || d.spec?.type === 'LoadBalancer')) {
      paths.push(['spec', 'type']);
    }
  }
  return { paths, keep: 'leave clusterIP unset (the API server keeps the one it assigned) and keep headless Services headless' };
}

function pvc(d: KubeObject, l: KubeObject): Violation {
  const exempt = (): JsonPath[] => [
    ['spec', 'resources', 'requests', 'storage'],
    ['spec', 'volumeAttributesClassName'],
    // Binding sets volumeName; head may name the volume of an unbound claim.
    ...(l.spec?.volumeName ? [] : [['spec', 'volumeName']]),
  ];
  const paths = changedExcept(d, l, ['spec'], exempt);
  const want = quantity(d.spec?.resources?.requests?.storage);
  const have = quantity(l.spec?.resources?.requests?.storage);
  // Only a bound claim may be resized (kube-apiserver: "… except resources.requests … for bound claims").
  const bound = l.status?.phase === 'Bound';
  if (want !== undefined && have !== undefined && (want < have || (want !== have && !bound))) {
    paths.push(['spec', 'resources', 'requests', 'storage']);
  }
  return { paths, keep: 'keep the claim\'s spec (only a bound claim may get a larger storage request, on a StorageClass with allowVolumeExpansion), or add a new claim' };
}

function pod(d: KubeObject, l: KubeObject): Violation {
  const exempt = (o: KubeObject): JsonPath[] => [
    ...['containers', 'initContainers', 'ephemeralContainers'].flatMap((c) => ((o.spec?.[c] ?? []) as unknown[]).map((_, i): JsonPath => ['spec', c, i, 'image'])),
    ['spec', 'activeDeadlineSeconds'], ['spec', 'tolerations'], ['spec', 'terminationGracePeriodSeconds'],
  ];
  return { paths: changedExcept(d, l, ['spec'], exempt), keep: 'manage the Pod through a Deployment or Job (a Pod can change only its images, activeDeadlineSeconds and tolerations)' };
}

function immutableData(d: KubeObject, l: KubeObject): Violation {
  if (l.immutable !== true) {
    return { paths: [], keep: '' };
  }
  // A Secret's stringData is written into data: compare what the server would store.
  const dn = normalizeForDiff(d);
  const paths: JsonPath[] = [];
  for (const f of ['data', 'binaryData']) {
    const want = (dn[f] ?? {}) as Record<string, unknown>;
    const have = (l[f] ?? {}) as Record<string, unknown>;
    for (const k of new Set([...Object.keys(want), ...Object.keys(have)])) {
      if (want[k] !== have[k]) {
        paths.push([f, k]);
      }
    }
  }
  if (d.immutable !== true) {
    paths.push(['immutable']);
  }
  return { paths, keep: `create a new ${d.kind} under another name and point its users to it` };
}

function violation(d: KubeObject, l: KubeObject): Violation | undefined {
  if (isKind(d, 'apps', ...WORKLOAD_SELECTOR_KINDS)) {
    return { paths: exactChangedPaths(d, l, ['spec', 'selector']), keep: 'keep the old selector (labels may be added to the pod template, not to the selector)' };
  }
  if (isKind(d, 'apps', 'StatefulSet')) {
    return statefulSet(d, l);
  }
  if (isKind(d, 'batch', 'Job')) {
    return job(d, l);
  }
  if (isKind(d, '', 'Service')) {
    return service(d, l);
  }
  if (isKind(d, '', 'PersistentVolumeClaim')) {
    return pvc(d, l);
  }
  if (isKind(d, '', 'Pod')) {
    return pod(d, l);
  }
  if (isKind(d, '', 'ConfigMap', 'Secret')) {
    return immutableData(d, l);
  }
  return undefined;
}

function findingFor(ctx: ChangeContext, m: MatchedObject): RehearsalFinding | undefined {
  const d = m.desired!.object;
  const v = violation(d, m.live);
  if (!v || v.paths.length === 0) {
    return undefined;
  }
  const paths = [...new Set(v.paths.map(pathString))];
  // The live object names it fully (a desired object may leave the namespace to the destination).
  const what = `${describe(m.live)}: ${paths.join(', ')} ${paths.length > 1 ? 'change' : 'changes'}`;
  const resource = resourceOf(m.live, m.desired!.source);
  if (forced(ctx, d)) {
    if (!isKind(d, '', 'PersistentVolumeClaim')) {
      return undefined;
    }
    return {
      kind: FindingKind.IMMUTABLE_FIELD,
      severity: FindingSeverity.DANGER,
      application: ctx.name,
      resource,
      path: paths[0],
      message: `${what}, which the API server rejects, so Force=true deletes and re-creates the claim: its volume's data is lost (and the delete waits while a pod uses it); ${v.keep}`,
    };
  }
  const replaceOnly = optionTrue(writeOptions(ctx, d), 'Replace')
    ? ' Replace=true alone is an update too (kubectl replace) and is rejected the same way.'
    : '';
  return {
    kind: FindingKind.IMMUTABLE_FIELD,
    severity: FindingSeverity.FAILURE,
    application: ctx.name,
    resource,
    path: paths[0],
    message: `${what}, but ${paths.length > 1 ? 'these fields are' : 'the field is'} immutable: the API server rejects the update and the sync fails. `
      + `Fix: ${v.keep}, or let Argo CD delete and re-create it with the annotation argocd.argoproj.io/sync-options: Force=true,Replace=true.${replaceOnly}`,
  };
}

export function immutableFieldFindings(ctx: ChangeContext): RehearsalFinding[] {
  return ctx.kept.filter((m) => m.desired).map((m) => findingFor(ctx, m))
    .filter((f): f is RehearsalFinding => f !== undefined);
}
