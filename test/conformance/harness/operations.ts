/**
 * Every operation Argo CD finished on a scenario's Applications, recorded from a watch while the
 * scenario runs, and the one the engine's result is compared against.
 *
 * Argo CD v3.2.11 sometimes runs a redundant second sync right after the first at the same
 * revision (a self-heal of a root whose cache had not yet seen a new child; a RollingSync step
 * synced twice, argoproj/argo-cd#21502; a Deployment self-healed right after creation). Its
 * result holds only "unchanged" rows and replaces the first in `status.operationState`, so
 * comparing the last operation flip-flops between runs. A watch sees every status write (each is
 * a new resourceVersion), so every finished operation, which polling can miss.
 */
import { KubeClient } from '../../../src/engine/kube/client';

/** Phases of an operation still going on (gitops-engine's OperationPhase). */
const UNFINISHED = new Set(['Running', 'Terminating']);

/** The finished operations seen per Application, in the order Argo CD finished them. */
export class OperationLog {
  private readonly byApp = new Map<string, any[]>();
  private readonly seen = new Set<string>();

  /** Records `app`'s operationState if it is a finished one not seen yet (same startedAt: same operation). */
  record(app: any): void {
    const name = app?.metadata?.name;
    const op = app?.status?.operationState;
    if (typeof name !== 'string' || !op?.phase || UNFINISHED.has(op.phase) || !op.finishedAt) {
      return;
    }
    const key = `${name} ${op.startedAt ?? ''} ${op.finishedAt}`;
    if (this.seen.has(key)) {
      return;
    }
    this.seen.add(key);
    const list = this.byApp.get(name) ?? [];
    list.push(structuredClone(op));
    this.byApp.set(name, list);
  }

  operations(app: string): readonly any[] {
    return this.byApp.get(app) ?? [];
  }
}

export interface ChosenOperation {
  /** The operationState to compare. */
  readonly operationState: any;
  /** How many more finished sync operations Argo CD ran at the revision. */
  readonly extra: number;
}

/**
 * The first finished sync operation at `revision` (`syncResult.revision`) among `recorded`, with
 * how many more Argo CD finished at that revision; `last` (the Application's current
 * operationState) when none was recorded at it.
 */
export function chooseOperation(recorded: readonly any[], revision: string | undefined, last: any): ChosenOperation {
  const atRevision = revision ? recorded.filter((op) => op?.syncResult?.revision === revision) : [];
  if (atRevision.length === 0) {
    return { operationState: last, extra: 0 };
  }
  return { operationState: atRevision[0], extra: atRevision.length - 1 };
}

/** The line for a scenario's details: "Argo CD synced X N times at this revision". */
export function describeExtraSyncs(extra: Readonly<Record<string, number>>): string[] {
  return Object.entries(extra)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([app, n]) => `Argo CD synced ${app} ${n + 1} times at this revision (compared: the first)`);
}

/**
 * Watches the Applications of namespace `argocd` into `log` until `stop` is called (the watch is
 * restarted when the server closes it). `stop` resolves once the watch has ended.
 */
export function watchOperations(api: KubeClient, log: OperationLog, onError: (e: Error) => void): () => Promise<void> {
  const abort = new AbortController();
  const path = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        // No resourceVersion: the watch starts with an ADDED event per existing Application.
        await api.watch(`${path}?watch=1&timeoutSeconds=300`, (type, obj) => {
          if (type === 'ADDED' || type === 'MODIFIED') {
            log.record(obj);
          }
        }, abort.signal);
      } catch (e) {
        if (!abort.signal.aborted) {
          onError(e as Error);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  })();
  return async () => {
    abort.abort();
    await loop;
  };
}
