/**
 * Prometheus metrics of the watcher under Argo CD's application controller names and labels
 * (controller/metrics/metrics.go), so existing Argo CD dashboards and alerts read them:
 *   argocd_app_info{namespace,name,project,autosync_enabled,repo,dest_server,dest_namespace,sync_status,health_status,operation} 1
 *   argocd_app_sync_total{namespace,name,project,dest_server,phase,dry_run}
 *   argocd_app_reconcile{namespace,dest_server} histogram, buckets 0.25 … 16 s
 *   argocd_cluster_events_total{server,group,kind}
 */
import * as http from 'http';
import { Counter, Histogram, Registry, Gauge } from 'prom-client';
import { ApplicationManifest, manifestSources } from '../application-spec';
import { isAutomated } from '../tree/child-policy';

const APP_LABELS = ['namespace', 'name', 'project'] as const;

/** `spec.destination.server`, or its name when it names the cluster (Argo CD resolves the name to a server). */
export function destServer(manifest: ApplicationManifest): string {
  const d = manifest.spec?.destination ?? {};
  return d.server ?? (d.name === 'in-cluster' ? 'https://kubernetes.default.svc' : d.name ?? '');
}

/** Argo CD's `git.NormalizeGitURL` for the label: lower case, no `.git` suffix. */
function normalizeRepo(url: string | undefined): string {
  return (url ?? '').toLowerCase().replace(/\.git$/, '');
}

export interface AppState {
  readonly manifest: ApplicationManifest;
  readonly name: string;
  readonly namespace: string;
  readonly sync?: string;
  readonly health?: string;
  /** A sync operation is running. */
  readonly operating?: boolean;
}

export class WatchMetrics {
  readonly registry = new Registry();
  private readonly apps = new Map<string, AppState>();
  private readonly syncs: Counter;
  private readonly reconciles: Histogram;
  private readonly events: Counter;

  constructor() {
    const apps = this.apps;
    new Gauge({
      name: 'argocd_app_info',
      help: 'Information about application.',
      labelNames: [...APP_LABELS, 'autosync_enabled', 'repo', 'dest_server', 'dest_namespace', 'sync_status', 'health_status', 'operation'],
      registers: [this.registry],
      // Collected from the Applications' current state at each scrape, as Argo CD's appCollector does.
      collect() {
        this.reset();
        for (const a of apps.values()) {
          const spec = a.manifest.spec ?? {};
          this.set({
            namespace: a.namespace,
            name: a.name,
            project: spec.project || 'default',
            autosync_enabled: String(isAutomated(a.manifest)),
            repo: normalizeRepo(manifestSources(spec)[0]?.repoURL),
            dest_server: destServer(a.manifest),
            dest_namespace: spec.destination?.namespace ?? '',
            sync_status: a.sync || 'Unknown',
            health_status: a.health || 'Unknown',
            operation: a.operating ? 'sync' : '',
          }, 1);
        }
      },
    });
    this.syncs = new Counter({
      name: 'argocd_app_sync_total', help: 'Number of application syncs.', labelNames: [...APP_LABELS, 'dest_server', 'phase', 'dry_run'], registers: [this.registry],
    });
    this.reconciles = new Histogram({
      name: 'argocd_app_reconcile',
      help: 'Application reconciliation performance in seconds.',
      labelNames: ['namespace', 'dest_server'],
      buckets: [0.25, 0.5, 1, 2, 4, 8, 16],
      registers: [this.registry],
    });
    this.events = new Counter({
      name: 'argocd_cluster_events_total', help: 'Number of processes k8s resource events.', labelNames: ['server', 'group', 'kind'], registers: [this.registry],
    });
  }

  /** The Application's latest state (what argocd_app_info reports). */
  setApp(key: string, state: AppState): void {
    const known = this.apps.get(key);
    this.apps.set(key, { ...known, ...state, sync: state.sync ?? known?.sync, health: state.health ?? known?.health });
  }

  /** Only these Applications exist now (after a reload). */
  retainApps(keys: ReadonlySet<string>): void {
    for (const key of [...this.apps.keys()]) {
      if (!keys.has(key)) {
        this.apps.delete(key);
      }
    }
  }

  syncFinished(app: AppState, phase: string, dryRun: boolean): void {
    this.syncs.inc({ namespace: app.namespace, name: app.name, project: app.manifest.spec?.project || 'default', dest_server: destServer(app.manifest), phase, dry_run: String(dryRun) });
  }

  reconciled(app: AppState, seconds: number): void {
    this.reconciles.observe({ namespace: app.namespace, dest_server: destServer(app.manifest) }, seconds);
  }

  clusterEvent(server: string, group: string, kind: string): void {
    this.events.inc({ server, group, kind });
  }

  /** Serves `/metrics` on `host:port`; resolves once listening (with the bound port). */
  serve(addr: string): Promise<MetricsServer> {
    const m = /^(.*):(\d+)$/.exec(addr);
    if (!m) {
      return Promise.reject(new Error(`--metrics-addr ${addr}: expected HOST:PORT, e.g. 127.0.0.1:8082`));
    }
    const host = m[1].replace(/^\[|\]$/g, '') || '127.0.0.1';
    const server = http.createServer((req, res) => {
      if (req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end('not found: metrics are served at /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(text),
        (e) => res.writeHead(500).end(`${(e as Error).message}\n`));
    });
    return new Promise((resolve, reject) => {
      server.once('error', (e) => reject(new Error(`--metrics-addr ${addr}: ${e.message}`)));
      server.listen(Number(m[2]), host, () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : Number(m[2]);
        resolve({ url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`, close: () => new Promise<void>((done) => server.close(() => done())) });
      });
    });
  }
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}
