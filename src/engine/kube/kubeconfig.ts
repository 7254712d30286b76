import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { k8s, loadClientNode } from './client-node';
import { pidAlive } from '../../cluster/pid-alive';

/** Same variable and default as the local control plane's `cluster up` (src/cluster). */
const CLUSTER_DIR_ENV = 'CDK8S_ARGOCD_CLUSTER_DIR';

export interface KubeConfigOptions {
  /** `--kubeconfig` */
  readonly kubeconfig?: string;
  /** `--context` */
  readonly context?: string;
  /** Directory whose `.cdk8s-argocd/cluster` is the embedded default (default: cwd). */
  readonly cwd?: string;
}

export interface ResolvedKubeConfig {
  readonly config: k8s.KubeConfig;
  /** Where it came from, said to the user when it was not asked for explicitly. */
  readonly description: string;
  /** True when the embedded local cluster was chosen because nothing else was given. */
  readonly localCluster: boolean;
}

/** Kubeconfig of a running local cluster in the default state dir, if any. */
export function localClusterKubeconfig(cwd: string = process.cwd()): { dir: string; kubeconfig: string } | undefined {
  const dir = path.resolve(cwd, process.env[CLUSTER_DIR_ENV] || path.join('.cdk8s-argocd', 'cluster'));
  try {
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    const api = (state.components ?? []).find((c: { name: string }) => c.name === 'kube-apiserver');
    if (typeof state.kubeconfig === 'string' && fs.existsSync(state.kubeconfig) && api && pidAlive(api.pid)) {
      return { dir, kubeconfig: state.kubeconfig };
    }
  } catch {
    // No state file: no local cluster.
  }
  return undefined;
}

/**
 * `--kubeconfig`, else `KUBECONFIG`, else a running local cluster (the embedded default), else
 * `~/.kube/config`. `--context` selects a context in any of them.
 */
export async function resolveKubeConfig(options: KubeConfigOptions = {}): Promise<ResolvedKubeConfig> {
  const lib = await loadClientNode();
  const kc = new lib.KubeConfig();
  let description: string;
  let localCluster = false;
  if (options.kubeconfig) {
    if (!fs.existsSync(options.kubeconfig)) {
      throw new Error(`--kubeconfig ${options.kubeconfig}: no such file`);
    }
    kc.loadFromFile(options.kubeconfig);
    description = `kubeconfig ${options.kubeconfig}`;
  } else if (process.env.KUBECONFIG) {
    kc.loadFromDefault();
    description = `KUBECONFIG=${process.env.KUBECONFIG}`;
  } else {
    const local = localClusterKubeconfig(options.cwd);
    const home = path.join(os.homedir(), '.kube', 'config');
    if (local) {
      kc.loadFromFile(local.kubeconfig);
      description = `the local cluster in ${local.dir} (no --kubeconfig or KUBECONFIG given)`;
      localCluster = true;
    } else if (fs.existsSync(home)) {
      kc.loadFromFile(home);
      description = `kubeconfig ${home}`;
    } else {
      throw new Error('no cluster: pass --kubeconfig, set KUBECONFIG, or start the local cluster with `cdk8s-argocd cluster up`');
    }
  }
  if (options.context) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      throw new Error(`--context ${options.context}: no such context in ${description} (have: ${kc.getContexts().map((c) => c.name).join(', ')})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(`${description} has no current cluster`);
  }
  return { config: kc, description: `${description}${options.context ? `, context ${options.context}` : ''}`, localCluster };
}
