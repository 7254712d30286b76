import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { rootCertificates } from 'tls';
import { KubeClient } from '../../src/engine/kube/client';
import { resolveKubeConfig } from '../../src/engine/kube/kubeconfig';

const CANARY = 'kubeconfig-canary-7f3a9c';

function kubeconfig(user: string, cluster = '    server: https://127.0.0.1:1\n'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-'));
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
${cluster}contexts:
- name: ctx
  context: {cluster: c1, user: u1}
current-context: ctx
users:
- name: u1
  user:
${user}`);
  return file;
}

async function clientError(file: string): Promise<string> {
  try {
    const resolved = await resolveKubeConfig({ kubeconfig: file });
    const client = await KubeClient.create(resolved.config);
    client.close();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

describe('kubeconfig errors name the file and entry, never its contents', () => {
  test('a malformed kubeconfig gives file:line and the reason, not the lines around it', async () => {
    const file = kubeconfig(`    token: ${CANARY}\n   password: ${CANARY}-pw\n`);
    const message = await clientError(file);
    expect(message).toBe(`kubeconfig ${file}:15: invalid YAML (bad indentation of a mapping entry at column 4); fix the file (its contents are not shown because it holds credentials)`);
    expect(message).not.toContain(CANARY);
  });

  test('a failing exec credential plugin that prints nothing is named, with what to run', async () => {
    const file = kubeconfig('    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/false\n      args: [get-token]\n');
    expect(await clientError(file)).toBe(`kubeconfig ${file}: the exec credential plugin of user "u1" (context ctx) failed and printed nothing; run \`/bin/false get-token\` yourself to see why, or fix users[].user.exec`);
  });

  test('a failing exec credential plugin\'s first line of stderr is kept', async () => {
    const file = kubeconfig('    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n      args: ["-c", "echo token expired >&2; echo more >&2; exit 3"]\n');
    expect(await clientError(file)).toMatch(/^kubeconfig .*: the exec credential plugin of user "u1" \(context ctx\) failed: token expired; run `\/bin\/sh -c echo token expired/);
  });

  test('certificate-authority-data that is not PEM names the cluster entry', async () => {
    const file = kubeconfig('    token: t\n', `    server: https://127.0.0.1:1\n    certificate-authority-data: ${Buffer.from(`${CANARY} not a certificate`).toString('base64')}\n`);
    const message = await clientError(file);
    expect(message).toBe(`kubeconfig ${file}: cluster "c1" certificate-authority-data is not PEM data (no "-----BEGIN …-----" line); fix it (\`kubectl config view --raw\` shows what kubectl would use)`);
  });

  test('a client key that is not PEM names the user entry', async () => {
    const file = kubeconfig(`    client-certificate-data: ${Buffer.from(rootCertificates[0]).toString('base64')}\n    client-key-data: ${Buffer.from(CANARY).toString('base64')}\n`);
    const message = await clientError(file);
    expect(message).toMatch(new RegExp(`^kubeconfig ${file}: user "u1" client-key-data is not PEM data`));
    expect(message).not.toContain(CANARY);
  });
});

test('a valid CA bundle is accepted', async () => {
  // Any real PEM certificates do: two from Node's root store.
  const file = kubeconfig('    token: t\n', `    server: https://127.0.0.1:1\n    certificate-authority-data: ${Buffer.from(rootCertificates.slice(0, 2).join('\n')).toString('base64')}\n`);
  expect(await clientError(file)).toBe('no error');
});
