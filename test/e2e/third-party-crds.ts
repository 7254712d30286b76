/**
 * The third-party CRD stubs of test/fixtures/third-party-crds (KEDA, External Secrets,
 * CloudNativePG, Argo Rollouts, cert-manager), installed for e2e tests. Not a test file itself.
 *
 * A CRD the cluster already serves from elsewhere is left alone: `npm run demo` (its e2e test
 * shares the cluster) installs the real External Secrets CRDs with the operator's chart, and
 * applying a stub over them would conflict with (or, forced, break) what that sync owns. An
 * older stub is updated (stubs gained the status subresource).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { getJson, kubectl, waitFor } from './cluster-fixture';

const dir = path.join(__dirname, '..', 'fixtures', 'third-party-crds');

/** A stub: one version whose schema accepts anything (what the fixtures are). */
function isStub(crd: any): boolean {
  return (crd.spec?.versions ?? []).every((v: any) => {
    const schema = v.schema?.openAPIV3Schema ?? {};
    return schema['x-kubernetes-preserve-unknown-fields'] === true && !schema.properties;
  });
}

/** Installs the stubs the cluster does not serve yet (or updates older stubs); waits until each CRD is Established. */
export async function installThirdPartyCrdStubs(): Promise<string[]> {
  const names: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const stub = parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const name: string = stub.metadata.name;
    names.push(name);
    const live = await getJson<any>(['crd', name]);
    if (!live || isStub(live)) {
      await kubectl(['apply', '--server-side', '--force-conflicts', '-f', path.join(dir, file)]);
    }
  }
  for (const name of names) {
    await waitFor(`CRD ${name} established`, async () => (await kubectl(['get', `crd/${name}`, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'], { check: false })).stdout.trim() === 'True');
  }
  return names;
}
