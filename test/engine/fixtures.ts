import { ApplicationSpec } from '../../src/engine/application-spec';
import { DesiredObject, KubeObject } from '../../src/engine/model';
import { PlanInput } from '../../src/engine/plan';
import { BUILTIN_CLUSTER_SCOPED_KINDS, groupKind } from '../../src/synth/cluster-scoped-kinds';

export function obj(
  apiVersion: string, kind: string, name: string, annotations: Record<string, string> = {}, extra: Partial<KubeObject> = {},
): KubeObject {
  return { apiVersion, kind, metadata: { name, ...(Object.keys(annotations).length ? { annotations } : {}) }, ...extra };
}

export function desired(...objs: KubeObject[]): DesiredObject[] {
  return objs.map((o, i) => ({ object: o, source: { file: 'm/app/f.yaml', line: 1 + i * 10 } }));
}

export function spec(extra: Partial<ApplicationSpec> = {}): ApplicationSpec {
  return { destination: { server: 'https://kubernetes.default.svc', namespace: 'dest' }, ...extra };
}

/** Built-in kinds are known (namespaced unless cluster-scoped); `Widget` is unknown to the cluster. */
export function scopes(apiVersion: string, kind: string): boolean | undefined {
  if (kind === 'Widget') {
    return undefined;
  }
  return !BUILTIN_CLUSTER_SCOPED_KINDS.has(groupKind(apiVersion, kind));
}

export function planInput(objs: KubeObject[], extra: Partial<PlanInput> = {}): PlanInput {
  return {
    instance: 'app',
    spec: spec(),
    desired: desired(...objs),
    live: new Map(),
    isNamespaced: scopes,
    prune: false,
    revision: 'abcdef0123456789',
    startedAt: new Date(1_700_000_000_000),
    ...extra,
  };
}
