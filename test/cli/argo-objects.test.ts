import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findArgoObjects } from '../../src/cli/argo-objects';

test('finds AppProjects and ApplicationSets however the kind is quoted, and skips files that hold neither', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argo-objects-'));
  try {
    fs.writeFileSync(path.join(dir, 'project.yaml'), 'apiVersion: argoproj.io/v1alpha1\nkind: "AppProject"\nmetadata:\n  name: p\n');
    fs.writeFileSync(path.join(dir, 'set.json'), JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 's' } }));
    fs.writeFileSync(path.join(dir, 'app.yaml'), 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n');
    // Not parsed at all (it is not even valid YAML): no kind of interest is named in it.
    fs.writeFileSync(path.join(dir, 'cm.yaml'), 'kind: ConfigMap\n  bad: [indent\n');
    const found = findArgoObjects(dir, ['AppProject', 'ApplicationSet']).map((o) => `${path.basename(o.file)} ${o.object.kind}/${o.object.metadata.name}`);
    expect(found).toEqual(['project.yaml AppProject/p', 'set.json ApplicationSet/s']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
