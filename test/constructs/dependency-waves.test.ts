import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppOfApps, Application, SyncWave } from '../../src';
import { manifest, testApp } from '../util/synth';

const WAVE = 'argocd.argoproj.io/sync-wave';
const waveOf = (files: { [p: string]: string }, file: string): string | undefined => manifest(files, file).metadata.annotations?.[WAVE];
const obj = (scope: Construct, id: string, kind: string): ApiObject => new ApiObject(scope, id, { apiVersion: kind === 'Job' ? 'batch/v1' : kind === 'Deployment' ? 'apps/v1' : 'v1', kind });

describe('addDependency orders sync waves the way SyncWave after does', () => {
  test('an object in no wave that depends on one of the same kind syncs 10 waves later', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const settings = obj(shop, 'settings', 'ConfigMap');
    obj(shop, 'features', 'ConfigMap').addDependency(settings);
    const files = app.synthFiles();
    expect(waveOf(files, 'shop/configmap-shop-features.yaml')).toBe('10');
    expect(waveOf(files, 'shop/configmap-shop-settings.yaml')).toBeUndefined();
  });

  test('a Deployment that depends on a migration Job syncs after it (kind order alone would apply the Job last)', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const migrate = obj(shop, 'migrate', 'Job');
    obj(shop, 'web', 'Deployment').node.addDependency(migrate);
    expect(waveOf(app.synthFiles(), 'shop/deployment-shop-web.yaml')).toBe('10');
  });

  test('a dependency Argo CD\'s kind order already satisfies needs no wave (a StatefulSet on its own Service)', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    new kplus.StatefulSet(shop, 'db', { containers: [{ image: 'postgres:17', portNumber: 5432 }] });
    expect(Object.keys(app.synthFiles())).toContain('shop/service-shop-db-service.yaml');
    const files = app.synthFiles();
    for (const text of Object.values(files)) expect(text).not.toContain(WAVE);
  });

  test('a derived SyncWave comes after the wave of what its objects depend on', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const data = new SyncWave(shop, 'data', { wave: 5 });
    const apps = new SyncWave(shop, 'apps');
    obj(apps, 'web', 'Deployment').addDependency(obj(data, 'schema', 'Job'));
    const files = app.synthFiles();
    expect(waveOf(files, 'shop/deployment-shop-web.yaml')).toBe('15');
    expect(waveOf(files, 'shop/job-shop-schema.yaml')).toBe('5');
  });

  test('a chain across kinds: once a dependency gets a wave, what depends on it moves after it', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const job = obj(shop, 'seed', 'Job');
    const config = obj(shop, 'config', 'ConfigMap');
    config.addDependency(job);
    obj(shop, 'web', 'Deployment').addDependency(config);
    const files = app.synthFiles();
    expect([waveOf(files, 'shop/job-shop-seed.yaml'), waveOf(files, 'shop/configmap-shop-config.yaml'), waveOf(files, 'shop/deployment-shop-web.yaml')])
      .toEqual([undefined, '10', '20']);
  });

  test('child Applications of an AppOfApps: the dependent Application manifest gets the later wave, also when the dependency is declared on objects inside them', () => {
    for (const onObjects of [false, true]) {
      const app = testApp();
      const root = new AppOfApps(app, 'root', { applicationHealthCheck: false });
      const database = new Application(root, 'database');
      const web = new Application(root, 'web');
      const table = obj(database, 'table', 'ConfigMap');
      const deployment = obj(web, 'app', 'Deployment');
      if (onObjects) deployment.addDependency(table); else web.addDependency(database);
      const files = app.synthFiles();
      expect(waveOf(files, 'apps/web.yaml')).toBe('10');
      expect(waveOf(files, 'apps/database.yaml')).toBeUndefined();
      expect(waveOf(files, 'web/deployment-web-app.yaml')).toBeUndefined();
    }
  });

  test('a dependency between child Applications (or objects in them) needs the Application health check decided, like SyncWave', () => {
    for (const onObjects of [false, true]) {
      const app = testApp();
      const root = new AppOfApps(app, 'root');
      const web = new Application(root, 'web');
      const database = new Application(root, 'database');
      if (onObjects) obj(web, 'app', 'Deployment').addDependency(obj(database, 'table', 'ConfigMap'));
      else web.addDependency(database);
      expect(() => app.synthFiles()).toThrow(/children of AppOfApps 'root' have sync waves \(web\)/);
    }
  });

  test('fails when an explicit wave is not after what it depends on', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const late = new SyncWave(shop, 'late', { wave: 7 });
    const early = new SyncWave(shop, 'early', { wave: 3 });
    obj(early, 'web', 'Deployment').addDependency(obj(late, 'seed', 'Job'));
    expect(() => app.synthFiles()).toThrow(/sync wave 'shop\/early' is 3 but must come after 'shop\/late' \(wave 7\)/);
  });

  test('fails when both are in one wave and kind order cannot put the dependency first', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const wave = new SyncWave(shop, 'apps', { wave: 1 });
    obj(wave, 'web', 'Deployment').addDependency(obj(wave, 'seed', 'Job'));
    expect(() => app.synthFiles()).toThrow(/'shop\/apps\/web' depends on 'shop\/apps\/seed' \(addDependency\), but both are in sync wave 'shop\/apps', and within a wave Argo CD orders objects only by kind: move 'shop\/apps\/web' into a later SyncWave/);
  });

  test('fails when no Application syncs both (two top-level Applications)', () => {
    const app = testApp();
    new Application(app, 'web').addDependency(new Application(app, 'database'));
    expect(() => app.synthFiles()).toThrow(/'web' depends on 'database' \(addDependency\), but no Application syncs both/);
  });

  test('fails on a dependency cycle, naming it', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    const a = obj(shop, 'a', 'ConfigMap');
    const b = obj(shop, 'b', 'ConfigMap');
    a.addDependency(b);
    b.addDependency(a);
    expect(() => app.synthFiles()).toThrow(/sync waves form a cycle: shop\/(a|b) -> shop\/(a|b) -> shop\/(a|b)/);
  });

  test('synthesizing twice gives the same waves (nothing is added twice)', () => {
    const app = testApp();
    const shop = new Application(app, 'shop');
    obj(shop, 'web', 'Deployment').addDependency(obj(shop, 'seed', 'Job'));
    expect(app.synthFiles()).toEqual(app.synthFiles());
  });
});
