/**
 * Jest test environment for e2e tests: a plain Node environment that, when a
 * test fails, prints the tail of every control-plane component log and the
 * objects and events in the namespaces the test file created — the things
 * you need to tell a product bug from a cluster hiccup.
 */
import { spawnSync } from 'child_process';
import type { Circus } from '@jest/types';
// jest-environment-node comes with jest (jest-config depends on it); it should
// be a devDependency of its own at jest's version.
// eslint-disable-next-line import/no-extraneous-dependencies
import { TestEnvironment } from 'jest-environment-node';
import { componentLogTails, E2E_KUBECONFIG_ENV, NAMESPACES_GLOBAL } from './cluster-fixture';

export default class ClusterEnvironment extends TestEnvironment {
  handleTestEvent(event: Circus.Event): void {
    if (event.name !== 'test_done' || event.test.errors.length === 0) {
      return;
    }
    const title: string[] = [];
    for (let b: Circus.TestEntry | Circus.DescribeBlock | undefined = event.test; b && b.name !== 'ROOT_DESCRIBE_BLOCK'; b = b.parent) {
      title.unshift(b.name);
    }
    const out: string[] = [`\n===== e2e failure: ${title.join(' > ')} =====`];
    const namespaces = (this.global as unknown as Record<string, Set<string> | undefined>)[NAMESPACES_GLOBAL];
    const kubeconfig = process.env[E2E_KUBECONFIG_ENV];
    for (const ns of namespaces ?? []) {
      if (!kubeconfig) {
        break;
      }
      const r = spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, '-n', ns, 'get', 'all,events', '-o', 'wide'], { encoding: 'utf8', timeout: 15_000 });
      out.push(`----- namespace ${ns} -----\n${(r.stdout || '') + (r.stderr || '')}`.trimEnd());
    }
    out.push(componentLogTails(30));
    process.stderr.write(out.join('\n') + '\n');
  }
}
