import * as fs from 'fs';
import * as path from 'path';
import { GitOpsApp } from '../src';
import { crdErrorsInFiles } from './util/crd-validator';

const examplesDir = path.join(__dirname, '..', 'examples');
const examples = fs.readdirSync(examplesDir).filter(name => fs.existsSync(path.join(examplesDir, name, 'main.ts'))).sort();

describe.each(examples)('examples/%s', (name) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const build = (): GitOpsApp => require(path.join(examplesDir, name, 'main.ts')).buildApp();

  test('committed manifests/ are what the code synthesizes (run `npm run synth` if this fails)', () => {
    const result = build().check();
    if (!result.upToDate) {
      throw new Error(`examples/${name}/manifests is stale:\n${result.diff}`);
    }
  });

  test('every Argo CD object validates strictly against the v3.5 CRDs', () => {
    const result = crdErrorsInFiles(build().synthFiles());
    expect(result.errors).toEqual([]);
    expect(result.checked).toBeGreaterThan(0);
  });
});

test('examples exist', () => {
  expect(examples).toContain('basic');
});
