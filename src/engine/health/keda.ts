import { HealthStatus } from '../model';
import { degraded, healthy, progressing, suspended } from './health-status';

/*
 * keda.sh `ScaledObject`. KEDA reports `status.conditions` Ready (the ScaledObject and its HPA
 * are set up), Active (a trigger is active: the target is scaled above zero), Fallback (scalers
 * fail and the fallback replica count is in use) and Paused (annotation
 * `autoscaling.keda.sh/paused`): https://keda.sh/docs/latest/reference/scaledobject-spec/ and
 * https://keda.sh/docs/latest/reference/events/ (ScaledObjectReady, ScaledObjectPaused,
 * ScaledObjectFallbackActivated). Verdicts and messages as Argo CD's built-in Lua check
 * (resource_customizations/keda.sh/ScaledObject/health.lua): Active does not change health (an
 * idle ScaledObject scaled to zero is healthy); Ready=False or an active Fallback is Degraded;
 * Ready and Paused is Suspended. The message is that of the last condition that mattered.
 */
export function scaledObjectHealth(obj: any): HealthStatus {
  let message: string | undefined;
  let ready = false;
  let failed = false;
  let paused = false;
  for (const c of obj.status?.conditions ?? []) {
    if (c?.type === 'Ready' && c.status === 'False') {
      message = c.message;
      failed = true;
    } else if (c?.type === 'Ready' && c.status === 'True') {
      message = c.message;
      ready = true;
    } else if (c?.type === 'Paused' && c.status === 'True') {
      message = c.message;
      paused = true;
    } else if (c?.type === 'Fallback' && c.status === 'True') {
      message = c.message;
      failed = true;
    }
  }
  if (failed) {
    return degraded(message);
  }
  if (ready) {
    return paused ? suspended(message) : healthy(message);
  }
  return progressing('Creating HorizontalPodAutoscaler Object');
}
