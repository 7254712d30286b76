import * as fs from 'fs';
import * as path from 'path';
import pc from 'picocolors';
import { isMachineFormat, OutputFormat } from './output-format';
import { LocalCluster } from '../cluster/local-cluster';
import { pidAlive } from '../cluster/pid-alive';
import { defaultClusterDir } from '../cluster/state-dir';
import { KubeConfigOptions } from '../engine/kube/kubeconfig';

/** The kubeconfig the engine is given for in-cluster destinations, and where the choice came from. */
export interface CurrentCluster {
  readonly kube: KubeConfigOptions;
  /** Said to the user before anything changes, e.g. `--kubeconfig x.yaml`. */
  readonly source: string;
  /** True for `--kubeconfig`; false when a default (KUBECONFIG, local cluster, ~/.kube/config) was taken. */
  readonly chosen: boolean;
}

/** Kubeconfig of the local cluster (`cdk8s-argocd cluster up`) when its API server is running. */
export function runningLocalCluster(dir: string = defaultClusterDir()): { dir: string; kubeconfig: string } | undefined {
  let cluster: LocalCluster | undefined;
  try {
    cluster = LocalCluster.open(dir);
  } catch {
    return undefined; // An unreadable state file is no running cluster.
  }
  const api = cluster?.state.components?.find((c) => c.name === 'kube-apiserver');
  if (!cluster || !api || !pidAlive(api.pid) || !fs.existsSync(cluster.kubeconfigPath)) {
    return undefined;
  }
  return { dir: path.resolve(dir), kubeconfig: cluster.kubeconfigPath };
}

/**
 * `--kubeconfig`, else `KUBECONFIG`, else a running local cluster, else `~/.kube/config` (the
 * engine's own default). The engine never looks for the local cluster itself.
 */
export function currentCluster(opts: { kubeconfig?: string; context?: string }): CurrentCluster {
  if (opts.kubeconfig) {
    return { kube: { kubeconfig: opts.kubeconfig, context: opts.context }, source: `--kubeconfig ${opts.kubeconfig}`, chosen: true };
  }
  if (process.env.KUBECONFIG) {
    return { kube: { context: opts.context }, source: `KUBECONFIG=${process.env.KUBECONFIG}`, chosen: false };
  }
  const local = runningLocalCluster();
  if (local) {
    return { kube: { kubeconfig: local.kubeconfig, context: opts.context }, source: `the local cluster in ${local.dir} (no --kubeconfig or KUBECONFIG given)`, chosen: false };
  }
  return { kube: { context: opts.context }, source: '~/.kube/config (no --kubeconfig, KUBECONFIG or running local cluster)', chosen: false };
}

/** What a Target line names: the context and API server, and where the kubeconfig came from. */
export interface TargetDescription {
  readonly context: string;
  readonly server: string;
  readonly source: string;
}

/** `Target: context kind-foo, server https://127.0.0.1:6443 (from KUBECONFIG=/k) for sync web`: the one format. */
export function targetLine(target: TargetDescription, what: string): string {
  return `Target: context ${target.context}, server ${target.server} (from ${target.source}) for ${what}`;
}

/**
 * Says on stderr which cluster each group of `names` is about to change (one line per cluster),
 * before anything changes. stderr, so `-o json|yaml` keeps stdout one document; dimmed only on a
 * terminal showing text output.
 */
export function announceTargets(verb: string, entries: ReadonlyArray<{ readonly name?: string; readonly target: TargetDescription }>, output: OutputFormat = 'text'): void {
  const byCluster = new Map<string, { target: TargetDescription; names: string[] }>();
  for (const e of entries) {
    const key = `${e.target.context}\u0000${e.target.server}\u0000${e.target.source}`;
    const group = byCluster.get(key) ?? { target: e.target, names: [] };
    if (e.name) group.names.push(e.name);
    byCluster.set(key, group);
  }
  for (const { target, names } of byCluster.values()) {
    const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
    const line = targetLine(target, shown ? `${verb} ${shown}` : verb);
    process.stderr.write(`${process.stderr.isTTY && !isMachineFormat(output) ? pc.dim(line) : line}\n`);
  }
}
