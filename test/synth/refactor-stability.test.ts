import { App, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppOfApps, Application, GitOpsApp, Grouping, Naming, SyncWave } from '../../src';
import { manifest, testApp } from '../util/synth';

/**
 * Refactoring code must not move the cluster: each test synthesizes the same repository before and
 * after a refactor and compares the files byte for byte.
 */

/** A small service: a Deployment exposed by a Service, a Role bound to its ServiceAccount. */
function service(scope: Construct, id = 'web'): void {
  const deployment = new kplus.Deployment(scope, id, {
    replicas: 2,
    containers: [{ image: 'ghcr.io/acme/web:1.0.0', portNumber: 8080, securityContext: { user: 1000 } }],
  });
  deployment.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
  const account = new kplus.ServiceAccount(scope, `${id}-account`);
  const reader = new kplus.Role(scope, `${id}-reader`);
  reader.allowRead(kplus.ApiResource.CONFIG_MAPS);
  reader.bind(account);
}

function synth(build: (app: GitOpsApp) => void): { [file: string]: string } {
  const app = testApp();
  build(app);
  return app.synthFiles();
}

/** The files without the sync-wave annotation `wave` (and an `annotations:` map it leaves empty). */
function withoutWave(files: { [file: string]: string }, wave: number): { [file: string]: string } {
  return Object.fromEntries(Object.entries(files).map(([file, text]) => [file, text
    .replace(new RegExp(`^ *argocd\\.argoproj\\.io/sync-wave: "${wave}"\\n`, 'gm'), '')
    .replace(/^( *)annotations:\n(?!\1 )/gm, '')]));
}

describe('moving objects into or out of a SyncWave', () => {
  const plain = synth(app => service(new Application(app, 'platform')));
  const waved = synth(app => service(new SyncWave(new Application(app, 'platform'), 'apps', { wave: 3 })));

  test('changes no file name, object name, label or selector: only the sync-wave annotation', () => {
    expect(Object.keys(waved)).toEqual(Object.keys(plain));
    expect(withoutWave(waved, 3)).toEqual(plain);
    expect(manifest(waved, 'platform/deployment-platform-web.yaml').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '3' });
  });

  test('a wave given by an annotation before and a SyncWave after writes identical files', () => {
    const annotated = synth(app => {
      const platform = new Application(app, 'platform');
      new kplus.ConfigMap(platform, 'settings', { metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '5' } }, data: { a: '1' } });
    });
    const inWave = synth(app => {
      const wave = new SyncWave(new Application(app, 'platform'), 'config', { wave: 5 });
      new kplus.ConfigMap(wave, 'settings', { data: { a: '1' } });
    });
    expect(inWave).toEqual(annotated);
  });

  test('nested waves derived with after, and SyncWave.sequence, are left out of names too', () => {
    const sequenced = synth(app => {
      const platform = new Application(app, 'platform');
      const [, apps] = SyncWave.sequence(platform, ['infrastructure', 'applications']);
      service(apps);
    });
    expect(withoutWave(sequenced, 10)).toEqual(plain);
  });
});

describe('grouping Applications under an AppOfApps', () => {
  const services = (scope: Construct) => {
    for (const name of ['orders', 'payments']) service(new Application(scope, name, { destination: { namespace: 'commerce' } }));
  };

  test('top-level Applications moved into a root AppOfApps keep every file byte for byte', () => {
    const flat = synth(services);
    const grouped = synth(app => services(new AppOfApps(app, 'root')));
    const { ['root.yaml']: rootManifest, ...rest } = grouped;
    expect(rootManifest).toBeDefined();
    expect(rest).toEqual(flat);
  });

  test('regrouping into a nested AppOfApps changes no file of the children; their manifests move unchanged', () => {
    const before = synth(app => services(new AppOfApps(app, 'root')));
    const after = synth(app => services(new AppOfApps(new AppOfApps(app, 'root'), 'commerce')));
    for (const [file, text] of Object.entries(before)) {
      if (file.startsWith('orders/') || file.startsWith('payments/')) expect(after[file]).toBe(text);
    }
    expect(after['commerce/orders.yaml']).toBe(before['apps/orders.yaml']);
    expect(after['commerce/payments.yaml']).toBe(before['apps/payments.yaml']);
  });
});

describe('introducing an intermediate construct', () => {
  const plain = synth(app => service(new Application(app, 'platform')));

  test('a Grouping changes nothing', () => {
    expect(synth(app => service(new Grouping(new Grouping(new Application(app, 'platform'), 'backend'), 'web-tier')))).toEqual(plain);
  });

  test('a construct of your own marked with Naming.markAsGrouping changes nothing', () => {
    class Backend extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        Naming.markAsGrouping(this);
        service(this);
      }
    }
    expect(synth(app => new Backend(new Application(app, 'platform'), 'backend'))).toEqual(plain);
  });

  test('a plain construct adds its id to names, and Naming.pin keeps the old names and selectors', () => {
    class Component extends Construct {
      constructor(scope: Construct, id: string, pin?: string) {
        super(scope, id);
        if (pin !== undefined) Naming.pin(this, pin);
        service(this);
      }
    }
    const before = synth(app => new Component(new Application(app, 'platform'), 'frontend'));
    expect(Object.keys(before)).toContain('platform/deployment-platform-frontend-web.yaml');
    // Moved into a plain (not grouping) construct and given another id: pinned to where it was.
    const moved = (pin?: string) => synth(app => new Component(new Construct(new Application(app, 'platform'), 'team-a'), 'web-frontend', pin));
    expect(Object.keys(moved())).toContain('platform/deployment-platform-team-a-web-frontend-web.yaml');
    expect(moved('frontend')).toEqual(before);
  });
});

describe('upgrading from names that included the SyncWave id', () => {
  test('a construct pinned to the wave\'s id keeps the names and selector the previous scheme gave objects in the wave', () => {
    const files = synth(app => {
      const wave = new SyncWave(new Application(app, 'platform'), 'apps', { wave: 3 });
      const pinned = new Construct(wave, 'pinned');
      Naming.pin(pinned, 'apps');
      new kplus.Deployment(pinned, 'web', { containers: [{ image: 'nginx:1.27', portNumber: 80 }] });
    });
    // The previous scheme: the name from the full path below the Application, the label from cdk8s-plus (full path, hashed).
    const previousWeb = new Construct(new Construct(new Construct(new App(), 'platform'), 'apps'), 'web');
    const deployment = manifest(files, 'platform/deployment-platform-apps-web.yaml');
    expect(deployment.metadata.name).toBe('platform-apps-web');
    expect(deployment.spec.selector.matchLabels['cdk8s.io/metadata.addr']).toBe(Names.toLabelValue(previousWeb));
  });
});

describe('names cdk8s-plus would hash', () => {
  test('role.bind() names the RoleBinding after the role and the subject, readable and stable', () => {
    const files = synth(app => service(new Application(app, 'platform')));
    expect(Object.keys(files)).toContain('platform/rolebinding-platform-web-reader-rolebinding-web-account.yaml');
    expect(Object.keys(files).join('\n')).not.toMatch(/c8[0-9a-f]{6}/);
    const binding = manifest(files, 'platform/rolebinding-platform-web-reader-rolebinding-web-account.yaml');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'platform-web-account', apiGroup: '' }]);
  });

  test('grantRead() and connections.allowFrom() objects are named after what they address, and stay put in a SyncWave', () => {
    const build = (wrap: boolean) => synth(app => {
      const shop = new Application(app, 'shop', { destination: { namespace: 'shop' } });
      const scope = wrap ? new SyncWave(shop, 'apps', { wave: 2 }) : shop;
      const web = new kplus.Deployment(scope, 'web', { containers: [{ image: 'nginx:1.27', portNumber: 80 }] });
      const db = new kplus.Deployment(scope, 'db', { containers: [{ image: 'postgres:17', portNumber: 5432 }] });
      db.connections.allowFrom(web);
      new kplus.ConfigMap(scope, 'settings').permissions.grantRead(new kplus.ServiceAccount(scope, 'reader'));
    });
    const files = build(false);
    expect(Object.keys(files)).toEqual(expect.arrayContaining([
      'shop/networkpolicy-shop-db-allowingress-web.yaml',
      'shop/role-shop-settings-role-reader.yaml',
      'shop/rolebinding-shop-settings-role-reader-rolebinding-reader.yaml',
    ]));
    expect(Object.keys(files).join('\n')).not.toMatch(/c8[0-9a-f]{6}/);
    expect(withoutWave(build(true), 2)).toEqual(files);
  });

  test('selectors are the same value on the workload, its pods and its Service', () => {
    const files = synth(app => service(new SyncWave(new Application(app, 'platform'), 'apps', { wave: 1 })));
    const deployment = manifest(files, 'platform/deployment-platform-web.yaml');
    const svc = Object.keys(files).find(f => f.startsWith('platform/service-'))!;
    const value = deployment.spec.selector.matchLabels['cdk8s.io/metadata.addr'];
    expect(value).toMatch(/^platform-web-c8[0-9a-f]{6}$/);
    expect(deployment.spec.template.metadata.labels['cdk8s.io/metadata.addr']).toBe(value);
    expect(manifest(files, svc).spec.selector['cdk8s.io/metadata.addr']).toBe(value);
  });

  test('a name longer than Kubernetes allows ends in a hash of the name, the same wherever the construct sits', () => {
    const long = 'a-very-long-component-name-that-goes-on-and-on-and-on-and-on';
    const build = (wrap: boolean) => synth(app => {
      const platform = new Application(app, 'platform');
      new kplus.ConfigMap(wrap ? new SyncWave(platform, 'w') : platform, long, { data: {} });
    });
    const files = Object.keys(build(false));
    expect(files.find(f => f.startsWith('platform/configmap-'))).toMatch(/^platform\/configmap-platform-a-very-long-[a-z-]*-[0-9a-f]{8}\.yaml$/);
    expect(withoutWave(build(true), 0)).toEqual(build(false));
  });
});

describe('Naming misuse fails clearly', () => {
  test('marking a scope as grouping after objects were created in it', () => {
    const app = testApp();
    const scope = new Construct(new Application(app, 'platform'), 'late');
    new kplus.ConfigMap(scope, 'settings');
    expect(() => Naming.markAsGrouping(scope)).toThrow(/comes too late: 'platform\/late\/settings\/Resource' was already created/);
    expect(() => Naming.pin(scope, 'x')).toThrow(/comes too late/);
  });

  test('pinning to something that is not a path of ids, or pinning an Application', () => {
    const app = testApp();
    const platform = new Application(app, 'platform');
    expect(() => Naming.pin(new Construct(platform, 'c'), '')).toThrow(/must be construct ids/);
    expect(() => Naming.pin(platform, 'x')).toThrow(/cannot be used on Application 'platform'/);
  });

  test('two objects that end up with the same name fail synth naming both', () => {
    const app = testApp();
    const platform = new Application(app, 'platform');
    new kplus.ConfigMap(new Grouping(platform, 'a'), 'settings');
    new kplus.ConfigMap(new Grouping(platform, 'b'), 'settings');
    expect(() => app.synthFiles()).toThrow(/two resources ConfigMap platform-settings: 'platform\/a\/settings\/Resource' and 'platform\/b\/settings\/Resource'/);
  });
});
