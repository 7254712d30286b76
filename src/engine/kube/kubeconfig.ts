import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { k8s, loadClientNode } from './client-node';

export interface KubeConfigOptions {
  /** `--kubeconfig` */
  readonly kubeconfig?: string;
  /** `--context` */
  readonly context?: string;
}

export interface ResolvedKubeConfig {
  readonly config: k8s.KubeConfig;
  /** Where it came from, e.g. `kubeconfig ~/.kube/config, context admin`. */
  readonly description: string;
}

/**
 * `kubeconfig`, else `KUBECONFIG`, else `~/.kube/config`; `context` selects a context in any of
 * them. Choosing the local cluster (`cdk8s-argocd cluster up`) is the CLI's business: it passes
 * that cluster's kubeconfig here.
 */
export async function resolveKubeConfig(options: KubeConfigOptions = {}): Promise<ResolvedKubeConfig> {
  const lib = await loadClientNode();
  const kc = new lib.KubeConfig();
  let description: string;
  if (options.kubeconfig) {
    if (!fs.existsSync(options.kubeconfig)) {
      throw new Error(`--kubeconfig ${options.kubeconfig}: no such file (pass an existing kubeconfig, or leave --kubeconfig out to use KUBECONFIG, the local cluster or ~/.kube/config)`);
    }
    kc.loadFromFile(options.kubeconfig);
    description = `kubeconfig ${options.kubeconfig}`;
  } else if (process.env.KUBECONFIG) {
    kc.loadFromDefault();
    description = `KUBECONFIG=${process.env.KUBECONFIG}`;
  } else {
    const home = path.join(os.homedir(), '.kube', 'config');
    if (fs.existsSync(home)) {
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
  return { config: kc, description: `${description}${options.context ? `, context ${options.context}` : ''}` };
}
