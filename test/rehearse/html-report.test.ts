/**
 * The rehearsal's HTML report, opened in a real headless browser: Debian's Chromium
 * (/usr/bin/chromium, package `chromium`) driven by playwright-core. What a reviewer sees is what
 * is checked: the summary, the timeline bars and their tooltips, a diff after expanding, and
 * that user text (an injected <script>) stays text.
 */

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Browser, chromium, Page } from 'playwright-core';
import { fixtureReport } from './report-fixture';
import { renderHtml } from '../../src/rehearse/html-report';

const CHROMIUM = process.env.CDK8S_ARGOCD_CHROMIUM ?? '/usr/bin/chromium';
const INJECTED = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

jest.setTimeout(120_000);

let browser: Browser;
let page: Page;
let dir: string;
const requests: string[] = [];
const errors: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install the Debian package "chromium" (apt-get install -y chromium), as .ci/run does`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-html-'));
  const file = path.join(dir, 'rehearsal.html');
  fs.writeFileSync(file, renderHtml(fixtureReport(`pay${INJECTED}`)));
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`file://${file}`);
});

afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the summary comes first: outcome, counts, failures and dangers', async () => {
  const first = await page.locator('body > section').first().getAttribute('id');
  expect(first).toBe('summary');
  const summary = await page.locator('#summary').innerText();
  expect(summary).toContain('Rehearsal Failed');
  expect(summary).toContain('origin/main 3f2a9c1 → HEAD 9e8d7c6');
  expect(summary).toMatch(/predicted failures\s*1/);
  expect(summary).toMatch(/dangers\s*1/);
  expect(summary).toContain('ImmutableField');
  expect(summary).toContain('spec.selector.matchLabels.app');
  expect(summary).toContain('StatefulPrune');
});

test('the timeline has one bar per step and one row per Application, with its health', async () => {
  const report = fixtureReport();
  expect(await page.locator('#timeline svg rect.bar').count()).toBe(report.timeline.length);
  expect(await page.locator('#timeline svg g.row').count()).toBe(report.applications.length);
  expect(await page.locator('#timeline svg rect.bar.bad').count()).toBe(1);
  expect(await page.locator('#timeline svg g.step.simulated rect.hatch').count()).toBe(3);
  const shopHealth = await page.locator('#timeline g.row[data-app="shop"] .row-health').textContent();
  expect(shopHealth).toBe('Degraded');
  // Bars are laid out over time: the SyncFail hook starts where the failed wave ends.
  const wave = await page.locator('g.step[data-step="1"] rect.bar').boundingBox();
  const syncFail = await page.locator('g.step[data-step="2"] rect.bar').boundingBox();
  expect(Math.abs(wave!.x + wave!.width - syncFail!.x)).toBeLessThan(1.5);
});

test('a simulated step shows why in its tooltip', async () => {
  const hook = page.locator('g.step[data-step="0"]');
  expect(await hook.locator('title').textContent()).toContain('simulated: kwok runs no containers: the hook Job was marked complete without running');
  await hook.locator('rect.bar').hover();
  const tip = page.locator('#tip');
  await tip.waitFor({ state: 'visible' });
  const text = await tip.innerText();
  expect(text).toContain('shop · PreSync · hook db-migrate');
  expect(text).toContain('simulated: kwok runs no containers');
});

test('a diff is collapsed until expanded, then shows the change', async () => {
  const app = page.locator('details.app[data-app="shop"]');
  // Applications with findings open by themselves; their diffs stay collapsed.
  expect(await app.getAttribute('open')).not.toBeNull();
  const diff = app.locator('details.diff').first();
  const pre = diff.locator('pre.diff');
  expect(await pre.isVisible()).toBe(false);
  await diff.locator('summary').click();
  await pre.waitFor({ state: 'visible' });
  expect(await pre.locator('.add').first().innerText()).toBe('+      - image: nginx:1.28');
  expect(await pre.locator('.del').first().innerText()).toBe('-      - image: nginx:1.27');
  // An Application without findings starts collapsed; "Expand all" opens it.
  const metrics = page.locator('details.app[data-app="metrics"]');
  expect(await metrics.getAttribute('open')).toBeNull();
  await page.locator('#expand-all').click();
  expect(await metrics.getAttribute('open')).not.toBeNull();
});

test('an injected <script> in a name is shown as text and never runs', async () => {
  expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
  expect(await page.locator('script').count()).toBe(1);
  expect(await page.locator('img').count()).toBe(0);
  await page.locator('#expand-all').click();
  const app = page.locator('details.app').nth(1);
  expect(await app.locator('summary .app-name').innerText()).toBe(`pay${INJECTED}`);
  expect(await page.locator('#timeline').innerHTML()).toContain('pay&lt;script&gt;');
});

test('the page is self-contained: no request leaves the file, no script error', () => {
  expect(requests).toEqual([]);
  expect(errors).toEqual([]);
});

test('ApplicationSets list added and removed Applications and the RollingSync steps', async () => {
  const text = await page.locator('#applicationsets').innerText();
  expect(text).toContain('regions-eu');
  expect(text).toContain('regions-ap');
  expect(await page.locator('#applicationsets ol li').count()).toBe(2);
});
