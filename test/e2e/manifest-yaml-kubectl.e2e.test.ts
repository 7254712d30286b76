/**
 * The engine's manifest reader against the real kubectl (a Go binary reading YAML through
 * sigs.k8s.io/yaml, as Argo CD's repo-server does): every scalar-heavy case of
 * test/yaml-go-reference/cases.json, put under a ConfigMap's `data`, must read the same in both.
 * `kubectl create --dry-run=client` prints the object as kubectl read it, before any server-side
 * validation (it asks the cluster only for the kind's REST mapping).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kubectl } from './cluster-fixture';
import { readYamlDocuments } from '../../src/engine/load/yaml-documents';

jest.setTimeout(180_000);

const cases: Array<{ name: string; yaml: string }> = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'yaml-go-reference', 'cases.json'), 'utf8'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-kubectl-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function configMap(body: string): string {
  const indented = body.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-case\ndata:\n${indented}\n`;
}

test.each(cases.filter((c) => c.yaml.trim() !== '').map((c, i) => [c.name, c, i] as const))('%s reads as kubectl reads it', async (_name, c, i) => {
  const file = path.join(dir, `case-${i}.yaml`);
  const text = configMap(c.yaml);
  fs.writeFileSync(file, text);
  const res = await kubectl(['create', '--dry-run=client', '--validate=false', '-o', 'json', '-f', file], { check: false });
  let ours: unknown;
  let ourError: string | undefined;
  try {
    ours = (readYamlDocuments(text, 'case.yaml')[0].value as { data?: unknown }).data;
  } catch (e) {
    ourError = (e as Error).message;
  }
  if (res.code !== 0) {
    // kubectl could not read it: neither may we.
    expect(ourError).toMatch(/^case\.yaml:\d+: /);
  } else {
    expect(ourError).toBeUndefined();
    // Compared as the JSON each sends (kubectl re-decodes -0.0 as the integer 0; JSON has no -0 either).
    expect(JSON.parse(JSON.stringify(ours ?? null))).toEqual(JSON.parse(res.stdout).data ?? null);
  }
});
