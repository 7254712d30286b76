import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as kplus from 'cdk8s-plus-28';
import { Application, Images } from '../../src';
import { parseImageReference, parsePinnedImage } from '../../src/images/image-reference';
import { parseImagesText, updateImagesText } from '../../src/images/images-file';
import { manifest, testApp } from '../util/synth';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-argocd-images-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function update(text: string, json: boolean, updates: Record<string, string>): string {
  return updateImagesText(text, parseImagesText(text, 'f', json), new Map(Object.entries(updates)), json);
}

describe('image references', () => {
  test.each([
    ['nginx:1.27', { repository: 'nginx', tag: '1.27', digest: undefined }],
    ['ghcr.io/acme/hello-api:1.4.2', { repository: 'ghcr.io/acme/hello-api', tag: '1.4.2', digest: undefined }],
    ['localhost:5000/team/app:v2-rc.1', { repository: 'localhost:5000/team/app', tag: 'v2-rc.1', digest: undefined }],
    [`quay.io/x/y@sha256:${'a'.repeat(64)}`, { repository: 'quay.io/x/y', tag: undefined, digest: `sha256:${'a'.repeat(64)}` }],
  ])('%s parses', (ref, expected) => {
    expect(parseImageReference(ref)).toEqual(expected);
  });

  test('invalid and unpinned references are refused with the reason', () => {
    expect(parseImageReference('ghcr.io/Acme/app:1')).toMatch(/the repository must be lower case/);
    expect(parseImageReference('ghcr.io/acme/app:1 ')).toMatch(/contains spaces/);
    expect(parseImageReference('ghcr.io/acme/app::1')).toMatch(/expected \[registry\/\]repository\[:tag\]\[@digest\]/);
    expect(parseImageReference(`app:${'x'.repeat(129)}`)).toMatch(/not an image reference/);
    expect(parsePinnedImage('ghcr.io/acme/app')).toMatch(/has no tag or digest: pin a version/);
  });
});

describe('the images file', () => {
  test('Images.fromFile reads YAML and JSON; get() returns the pinned reference, repository() and tag() its parts', () => {
    const yaml = Images.fromFile(write('images.yaml', '# pinned by CI\nhello-api: ghcr.io/acme/hello-api:1.4.2\nworker: "ghcr.io/acme/worker:2.0.0"\n'));
    expect(yaml.names).toEqual(['hello-api', 'worker']);
    expect(yaml.get('worker')).toBe('ghcr.io/acme/worker:2.0.0');
    expect(yaml.repository('hello-api')).toBe('ghcr.io/acme/hello-api');
    expect(yaml.tag('hello-api')).toBe('1.4.2');
    const json = Images.fromFile(write('images.json', '{\n  "hello-api": "ghcr.io/acme/hello-api:1.4.2"\n}\n'));
    expect(json.get('hello-api')).toBe('ghcr.io/acme/hello-api:1.4.2');
  });

  test('an unknown name lists the known ones and says how to add it', () => {
    const images = Images.fromFile(write('images.yaml', 'hello-api: ghcr.io/acme/hello-api:1.4.2\nworker: ghcr.io/acme/worker:2\n'));
    expect(() => images.get('helo-api')).toThrow(
      `image 'helo-api' is not in ${path.join(dir, 'images.yaml')} (known: hello-api, worker): fix the name, or add it with \`cdk8s-argocd set-image helo-api=IMAGE:TAG --add\``);
  });

  test('malformed files fail with file:line:column', () => {
    expect(() => Images.fromFile(write('a.json', '{\n  "hello-api": "ghcr.io/acme/hello-api:1.4.2",\n}\n'))).toThrow(/a\.json:3:1: not valid JSON/);
    expect(() => Images.fromFile(write('b.yaml', 'hello-api: ghcr.io/acme/hello-api:1.4.2\nworker: [oops\n'))).toThrow(/b\.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a \]$/);
    expect(() => Images.fromFile(write('c.yaml', 'hello-api: ghcr.io/acme/hello-api:1.4.2\nhello-api: ghcr.io/acme/hello-api:1.4.3\n'))).toThrow(/c\.yaml:2:1: Map keys must be unique/);
    expect(() => Images.fromFile(write('d.yaml', 'a: nginx:1\nworker: ghcr.io/Acme/worker:2\nother: 3\n'))).toThrow(
      /d\.yaml:2:9: 'worker': 'ghcr.io\/Acme\/worker:2' is not an image reference: the repository must be lower case\n.*d\.yaml:3:8: 'other' must be an image reference string/);
    expect(() => Images.fromFile(write('e.yaml', '- nginx:1\n'))).toThrow(/e\.yaml:1:1: expected a mapping of image names to images/);
    expect(() => Images.fromFile(path.join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: no such file: create it/);
  });

  test('updates change only the value, keeping comments, order and quoting; new names are appended', () => {
    const yaml = '# Pinned by CI: set-image updates it.\nworker: \'ghcr.io/acme/worker:2.0.0\'   # the queue\nhello-api: "ghcr.io/acme/hello-api:1.4.2"\n\nweb: nginx:1.27\n';
    expect(update(yaml, false, { 'hello-api': 'ghcr.io/acme/hello-api:1.5.0', 'web': 'nginx:1.28', 'new': 'ghcr.io/acme/new:1' })).toBe(
      '# Pinned by CI: set-image updates it.\nworker: \'ghcr.io/acme/worker:2.0.0\'   # the queue\nhello-api: "ghcr.io/acme/hello-api:1.5.0"\n\nweb: nginx:1.28\nnew: ghcr.io/acme/new:1\n');
    const json = '{\n    "worker": "ghcr.io/acme/worker:2.0.0",\n    "hello-api": "ghcr.io/acme/hello-api:1.4.2"\n}\n';
    expect(update(json, true, { 'hello-api': 'ghcr.io/acme/hello-api:1.5.0' })).toBe(json.replace('1.4.2', '1.5.0'));
    expect(update(json, true, { new: 'ghcr.io/acme/new:1' })).toBe(
      '{\n    "worker": "ghcr.io/acme/worker:2.0.0",\n    "hello-api": "ghcr.io/acme/hello-api:1.4.2",\n    "new": "ghcr.io/acme/new:1"\n}\n');
    expect(update('', false, { a: 'nginx:1' })).toBe('a: nginx:1\n');
  });

  test('constructs read the images: a Deployment runs the pinned image', () => {
    const images = Images.fromFile(write('images.yaml', 'hello-api: ghcr.io/acme/hello-api:1.4.2\n'));
    const app = testApp();
    const api = new Application(app, 'hello-api');
    new kplus.Deployment(api, 'web', { containers: [{ image: images.get('hello-api'), securityContext: { ensureNonRoot: false } }] });
    const deployment = manifest(app.synthFiles(), 'hello-api/deployment-hello-api-web.yaml');
    expect(deployment.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/hello-api:1.4.2');
  });

  test('Images.fromRecord checks names and references too', () => {
    expect(Images.fromRecord({ a: 'nginx:1' }).get('a')).toBe('nginx:1');
    expect(() => Images.fromRecord({ a: 'nginx' }, 'test images')).toThrow("test images: 'a': 'nginx' has no tag or digest");
  });
});
