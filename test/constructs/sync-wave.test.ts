import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppOfApps, Application, SyncWave } from '../../src';
import { resolveWave, WaveNode } from '../../src/constructs/sync-wave-graph';
import { manifest, testApp } from '../util/synth';

const WAVE = 'argocd.argoproj.io/sync-wave';
const waveOf = (files: { [p: string]: string }, file: string): string | undefined => manifest(files, file).metadata.annotations?.[WAVE];

describe('SyncWave', () => {
  test('stamps the wave as a string on cdk8s-plus constructs and raw ApiObjects beneath it', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const db = new SyncWave(shop, 'db', { wave: -2 });
    new kplus.StatefulSet(db, 'postgres', { containers: [{ image: 'postgres:17' }], service: new kplus.Service(db, 'postgres-svc', { ports: [{ port: 5432 }] }) });
    new ApiObject(new Construct(db, 'nested'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    new ApiObject(shop, 'outside', { apiVersion: 'v1', kind: 'ConfigMap' });
    const files = app.synthFiles();
    expect(waveOf(files, 'shop/statefulset-shop-postgres.yaml')).toBe('-2');
    expect(waveOf(files, 'shop/service-shop-postgres-svc.yaml')).toBe('-2');
    expect(waveOf(files, 'shop/configmap-shop-nested-cm.yaml')).toBe('-2');
    expect(waveOf(files, 'shop/configmap-shop-outside.yaml')).toBeUndefined();
  });

  test('objects added after the SyncWave was created are stamped too (stamping happens at synth)', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const wave = new SyncWave(shop, 'late', { wave: 4 });
    app.synthFiles();
    new ApiObject(wave, 'added-later', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(waveOf(app.synthFiles(), 'shop/configmap-shop-added-later.yaml')).toBe('4');
  });

  test('a child Application gets the wave on its own manifest, not on its resources', () => {
    const app = testApp();
    const root = new AppOfApps(app, 'root', { applicationHealthCheck: false });
    const infra = new SyncWave(root, 'infra', { wave: 1 });
    const certManager = new Application(infra, 'cert-manager');
    new ApiObject(certManager, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    const files = app.synthFiles();
    expect(waveOf(files, 'apps/cert-manager.yaml')).toBe('1');
    expect(waveOf(files, 'cert-manager/configmap-cert-manager-cm.yaml')).toBeUndefined();
  });

  test('SyncWave.set puts one existing construct into a wave', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const web = new kplus.Deployment(shop, 'web', { containers: [{ image: 'nginx:1.27' }] });
    SyncWave.set(web, 3);
    const files = app.synthFiles();
    expect(waveOf(files, 'shop/deployment-shop-web.yaml')).toBe('3');
  });

  test('waves derived from after leave gaps of 10; explicit waves slot in between', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const crds = new SyncWave(shop, 'crds');
    const secrets = new SyncWave(shop, 'secrets', { after: [crds] });
    const db = new SyncWave(shop, 'db', { after: [secrets] });
    const cache = new SyncWave(shop, 'cache', { wave: 15, after: [secrets] });
    const web = new SyncWave(shop, 'web', { after: [db, cache] });
    expect([crds.wave, secrets.wave, db.wave, cache.wave, web.wave]).toEqual([0, 10, 20, 15, 30]);
    new ApiObject(web, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(waveOf(app.synthFiles(), 'shop/configmap-shop-cm.yaml')).toBe('30');
  });

  test('SyncWave.sequence builds the usual layering', () => {
    const app = testApp();
    const platform = new Application(app, 'platform');
    const layers = SyncWave.sequence(platform, ['infrastructure', 'secrets', 'databases', 'applications']);
    expect(layers.map(l => [l.node.id, l.wave])).toEqual([['infrastructure', 0], ['secrets', 10], ['databases', 20], ['applications', 30]]);
  });

  test('an explicit annotation with the same value is fine', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const wave = new SyncWave(shop, 'w', { wave: 2 });
    new ApiObject(wave, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { annotations: { [WAVE]: '2' } } });
    expect(waveOf(app.synthFiles(), 'shop/configmap-shop-cm.yaml')).toBe('2');
  });
});

describe('SyncWave bad input', () => {
  test('fails when a wave is not an integer', () => {
    const shop = new Application(testApp(), 'shop');
    expect(() => new SyncWave(shop, 'w', { wave: 1.5 })).toThrow(/wave 1.5 is not an integer/);
    expect(() => SyncWave.set(shop, Number.NaN)).toThrow(/NaN is not an integer/);
  });

  test('fails when a wave is outside the 32-bit range Argo CD parses', () => {
    const shop = new Application(testApp(), 'shop');
    expect(() => new SyncWave(shop, 'w', { wave: 2 ** 31 })).toThrow(/2147483648 is out of range.*-2147483648 to 2147483647/);
    expect(() => new SyncWave(shop, 'ok', { wave: -(2 ** 31) })).not.toThrow();
  });

  test('fails when a derived wave would leave the 32-bit range', () => {
    const shop = new Application(testApp(), 'shop');
    const top = new SyncWave(shop, 'top', { wave: 2 ** 31 - 5 });
    const after = new SyncWave(shop, 'after', { after: [top] });
    expect(() => after.wave).toThrow(/sync wave 'shop\/after' 2147483653 is out of range/);
  });

  test('fails when waves form a cycle, naming the cycle', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const a = new SyncWave(shop, 'a');
    const b = new SyncWave(shop, 'b', { after: [a] });
    const c = new SyncWave(shop, 'c', { after: [b] });
    a.addAfter(c);
    expect(() => c.wave).toThrow(/sync waves form a cycle: shop\/c -> shop\/b -> shop\/a -> shop\/c/);
    expect(() => app.synthFiles()).toThrow(/sync waves form a cycle/);
  });

  test('fails when a wave comes after itself', () => {
    const w = new SyncWave(new Application(testApp(), 'shop'), 'w');
    expect(() => w.addAfter(w)).toThrow(/cannot come after itself/);
  });

  test('fails when an explicit wave is not after its dependencies', () => {
    const shop = new Application(testApp(), 'shop');
    const db = new SyncWave(shop, 'db', { wave: 5 });
    const web = new SyncWave(shop, 'web', { wave: 5, after: [db] });
    expect(() => web.wave).toThrow(/sync wave 'shop\/web' is 5 but must come after 'shop\/db' \(wave 5\)/);
  });

  test('fails when an object is inside two nested waves', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const outer = new SyncWave(shop, 'outer', { wave: 1 });
    const inner = new SyncWave(outer, 'inner', { wave: 2 });
    new ApiObject(inner, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(() => app.synthFiles()).toThrow(/'shop\/outer\/inner' is in two sync waves: 'shop\/outer' \(1\) and 'shop\/outer\/inner' \(2\)/);
  });

  test('fails when SyncWave.set targets a construct already inside a wave', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const wave = new SyncWave(shop, 'w', { wave: 1 });
    const web = new kplus.Deployment(wave, 'web', { containers: [{ image: 'nginx:1.27' }] });
    SyncWave.set(web, 7);
    expect(() => app.synthFiles()).toThrow(/'shop\/w\/web' is in two sync waves: 'shop\/w' \(1\) and SyncWave.set\(\) \(7\)/);
  });

  test('fails when SyncWave.set gives one construct two different waves', () => {
    const web = new kplus.Deployment(new Application(testApp(), 'shop'), 'web', { containers: [{ image: 'nginx:1.27' }] });
    SyncWave.set(web, 1);
    expect(() => SyncWave.set(web, 2)).toThrow(/'shop\/web' is already in sync wave 1/);
  });

  test('fails when an object already carries a different sync-wave annotation', () => {
    const app = testApp();
    const wave = new SyncWave(new Application(app, 'shop'), 'w', { wave: 2 });
    new ApiObject(wave, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { annotations: { [WAVE]: '9' } } });
    expect(() => app.synthFiles()).toThrow(/ConfigMap at 'shop\/w\/cm' has annotation argocd.argoproj.io\/sync-wave: "9" but is inside sync wave 'shop\/w' \(2\)/);
  });

  test('fails when a wave comes after a wave in another Application', () => {
    const app = testApp();
    const a = new SyncWave(new Application(app, 'a'), 'w');
    new SyncWave(new Application(app, 'b'), 'w', { after: [a] });
    expect(() => app.synthFiles()).toThrow(/SyncWave 'b\/w' comes after 'a\/w', which is in another Application/);
  });
});

describe('resolveWave (pure)', () => {
  test('a wave with neither number nor after is 0; the highest dependency wins', () => {
    const a: WaveNode = { label: 'a', after: [] };
    const b: WaveNode = { label: 'b', wave: 40, after: [] };
    const c: WaveNode = { label: 'c', after: [a, b] };
    expect(resolveWave(a)).toBe(0);
    expect(resolveWave(c)).toBe(50);
  });
});
