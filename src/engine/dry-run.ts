import { KubeApi } from './kube/kube-api';
import { KubeObject, SyncTask, TaskAction } from './model';
import { mapLimit } from './poll';
import { predict, predictionScope } from './reconcile';
import { ResourceWriter } from './resource-writer';

export interface DryRunFailure {
  readonly task: SyncTask;
  readonly message: string;
}

export type DryRunOutcome =
  /** `deferred`: with the client strategy, what the server refused: each fails when its wave is applied. */
  | { readonly ok: true; readonly predicted: ReadonlyMap<SyncTask, KubeObject>; readonly deferred: readonly DryRunFailure[] }
  | { readonly ok: false; readonly failures: readonly DryRunFailure[] };

export interface DryRunInput {
  readonly tasks: readonly SyncTask[];
  readonly prepared: ReadonlyMap<SyncTask, KubeObject>;
  readonly unchanged: ReadonlySet<SyncTask>;
  /** `--force`: Force=true for every task. */
  readonly forceAll: boolean;
  readonly concurrency: number;
  /**
   * `server` (default): whatever the server refuses fails the dry run, so nothing is applied.
   * `client`: Argo CD's pre-sync dry run (`kubectl apply --dry-run=client`, gitops-engine
   * `applyObject`), which never asks the server: only a kind the server does not know fails it;
   * what the server refuses is `deferred` and fails when its wave is applied, after earlier waves were.
   */
  readonly strategy?: DryRunStrategy;
}

/** How the sync's first pass checks the tasks: see {@link DryRunInput.strategy}. */
export type DryRunStrategy = 'server' | 'client';

/**
 * Dry-runs every task of an operation before anything is applied (Argo CD's first pass): prunes
 * as dry-run deletes, applies and hooks as dry-run writes of exactly what the sync will send.
 * Hooks that exist already are not dry-run: they are deleted and re-created. Failures come back
 * in task order.
 */
export async function dryRunTasks(api: KubeApi, writer: ResourceWriter, input: DryRunInput): Promise<DryRunOutcome> {
  const scope = predictionScope(input.tasks, input.forceAll);
  const predicted = new Map<SyncTask, KubeObject>();
  const failures = new Map<SyncTask, string>();
  const deferred = new Map<SyncTask, string>();
  const client = input.strategy === 'client';
  await mapLimit(input.tasks, input.concurrency, async (t) => {
    if (t.action === TaskAction.PRUNE) {
      try {
        await api.delete(t.live!, 'Background', true);
      } catch (e) {
        // gitops-engine's dry run of a prune asks nothing of the server ("pruned (dry run)").
        (client ? deferred : failures).set(t, (e as Error).message);
      }
      return;
    }
    if (t.action === TaskAction.HOOK && t.live) {
      return;
    }
    const p = await predict(api, writer, t, input.prepared.get(t)!, input.unchanged.has(t), scope);
    if (p.kind === 'failed') {
      (client && p.byServer ? deferred : failures).set(t, p.message);
    } else if (p.kind !== 'skipped') {
      predicted.set(t, p.object);
    }
  });
  if (failures.size > 0) {
    return { ok: false, failures: input.tasks.filter((t) => failures.has(t)).map((task) => ({ task, message: failures.get(task)! })) };
  }
  const inOrder = (m: Map<SyncTask, string>) => input.tasks.filter((t) => m.has(t)).map((task) => ({ task, message: m.get(task)! }));
  return { ok: true, predicted, deferred: inOrder(deferred) };
}
