/**
 * The README travels in every language package, and jsii-pacmak translates its TypeScript snippets
 * with jsii-rosetta — only those that compile. The construct snippets are fragments, marked
 * ```ts fixture=constructs to be completed by rosetta/constructs.ts-fixture: each of them must
 * compile, or the Java, Python and Go READMEs show TypeScript there. (The Quickstart's main.ts, the
 * jest snapshot test and the engine's TypeScript API are TypeScript-only and are not marked; nor is
 * the Image Updater snippet: rosetta's fixture substitution reads its `$'` as a replacement pattern.)
 *
 * Run by `npm run test:languages`, which compiles .jsii (with the README in it) first.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');

interface TabletSnippet {
  readonly didCompile?: boolean;
  readonly fullSource?: string;
  readonly translations: { readonly $: { readonly source: string } };
}

test('every README snippet marked fixture=constructs compiles under jsii-rosetta', () => {
  const marked = fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').filter(line => line === '```ts fixture=constructs').length;
  expect(marked).toBeGreaterThan(0);

  const result = spawnSync('npx', ['jsii-rosetta', 'extract', '--compile', '.jsii'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' },
  });
  if (result.status !== 0) throw new Error(`jsii-rosetta extract failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);

  // The implicit tablet rosetta writes beside the assembly (and pacmak reuses).
  const tablet = JSON.parse(fs.readFileSync(path.join(root, '.jsii.tabl.json'), 'utf8')) as { snippets: Record<string, TabletSnippet> };
  const fixtureMarker = fs.readFileSync(path.join(root, 'rosetta', 'constructs.ts-fixture'), 'utf8').split('\n')[0];
  const withFixture = Object.values(tablet.snippets).filter(s => s.fullSource?.includes(fixtureMarker));
  expect(withFixture).toHaveLength(marked);
  const failed = withFixture.filter(s => !s.didCompile).map(s => s.translations.$.source);
  if (failed.length > 0) {
    throw new Error(`these README snippets do not compile under jsii-rosetta (run \`npx jsii-rosetta extract --compile .jsii\` for the errors):\n\n${failed.join('\n\n')}`);
  }
});
