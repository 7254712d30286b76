import { ANNOTATION_TRACKING_ID } from '../../src/engine/annotations';
import { trackedHooks } from '../../src/engine/hooks';
import { KubeObject } from '../../src/engine/model';

function live(name: string, annotations: Record<string, string>, ownerReferences?: unknown[]): KubeObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'web', annotations, ...(ownerReferences ? { ownerReferences } : {}) } };
}

const mine = (name: string) => ({ [ANNOTATION_TRACKING_ID]: `app:batch/Job:web/${name}` });

describe('trackedHooks (the live hooks Argo CD lists in status.resources)', () => {
  test('hooks carrying this Application\'s tracking id and no owner; not Skip objects, other Applications\' or plain objects', () => {
    const objects = [
      live('argo-hook', { ...mine('argo-hook'), 'argocd.argoproj.io/hook': 'PreSync' }),
      live('helm-hook', { ...mine('helm-hook'), 'helm.sh/hook': 'post-install' }),
      live('skipped', { ...mine('skipped'), 'argocd.argoproj.io/hook': 'Skip' }),
      live('plain', mine('plain')),
      live('theirs', { [ANNOTATION_TRACKING_ID]: 'other:batch/Job:web/theirs', 'argocd.argoproj.io/hook': 'PreSync' }),
      live('owned', { ...mine('owned'), 'argocd.argoproj.io/hook': 'PreSync' }, [{ kind: 'CronJob', name: 'x' }]),
    ];
    expect(trackedHooks(objects, 'app').map((o) => o.metadata.name)).toEqual(['argo-hook', 'helm-hook']);
  });
});
