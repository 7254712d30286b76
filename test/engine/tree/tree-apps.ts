/** Loaded Applications for the tree's unit tests: an Application whose source holds objects (and child Application objects). */
import { LoadedApplication } from '../../../src/engine/load/applications';
import { DesiredObject, KubeObject } from '../../../src/engine/model';

export const WAVE = 'argocd.argoproj.io/sync-wave';

/** A child Application object as a parent's source holds it. */
export function appObject(name: string, opts: { wave?: number; automated?: boolean; namespace?: string } = {}): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: opts.namespace ?? 'argocd',
      ...(opts.wave !== undefined ? { annotations: { [WAVE]: String(opts.wave) } } : {}),
    },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: name },
      source: { repoURL: 'https://example.com/r.git', path: `m/${name}` },
      ...(opts.automated === false ? {} : { syncPolicy: { automated: { prune: true } } }),
    },
  };
}

/** The loaded Application `name` (its manifest as in `appObject`), holding `objects`. */
export function loaded(name: string, objects: KubeObject[], opts: { automated?: boolean; file?: string } = {}): LoadedApplication {
  const manifest = appObject(name, { automated: opts.automated });
  const file = opts.file ?? `m/apps/${name}.yaml`;
  return {
    manifest: manifest as any,
    name,
    namespace: 'argocd',
    position: { file, line: 1 },
    revision: 'abcdef0123456789',
    objects: objects.map((object, i): DesiredObject => ({ object, source: { file: `m/${name}/f${i}.yaml`, line: 1 } })),
  };
}
