/**
 * A local Kubernetes control plane made of plain processes: etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler, kwok (which
 * plays kubelet for fake nodes) and metrics-server (the resource metrics API,
 * from kwok's simulated usage). No Docker, no VMs.
 *
 * State directory layout (`<dir>`):
 *
 *   state.json          pids, ports and arguments of the running components
 *   kubeconfig          admin kubeconfig (user in group system:masters)
 *   pki/                CA, serving cert, client certs, service-account keys
 *   config/             component kubeconfigs and the kwok config (stages, metrics, simulated usage)
 *   etcd/               etcd data
 *   logs/<component>.log
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { parse as parseYaml } from 'yaml';
import { ApiClient } from './api';
import { BINARY_NAME, ClusterError, ensureClusterBinary, findClusterModuleDir, Logger } from './build';
import {
  ComponentName,
  COMPONENTS,
  DEFAULT_SIMULATED_USAGE_PERCENT,
  FAKE_NODE_NAMES,
  KUBERNETES_SERVICE_IP,
  KWOK_NODE_ANNOTATION,
  KWOK_NODE_ANNOTATION_VALUE,
  POD_CIDR,
  SERVICE_CLUSTER_IP_RANGE,
  USAGE_CPU_ANNOTATION,
  USAGE_MEMORY_ANNOTATION,
} from './constants';
import { pidAlive } from './pid-alive';
import { defaultClusterDir } from './state-dir';
import { lockStateDir, STATE_LOCK_FILE } from './state-lock';

export interface LocalClusterOptions {
  /** State directory (default: {@link defaultClusterDir}). */
  readonly dir?: string;
  /** Progress messages (default: stderr). */
  readonly log?: Logger;
  /** A `k8s-local` binary to use instead of building/looking up the cached one. */
  readonly binary?: string;
  /** Wipe the state directory (etcd data, PKI) before starting. */
  readonly fresh?: boolean;
  /** How long to wait for the cluster to become ready (default 120s). */
  readonly timeoutMs?: number;
  /**
   * Simulated CPU use of a container without the {@link USAGE_CPU_ANNOTATION} annotation, in
   * percent of its CPU request (default {@link DEFAULT_SIMULATED_USAGE_PERCENT}). Applies to this
   * start (a later start without it goes back to the default); given for a running cluster, kwok
   * is restarted with it.
   */
  readonly simulatedCpuPercent?: number;
  /** Same as {@link simulatedCpuPercent} for memory (percent of the memory request). */
  readonly simulatedMemoryPercent?: number;
  /**
   * Run the metrics-server and register the resource metrics API (default true). Without it the
   * cluster is lighter (see BENCHMARKS.md), and HPAs get no metrics (`ScalingActive` False).
   */
  readonly metricsServer?: boolean;
  /**
   * Extra flags for components, appended to their defaults (e.g. `rehearse` shortens the
   * HorizontalPodAutoscaler's sync period so an autoscaler acts within the rehearsal).
   */
  readonly extraArgs?: Partial<Record<ComponentName, readonly string[]>>;
}

export interface ComponentState {
  readonly name: ComponentName;
  readonly pid: number;
  /** Main port: etcd client port, API server / controller-manager / scheduler secure port, kwok health port. */
  readonly port: number;
  readonly log: string;
  readonly args: string[];
}

export interface ClusterState {
  readonly version: 1;
  readonly dir: string;
  readonly binary: string;
  readonly server: string;
  readonly kubeconfig: string;
  readonly startedAt: string;
  readonly components: ComponentState[];
  /** Components this start left out on purpose (`cluster up --no-metrics-server`). */
  readonly disabled?: ComponentName[];
}

export interface ComponentStatus {
  readonly name: ComponentName;
  readonly running: boolean;
  readonly pid?: number;
  readonly port?: number;
  /** Result of the component's health endpoint, when running. */
  readonly healthy?: boolean;
  readonly log?: string;
}

export interface ClusterStatus {
  readonly dir: string;
  /** True if the state dir has a recorded cluster. */
  readonly exists: boolean;
  /** All components running and healthy. */
  readonly running: boolean;
  readonly server?: string;
  readonly kubeconfig?: string;
  readonly apiReady?: boolean;
  readonly components: ComponentStatus[];
}

export { defaultClusterDir };

const defaultLog: Logger = (m) => process.stderr.write(`${m}\n`);


/** Picks `n` distinct free TCP ports on 127.0.0.1 (held open together so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(srv);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/**
 * True if `pid` is alive and (where /proc exists) really is our component:
 * argv[0] is a k8s-local binary, argv[1] the component, and the command line
 * mentions the state dir. Guards against killing a recycled pid.
 */
function isOurProcess(pid: number, component: string, dir: string): boolean {
  if (!pid || !pidAlive(pid)) {
    return false;
  }
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return !fs.existsSync('/proc/self/cmdline'); // no procfs (macOS): trust the pid
  }
  const argv = cmdline.split('\0');
  return path.basename(argv[0] ?? '').startsWith(BINARY_NAME) && argv[1] === component && cmdline.includes(dir);
}

function tail(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '(no log)';
  }
}

function b64(file: string): string {
  return fs.readFileSync(file).toString('base64');
}

/** Renders a kubeconfig with embedded credentials. */
function kubeconfigYaml(server: string, pki: string, client: string, name = 'cdk8s-argocd-local'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(path.join(pki, 'ca.crt'))}`,
    'users:',
    `- name: ${client}`,
    '  user:',
    `    client-certificate-data: ${b64(path.join(pki, `${client}.crt`))}`,
    `    client-key-data: ${b64(path.join(pki, `${client}.key`))}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${client}`,
    '    namespace: default',
    `current-context: ${name}`,
    '',
  ].join('\n');
}

/** HTTP(S) GET returning the status code, or 0 if the connection failed. */
function probe(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { timeout: timeoutMs, rejectUnauthorized: false } as https.RequestOptions, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

class ComponentExitedError extends ClusterError {
  constructor(
    public readonly component: ComponentName,
    public readonly logFile: string,
    detail: string,
  ) {
    super(`${component} exited during start-up (${detail}); last lines of ${logFile}:\n${tail(logFile, 30)}`);
  }

  get portInUse(): boolean {
    return /address already in use/i.test(tail(this.logFile, 30));
  }
}

/** A local control plane in a state directory. */
export class LocalCluster {
  /**
   * Starts a cluster in `options.dir` (building the binaries first if needed)
   * and resolves once the API is ready, the `default` ServiceAccount exists
   * and the fake nodes are Ready. If the cluster in that dir is already
   * running, returns it unchanged.
   */
  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const dir = path.resolve(options.dir ?? defaultClusterDir());
    const log = options.log ?? defaultLog;
    // A second start on the same dir would overwrite state.json and orphan our processes.
    const lock = lockStateDir(dir, 'up');
    try {
      return await LocalCluster.startLocked(dir, log, options);
    } finally {
      lock.release();
    }
  }

  /**
   * Runs `fn` (e.g. a stop) while holding the state dir's lock, so it cannot interleave with a
   * `cluster up` on the same dir.
   */
  static async withStateLock<T>(dir: string, purpose: string, fn: () => Promise<T>): Promise<T> {
    const lock = lockStateDir(path.resolve(dir), purpose);
    try {
      return await fn();
    } finally {
      lock.release();
    }
  }

  /** Attaches to the cluster recorded in `dir` (running or not); undefined if there is none. */
  static open(dir: string = defaultClusterDir()): LocalCluster | undefined {
    const file = path.join(path.resolve(dir), 'state.json');
    if (!fs.existsSync(file)) {
      return undefined;
    }
    return new LocalCluster(JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterState);
  }

  private static async startLocked(dir: string, log: Logger, options: LocalClusterOptions): Promise<LocalCluster> {
    const existing = LocalCluster.open(dir);
    if (existing) {
      const st = await existing.status();
      if (st.running && st.apiReady && !options.fresh) {
        log(`cluster in ${dir} is already running (${existing.server})`);
        if (options.simulatedCpuPercent !== undefined || options.simulatedMemoryPercent !== undefined) {
          await existing.setSimulatedUsage(simulatedUsage(options), log);
        }
        return existing;
      }
      // Partially running or asked for a fresh start: clean up first.
      await existing.stop({ log: () => undefined });
    }
    if (options.fresh) {
      for (const entry of fs.readdirSync(dir)) {
        if (entry !== STATE_LOCK_FILE) {
          fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
        }
      }
    }
    const binary = options.binary ?? (await ensureClusterBinary({ log })).binary;
    for (let attempt = 1; ; attempt++) {
      try {
        const usage = simulatedUsage(options);
        return await startOnce(dir, binary, log, options.timeoutMs ?? 120_000, usage, options.metricsServer ?? true, options.extraArgs ?? {});
      } catch (e) {
        if (e instanceof ComponentExitedError && e.portInUse && attempt < 3) {
          log(`${e.component} could not bind its port (taken meanwhile); retrying with other ports`);
          continue;
        }
        throw e;
      }
    }
  }

  constructor(public readonly state: ClusterState) {}

  /** The components of this cluster, in start order (all but those its start left out). */
  private components(): ComponentName[] {
    return COMPONENTS.filter((c) => !this.state.disabled?.includes(c));
  }

  get dir(): string {
    return this.state.dir;
  }

  /** Admin kubeconfig (cluster-admin via group system:masters). */
  get kubeconfigPath(): string {
    return this.state.kubeconfig;
  }

  /** API server URL, e.g. https://127.0.0.1:41234. */
  get server(): string {
    return this.state.server;
  }

  /** Log file of a component. */
  logPath(component: ComponentName): string {
    return path.join(this.dir, 'logs', `${component}.log`);
  }

  /** The last `lines` lines of every component's log, for test failure reports. */
  logTails(lines = 40): string {
    return this.components().map((c) => `----- ${c} (${this.logPath(c)}) -----\n${tail(this.logPath(c), lines)}`).join('\n');
  }

  /** Status of each component and of the API. */
  async status(): Promise<ClusterStatus> {
    const components: ComponentStatus[] = [];
    for (const name of this.components()) {
      const c = this.state.components.find((x) => x.name === name);
      if (!c) {
        components.push({ name, running: false });
        continue;
      }
      const running = isOurProcess(c.pid, name, this.dir);
      const healthy = running ? await this.componentHealthy(c) : undefined;
      components.push({ name, running, pid: c.pid, port: c.port, healthy, log: c.log });
    }
    const apiReady = components.find((c) => c.name === 'kube-apiserver')?.healthy ?? false;
    return {
      dir: this.dir,
      exists: true,
      running: components.every((c) => c.running && c.healthy),
      server: this.server,
      kubeconfig: this.kubeconfigPath,
      apiReady,
      components,
    };
  }

  private async componentHealthy(c: ComponentState): Promise<boolean> {
    switch (c.name) {
      case 'etcd':
        return (await probe(`http://127.0.0.1:${c.port}/health`)) === 200;
      case 'kube-apiserver': {
        const api = adminClient(this.dir, this.server);
        try {
          const res = await api.request('GET', '/readyz', undefined, 2000);
          return res.status === 200;
        } catch {
          return false;
        } finally {
          api.destroy();
        }
      }
      case 'kube-controller-manager':
      case 'kube-scheduler':
        return (await probe(`https://127.0.0.1:${c.port}/healthz`)) === 200;
      case 'kwok':
        return (await probe(`http://127.0.0.1:${c.port}/healthz`)) === 200;
      case 'metrics-server':
        return (await probe(`https://127.0.0.1:${c.port}/livez`)) === 200;
    }
  }

  /**
   * Stops every component and waits until they are gone: SIGTERM to each
   * process group (SIGKILL after 10s), etcd last so the others can shut down
   * cleanly. With `purge` the state directory is deleted as well, so nothing
   * is worth a graceful shutdown: everything gets SIGKILL at once.
   */
  async stop(options: { purge?: boolean; log?: Logger } = {}): Promise<void> {
    const log = options.log ?? defaultLog;
    const all = this.state.components;
    const first: NodeJS.Signals = options.purge ? 'SIGKILL' : 'SIGTERM';
    if (options.purge) {
      await Promise.all(all.map((c) => this.stopComponent(c, log, first)));
    } else {
      await Promise.all(all.filter((c) => c.name !== 'etcd').map((c) => this.stopComponent(c, log, first)));
      await Promise.all(all.filter((c) => c.name === 'etcd').map((c) => this.stopComponent(c, log, first)));
    }
    // Processes of this dir that state.json does not name (left by a start that was killed, or
    // by one that raced another): stop them too, then make sure nothing is left.
    const strays = processesOfDir(this.dir);
    if (strays.length > 0) {
      log(`stopping ${strays.length} process(es) of ${this.dir} not recorded in state.json: ${strays.map((p) => `${p.component} (pid ${p.pid})`).join(', ')}`);
      await Promise.all(strays.map((p) => this.stopComponent({ name: p.component as ComponentName, pid: p.pid, port: 0, log: '', args: [] }, log, first)));
    }
    const left = processesOfDir(this.dir);
    if (left.length > 0) {
      throw new ClusterError(`could not stop ${left.map((p) => `${p.component} (pid ${p.pid})`).join(', ')} of ${this.dir}; kill them by hand`);
    }
    if (options.purge) {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /**
   * Rewrites kwok's configuration with another simulated usage and restarts kwok (the only
   * component reading it); the metrics-server reports the new usage from its next scrape.
   */
  async setSimulatedUsage(usage: SimulatedUsage, log: Logger = defaultLog): Promise<void> {
    if (this.state.disabled?.includes('metrics-server')) {
      throw new ClusterError(`the cluster in ${this.dir} runs without the metrics-server; restart it with it: cdk8s-argocd cluster down && cdk8s-argocd cluster up`);
    }
    const kwok = this.state.components.find((c) => c.name === 'kwok');
    const config = kwok?.args.find((a) => a.startsWith('--config='))?.slice('--config='.length);
    if (!config) {
      throw new ClusterError(`the cluster in ${this.dir} has no kwok configuration to change; restart it with: cdk8s-argocd cluster down && cdk8s-argocd cluster up`);
    }
    fs.writeFileSync(config, kwokConfig(usage));
    log(`simulated usage: cpu ${usage.cpuPercent}%, memory ${usage.memoryPercent}% of the requests; restarting kwok`);
    await this.restart('kwok', { log });
  }

  /** The pid of a running component, or undefined. */
  pidOf(component: ComponentName): number | undefined {
    const c = this.state.components.find((x) => x.name === component);
    return c && isOurProcess(c.pid, c.name, this.dir) ? c.pid : undefined;
  }

  /**
   * Starts one component again with its recorded arguments (after it crashed or was killed; a
   * running one is stopped first) and waits until it is healthy. For fault-injection tests and
   * for recovering a cluster without losing its etcd data.
   */
  async restart(component: ComponentName, options: { timeoutMs?: number; log?: Logger } = {}): Promise<void> {
    const log = options.log ?? defaultLog;
    const index = this.state.components.findIndex((x) => x.name === component);
    if (index < 0) {
      throw new ClusterError(`${component} is not part of the cluster in ${this.dir}`);
    }
    const c = this.state.components[index];
    await this.stopComponent(c, log, 'SIGKILL');
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    // The component must come back on its recorded port (clients and kubeconfigs name it). Right
    // after a kill that port can still be held for a moment, e.g. by another process's outgoing
    // connection that the kernel gave the same local port: wait for it rather than fail.
    for (let attempt = 1; ; attempt++) {
      const restarted = this.spawnComponent(index, component);
      while (!(await this.componentHealthy(restarted))) {
        if (!pidAlive(restarted.pid)) {
          const logTail = tail(c.log, 30);
          const sinceRestart = logTail.slice(logTail.lastIndexOf(' restart: '));
          if (/address already in use/i.test(sinceRestart) && Date.now() < deadline) {
            log(`${component}: its port is still in use; starting it again (attempt ${attempt + 1})`);
            await sleep(500);
            break;
          }
          throw new ClusterError(`${component} exited right after the restart; last lines of ${c.log}:\n${logTail}`);
        }
        if (Date.now() > deadline) {
          throw new ClusterError(`${component} did not become healthy within ${Math.round((options.timeoutMs ?? 60_000) / 1000)}s after the restart`);
        }
        await sleep(100);
      }
      if (pidAlive(restarted.pid) && await this.componentHealthy(restarted)) {
        return;
      }
    }
  }

  /** Spawns component `index` with its recorded arguments and records its new pid. */
  private spawnComponent(index: number, component: ComponentName): ComponentState {
    const c = this.state.components[index];
    const fd = fs.openSync(c.log, 'a');
    let child: ChildProcess;
    try {
      fs.writeSync(fd, `# ${new Date().toISOString()} restart: ${this.state.binary} ${component} ${c.args.join(' ')}\n`);
      child = spawn(this.state.binary, [component, ...c.args], { cwd: this.dir, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    if (child.pid === undefined) {
      throw new ClusterError(`could not restart ${component} (${this.state.binary})`);
    }
    child.unref();
    const restarted = { ...c, pid: child.pid };
    (this.state.components as ComponentState[])[index] = restarted;
    writeStateFile(this.state);
    return restarted;
  }

  /**
   * Synchronous last resort for exit handlers: SIGKILL to every component's
   * process group, no waiting. Prefer {@link stop}.
   */
  killNow(): void {
    for (const c of this.state.components) {
      if (isOurProcess(c.pid, c.name, this.dir)) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }

  private async stopComponent(c: ComponentState, log: Logger, first: NodeJS.Signals): Promise<void> {
    if (!isOurProcess(c.pid, c.name, this.dir)) {
      return;
    }
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-c.pid, sig); // the whole process group (spawned detached)
      } catch {
        try {
          process.kill(c.pid, sig);
        } catch {
          // already gone
        }
      }
    };
    signal(first);
    const deadline = Date.now() + 10_000;
    while (pidAlive(c.pid) && Date.now() < deadline) {
      await sleep(50);
    }
    if (pidAlive(c.pid)) {
      log(`${c.name} (pid ${c.pid}) did not stop within 10s; killing it`);
      signal('SIGKILL');
      while (pidAlive(c.pid)) {
        await sleep(50);
      }
    }
  }
}

/** Writes state.json atomically (a reader never sees half of it). */
function writeStateFile(state: ClusterState): void {
  const file = path.join(state.dir, 'state.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Every live k8s-local process whose command line points into `dir` (found through /proc;
 * empty where there is none).
 */
export function processesOfDir(dir: string): Array<{ pid: number; component: string }> {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const inside = `${path.resolve(dir)}${path.sep}`;
  const out: Array<{ pid: number; component: string }> = [];
  for (const e of entries) {
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      // A zombie (exited, not yet reaped) has an empty command line and is gone for our purposes.
    } catch {
      continue;
    }
    if (path.basename(argv[0] ?? '').startsWith(BINARY_NAME) && argv.some((a) => a.includes(inside))) {
      out.push({ pid: Number(e), component: argv[1] ?? '?' });
    }
  }
  return out;
}

function adminClient(dir: string, server: string): ApiClient {
  const pki = path.join(dir, 'pki');
  return new ApiClient(server, {
    ca: fs.readFileSync(path.join(pki, 'ca.crt')),
    cert: fs.readFileSync(path.join(pki, 'admin.crt')),
    key: fs.readFileSync(path.join(pki, 'admin.key')),
  });
}

/** Client certificates: file name → CN[/group,group]. */
const CLIENTS: Record<string, string> = {
  'admin': 'cdk8s-argocd-admin/system:masters',
  'kube-controller-manager': 'system:kube-controller-manager',
  'kube-scheduler': 'system:kube-scheduler',
  // kwok plays kubelet for every fake node; it gets admin rights like kwokctl gives it.
  'kwok': 'kwok-controller/system:masters',
  // metrics-server reads nodes and pods, scrapes the (kwok) kubelets and delegates authn/authz of
  // its own API to kube-apiserver; admin rights like kwokctl gives it, instead of four RBAC objects.
  'metrics-server': 'system:metrics-server/system:masters',
  // kube-apiserver's identity when it proxies to an aggregated API (metrics.k8s.io): the
  // metrics-server trusts the user named in the X-Remote-User header only from this CN.
  'front-proxy-client': 'front-proxy-client',
};

/** Group and version of the resource metrics API, served by metrics-server through the aggregation layer. */
const METRICS_API_SERVICE = 'v1beta1.metrics.k8s.io';
/** `app.kubernetes.io/managed-by` of the objects `cluster up` creates for it. */
const METRICS_MANAGED_BY = 'cdk8s-argocd-cluster';

/** Simulated usage, in percent of each container's requests. */
export interface SimulatedUsage {
  readonly cpuPercent: number;
  readonly memoryPercent: number;
}

function simulatedUsage(options: LocalClusterOptions): SimulatedUsage {
  const pct = (what: string, v: number | undefined) => {
    const value = v ?? DEFAULT_SIMULATED_USAGE_PERCENT;
    if (!Number.isFinite(value) || value < 0) {
      throw new ClusterError(`simulated ${what} usage must be a percentage >= 0, got ${v}`);
    }
    return value;
  };
  return { cpuPercent: pct('CPU', options.simulatedCpuPercent), memoryPercent: pct('memory', options.simulatedMemoryPercent) };
}

/**
 * kwok's ClusterResourceUsage for every pod: a container uses what the pod's
 * USAGE_*_ANNOTATION says, else the given percentage of its request, else (no request) 1m CPU /
 * 1Mi memory. Evaluated by kwok (CEL) on every scrape, so a changed annotation shows at once.
 */
export function clusterResourceUsageYaml(usage: SimulatedUsage): string {
  const expr = (resource: string, annotation: string, percent: number, fallback: string) =>
    [
      `"${annotation}" in pod.metadata.annotations`,
      `? Quantity(pod.metadata.annotations["${annotation}"])`,
      `: ("${resource}" in container.resources.requests`,
      `  ? container.resources.requests["${resource}"] * ${(percent / 100).toFixed(4)}`,
      `  : Quantity("${fallback}"))`,
    ].map((l) => `          ${l}`).join('\n');
  return [
    'apiVersion: kwok.x-k8s.io/v1alpha1',
    'kind: ClusterResourceUsage',
    'metadata:',
    '  name: cdk8s-argocd-simulated-usage',
    'spec:',
    '  usages:',
    '  - usage:',
    '      cpu:',
    '        expression: |',
    expr('cpu', USAGE_CPU_ANNOTATION, usage.cpuPercent, '1m'),
    '      memory:',
    '        expression: |',
    expr('memory', USAGE_MEMORY_ANNOTATION, usage.memoryPercent, '1Mi'),
    '',
  ].join('\n');
}

/**
 * kwok's configuration: the Stages and, for the metrics-server (`usage`), the kubelet resource
 * Metric and the simulated usage (without them kwok keeps no pod cache for metrics).
 */
function kwokConfig(usage: SimulatedUsage | undefined): string {
  const moduleDir = findClusterModuleDir();
  const yamlFiles = (sub: string) =>
    fs.readdirSync(path.join(moduleDir, sub)).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(sub, f));
  const files = [...yamlFiles('stages'), ...(usage ? yamlFiles('metrics') : [])];
  const docs = files.map((f) => `# --- ${f}\n${fs.readFileSync(path.join(moduleDir, f), 'utf8').trim()}\n`);
  if (usage) {
    docs.push(`# --- simulated usage (cpu ${usage.cpuPercent}%, memory ${usage.memoryPercent}% of the requests)\n${clusterResourceUsageYaml(usage)}`);
  }
  return docs.join('---\n');
}

async function startOnce(
  dir: string, binary: string, log: Logger, timeoutMs: number, usage: SimulatedUsage, withMetricsServer: boolean,
  extraArgs: Partial<Record<ComponentName, readonly string[]>>,
): Promise<LocalCluster> {
  const t0 = Date.now();
  const pki = path.join(dir, 'pki');
  const configDir = path.join(dir, 'config');
  const logDir = path.join(dir, 'logs');
  for (const d of [dir, pki, configDir, logDir, path.join(dir, 'etcd')]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  }

  const pkiRun = spawnSync(
    binary,
    ['pki', `--dir=${pki}`, `--service-ip=${KUBERNETES_SERVICE_IP}`, ...Object.entries(CLIENTS).map(([n, s]) => `--client=${n}=${s}`)],
    { encoding: 'utf8' },
  );
  if (pkiRun.status !== 0) {
    throw new ClusterError(`generating certificates failed: ${pkiRun.stderr || pkiRun.error?.message}`);
  }

  const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedPort, kwokPort, metricsPort] = await freePorts(7);
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigYaml(server, pki, 'admin'), { mode: 0o600 });
  const kc = (client: string) => {
    const file = path.join(configDir, `${client}.kubeconfig`);
    fs.writeFileSync(file, kubeconfigYaml(server, pki, client), { mode: 0o600 });
    return file;
  };
  const kwokConfigFile = path.join(configDir, 'kwok.yaml');
  fs.writeFileSync(kwokConfigFile, kwokConfig(withMetricsServer ? usage : undefined));

  const p = (f: string) => path.join(pki, f);
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const args: Record<ComponentName, string[]> = {
    'etcd': [
      '--name=default',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      // A throw-away test cluster: durability is not worth the fsync latency.
      '--unsafe-no-fsync=true',
      // Single member: elect itself in ~100ms instead of the default ~1s.
      '--heartbeat-interval=10',
      '--election-timeout=100',
      '--log-level=warn',
    ],
    'kube-apiserver': [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${pki}`,
      `--tls-cert-file=${p('apiserver.crt')}`,
      `--tls-private-key-file=${p('apiserver.key')}`,
      `--client-ca-file=${p('ca.crt')}`,
      '--authorization-mode=RBAC',
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${p('sa.pub')}`,
      `--service-account-signing-key-file=${p('sa.key')}`,
      '--allow-privileged=true',
      // The advertise address is loopback, which may not appear in Endpoints.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      // The aggregation layer (for metrics.k8s.io): kube-apiserver proxies with this client
      // certificate and names the user in X-Remote-* headers, which the metrics-server trusts only
      // from a certificate of this CA with CN front-proxy-client.
      `--proxy-client-cert-file=${p('front-proxy-client.crt')}`,
      `--proxy-client-key-file=${p('front-proxy-client.key')}`,
      `--requestheader-client-ca-file=${p('ca.crt')}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      // `kubectl logs` (and the engine's hook logs) reach the fake nodes' kubelet, kwok's server, at
      // the nodes' InternalIP; the default tries their Hostname first, which no DNS resolves.
      '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-certificate-authority=${p('ca.crt')}`,
    ],
    'kube-controller-manager': [
      `--kubeconfig=${kc('kube-controller-manager')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      '--leader-elect=false',
      // Client-side rate limits (default 20 qps) dominate start-up and namespace deletion here.
      '--kube-api-qps=500',
      '--kube-api-burst=1000',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${p('sa.key')}`,
      `--root-ca-file=${p('ca.crt')}`,
      `--cluster-signing-cert-file=${p('ca.crt')}`,
      `--cluster-signing-key-file=${p('ca.key')}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--profiling=false',
    ],
    'kube-scheduler': [
      `--kubeconfig=${kc('kube-scheduler')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${schedPort}`,
      '--leader-elect=false',
      '--kube-api-qps=500',
      '--kube-api-burst=1000',
      '--profiling=false',
    ],
    'kwok': [
      `--kubeconfig=${kc('kwok')}`,
      `--config=${kwokConfigFile}`,
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=${KWOK_NODE_ANNOTATION_VALUE}`,
      '--node-lease-duration-seconds=40',
      `--cidr=${POD_CIDR}`,
      `--server-address=127.0.0.1:${kwokPort}`,
      // kwok's server is the fake nodes' kubelet: metrics-server scrapes it over TLS at the node's
      // InternalIP and status port (the serving certificate is valid for 127.0.0.1). kwok serves
      // plain HTTP (its /healthz) on the same port.
      `--tls-cert-file=${p('apiserver.crt')}`,
      `--tls-private-key-file=${p('apiserver.key')}`,
      '--node-ip=127.0.0.1',
      `--node-port=${kwokPort}`,
      // Pod logs come from kwok's Logs (one pod) and ClusterLogs (pods by namespace and name)
      // objects in the cluster, read as they change: a test or a user points a pod at a log file
      // (CRI format) without restarting kwok. Their CRDs are installed before kwok starts.
      `--enable-crds=${KWOK_LOG_CRDS.map((c) => c.kind).join(',')}`,
    ],
    'metrics-server': [
      `--kubeconfig=${kc('metrics-server')}`,
      `--authentication-kubeconfig=${path.join(configDir, 'metrics-server.kubeconfig')}`,
      `--authorization-kubeconfig=${path.join(configDir, 'metrics-server.kubeconfig')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${metricsPort}`,
      // A self-signed serving certificate (the APIService skips verification, as upstream's does).
      `--cert-dir=${path.join(pki, 'metrics-server')}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--kubelet-use-node-status-port',
      `--kubelet-certificate-authority=${p('ca.crt')}`,
      // The shortest resolution it accepts: CPU is a rate of two scrapes, so HPAs get their first
      // CPU metrics ~2 resolutions after a pod starts.
      '--metric-resolution=10s',
      // Must be below the resolution; kwok answers from memory in milliseconds.
      '--kubelet-request-timeout=5s',
    ],
  };
  const ports: Record<ComponentName, number> = {
    'etcd': etcdPort,
    'kube-apiserver': apiPort,
    'kube-controller-manager': kcmPort,
    'kube-scheduler': schedPort,
    'kwok': kwokPort,
    'metrics-server': metricsPort,
  };
  for (const [name, extra] of Object.entries(extraArgs) as Array<[ComponentName, readonly string[]]>) {
    args[name] = [...args[name], ...extra];
  }

  const started: ComponentState[] = [];
  const children = new Map<ComponentName, ChildProcess>();
  const exited = new Map<ComponentName, string>();
  const writeState = () => {
    const state: ClusterState = {
      version: 1,
      dir,
      binary,
      server,
      kubeconfig,
      startedAt: new Date(t0).toISOString(),
      components: started,
      ...(withMetricsServer ? {} : { disabled: ['metrics-server' as const] }),
    };
    writeStateFile(state);
    return state;
  };
  const launch = (name: ComponentName) => {
    const logFile = path.join(logDir, `${name}.log`);
    fs.writeFileSync(logFile, `# ${new Date().toISOString()} ${binary} ${name} ${args[name].join(' ')}\n`);
    const fd = fs.openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(binary, [name, ...args[name]], { cwd: dir, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    if (child.pid === undefined) {
      throw new ClusterError(`could not start ${name} (${binary})`);
    }
    child.on('exit', (code, sig) => exited.set(name, sig ? `signal ${sig}` : `exit code ${code}`));
    child.unref();
    children.set(name, child);
    started.push({ name, pid: child.pid, port: ports[name], log: logFile, args: args[name] });
    writeState(); // record pids right away so `cluster down` can clean up even if we die
  };

  const deadline = t0 + timeoutMs;
  const waitFor = async (what: string, check: () => Promise<boolean>) => {
    for (;;) {
      for (const [name, detail] of exited) {
        throw new ComponentExitedError(name, path.join(logDir, `${name}.log`), detail);
      }
      if (await check().catch(() => false)) {
        return;
      }
      if (Date.now() > deadline) {
        throw new ClusterError(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`);
      }
      await sleep(100);
    }
  };
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

  let api: ApiClient | undefined;
  try {
    launch('etcd');
    await waitFor('etcd to be healthy', async () => (await probe(`${etcdUrl}/health`)) === 200);
    log(`etcd ready (${elapsed()})`);

    launch('kube-apiserver');
    api = adminClient(dir, server);
    const a = api;
    await waitFor('kube-apiserver /readyz', async () => (await a.request('GET', '/readyz', undefined, 2000)).status === 200);
    log(`kube-apiserver ready at ${server} (${elapsed()})`);

    launch('kube-controller-manager');
    launch('kube-scheduler');
    const tCrds = Date.now();
    await installKwokLogCrds(a);
    await waitFor(`kwok's ${KWOK_LOG_CRDS.map((c) => c.kind).join(' and ')} CRDs to be established`, async () => {
      for (const crd of KWOK_LOG_CRDS) {
        const live = await a.getJson(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`);
        if (live?.status?.conditions?.find((c: { type: string }) => c.type === 'Established')?.status !== 'True') {
          return false;
        }
      }
      return true;
    });
    log(`kwok's Logs and ClusterLogs CRDs established in ${((Date.now() - tCrds) / 1000).toFixed(1)}s (${elapsed()})`);
    launch('kwok');
    if (withMetricsServer) {
      launch('metrics-server');
    }

    for (const name of FAKE_NODE_NAMES) {
      await a.create('/api/v1/nodes', fakeNode(name));
      // Also on a restart (new ports) and for nodes registered by an older version: where the
      // metrics-server finds the node's (kwok) kubelet.
      await a.mergePatch(`/api/v1/nodes/${name}`, { metadata: { annotations: fakeNodeAnnotations(name) } });
      await a.mergePatch(`/api/v1/nodes/${name}/status`, fakeNodeKubeletEndpoint(name, kwokPort));
    }

    if (withMetricsServer) {
      // Register the resource metrics API once the metrics-server answers, so the aggregator's
      // first availability check succeeds (an unavailable APIService breaks API discovery, and
      // with it namespace deletion and garbage collection).
      await waitFor('metrics-server to be live', async () => (await probe(`https://127.0.0.1:${metricsPort}/livez`)) === 200);
      for (const [url, obj] of metricsApiObjects(metricsPort)) {
        await a.apply(url, obj);
      }
      await waitFor(`the APIService ${METRICS_API_SERVICE} to be Available`, async () => {
        const svc = await a.getJson(`/apis/apiregistration.k8s.io/v1/apiservices/${METRICS_API_SERVICE}`);
        return svc?.status?.conditions?.find((c: { type: string }) => c.type === 'Available')?.status === 'True';
      });
      log(`metrics API available (${elapsed()})`);
    } else {
      // A restart without it must not leave the APIService of an earlier start pointing nowhere
      // (an unavailable APIService breaks API discovery); only ours, never one the user installed.
      const url = `/apis/apiregistration.k8s.io/v1/apiservices/${METRICS_API_SERVICE}`;
      const svc = await a.getJson(url);
      if (svc?.metadata?.labels?.['app.kubernetes.io/managed-by'] === METRICS_MANAGED_BY) {
        await a.request('DELETE', url);
      }
    }

    await waitFor('the default ServiceAccount', async () => (await a.getJson('/api/v1/namespaces/default/serviceaccounts/default')) !== undefined);
    await waitFor('fake nodes to be Ready', async () => {
      for (const name of FAKE_NODE_NAMES) {
        const node = await a.getJson(`/api/v1/nodes/${name}`);
        const ready = node?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
        if (ready?.status !== 'True') {
          return false;
        }
      }
      return true;
    });
    await waitFor('kube-scheduler to be healthy', async () => (await probe(`https://127.0.0.1:${schedPort}/healthz`)) === 200);
    await waitFor('kube-controller-manager to be healthy', async () => (await probe(`https://127.0.0.1:${kcmPort}/healthz`)) === 200);
    log(`cluster ready (${elapsed()})`);
  } catch (e) {
    const cluster = new LocalCluster(writeState());
    await cluster.stop({ log });
    throw e;
  } finally {
    api?.destroy();
    for (const child of children.values()) {
      child.removeAllListeners('exit');
    }
  }
  return new LocalCluster(writeState());
}

/** kwok's CRDs for pod logs (cluster/crds/, copied from kwok's kustomize/crd/bases at the pinned version). */
const KWOK_LOG_CRDS = [
  { kind: 'Logs', name: 'logs.kwok.x-k8s.io', file: 'kwok.x-k8s.io_logs.yaml' },
  { kind: 'ClusterLogs', name: 'clusterlogs.kwok.x-k8s.io', file: 'kwok.x-k8s.io_clusterlogs.yaml' },
];

async function installKwokLogCrds(a: ApiClient): Promise<void> {
  const dir = path.join(findClusterModuleDir(), 'crds');
  for (const crd of KWOK_LOG_CRDS) {
    const obj = parseYaml(fs.readFileSync(path.join(dir, crd.file), 'utf8'));
    await a.apply(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`, obj);
  }
}

function fakeNodeAnnotations(name: string): Record<string, string> {
  return {
    [KWOK_NODE_ANNOTATION]: KWOK_NODE_ANNOTATION_VALUE,
    'node.alpha.kubernetes.io/ttl': '0',
    // metrics-server scrapes this path instead of the kubelet's /metrics/resource; kwok serves every
    // node's resource metrics on its one server (as kwokctl's nodes do).
    'metrics.k8s.io/resource-metrics-path': `/metrics/nodes/${name}/metrics/resource`,
  };
}

/** Node status fields naming the node's kubelet: kwok's server on loopback. */
function fakeNodeKubeletEndpoint(name: string, kwokPort: number): object {
  return {
    status: {
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: kwokPort } },
    },
  };
}

/**
 * The Service and APIService registering the metrics-server as metrics.k8s.io/v1beta1, and the
 * ClusterRole that lets the view/edit/admin roles read metrics (as upstream's components.yaml,
 * minus the Deployment and the metrics-server's own RBAC: it runs as system:masters). The Service is an ExternalName of
 * 127.0.0.1: with a ClusterIP, kube-apiserver would dial the ClusterIP, which nothing routes
 * here (no kube-proxy); for an ExternalName it dials the name at the APIService's port.
 */
function metricsApiObjects(metricsPort: number): Array<[string, object]> {
  const labels = { 'k8s-app': 'metrics-server', 'app.kubernetes.io/managed-by': METRICS_MANAGED_BY };
  return [
    [
      '/api/v1/namespaces/kube-system/services/metrics-server',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'metrics-server', namespace: 'kube-system', labels },
        spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port: metricsPort, protocol: 'TCP' }] },
      },
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:aggregated-metrics-reader',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: {
          name: 'system:aggregated-metrics-reader',
          labels: {
            ...labels,
            'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
            'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
            'rbac.authorization.k8s.io/aggregate-to-view': 'true',
          },
        },
        rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
      },
    ],
    [
      `/apis/apiregistration.k8s.io/v1/apiservices/${METRICS_API_SERVICE}`,
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: METRICS_API_SERVICE, labels },
        spec: {
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          groupPriorityMinimum: 100,
          versionPriority: 100,
          insecureSkipTLSVerify: true,
          service: { name: 'metrics-server', namespace: 'kube-system', port: metricsPort },
        },
      },
    ],
  ];
}

function fakeNode(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: fakeNodeAnnotations(name),
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        'type': 'kwok',
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '250' },
      capacity: { cpu: '32', memory: '256Gi', pods: '250' },
    },
  };
}
