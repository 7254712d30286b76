import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import type * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
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
 * Loads one kubeconfig file into `kc`. A malformed file is reported by file, line and the parser's
 * reason only: client-node's own error quotes the lines around the mistake (`token:`, `password:`)
 * and carries the whole file.
 */
function loadKubeconfigFile(kc: k8s.KubeConfig, file: string): void {
  try {
    kc.loadFromFile(file);
  } catch (e) {
    const err = e as { name?: string; reason?: string; mark?: { line: number; column: number }; message?: string };
    if (err.name === 'YAMLException' && err.mark) {
      throw new Error(`kubeconfig ${file}:${err.mark.line + 1}: invalid YAML (${err.reason ?? 'syntax error'} at column ${err.mark.column + 1}); fix the file (its contents are not shown because it holds credentials)`);
    }
    throw new Error(`kubeconfig ${file}: ${(err.message ?? String(e)).split('\n')[0]}; fix the file`);
  }
}

const NOT_PEM = 'is not PEM data (no "-----BEGIN …-----" line)';
const FIX = 'fix it (`kubectl config view --raw` shows what kubectl would use)';

/** Where each loaded config came from, for errors raised when it is used ({@link connectionOptions}). */
const ORIGINS = new WeakMap<k8s.KubeConfig, string>();

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
    loadKubeconfigFile(kc, options.kubeconfig);
    description = `kubeconfig ${options.kubeconfig}`;
  } else if (process.env.KUBECONFIG) {
    // Each file alone first, so a malformed one is named (loadFromDefault's error would quote it).
    for (const file of process.env.KUBECONFIG.split(path.delimiter).filter((f) => f && fs.existsSync(f))) {
      loadKubeconfigFile(new lib.KubeConfig(), file);
    }
    kc.loadFromDefault();
    description = `KUBECONFIG=${process.env.KUBECONFIG}`;
  } else {
    const home = path.join(os.homedir(), '.kube', 'config');
    if (fs.existsSync(home)) {
      loadKubeconfigFile(kc, home);
      description = `kubeconfig ${home}`;
    } else {
      throw new Error('no cluster: pass --kubeconfig, set KUBECONFIG, or start the local cluster with `cdk8s-argocd cluster up`');
    }
  }
  if (options.context) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      throw new Error(`--context ${options.context}: no such context in ${description} (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}); pass one it has`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(`${description} has no current cluster: set current-context (or pass --context) to a context whose cluster is defined`);
  }
  const full = `${description}${options.context ? `, context ${options.context}` : ''}`;
  ORIGINS.set(kc, full);
  return { config: kc, description: full };
}

/**
 * TLS and auth options for the config's current context, with one clear line when they cannot be
 * had: a failing exec credential plugin (client-node reports only its stderr, often empty) or
 * certificate data that is not PEM (Node reports "no start line" at the first request).
 */
export async function connectionOptions(config: k8s.KubeConfig): Promise<https.RequestOptions> {
  const where = ORIGINS.get(config) ?? 'the kubeconfig';
  const context = config.getCurrentContext();
  const user = config.getCurrentUser();
  const cluster = config.getCurrentCluster();
  const opts: https.RequestOptions = {};
  try {
    await config.applyToHTTPSOptions(opts);
  } catch (e) {
    const exec = user?.exec as { command?: string; args?: string[] } | undefined;
    if (exec) {
      const said = ((e as Error).message ?? '').trim().split('\n')[0].slice(0, 200);
      const command = [exec.command, ...(exec.args ?? [])].join(' ');
      throw new Error(`${where}: the exec credential plugin of user "${user!.name}" (context ${context}) failed${said ? `: ${said}` : ' and printed nothing'}; run \`${command}\` yourself to see why, or fix users[].user.exec`);
    }
    throw new Error(`${where}: cannot use the credentials of user "${user?.name}" (context ${context}): ${((e as Error).message ?? '').split('\n')[0]}`);
  }
  if (opts.ca) {
    // Node ignores CA data it cannot parse (and then fails every request), so check each certificate.
    const field = cluster?.caFile ? 'certificate-authority' : 'certificate-authority-data';
    const blocks = String(opts.ca).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) {
      throw new Error(`${where}: cluster "${cluster?.name}" ${field} ${NOT_PEM}; ${FIX}`);
    }
    blocks.forEach((b, i) => {
      try {
        new X509Certificate(b);
      } catch {
        throw new Error(`${where}: cluster "${cluster?.name}" ${field}: certificate ${i + 1} cannot be read; ${FIX}`);
      }
    });
  }
  if (opts.cert || opts.key) {
    const userEntry = `user "${user?.name}"`;
    for (const [field, value] of [['client-certificate', opts.cert], ['client-key', opts.key]] as const) {
      if (!value || !String(value).includes('-----BEGIN')) {
        throw new Error(`${where}: ${userEntry} ${field}${user?.[field === 'client-key' ? 'keyFile' : 'certFile'] ? '' : '-data'} ${value ? NOT_PEM : 'is missing'}; ${FIX}`);
      }
    }
    try {
      tls.createSecureContext({ cert: opts.cert, key: opts.key });
    } catch (e) {
      throw new Error(`${where}: ${userEntry} client-certificate and client-key cannot be used together (${(e as Error).message.split('\n')[0]}); ${FIX}`);
    }
  }
  return opts;
}
