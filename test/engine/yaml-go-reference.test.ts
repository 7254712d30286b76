import * as fs from 'fs';
import * as path from 'path';
import { readYamlDocuments } from '../../src/engine/load/yaml-documents';

// Differential test: our manifest reader against sigs.k8s.io/yaml (what kubectl and Argo CD's
// repo-server use), whose output for each case is committed by test/yaml-go-reference/main.go.
const dir = path.join(__dirname, '..', 'yaml-go-reference');
const cases: Array<{ name: string; yaml: string }> = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
const reference: Array<{ name: string; json?: unknown; error?: string }> = JSON.parse(fs.readFileSync(path.join(dir, 'go-reference.json'), 'utf8'));

describe('manifest YAML is read as sigs.k8s.io/yaml reads it', () => {
  test('the reference covers every case', () => {
    expect(reference.map((r) => r.name)).toEqual(cases.map((c) => c.name));
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test.each(cases.map((c, i) => [c.name, c, reference[i]] as const))('%s', (_name, c, ref) => {
    const read = () => {
      const docs = readYamlDocuments(c.yaml, 'case.yaml');
      return docs.length === 0 ? null : docs[0].value ?? null;
    };
    if (ref.error !== undefined) {
      expect(read).toThrow(/^case\.yaml:\d+: /);
    } else {
      expect(read()).toEqual(ref.json);
    }
  });
});
