/**
 * Real Argo CD run as plain processes beside the local control plane (`cdk8s-argocd argocd
 * up|down|status`): its application controller, repo-server and ApplicationSet controller, a
 * Redis-protocol cache, and a Git server that serves this repository under the URLs the
 * Applications name in `repoURL`. All from one binary, `argocd-local` (see argocd/README.md).
 *
 * State directory layout (`<cluster state dir>/argocd`):
 *
 *   state.json           pids, ports, arguments of the running components
 *   logs/<component>.log
 *   git-ca.crt           CA of the local Git server's per-host TLS certificates
 *   tls/<host>           the same CA, where Argo CD looks for a Git host's certificate
 *                        (ARGOCD_TLS_DATA_PATH: what argocd-tls-certs-cm is mounted as in a real install)
 *   ssh/ plugins/ tmp/   Argo CD's SSH known hosts, CMP sockets and repository clones
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';
import { ArgoCdError, ARGOCD_BINARY_NAME, argoCdVersion, ensureArgoCdBinary } from './build';
import { installArgoCdObjects } from './install';
import { ARGOCD_NAMESPACE } from '../argo/destination';
import { freePorts, LocalCluster } from '../cluster/local-cluster';
import { pidAlive } from '../cluster/pid-alive';
import { KubeClient } from '../engine/kube/client';
import { resolveKubeConfig } from '../engine/kube/kubeconfig';
import { Logger } from '../go-build/go-binary';

/** Components in start order (stopped in reverse). */
export const ARGOCD_COMPONENTS = ['redis', 'git-http', 'argocd-repo-server', 'argocd-application-controller', 'argocd-applicationset-controller'] as const;
export type ArgoCdComponent = (typeof ARGOCD_COMPONENTS)[number];

/** Folder of the Argo CD state inside the cluster's state dir. */
export const ARGOCD_STATE_FOLDER = 'argocd';

export interface ArgoCdComponentState {
  readonly name: ArgoCdComponent;
  readonly pid: number;
  /** Main port: Redis, Git proxy, repo-server gRPC, controller metrics/healthz, ApplicationSet metrics. */
  readonly port: number;
  readonly log: string;
  readonly args: string[];
}

export interface ArgoCdState {
  readonly version: 1;
  readonly dir: string;
  readonly clusterDir: string;
  readonly binary: string;
  /** Argo CD release (the wrapper module's requirement). */
  readonly argocdVersion: string;
  /** The Git work tree served to the repo-server. */
  readonly repository: string;
  /** The `repoURL`s that stand for {@link repository}. */
  readonly repoURLs: string[];
  readonly startedAt: string;
  readonly components: ArgoCdComponentState[];
}

export interface ArgoCdComponentStatus {
  readonly name: ArgoCdComponent;
  readonly running: boolean;
  readonly healthy?: boolean;
  readonly pid?: number;
  readonly port?: number;
  readonly log?: string;
}

/** One Application as Argo CD reports it. */
export interface ArgoCdApplicationStatus {
  readonly namespace: string;
  readonly name: string;
  /** `status.sync.status` (Synced, OutOfSync, Unknown), empty before the first comparison. */
  readonly sync: string;
  /** `status.health.status`. */
  readonly health: string;
  /** `status.operationState.phase` of the last sync. */
  readonly operation?: string;
  readonly revision?: string;
  /** The first condition's message (ComparisonError, SyncError...), when there is one. */
  readonly condition?: string;
}

export interface ArgoCdStatus {
  readonly dir: string;
  readonly exists: boolean;
  /** Every component running and healthy. */
  readonly running: boolean;
  readonly argocdVersion?: string;
  readonly repository?: string;
  readonly repoURLs?: string[];
  readonly components: ArgoCdComponentStatus[];
  /** Applications, when the cluster answers. */
  readonly applications?: ArgoCdApplicationStatus[];
}

export interface ArgoCdStartOptions {
  /** The local cluster's state dir. */
  readonly clusterDir: string;
  /** Git work tree to serve (default: the repository around the working directory). */
  readonly repository?: string;
  /** `repoURL`s served from it (default: the repository's http(s) remotes). */
  readonly repoURLs?: string[];
  /** An `argocd-local` to use instead of building/looking up the cached one. */
  readonly binary?: string;
  /** How long to wait for every component to be healthy (default 120 s). */
  readonly timeoutMs?: number;
  readonly log?: Logger;
}

const defaultLog: Logger = (m) => process.stderr.write(`${m}\n`);

/** The Argo CD state dir of a cluster state dir. */
export function argoCdDir(clusterDir: string): string {
  return path.join(path.resolve(clusterDir), ARGOCD_STATE_FOLDER);
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '(no log)';
  }
}

function git(args: string[], cwd: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.error) {
    throw new ArgoCdError(`cannot run git (${r.error.message}): the local Git server needs git on PATH`);
  }
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
}

/** The work tree around `start` and the URLs that stand for it (its http(s) remotes unless given). */
export function resolveRepository(start: string, repoURLs?: string[]): { repository: string; repoURLs: string[] } {
  const top = git(['rev-parse', '--show-toplevel'], start);
  if (!top.ok) {
    throw new ArgoCdError(`${start} is not inside a Git repository: Argo CD reads committed manifests from Git (pass --repo-root <checkout>)`);
  }
  const repository = top.out;
  if (!git(['rev-parse', '--verify', '--quiet', 'HEAD'], repository).ok) {
    throw new ArgoCdError(`the repository ${repository} has no commit yet: Argo CD reads what is committed; commit manifests/ and root.yaml first`);
  }
  let urls = repoURLs?.filter((u) => u.trim() !== '');
  if (!urls || urls.length === 0) {
    const remotes = git(['remote'], repository).out.split('\n').filter(Boolean);
    urls = remotes.map((r) => git(['remote', 'get-url', r], repository).out).filter(Boolean);
  }
  const unsupported = urls.filter((u) => !/^https?:\/\//i.test(u));
  const served = urls.filter((u) => /^https?:\/\//i.test(u));
  if (served.length === 0) {
    throw new ArgoCdError(
      (unsupported.length ? `the repository's remotes (${unsupported.join(', ')}) are not http(s) URLs; ` : `the repository ${repository} has no remote; `) +
        'pass --repo-url https://<host>/<path> (the repoURL your Applications name): the local Git server serves the repository over HTTP(S) under that URL',
    );
  }
  return { repository, repoURLs: served };
}

/**
 * True if `pid` is alive and is our component: an argocd-local whose argv[1] is the component and
 * whose working directory is the state dir (every component is started there). Guards against
 * signalling a recycled pid.
 */
function isOurProcess(pid: number, component: string, dir: string): boolean {
  if (!pid || !pidAlive(pid)) {
    return false;
  }
  let argv: string[];
  try {
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return !fs.existsSync('/proc/self/cmdline'); // no procfs (macOS): trust the pid
  }
  return path.basename(argv[0] ?? '').startsWith(ARGOCD_BINARY_NAME) && argv[1] === component && processCwd(pid) === dir;
}

function processCwd(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** Every live argocd-local process started in `dir` (found through /proc). */
export function argoCdProcessesOfDir(dir: string): Array<{ pid: number; component: string }> {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const out: Array<{ pid: number; component: string }> = [];
  for (const e of entries) {
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (path.basename(argv[0] ?? '').startsWith(ARGOCD_BINARY_NAME) && processCwd(Number(e)) === dir) {
      out.push({ pid: Number(e), component: argv[1] ?? '?' });
    }
  }
  return out;
}

function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Sends `PING` over the Redis protocol; true on `+PONG`. */
function redisPing(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    let got = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    // As a RESP array: miniredis does not take inline commands.
    sock.on('connect', () => sock.write('*1\r\n$4\r\nPING\r\n'));
    sock.on('data', (d) => {
      got += d.toString('utf8');
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
    sock.on('timeout', () => done(false));
    sock.on('error', () => done(false));
  });
}

function tcpOpen(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.on('error', () => resolve(false));
  });
}

class ComponentExitedError extends ArgoCdError {
  constructor(
    public readonly component: ArgoCdComponent,
    public readonly logFile: string,
    detail: string,
  ) {
    super(`${component} exited during start-up (${detail}); last lines of ${logFile}:\n${tail(logFile, 30)}`);
  }

  get portInUse(): boolean {
    return /address already in use/i.test(tail(this.logFile, 30));
  }
}

/** Real Argo CD running beside a local cluster, recorded in `<cluster dir>/argocd/state.json`. */
export class LocalArgoCd {
  /** The Argo CD recorded for a cluster state dir (running or not); undefined if there is none. */
  static open(clusterDir: string): LocalArgoCd | undefined {
    const file = path.join(argoCdDir(clusterDir), 'state.json');
    if (!fs.existsSync(file)) {
      return undefined;
    }
    return new LocalArgoCd(JSON.parse(fs.readFileSync(file, 'utf8')) as ArgoCdState);
  }

  /**
   * Starts Argo CD against the running cluster in `clusterDir` (building the binary first if
   * needed), installs what its controllers need, and resolves once every component is healthy.
   * Already running for the same repository and URLs: returned unchanged.
   */
  static async start(options: ArgoCdStartOptions): Promise<LocalArgoCd> {
    const log = options.log ?? defaultLog;
    const clusterDir = path.resolve(options.clusterDir);
    const cluster = LocalCluster.open(clusterDir);
    if (!cluster || !(await cluster.status()).apiReady) {
      throw new ArgoCdError(`no running local cluster in ${clusterDir}; start one first with: cdk8s-argocd cluster up${options.clusterDir ? ` --dir ${clusterDir}` : ''}`);
    }
    const { repository, repoURLs } = resolveRepository(options.repository ?? process.cwd(), options.repoURLs);
    const dir = argoCdDir(clusterDir);
    const existing = LocalArgoCd.open(clusterDir);
    if (existing) {
      const st = await existing.status({ applications: false });
      const same = existing.state.repository === repository && existing.state.repoURLs.join(' ') === repoURLs.join(' ');
      if (st.running && same) {
        log(`Argo CD in ${dir} is already running`);
        return existing;
      }
      await existing.stop({ log: () => undefined });
    }
    const binary = options.binary ?? (await ensureArgoCdBinary({ log })).binary;
    const resolved = await resolveKubeConfig({ kubeconfig: cluster.kubeconfigPath });
    const api = await KubeClient.create(resolved.config, 4);
    try {
      await installArgoCdObjects(api, log);
    } finally {
      api.close();
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const timeoutMs = options.timeoutMs ?? 120_000;
        return await startOnce({ dir, clusterDir, binary, repository, repoURLs, kubeconfig: cluster.kubeconfigPath, log, timeoutMs });
      } catch (e) {
        if (e instanceof ComponentExitedError && e.portInUse && attempt < 3) {
          log(`${e.component} could not bind its port (taken meanwhile); retrying with other ports`);
          continue;
        }
        throw e;
      }
    }
  }

  constructor(public readonly state: ArgoCdState) {}

  get dir(): string {
    return this.state.dir;
  }

  logPath(component: ArgoCdComponent): string {
    return path.join(this.dir, 'logs', `${component}.log`);
  }

  /** The last `lines` lines of every component's log. */
  logTails(lines = 40): string {
    return ARGOCD_COMPONENTS.map((c) => `----- ${c} (${this.logPath(c)}) -----\n${tail(this.logPath(c), lines)}`).join('\n');
  }

  /** Each component's process and health, and (unless asked not to) the Applications' sync and health. */
  async status(options: { applications?: boolean } = {}): Promise<ArgoCdStatus> {
    const components: ArgoCdComponentStatus[] = [];
    for (const name of ARGOCD_COMPONENTS) {
      const c = this.state.components.find((x) => x.name === name);
      if (!c) {
        components.push({ name, running: false });
        continue;
      }
      const running = isOurProcess(c.pid, name, this.dir);
      const healthy = running ? await componentHealthy(c) : undefined;
      components.push({ name, running, healthy, pid: c.pid, port: c.port, log: c.log });
    }
    const applications = options.applications === false ? undefined : await this.applications().catch(() => undefined);
    return {
      dir: this.dir,
      exists: true,
      running: components.every((c) => c.running && c.healthy),
      argocdVersion: this.state.argocdVersion,
      repository: this.state.repository,
      repoURLs: this.state.repoURLs,
      components,
      applications,
    };
  }

  /** The Applications of the cluster (every namespace) with Argo CD's sync and health status. */
  async applications(): Promise<ArgoCdApplicationStatus[]> {
    const cluster = LocalCluster.open(this.state.clusterDir);
    if (!cluster) {
      return [];
    }
    const resolved = await resolveKubeConfig({ kubeconfig: cluster.kubeconfigPath });
    const api = await KubeClient.create(resolved.config, 2);
    try {
      const r = await api.resourceFor('argoproj.io/v1alpha1', 'Application');
      if (!r) {
        return [];
      }
      const apps = await api.list(r);
      return apps
        .map((a) => ({
          namespace: a.metadata.namespace ?? '',
          name: a.metadata.name ?? '',
          sync: a.status?.sync?.status ?? '',
          health: a.status?.health?.status ?? '',
          operation: a.status?.operationState?.phase,
          revision: a.status?.sync?.revision,
          condition: a.status?.conditions?.[0] ? `${a.status.conditions[0].type}: ${a.status.conditions[0].message}` : undefined,
        }))
        .sort((x, y) => `${x.namespace}/${x.name}`.localeCompare(`${y.namespace}/${y.name}`));
    } finally {
      api.close();
    }
  }

  /**
   * Stops every component, controllers first, Redis last: SIGTERM to each process group, SIGKILL
   * after 10 s; then any argocd-local process left in the state dir. Throws if one survives.
   */
  async stop(options: { log?: Logger } = {}): Promise<void> {
    const log = options.log ?? defaultLog;
    for (const name of [...ARGOCD_COMPONENTS].reverse()) {
      for (const c of this.state.components.filter((x) => x.name === name)) {
        await stopProcess(c.pid, c.name, this.dir, log);
      }
    }
    for (const p of argoCdProcessesOfDir(this.dir)) {
      log(`stopping ${p.component} (pid ${p.pid}) of ${this.dir}, not recorded in state.json`);
      await stopProcess(p.pid, p.component, this.dir, log);
    }
    const left = argoCdProcessesOfDir(this.dir);
    if (left.length > 0) {
      throw new ArgoCdError(`could not stop ${left.map((p) => `${p.component} (pid ${p.pid})`).join(', ')} of ${this.dir}; kill them by hand`);
    }
  }
}

async function componentHealthy(c: ArgoCdComponentState): Promise<boolean> {
  switch (c.name) {
    case 'redis':
      return redisPing(c.port);
    case 'git-http':
      return tcpOpen(c.port);
    case 'argocd-repo-server':
      // The gRPC port answers, and /healthz on the metrics port (recorded as args) says ready.
      return (await tcpOpen(c.port)) && (await httpStatus(`http://127.0.0.1:${flagValue(c.args, '--metrics-port')}/healthz`)) === 200;
    case 'argocd-application-controller':
      return (await httpStatus(`http://127.0.0.1:${c.port}/healthz`)) === 200;
    case 'argocd-applicationset-controller':
      // Argo CD registers no health checks on its probe address (404 there); the metrics server
      // answers once the controller manager has started.
      return (await httpStatus(`http://127.0.0.1:${c.port}/metrics`)) === 200;
  }
}

function flagValue(args: string[], flag: string): string {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : '';
}

async function stopProcess(pid: number, component: string, dir: string, log: Logger): Promise<void> {
  if (!isOurProcess(pid, component, dir)) {
    return;
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the process group (started detached): git and helm children too
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 10_000;
  while (pidAlive(pid) && Date.now() < deadline) {
    await sleep(50);
  }
  if (pidAlive(pid)) {
    log(`${component} (pid ${pid}) did not stop within 10s; killing it`);
    signal('SIGKILL');
    while (pidAlive(pid)) {
      await sleep(50);
    }
  }
}

function writeStateFile(state: ArgoCdState): void {
  const file = path.join(state.dir, 'state.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

/** Host name of an http(s) URL, without the port: the file name Argo CD looks its TLS certificate up by. */
function tlsHostOf(url: string): string {
  return new URL(url).hostname;
}

interface StartParams {
  readonly dir: string;
  readonly clusterDir: string;
  readonly binary: string;
  readonly repository: string;
  readonly repoURLs: string[];
  readonly kubeconfig: string;
  readonly log: Logger;
  readonly timeoutMs: number;
}

async function startOnce(p: StartParams): Promise<LocalArgoCd> {
  const t0 = Date.now();
  const { dir } = p;
  const sub = (name: string) => path.join(dir, name);
  for (const d of ['logs', 'tls', 'ssh', 'plugins', 'tmp']) {
    fs.mkdirSync(sub(d), { recursive: true, mode: 0o700 });
  }
  fs.rmSync(sub('git-ca.crt'), { force: true });
  const [redisPort, gitPort, repoPort, repoMetricsPort, controllerPort, appsetProbePort, appsetMetricsPort, appsetWebhookPort] = await freePorts(8);
  const redis = `127.0.0.1:${redisPort}`;
  const repoServer = `127.0.0.1:${repoPort}`;
  const proxy = `http://127.0.0.1:${gitPort}`;

  const common: NodeJS.ProcessEnv = {
    // No GnuPG here; commit signature verification is off as in an install without GPG keys.
    ARGOCD_GPG_ENABLED: 'false',
    // What a real install mounts from argocd-tls-certs-cm / argocd-ssh-known-hosts-cm.
    ARGOCD_TLS_DATA_PATH: sub('tls'),
    ARGOCD_SSH_DATA_PATH: sub('ssh'),
    TMPDIR: sub('tmp'),
  };
  const controllerEnv: NodeJS.ProcessEnv = {
    ...common,
    // Applications name the cluster Argo CD runs in as https://kubernetes.default.svc; outside a
    // pod Argo CD takes it from KUBECONFIG when ARGOCD_FAKE_IN_CLUSTER is set.
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    KUBECONFIG: p.kubeconfig,
  };
  const specs: Record<ArgoCdComponent, { port: number; args: string[]; env: NodeJS.ProcessEnv }> = {
    'redis': { port: redisPort, args: ['--addr', redis], env: {} },
    'git-http': {
      port: gitPort,
      args: ['--addr', `127.0.0.1:${gitPort}`, '--ca-file', sub('git-ca.crt'), ...p.repoURLs.flatMap((u) => ['--repo', `${u}=${p.repository}`])],
      env: {},
    },
    'argocd-repo-server': {
      port: repoPort,
      args: [
        '--address', '127.0.0.1', '--port', String(repoPort),
        '--metrics-address', '127.0.0.1', '--metrics-port', String(repoMetricsPort),
        '--redis', redis, '--disable-tls', '--loglevel', 'info',
      ],
      env: {
        ...common,
        // Both of Argo CD's Git clients (go-git for ls-remote, git for fetch) honour the proxy
        // variables: every repoURL reaches the local Git server, which serves only this repository.
        HTTPS_PROXY: proxy,
        HTTP_PROXY: proxy,
        https_proxy: proxy,
        http_proxy: proxy,
        NO_PROXY: '',
        no_proxy: '',
        // Not the shared /tmp/reposerver-ask-pass.sock: two repo-servers on one machine must not collide.
        ARGOCD_ASK_PASS_SOCK: sub('askpass.sock'),
        ARGOCD_PLUGINSOCKFILEPATH: sub('plugins'),
      },
    },
    'argocd-application-controller': {
      port: controllerPort,
      args: [
        '--kubeconfig', p.kubeconfig, '--namespace', ARGOCD_NAMESPACE,
        '--repo-server', repoServer, '--repo-server-plaintext',
        '--redis', redis, '--metrics-port', String(controllerPort), '--loglevel', 'info',
      ],
      env: controllerEnv,
    },
    'argocd-applicationset-controller': {
      port: appsetMetricsPort,
      args: [
        '--kubeconfig', p.kubeconfig, '--namespace', ARGOCD_NAMESPACE,
        '--argocd-repo-server', repoServer, '--repo-server-plaintext',
        '--probe-addr', `127.0.0.1:${appsetProbePort}`, '--metrics-addr', `127.0.0.1:${appsetMetricsPort}`,
        '--webhook-addr', `127.0.0.1:${appsetWebhookPort}`, '--enable-leader-election=false', '--loglevel', 'info',
      ],
      // RollingSync strategies are ignored unless progressive syncs are enabled (off by default in
      // v3.2.11); the engine always honours them, so the conformance runs compare like with like.
      env: { ...controllerEnv, ARGOCD_APPLICATIONSET_CONTROLLER_ENABLE_PROGRESSIVE_SYNCS: 'true' },
    },
  };

  const started: ArgoCdComponentState[] = [];
  const children: ChildProcess[] = [];
  const exited = new Map<ArgoCdComponent, string>();
  const writeState = (): ArgoCdState => {
    const state: ArgoCdState = {
      version: 1,
      dir,
      clusterDir: p.clusterDir,
      binary: p.binary,
      argocdVersion: argoCdVersion(),
      repository: p.repository,
      repoURLs: p.repoURLs,
      startedAt: new Date(t0).toISOString(),
      components: started,
    };
    writeStateFile(state);
    return state;
  };
  const launch = (name: ArgoCdComponent) => {
    const spec = specs[name];
    const logFile = sub(path.join('logs', `${name}.log`));
    fs.writeFileSync(logFile, `# ${new Date().toISOString()} ${p.binary} ${name} ${spec.args.join(' ')}\n`);
    const fd = fs.openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(p.binary, [name, ...spec.args], { cwd: dir, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...spec.env } });
    } finally {
      fs.closeSync(fd);
    }
    if (child.pid === undefined) {
      throw new ArgoCdError(`could not start ${name} (${p.binary})`);
    }
    child.on('exit', (code, sig) => exited.set(name, sig ? `signal ${sig}` : `exit code ${code}`));
    child.unref();
    children.push(child);
    started.push({ name, pid: child.pid, port: spec.port, log: logFile, args: spec.args });
    writeState(); // record pids right away so `argocd down` can clean up even if we die
    return started[started.length - 1];
  };
  const deadline = t0 + p.timeoutMs;
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  const waitHealthy = async (c: ArgoCdComponentState, extra?: () => boolean) => {
    for (;;) {
      for (const [name, detail] of exited) {
        throw new ComponentExitedError(name, sub(path.join('logs', `${name}.log`)), detail);
      }
      if ((await componentHealthy(c)) && (!extra || extra())) {
        p.log(`${c.name} ready (${elapsed()})`);
        return;
      }
      if (Date.now() > deadline) {
        throw new ArgoCdError(`timed out after ${Math.round(p.timeoutMs / 1000)}s waiting for ${c.name} to be healthy; last lines of ${c.log}:\n${tail(c.log, 30)}`);
      }
      await sleep(200);
    }
  };

  try {
    await waitHealthy(launch('redis'));
    await waitHealthy(launch('git-http'), () => fs.existsSync(sub('git-ca.crt')));
    // Where Argo CD looks up a Git host's TLS certificate (what argocd-tls-certs-cm holds in a
    // real install): the local Git server's CA, for each host it stands in for.
    const ca = fs.readFileSync(sub('git-ca.crt'));
    for (const u of p.repoURLs.filter((x) => x.toLowerCase().startsWith('https:'))) {
      fs.writeFileSync(path.join(sub('tls'), tlsHostOf(u)), ca);
    }
    await waitHealthy(launch('argocd-repo-server'));
    const controller = launch('argocd-application-controller');
    const appset = launch('argocd-applicationset-controller');
    await waitHealthy(controller);
    await waitHealthy(appset);
  } catch (e) {
    const partial = new LocalArgoCd(writeState());
    await partial.stop({ log: p.log });
    throw e;
  } finally {
    for (const child of children) {
      child.removeAllListeners('exit');
    }
  }
  return new LocalArgoCd(writeState());
}
