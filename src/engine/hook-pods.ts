/**
 * What a hook's pods tell about its result: whether it only ran in a simulation (kwok nodes run
 * no container, so a Job "succeeds" without running anything), the last log lines of the pod
 * that failed, and the rehearsal of a failure on a simulated cluster (`--fail-hook`).
 */
import { redactSecretValues } from './diff/mask-secrets';
import { KubeApi } from './kube/kube-api';
import { groupOf, HookLogTail, KubeObject } from './model';

/**
 * kwok's annotation on the nodes it manages (kwok.sigs.k8s.io "Manage Nodes and Pods"). The engine
 * may not import the local cluster (src/cluster/constants.ts has the same names for `cluster up`);
 * test/engine/hook-pods.test.ts checks that they agree.
 */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
/** The label of the local cluster's kwok `pod-fail` stage (cluster/stages/pod-fail.yaml): its pods fail with exit code 1. */
export const POD_FAIL_LABEL = 'cdk8s-argocd.io/fail';
export const POD_FAIL_LABEL_VALUE = 'true';

/** Why a result on a cluster whose nodes are all kwok's is only simulated. */
export const SIMULATED_CLUSTER_REASON = 'the local cluster runs no containers';

/** The Accept header of a pod log request (read as text by the client: it starts with text/). */
const LOG_ACCEPT = 'text/plain, */*';

/** Log lines of a failed hook's pod put in its result. */
export const HOOK_LOG_LINES = 20;

/**
 * Pure: a node kwok plays the kubelet of, from its metadata: kwok manages the nodes carrying its
 * annotation (`--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake`, kwok's documented
 * default and what `cluster up` uses) or the label of the same name (`--manage-nodes-with-label-selector`).
 */
export function isKwokNode(node: Pick<KubeObject, 'metadata'>): boolean {
  return node.metadata.annotations?.[KWOK_NODE_ANNOTATION] !== undefined || node.metadata.labels?.[KWOK_NODE_ANNOTATION] !== undefined;
}

/** Pure: the kinds whose result is a pod's (Jobs and Pods); only these can be simulated or forced to fail. */
export function runsPods(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return (obj.kind === 'Pod' && groupOf(obj.apiVersion) === '') || (obj.kind === 'Job' && groupOf(obj.apiVersion) === 'batch');
}

/**
 * Pure: `obj` (a Job or Pod hook) made to fail at once on kwok: its pods carry the label of the
 * local cluster's `pod-fail` stage, which terminates their containers with exit code 1 as a
 * kubelet would report it, and a Job gets `backoffLimit: 0` so that the first failed pod fails it
 * (instead of six retries with exponential back-off).
 */
export function forcedToFail(obj: KubeObject): KubeObject {
  const copy: KubeObject = structuredClone(obj);
  const label = { [POD_FAIL_LABEL]: POD_FAIL_LABEL_VALUE };
  if (copy.kind === 'Pod') {
    copy.metadata.labels = { ...copy.metadata.labels, ...label };
  } else {
    copy.spec = { ...copy.spec, backoffLimit: 0 };
    copy.spec.template = { ...copy.spec.template, metadata: { ...copy.spec.template?.metadata } };
    copy.spec.template.metadata.labels = { ...copy.spec.template.metadata.labels, ...label };
  }
  return copy;
}

/** Pure: the container whose failure failed the pod (init containers first), and whether its log is the previous run's. */
export function failingContainer(pod: KubeObject): { name: string; previous: boolean; exit?: string } | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const exit = (t: any) => `exited with ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`;
  for (const cs of statuses) {
    const t = cs.state?.terminated;
    if (t && t.exitCode !== 0) {
      return { name: cs.name, previous: false, exit: exit(t) };
    }
  }
  for (const cs of statuses) {
    // Restarted (restartPolicy OnFailure): the run that failed is the previous one.
    const t = cs.lastState?.terminated;
    if (t && t.exitCode !== 0) {
      return { name: cs.name, previous: true, exit: exit(t) };
    }
  }
  const first = pod.spec?.containers?.[0]?.name;
  return first ? { name: first, previous: false } : undefined;
}

/** Pure: the last `n` lines of a log text (a final newline ends the last line, it does not add one). */
export function lastLines(text: string, n: number): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines.slice(-n);
}

/** Pure: the log lines of a failed hook as its result message carries them (after its first line). */
export function logText(log: HookLogTail): string {
  const where = `pod ${log.pod}, container ${log.container}${log.exit ? ` ${log.exit}` : ''}`;
  if (log.error) {
    return `${where}: its log could not be read: ${log.error}`;
  }
  return log.lines.length === 0 ? `${where}: its log is empty` : `last ${log.lines.length} log lines of ${where}:\n${log.lines.join('\n')}`;
}

/**
 * The pods behind the hooks of one sync, read through `api`. The nodes are read once (the first
 * time a hook finishes) and kept for the whole sync: they do not turn into kwok nodes meanwhile.
 */
export class HookPods {
  private nodes?: Promise<ReadonlyMap<string, boolean>>;

  constructor(private readonly api: KubeApi) {}

  /** Whether every node of the cluster is kwok's: no pod there ever runs a container. */
  async simulatesAllPods(): Promise<boolean> {
    const nodes = await this.kwokNodes();
    return nodes.size > 0 && [...nodes.values()].every((kwok) => kwok);
  }

  /**
   * Why the result of a finished Job or Pod hook is only simulated (its pod ran on a kwok node),
   * or undefined when it really ran. A cluster without kwok nodes costs one node list per sync
   * and no pod lookup.
   */
  async simulated(live: KubeObject): Promise<string | undefined> {
    if (!runsPods(live)) {
      return undefined;
    }
    const nodes = await this.kwokNodes();
    if (![...nodes.values()].some((kwok) => kwok)) {
      return undefined;
    }
    const onKwok = (await this.podsOf(live)).map((p) => p.spec?.nodeName).find((n) => n && nodes.get(n));
    if (!onKwok) {
      return undefined;
    }
    return (await this.simulatesAllPods()) ? SIMULATED_CLUSTER_REASON : `node ${onKwok} is simulated by kwok and runs no containers`;
  }

  /**
   * The last lines of the log of a failed hook's pod (a Job's newest failed pod), from its failing
   * container, with the values of `secrets` (and of the Secrets the pod reads) masked. Undefined
   * when the hook has no pod; a log that cannot be read comes back with the reason.
   */
  async failureLog(live: KubeObject, secrets: readonly KubeObject[], n = HOOK_LOG_LINES): Promise<HookLogTail | undefined> {
    if (!runsPods(live)) {
      return undefined;
    }
    const pods = await this.podsOf(live);
    const pod = pods.find((p) => p.status?.phase === 'Failed') ?? pods[0];
    const container = pod && failingContainer(pod);
    if (!pod || !container) {
      return undefined;
    }
    const ns = pod.metadata.namespace!;
    const base = { pod: pod.metadata.name!, container: container.name, ...(container.exit ? { exit: container.exit } : {}) };
    const q = new URLSearchParams({ container: container.name, tailLines: String(n), ...(container.previous ? { previous: 'true' } : {}) });
    let text: string;
    try {
      // kube-apiserver answers `Accept: text/plain` alone with 406 Not Acceptable (it negotiates
      // pods/log against its serializers); with `*/*`, as kubectl asks, it sends the text.
      text = String(await this.api.request('GET', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod.metadata.name!)}/log?${q}`, undefined, undefined, LOG_ACCEPT) ?? '');
    } catch (e) {
      return { ...base, lines: [], error: (e as Error).message };
    }
    const masked = redactSecretValues(text, ...secrets, ...(await this.secretsOf(pod)));
    return { ...base, lines: lastLines(masked, n) };
  }

  private kwokNodes(): Promise<ReadonlyMap<string, boolean>> {
    this.nodes ??= (async () => {
      try {
        const r = await this.api.resourceFor('v1', 'Node');
        // Metadata only: a real node's status (its image list) can be tens of kilobytes.
        const nodes = r ? await this.api.list(r, undefined, true) : [];
        return new Map(nodes.map((n) => [n.metadata.name!, isKwokNode(n)]));
      } catch {
        // Not allowed to list nodes (a namespaced service account), or a passing API error: no
        // simulation can be told, so none is claimed; the next hook asks again.
        this.nodes = undefined;
        return new Map<string, boolean>();
      }
    })();
    return this.nodes;
  }

  /** The pod itself, or a Job's pods (owned by its uid), newest first. */
  private async podsOf(live: KubeObject): Promise<KubeObject[]> {
    if (live.kind === 'Pod') {
      return [live];
    }
    const r = await this.api.resourceFor('v1', 'Pod');
    if (!r) {
      return [];
    }
    const pods = (await this.api.list(r, live.metadata.namespace))
      .filter((p) => (p.metadata.ownerReferences ?? []).some((o: any) => o.uid === live.metadata.uid));
    // creationTimestamp has whole seconds: a Job's retries within one second are told apart by their start.
    const age = (p: KubeObject) => `${p.metadata.creationTimestamp ?? ''} ${p.status?.startTime ?? ''}`;
    return pods.sort((a, b) => age(b).localeCompare(age(a)));
  }

  /** The Secrets a pod's containers read (env, envFrom, volumes): what its log could print. */
  private async secretsOf(pod: KubeObject): Promise<KubeObject[]> {
    const names = new Set<string>();
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef?.name) {
          names.add(e.valueFrom.secretKeyRef.name);
        }
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef?.name) {
          names.add(e.secretRef.name);
        }
      }
    }
    for (const v of pod.spec?.volumes ?? []) {
      if (v.secret?.secretName) {
        names.add(v.secret.secretName);
      }
      for (const s of v.projected?.sources ?? []) {
        if (s.secret?.name) {
          names.add(s.secret.name);
        }
      }
    }
    const out: KubeObject[] = [];
    for (const name of names) {
      const secret = await this.api.get({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: pod.metadata.namespace, name } }).catch(() => undefined);
      if (secret) {
        out.push(secret);
      }
    }
    return out;
  }
}
