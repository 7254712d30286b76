import { Command, Option } from 'commander';
import pc from 'picocolors';
import { ClusterClients } from '../engine/cluster-clients';
import { readClustersFile } from '../engine/clusters-file';
import { compareApplication } from '../engine/compare-app';
import { renderDiff } from '../engine/diff/compare';
import { loadApplications, LoadResult } from '../engine/load/applications';
import { OperationPhase, SyncStatusCode } from '../engine/model';
import { plainEventLine, TtyProgress } from '../engine/output/events';
import { renderStatus } from '../engine/output/status-table';
import { parseResourceFilter } from '../engine/plan';
import { syncApplication, SyncEvent } from '../engine/sync';

interface CommonOptions {
  app: string[];
  revision?: string;
  repoRoot?: string;
  repoUrl?: string;
  kubeconfig?: string;
  context?: string;
  clusters?: string;
  output: 'text' | 'json';
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function addCommon(cmd: Command): Command {
  return cmd
    .argument('[path]', 'manifests directory (Applications are found anywhere below it) or one Application manifest', 'manifests')
    .option('-a, --app <name>', 'Application to use (repeatable)', collect, [])
    .option('--revision <git-rev>', 'read the committed tree at this Git revision instead of the work tree')
    .option('--repo-root <dir>', 'folder that source.path is relative to (default: the Git top level)')
    .option('--repo-url <url>', 'only sources with this repoURL map to the local repository')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, else a running local cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--clusters <file>', 'clusters file mapping other destinations to kubeconfigs')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));
}

interface Session {
  loaded: LoadResult;
  clients: ClusterClients;
}

function open(path: string, opts: CommonOptions, maxSockets?: number): Session {
  const loaded = loadApplications({ path, apps: opts.app, revision: opts.revision, repoRoot: opts.repoRoot, repoURL: opts.repoUrl });
  const clusters = opts.clusters ? readClustersFile(opts.clusters) : [];
  return { loaded, clients: new ClusterClients({ kubeconfig: opts.kubeconfig, context: opts.context }, clusters, maxSockets, opts.clusters) };
}

function sayTarget(s: Session, opts: CommonOptions): void {
  if (s.clients.localCluster && opts.output !== 'json') {
    process.stderr.write(pc.dim(`using ${s.clients.description}\n`));
  }
}

/** Runs a command body; load and connection errors exit 2 with the message. */
async function guarded(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}

export function registerEngineCommands(program: Command): void {
  addCommon(program.command('sync')
    .description('sync Applications to the cluster with Argo CD semantics: dry run, phases, waves, hooks, health, prune'))
    .option('--prune', 'delete tracked objects that are no longer desired (a manual sync never prunes otherwise)', false)
    .option('--dry-run', 'plan and server-side dry-run only; change nothing', false)
    .option('--resource <GROUP:KIND:NAME>', 'sync only this resource (repeatable; GROUP:KIND:NAMESPACE/NAME also works)', collect, [])
    .option('--force', 'Force=true for every resource: delete and recreate objects the server refuses to update', false)
    .option('--timeout <seconds>', 'fail the operation after this many seconds', (v) => parseInt(v, 10))
    .option('--confirm-prune', 'approve prunes of resources annotated Prune=confirm', false)
    .option('--allow-empty', 'allow a prune that removes every resource of the Application', false)
    .option('--retry-limit <n>', 'retries on failure (default: syncPolicy.retry.limit; negative = unlimited)', (v) => parseInt(v, 10))
    .option('--concurrency <n>', 'parallel API calls within a kind group', (v) => parseInt(v, 10), 16)
    .action((path: string, opts: CommonOptions & {
      prune: boolean;
      dryRun: boolean;
      resource: string[];
      force: boolean;
      timeout?: number;
      confirmPrune: boolean;
      allowEmpty: boolean;
      retryLimit?: number;
      concurrency: number;
    }) => guarded(async () => {
      const resources = opts.resource.map(parseResourceFilter);
      const s = open(path, opts, opts.concurrency);
      const tty = process.stderr.isTTY && opts.output !== 'json';
      const progress = tty ? new TtyProgress() : undefined;
      const onEvent = (e: SyncEvent) => {
        if (progress) {
          progress.handle(e);
        } else if (opts.output !== 'json') {
          const line = plainEventLine(e);
          if (line) {
            process.stderr.write(`${line}\n`);
          }
        }
      };
      try {
        const results = [];
        for (const app of s.loaded.applications) {
          const client = await s.clients.forApplication(app);
          sayTarget(s, opts);
          results.push(await syncApplication(client, app, {
            prune: opts.prune,
            dryRun: opts.dryRun,
            resources,
            force: opts.force,
            timeoutSeconds: opts.timeout,
            confirmPrune: opts.confirmPrune,
            allowEmpty: opts.allowEmpty,
            retryLimit: opts.retryLimit,
            concurrency: opts.concurrency,
            onEvent,
          }));
        }
        if (opts.output === 'json') {
          process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
        }
        return results.every((r) => r.phase === OperationPhase.SUCCEEDED) ? 0 : 1;
      } finally {
        await s.clients.close();
        s.loaded.dispose();
      }
    }));

  addCommon(program.command('diff')
    .description('show live vs desired per resource (normalized as Argo CD does; Secret values masked); exit 0 no changes, 1 changes, 2 error'))
    .action((path: string, opts: CommonOptions) => guarded(async () => {
      const s = open(path, opts);
      const color = !!process.stdout.isTTY && opts.output !== 'json';
      try {
        let changed = false;
        let failed = false;
        const all = [];
        for (const app of s.loaded.applications) {
          const client = await s.clients.forApplication(app);
          sayTarget(s, opts);
          const st = await compareApplication(client, app, { withObjects: true });
          all.push(st);
          if (st.error) {
            failed = true;
            process.stderr.write(`error: ${app.name}: ${st.error}\n`);
            continue;
          }
          for (const r of st.resources) {
            if (r.status !== SyncStatusCode.OUT_OF_SYNC || !r.comparison) {
              continue;
            }
            changed = true;
            if (opts.output === 'json') {
              continue;
            }
            const title = `${r.group ? `${r.group}/` : ''}${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
            const header = `===== ${app.name}: ${title}${r.requiresPruning ? ' (requires pruning)' : ''}${r.message ? ` (${r.message})` : ''} =====`;
            process.stdout.write(`${color ? pc.bold(header) : header}\n${renderDiff(title, r.comparison, color)}\n`);
          }
        }
        if (opts.output === 'json') {
          const json = all.map((st) => ({
            ...st,
            resources: st.resources.map(({ comparison, ...rest }) => ({ ...rest, live: comparison?.live, target: comparison?.target })),
          }));
          process.stdout.write(`${JSON.stringify(json.length === 1 ? json[0] : json, null, 2)}\n`);
        }
        return failed ? 2 : changed ? 1 : 0;
      } finally {
        await s.clients.close();
        s.loaded.dispose();
      }
    }));

  addCommon(program.command('status')
    .description('per-resource sync status and health, app sync status and aggregated health (like `argocd app get`)'))
    .action((path: string, opts: CommonOptions) => guarded(async () => {
      const s = open(path, opts);
      try {
        const all = [];
        for (const app of s.loaded.applications) {
          const client = await s.clients.forApplication(app);
          sayTarget(s, opts);
          all.push(await compareApplication(client, app));
        }
        if (opts.output === 'json') {
          process.stdout.write(`${JSON.stringify(all.length === 1 ? all[0] : all, null, 2)}\n`);
        } else {
          process.stdout.write(`${all.map((st) => renderStatus(st, !!process.stdout.isTTY)).join('\n\n')}\n`);
        }
        return all.some((st) => st.error) ? 2 : 0;
      } finally {
        await s.clients.close();
        s.loaded.dispose();
      }
    }));
}
