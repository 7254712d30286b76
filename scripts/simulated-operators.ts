/**
 * Stand-ins for the operators the examples rely on, for the local control plane only.
 *
 * The engine gates waves on the health of ExternalSecrets, secret stores and KEDA ScaledObjects
 * as Argo CD does, and that health is what their operators write in `status`. On the local
 * cluster no operator runs: kwok runs no containers, so even the External Secrets Operator that
 * examples/platform-waves installs is a Deployment whose pods only look Running. Without a
 * stand-in, those objects stay Progressing forever and the waves after them never start — which
 * is what Argo CD would do too, and what the e2e tests check (test/e2e/engine-cr-health.e2e.test.ts).
 *
 * For `npm run demo` (and the e2e tests that sync the committed examples) this writes the status
 * each operator writes once it has done its job, through the status subresource, and says so on
 * stderr, each write once: "simulated: ExternalSecret data/postgres-password Ready=True (…)". The
 * status messages say "simulated" too, so `status`, `list` and the Application's resources show
 * it. It writes nothing else: no Secret is created for an ExternalSecret (the values would be
 * invented), no HPA for a ScaledObject. It only touches objects an Application tracks
 * (`argocd.argoproj.io/tracking-id`) that have no Ready condition yet, so a real operator's
 * status, or one a test wrote, is never overwritten.
 */
import { ANNOTATION_TRACKING_ID } from '../src/argo/annotations';
import { isNotFound } from '../src/engine/kube/api-error';
import { resourcePath } from '../src/engine/kube/client';
import { KubeApi } from '../src/engine/kube/kube-api';
import { KubeObject } from '../src/engine/model';

interface StandIn {
  readonly apiVersion: string;
  readonly kind: string;
  readonly operator: string;
  /** The condition the operator writes when all is well (shapes from the projects' API references). */
  readonly ready: { reason: string; message: string };
  readonly extra?: (obj: KubeObject) => object;
}

const STAND_INS: readonly StandIn[] = [
  // https://external-secrets.io/latest/api/spec/ (ExternalSecretStatus: conditions, refreshTime)
  { apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', operator: 'External Secrets', ready: { reason: 'SecretSynced', message: 'Secret was synced' }, extra: () => ({ refreshTime: new Date().toISOString() }) },
  // SecretStoreStatus: conditions (reason Valid), capabilities
  { apiVersion: 'external-secrets.io/v1beta1', kind: 'ClusterSecretStore', operator: 'External Secrets', ready: { reason: 'Valid', message: 'store validated' }, extra: () => ({ capabilities: 'ReadWrite' }) },
  { apiVersion: 'external-secrets.io/v1beta1', kind: 'SecretStore', operator: 'External Secrets', ready: { reason: 'Valid', message: 'store validated' }, extra: () => ({ capabilities: 'ReadWrite' }) },
  // https://keda.sh/docs/latest/reference/scaledobject-spec/ (conditions Ready, Active, Fallback)
  {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    operator: 'KEDA',
    ready: { reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' },
    extra: (obj) => ({ hpaName: `keda-hpa-${obj.metadata.name}` }),
  },
];

/** Why the status is simulated, in the status message and the log line. */
const WHY = (operator: string) => `simulated: no ${operator} operator runs on the local cluster`;

export interface SimulatedOperators {
  /** The objects written, as `Kind namespace/name`. */
  readonly written: readonly string[];
  /** Stops polling; resolves after the poll in flight. */
  stop(): Promise<void>;
}

/** Polls every `intervalMs` until stopped, writing the stand-in status of tracked objects that have none. */
export function simulateOperators(api: KubeApi, log: (line: string) => void, intervalMs = 500): SimulatedOperators {
  const written: string[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const writeOne = async (s: StandIn, obj: KubeObject) => {
    const r = (await api.resourceFor(s.apiVersion, s.kind))!;
    const status = {
      ...s.extra?.(obj),
      conditions: [{ type: 'Ready', status: 'True', reason: s.ready.reason, message: `${s.ready.message} (${WHY(s.operator)})`, lastTransitionTime: new Date().toISOString() }],
    };
    const at = resourcePath(r, obj.metadata.namespace, obj.metadata.name);
    try {
      await api.request('PATCH', `${at}/status`, { status }, 'application/merge-patch+json');
    } catch (e) {
      // A CRD without the status subresource: status is part of the object.
      if (!isNotFound(e)) {
        throw e;
      }
      await api.request('PATCH', at, { status }, 'application/merge-patch+json');
    }
    const name = `${s.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
    written.push(name);
    log(`simulated: ${name} Ready=True (no ${s.operator} operator runs on the local cluster: kwok runs no containers)`);
  };

  const poll = async () => {
    // CRDs appear while the examples sync (the External Secrets chart installs its own).
    api.invalidateDiscovery();
    for (const s of STAND_INS) {
      const r = await api.resourceFor(s.apiVersion, s.kind);
      if (!r) {
        continue;
      }
      for (const obj of await api.list(r)) {
        const tracked = obj.metadata.annotations?.[ANNOTATION_TRACKING_ID] !== undefined;
        const reported = (obj.status?.conditions ?? []).some((c: { type: string }) => c.type === 'Ready');
        if (tracked && !reported && !obj.metadata.deletionTimestamp) {
          await writeOne(s, obj);
        }
      }
    }
  };

  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => {
    inFlight = poll()
      .catch((e) => log(`simulated operators: ${(e as Error).message}`))
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(tick, intervalMs);
        }
      });
  };
  tick();
  return {
    written,
    async stop() {
      stopped = true;
      if (timer) {
        clearTimeout(timer);
      }
      await inFlight;
    },
  };
}
