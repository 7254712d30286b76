import * as kplus from 'cdk8s-plus-28';
import { Application } from '../../constructs/application';
import { GitOpsApp, GitOpsAppProps } from '../../constructs/gitops-app';
import { SyncOption } from '../../constructs/sync-option';

/**
 * The app of the scaffold's `main.ts` (see MAIN_TS in scaffold-files.ts), compiled into the CLI so
 * `init` can write `manifests/` and the snapshot before the scaffold has any dependencies installed.
 * It must build exactly what MAIN_TS builds: test/cli/init.test.ts runs the written `main.ts --check`
 * and the scaffold's jest against what `init` wrote, so a difference fails there.
 */
export function buildScaffoldApp(props: GitOpsAppProps): GitOpsApp {
  const app = new GitOpsApp(props);

  const api = new Application(app, 'hello-api', {
    destination: { namespace: 'hello' },
    syncPolicy: {
      automated: { prune: true, selfHeal: true },
      syncOptions: [SyncOption.CREATE_NAMESPACE],
    },
  });
  const web = new kplus.Deployment(api, 'web', { containers: [{ image: 'nginx:1.27', portNumber: 80 }] });
  web.exposeViaService({ name: 'hello-api' });

  return app;
}
