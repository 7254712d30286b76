import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { hasHealthCheck, resourceHealth } from '../../../src/engine/health';
import { INVALID_HEALTH_STATUS, runLuaHealth } from '../../../src/engine/health/lua-health';
import { HealthStatusCode, KubeObject } from '../../../src/engine/model';
import { activateResourceSettings, parseResourceSettings } from '../../../src/engine/settings/resource-settings';

const cr = (status?: unknown): KubeObject => ({
  apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { replicas: 3, items: ['a', 'b'] }, ...(status ? { status } : {}),
});

describe("Argo CD's Lua health contract (util/lua/lua.go)", () => {
  test('obj is the object; the returned table gives status and message', () => {
    const script = 'hs = {}\nhs.status = "Progressing"\nhs.message = "replicas " .. obj.spec.replicas .. ", items " .. #obj.spec.items .. ", first " .. obj.spec.items[1]\nreturn hs';
    expect(runLuaHealth(script, cr())).toEqual({ status: HealthStatusCode.PROGRESSING, message: 'replicas 3, items 2, first a' });
  });

  test('a runtime error is Unknown with the error as message', () => {
    expect(runLuaHealth('return { status = obj.status.phase }', cr())).toEqual({
      status: HealthStatusCode.UNKNOWN, message: expect.stringMatching(/^health\.lua:1: attempt to index a nil value/),
    });
  });

  test('a syntax error is Unknown with the parser message', () => {
    expect(runLuaHealth('if then', cr())).toEqual({ status: HealthStatusCode.UNKNOWN, message: expect.stringMatching(/^health\.lua:1: /) });
  });

  test('a status that is not one of Argo CD\'s is Unknown: "Lua returned an invalid health status"', () => {
    expect(runLuaHealth('return { status = "Ready", message = "x" }', cr())).toEqual({ status: HealthStatusCode.UNKNOWN, message: INVALID_HEALTH_STATUS });
    expect(runLuaHealth('return { message = "no status" }', cr())).toEqual({ status: HealthStatusCode.UNKNOWN, message: INVALID_HEALTH_STATUS });
  });

  test('a script that returns no table (nil hs) is Unknown', () => {
    expect(runLuaHealth('hs = {}', cr())).toEqual({ status: HealthStatusCode.UNKNOWN, message: 'expect table output from Lua script, not nil' });
    expect(runLuaHealth('local hs\nreturn hs', cr())).toEqual({ status: HealthStatusCode.UNKNOWN, message: 'expect table output from Lua script, not nil' });
    expect(runLuaHealth('return "Healthy"', cr())).toEqual({ status: HealthStatusCode.UNKNOWN, message: 'expect table output from Lua script, not string' });
  });

  test('every status of Argo CD is accepted', () => {
    for (const s of ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']) {
      expect(runLuaHealth(`return { status = "${s}" }`, cr()).status).toBe(s);
    }
  });

  test('only the safe libraries without useOpenLibs: no string, math, io or global os; require("os") has only time and date', () => {
    expect(runLuaHealth('return { status = string.upper("x") }', cr()).message).toMatch(/global 'string'/);
    const safe = runLuaHealth('local t = {}\ntable.insert(t, "Healthy")\nreturn { status = t[1], message = tostring(math) .. " " .. tostring(io) .. " " .. tostring(os) .. " " .. tostring(dofile) }', cr());
    expect(safe).toEqual({ status: HealthStatusCode.HEALTHY, message: 'nil nil nil nil' });
    const os = runLuaHealth('local os = require("os")\nreturn { status = "Healthy", message = type(os.time()) .. " " .. type(os.date) .. " " .. tostring(os.execute) }', cr());
    expect(os.message).toBe('number function nil');
  });

  test('useOpenLibs opens the standard libraries', () => {
    const script = 'local hs = { status = "Healthy" }\nif string.find(obj.metadata.name, "^w") then hs.message = string.upper("matched") .. " " .. math.floor(2.5) end\nreturn hs';
    expect(runLuaHealth(script, cr(), true)).toEqual({ status: HealthStatusCode.HEALTHY, message: 'MATCHED 2' });
  });

  test('globals a script sets do not leak into the next run (each Argo CD run has its own state)', () => {
    expect(runLuaHealth('leaked = "Degraded"\nreturn { status = "Healthy" }', cr()).status).toBe(HealthStatusCode.HEALTHY);
    expect(runLuaHealth('return { status = leaked or "Progressing" }', cr()).status).toBe(HealthStatusCode.PROGRESSING);
  });

  test('a script that runs longer than one second is stopped and Unknown', () => {
    const started = Date.now();
    expect(runLuaHealth('while true do end', cr())).toEqual({ status: HealthStatusCode.UNKNOWN, message: expect.stringMatching(/deadline exceeded/) });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(runLuaHealth('return { status = "Healthy" }', cr()).status).toBe(HealthStatusCode.HEALTHY);
  });
});

describe('dispatch: a user Lua check wins over the built-in rules', () => {
  afterEach(() => activateResourceSettings(undefined));

  test('a Lua check for apps/Deployment replaces the built-in Deployment rule, and gives a CR kind a health rule', () => {
    const deploy: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } };
    expect(resourceHealth(deploy)?.status).toBe(HealthStatusCode.HEALTHY);
    expect(hasHealthCheck(cr())).toBe(false);
    activateResourceSettings(parseResourceSettings({
      'resource.customizations.health.apps_Deployment': 'return { status = "Suspended", message = "by Lua" }',
      'resource.customizations.health.example.com_Widget': 'return { status = obj.status and obj.status.phase or "Progressing" }',
    }, 'argocd-cm.yaml:1'));
    expect(resourceHealth(deploy)).toEqual({ status: HealthStatusCode.SUSPENDED, message: 'by Lua' });
    expect(hasHealthCheck(cr())).toBe(true);
    expect(resourceHealth(cr())?.status).toBe(HealthStatusCode.PROGRESSING);
    expect(resourceHealth(cr({ phase: 'Healthy' }))?.status).toBe(HealthStatusCode.HEALTHY);
  });

  test('an object being deleted is Progressing whatever the Lua check says (gitops-engine checks deletion first)', () => {
    activateResourceSettings(parseResourceSettings({ 'resource.customizations.health.example.com_Widget': 'return { status = "Healthy" }' }, 'cm'));
    const deleting = { ...cr(), metadata: { ...cr().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    expect(resourceHealth(deleting)?.status).toBe(HealthStatusCode.PROGRESSING);
  });
});

/** Argo CD's shipped health.lua scripts with their own test fixtures (see test/fixtures/argo-cd-health/NOTICE.md). */
describe("differential corpus: Argo CD's shipped health checks", () => {
  const root = path.join(__dirname, '..', '..', 'fixtures', 'argo-cd-health');
  const cases: Array<[string, string, string, { status: string; message?: string }]> = [];
  for (const group of fs.readdirSync(root).filter((f) => fs.statSync(path.join(root, f)).isDirectory())) {
    for (const kind of fs.readdirSync(path.join(root, group))) {
      const dir = path.join(root, group, kind);
      const script = fs.readFileSync(path.join(dir, 'health.lua'), 'utf8');
      for (const t of parse(fs.readFileSync(path.join(dir, 'health_test.yaml'), 'utf8')).tests) {
        cases.push([`${group}/${kind} ${t.inputPath}`, script, path.join(dir, t.inputPath), t.healthStatus]);
      }
    }
  }

  test('the corpus is there', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  test.each(cases)('%s', (_name, script, input, expected) => {
    const obj = parse(fs.readFileSync(input, 'utf8')) as KubeObject;
    // Argo CD runs its built-in scripts with the standard libraries open.
    expect(runLuaHealth(script, obj, true)).toEqual(expected);
  });
});
