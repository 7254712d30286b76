import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { Application } from './application';
import { SmokeCheck } from './smoke-check';
import { SMOKE_SCRIPT } from './smoke-script';
import { ANNOTATION_HOOK, ANNOTATION_HOOK_DELETE_POLICY } from '../argo/annotations';
import { HookDeletePolicy, HookPhase } from '../argo/hooks';

/**
 * Default image: the official Node.js image (the script needs only Node's built-in `fetch`), pinned
 * to an exact version so a sync never pulls a different image. Alpine keeps the pull small.
 */
export const DEFAULT_SMOKE_IMAGE = 'node:22.17.1-alpine3.22';
// The `node` user of the official image: exists in /etc/passwd, so Node finds a home directory.
const NODE_USER = 1000;

/** Where a SyncFail notification is sent. */
export interface SyncFailNotification {
  /**
   * Webhook URL that receives `POST {"text": "..."}` (Slack, Mattermost and Teams incoming
   * webhooks accept this shape). Usually secret: pass `kplus.EnvValue.fromSecretValue(...)`.
   */
  readonly webhookUrl: kplus.EnvValue;
  /**
   * Message text.
   * @default - "Argo CD sync of <application> failed"
   */
  readonly message?: string;
}

/** Options of a SmokeTestHook. */
export interface SmokeTestHookProps {
  /** The checks, run in order; the first that fails fails the hook (and the sync). */
  readonly checks: SmokeCheck[];
  /**
   * Sync phase the checks run in.
   * @default HookPhase.POST_SYNC
   */
  readonly phase?: HookPhase;
  /**
   * When Argo CD deletes the Job. The default re-creates it cleanly on every sync and keeps the last
   * run's logs until then; add `HOOK_SUCCEEDED` to remove it after successful syncs.
   * @default [HookDeletePolicy.BEFORE_HOOK_CREATION]
   */
  readonly deletePolicies?: HookDeletePolicy[];
  /**
   * Overall deadline for all checks together, retries included.
   * @default Duration.minutes(5)
   */
  readonly deadline?: Duration;
  /**
   * The Job's `activeDeadlineSeconds`: Kubernetes stops the Job after this, whatever the script does.
   * @default - `deadline` plus 2 minutes for scheduling and pulling the image
   */
  readonly activeDeadline?: Duration;
  /**
   * The Job's `backoffLimit`. The script retries checks itself, so a failed run is a real failure.
   * @default 0
   */
  readonly backoffLimit?: number;
  /**
   * Delete the finished Job after this long (`ttlSecondsAfterFinished`).
   * @default - kept until the next sync's BeforeHookCreation
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Image with Node.js ≥ 18 on its PATH. The container runs as user and group `runAsUser` with a
   * read-only root filesystem.
   * @default DEFAULT_SMOKE_IMAGE (`node:22.17.1-alpine3.22`)
   */
  readonly image?: string;
  /**
   * User and group id the container runs as (non-root).
   * @default 1000 (the `node` user of the official image)
   */
  readonly runAsUser?: number;
  /**
   * Also run a SyncFail hook that posts to a webhook when the sync fails (including when these
   * checks fail).
   * @default - no notification
   */
  readonly notifyOnSyncFail?: SyncFailNotification;
}

/**
 * An Argo CD hook Job (PostSync by default) that checks the just-synced app over HTTP: status codes,
 * JSON bodies, GraphQL queries — each with retries and a per-attempt timeout, under an overall
 * deadline. A failing check fails the sync, with a log line naming the check.
 *
 * Create it inside the Application it tests.
 */
export class SmokeTestHook extends Construct {
  /** The hook Job. */
  public readonly job: kplus.Job;
  /** The SyncFail notification Job, when `notifyOnSyncFail` is set. */
  public readonly syncFailJob?: kplus.Job;
  /** The checks. */
  public readonly checks: SmokeCheck[];

  public constructor(scope: Construct, id: string, props: SmokeTestHookProps) {
    super(scope, id);
    const deadline = props.deadline ?? Duration.minutes(5);
    const activeDeadline = props.activeDeadline ?? Duration.seconds(deadline.toSeconds() + 120);
    const backoffLimit = props.backoffLimit ?? 0;
    const user = props.runAsUser ?? NODE_USER;
    const image = props.image ?? DEFAULT_SMOKE_IMAGE;
    const deletePolicies = props.deletePolicies ?? [HookDeletePolicy.BEFORE_HOOK_CREATION];
    this.checks = [...(props.checks ?? [])];

    const names = this.checks.map(c => c.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    const errors = [
      this.checks.length === 0 ? 'checks is empty: add at least one SmokeCheck.http(...) or SmokeCheck.graphql(...)' : undefined,
      duplicate ? `two checks are named '${duplicate}'; give one a distinct name so failures are unambiguous` : undefined,
      deadline.toSeconds() < 1 ? 'deadline must be at least 1 second' : undefined,
      activeDeadline.toSeconds() < deadline.toSeconds() ? `activeDeadline (${activeDeadline.toSeconds()}s) is shorter than deadline (${deadline.toSeconds()}s): Kubernetes would kill the checks before they time out` : undefined,
      Number.isInteger(backoffLimit) && backoffLimit >= 0 ? undefined : `backoffLimit ${backoffLimit} must be a non-negative integer`,
      Number.isInteger(user) && user > 0 ? undefined : `runAsUser ${user} must be a positive integer (the hook runs as non-root)`,
      image.trim() === '' ? 'image must not be empty' : undefined,
      deletePolicies.length === 0 ? 'deletePolicies is empty: leave it out for BeforeHookCreation' : undefined,
    ].filter((e): e is string => e !== undefined);
    if (errors.length > 0) throw new Error(`SmokeTestHook '${this.node.path}':\n  - ${errors.join('\n  - ')}`);

    this.job = new kplus.Job(this, 'Resource', {
      metadata: {
        annotations: {
          [ANNOTATION_HOOK]: props.phase ?? HookPhase.POST_SYNC,
          [ANNOTATION_HOOK_DELETE_POLICY]: [...new Set(deletePolicies)].join(','),
        },
      },
      backoffLimit,
      activeDeadline,
      ttlAfterFinished: props.ttlAfterFinished,
      ...nodeContainer(image, user, {
        SMOKE_CHECKS: kplus.EnvValue.fromValue(JSON.stringify(this.checks.map(c => c._toSpec()), undefined, 2)),
        SMOKE_DEADLINE_SECONDS: kplus.EnvValue.fromValue(String(deadline.toSeconds())),
      }, SMOKE_SCRIPT),
    });

    if (props.notifyOnSyncFail) {
      const app = findApplicationName(this);
      this.syncFailJob = new kplus.Job(this, 'SyncFail', {
        metadata: {
          annotations: {
            [ANNOTATION_HOOK]: HookPhase.SYNC_FAIL,
            [ANNOTATION_HOOK_DELETE_POLICY]: HookDeletePolicy.BEFORE_HOOK_CREATION,
          },
        },
        backoffLimit: 2,
        activeDeadline: Duration.minutes(2),
        ...nodeContainer(image, user, {
          WEBHOOK_URL: props.notifyOnSyncFail.webhookUrl,
          MESSAGE: kplus.EnvValue.fromValue(props.notifyOnSyncFail.message ?? `Argo CD sync of ${app} failed`),
        }, NOTIFY_SCRIPT),
      });
    }
  }
}

// Posts {"text": MESSAGE} to WEBHOOK_URL; exits non-zero if the webhook does not accept it.
const NOTIFY_SCRIPT = `fetch(process.env.WEBHOOK_URL, { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ text: process.env.MESSAGE }), signal: AbortSignal.timeout(10000) })
  .then((r) => { console.log('webhook answered HTTP ' + r.status); process.exit(r.ok ? 0 : 1); })
  .catch((e) => { console.error('webhook failed: ' + e.message); process.exit(1); });
`;

/** Pod settings for a small non-root Node container that runs `script` with `node -e`. */
function nodeContainer(image: string, user: number, env: { [name: string]: kplus.EnvValue }, script: string): kplus.JobProps {
  return {
    // Hooks only call HTTP endpoints; they need no Kubernetes API access.
    automountServiceAccountToken: false,
    securityContext: { user, group: user, ensureNonRoot: true },
    containers: [{
      name: 'main',
      image,
      command: ['node', '-e', script],
      envVariables: env,
      // `node -e` writes nothing, so the read-only root filesystem cdk8s-plus defaults to is kept.
      securityContext: { user, group: user, ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
      resources: {
        cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
      },
    }],
  };
}

function findApplicationName(c: IConstruct): string {
  for (let s = c.node.scope; s; s = s.node.scope) {
    if (Application.isApplication(s)) return s.name;
  }
  return 'the application';
}
