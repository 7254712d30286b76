/**
 * The head sync's timeline, built from the tree's own events (tree-sync.ts `TreeEvent`): each
 * sync step (phase + wave) from its `step` event to the application's next step or `done`, each
 * hook from its first result to its last, health waits between the first `waiting` message and
 * the next event of that Application, and prunes. Times are milliseconds since the head sync began.
 */
import { RehearsalTimelineStep, TimelineStepKind } from './report';
import { ResultCode } from '../engine/model';
import { TreeEvent } from '../engine/tree/tree-sync';

/** A tree event and when it happened (ms since the head sync began). */
export interface TimedEvent {
  readonly atMs: number;
  readonly event: TreeEvent;
}

/** What the local control plane fakes: kwok plays kubelet and runs no container. */
export const SIMULATED_HOOK = 'kwok runs no containers: the hook\'s Pod/Job is marked Succeeded without running its command';
export const SIMULATED_HEALTH = 'kwok marks Pods Ready at once: real rollouts (image pulls, probes) take longer and can fail';

interface Open {
  step: Omit<RehearsalTimelineStep, 'endMs' | 'result'> & { result?: string };
}

/** Steps in start order; steps still open at the end are `Running`. */
export function buildTimeline(events: readonly TimedEvent[]): RehearsalTimelineStep[] {
  const done: Array<RehearsalTimelineStep & { seq: number }> = [];
  const openWave = new Map<string, Open & { seq: number }>();
  const openWait = new Map<string, Open & { seq: number }>();
  const hooks = new Map<string, RehearsalTimelineStep & { seq: number }>();
  const prunes = new Map<string, RehearsalTimelineStep & { seq: number }>();
  let seq = 0;
  let last = 0;
  const closeWait = (app: string, at: number, result: string) => {
    const w = openWait.get(app);
    if (w) {
      done.push({ ...w.step, endMs: at, result: w.step.result ?? result, seq: w.seq });
      openWait.delete(app);
    }
  };
  const closeWave = (app: string, at: number, result: string) => {
    // The wave moved on (or the operation succeeded): what it waited for became healthy.
    closeWait(app, at, result === 'Succeeded' ? 'Healthy' : result);
    const w = openWave.get(app);
    if (w) {
      done.push({ ...w.step, endMs: at, result, seq: w.seq });
      openWave.delete(app);
    }
  };
  for (const { atMs, event: e } of events) {
    last = Math.max(last, atMs);
    if (e.type === 'started' || e.type === 'reconciled' || e.type === 'warning' || e.type === 'attempt') {
      continue;
    }
    const app = e.application;
    if (e.type === 'step') {
      closeWave(app, atMs, 'Succeeded');
      openWave.set(app, {
        seq: seq++,
        step: { application: app, kind: TimelineStepKind.WAVE, phase: e.phase, wave: e.wave, name: `${e.tasks} object${e.tasks === 1 ? '' : 's'}`, startMs: atMs },
      });
    } else if (e.type === 'waiting') {
      if (!openWait.has(app)) {
        const wave = openWave.get(app)?.step;
        openWait.set(app, {
          seq: seq++,
          step: {
            application: app,
            kind: TimelineStepKind.HEALTH_WAIT,
            phase: wave?.phase ?? 'Sync',
            wave: wave?.wave ?? 0,
            name: e.message,
            startMs: atMs,
            simulated: SIMULATED_HEALTH,
          },
        });
      }
    } else if (e.type === 'resource') {
      const r = e.result;
      if (r.hookType) {
        closeWait(app, atMs, 'Healthy');
        const key = `${app}\u0000${r.kind}/${r.namespace}/${r.name}`;
        const seen = hooks.get(key);
        const result = r.hookPhase ?? (r.status === ResultCode.SYNC_FAILED ? 'Failed' : 'Running');
        hooks.set(key, seen ? { ...seen, endMs: atMs, result } : {
          seq: seq++,
          application: app,
          kind: TimelineStepKind.HOOK,
          phase: r.hookType,
          wave: r.syncWave,
          name: `${r.kind}/${r.name}`,
          startMs: atMs,
          endMs: atMs,
          result,
          simulated: SIMULATED_HOOK,
        });
      } else if (r.status === ResultCode.PRUNED || (r.status === ResultCode.SYNC_FAILED && r.message.startsWith('prun'))) {
        const key = `${app}\u0000${r.syncPhase}\u0000${r.syncWave}`;
        const seen = prunes.get(key);
        const count = seen ? Number(seen.name.split(' ')[0]) + 1 : 1;
        const failed = r.status !== ResultCode.PRUNED || seen?.result === 'Failed';
        prunes.set(key, {
          seq: seen?.seq ?? seq++,
          application: app,
          kind: TimelineStepKind.PRUNE,
          phase: r.syncPhase,
          wave: r.syncWave,
          name: `${count} object${count === 1 ? '' : 's'}`,
          startMs: seen?.startMs ?? atMs,
          endMs: atMs,
          result: failed ? 'Failed' : 'Succeeded',
        });
      }
    } else if (e.type === 'done') {
      closeWave(app, atMs, e.result.phase);
    }
  }
  for (const app of [...openWave.keys()]) {
    closeWave(app, last, 'Running');
  }
  for (const app of [...openWait.keys()]) {
    closeWait(app, last, 'Running');
  }
  return [...done, ...hooks.values(), ...prunes.values()]
    .sort((a, b) => a.startMs - b.startMs || a.seq - b.seq)
    .map(({ seq: _seq, ...step }) => step);
}
