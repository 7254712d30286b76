/**
 * The Argo CD CRDs shipped in the package on a cluster of its own: `cluster up --no-argocd-crds`
 * leaves them out, a sync that needs them then fails saying what to run, `install-crds` installs
 * them (and the argocd namespace) until Established, and `cluster up` installs them by default.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARGOCD_CRDS } from '../../src/engine/crds/argocd-crds';
import { runInProcess } from '../cli/run-in-process';
import { TestApp } from '../engine/e2e-app';

jest.setTimeout(300_000);

function kubectlJson(kubeconfig: string, ...args: string[]): any {
  // The ApplicationSet CRD is 1.5 MB of JSON.
  const r = spawnSync('kubectl', [`--kubeconfig=${kubeconfig}`, 'get', ...args, '-o', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return r.status === 0 ? JSON.parse(r.stdout) : undefined;
}

function established(kubeconfig: string, name: string): boolean {
  return (kubectlJson(kubeconfig, 'crd', name)?.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
}

test('cluster up --no-argocd-crds, a sync that needs them fails naming install-crds, install-crds installs them, cluster up does by default', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-crds-'));
  try {
    const up = await runInProcess('cluster', 'up', '--dir', dir, '--no-argocd-crds');
    expect(up.code).toBe(0);
    const kubeconfig = path.join(dir, 'kubeconfig');
    for (const crd of ARGOCD_CRDS) {
      expect(kubectlJson(kubeconfig, 'crd', crd.name)).toBeUndefined();
    }
    expect(kubectlJson(kubeconfig, 'namespace', 'argocd')).toBeUndefined();

    // A parent whose folder holds a child Application (app of apps).
    const parent = new TestApp('parent', 'argocd').write('child.yaml', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'child', namespace: 'argocd' },
      spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'child' }, source: { repoURL: 'https://example.com/repo.git', path: 'child' } },
    });
    const sync = ['sync', parent.dir, '--app', 'parent', '--repo-root', parent.dir, '--kubeconfig', kubeconfig];
    const refused = await runInProcess(...sync);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/does not serve Application \(argoproj\.io\/v1alpha1\): the Argo CD CRDs are not installed; install them with `cdk8s-argocd install-crds`/);
    expect(kubectlJson(kubeconfig, 'namespace', 'argocd')).toBeUndefined(); // nothing applied, nothing installed

    const install = await runInProcess('install-crds', '--kubeconfig', kubeconfig);
    expect(install.code).toBe(0);
    expect(install.stderr).toMatch(/^Target: context cdk8s-argocd-local, server https:\/\/127\.0\.0\.1:\d+ \(from --kubeconfig \S+\) for install-crds$/m);
    expect(install.stdout).toMatch(/installed the Argo CD CRDs \(applications\.argoproj\.io, appprojects\.argoproj\.io, applicationsets\.argoproj\.io\) and namespace argocd/);
    for (const crd of ARGOCD_CRDS) {
      expect(established(kubeconfig, crd.name)).toBe(true);
    }
    expect(kubectlJson(kubeconfig, 'namespace', 'argocd')).toBeDefined();

    const synced = await runInProcess(...sync);
    expect(synced.code).toBe(0);
    expect(kubectlJson(kubeconfig, 'applications.argoproj.io', 'child', '-n', 'argocd')?.spec?.destination?.namespace).toBe('child');

    // `cluster up` on the running cluster installs them by default: applied again in place.
    const again = await runInProcess('cluster', 'up', '--dir', dir);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/installed the Argo CD CRDs .* and namespace argocd \(\d+\.\ds\)/);
    expect(kubectlJson(kubeconfig, 'applications.argoproj.io', 'child', '-n', 'argocd')).toBeDefined();
  } finally {
    await runInProcess('cluster', 'down', '--dir', dir, '--purge');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
