import { ANNOTATION_APPLIED_HASH } from '../../src/engine/annotations';
import { unchangedSinceApply, withAppliedHash } from '../../src/engine/in-sync';
import { KubeObject } from '../../src/engine/model';

const secret = (data: Record<string, string>, extra: Partial<KubeObject> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, type: 'Opaque', stringData: data, ...extra });

/** What the API server returns for an applied Secret: stringData folded into base64 data. */
function stored(applied: KubeObject): KubeObject {
  const { stringData, ...rest } = applied;
  const data: Record<string, string> = { ...(applied.data ?? {}) };
  for (const [k, v] of Object.entries((stringData ?? {}) as Record<string, string>)) {
    data[k] = Buffer.from(v).toString('base64');
  }
  return { ...rest, metadata: { ...rest.metadata, uid: 'u', resourceVersion: '7' }, data };
}

describe('a Secret\'s applied hash', () => {
  test('is not a function of its values: Secrets differing only in values get the same annotations', () => {
    const a = withAppliedHash(secret({ password: 'hunter2' }));
    const b = withAppliedHash(secret({ password: 'correct horse battery staple' }));
    const c = withAppliedHash({ ...secret({}), stringData: undefined, data: { password: Buffer.from('hunter2').toString('base64') } });
    expect(a.metadata.annotations).toEqual(b.metadata.annotations);
    expect(a.metadata.annotations).toEqual(c.metadata.annotations);
    expect(a.metadata.annotations?.[ANNOTATION_APPLIED_HASH]).toMatch(/^[0-9a-f]{32}$/);
  });

  test('changes when a key is removed, so the removal is applied', () => {
    expect(withAppliedHash(secret({ a: 'x' })).metadata.annotations).not.toEqual(withAppliedHash(secret({ a: 'x', b: 'y' })).metadata.annotations);
  });

  test('still changes with the rest of the Secret (a removed label is applied)', () => {
    const labelled = withAppliedHash(secret({ p: 'x' }, { metadata: { name: 's', namespace: 'n', labels: { a: '1' } } }));
    const plain = withAppliedHash(secret({ p: 'x' }));
    expect(plain.metadata.annotations?.[ANNOTATION_APPLIED_HASH]).not.toBe(labelled.metadata.annotations?.[ANNOTATION_APPLIED_HASH]);
    expect(unchangedSinceApply(plain, stored(labelled))).toBe(false);
  });
});

describe('a Secret is unchanged since apply', () => {
  const desired = withAppliedHash(secret({ password: 'hunter2', user: 'admin' }));

  test('when the live data holds exactly the desired values', () => {
    expect(unchangedSinceApply(desired, stored(desired))).toBe(true);
  });

  test('not when a value changed', () => {
    expect(unchangedSinceApply(withAppliedHash(secret({ password: 'hunter3', user: 'admin' })), stored(desired))).toBe(false);
  });

  test('not when the desired state removed a key', () => {
    expect(unchangedSinceApply(withAppliedHash(secret({ password: 'hunter2' })), stored(desired))).toBe(false);
  });

  test('not when a value is empty live but set in the desired Secret', () => {
    const live = stored(desired);
    expect(unchangedSinceApply(desired, { ...live, data: { ...live.data, password: '' } })).toBe(false);
  });

  test('when another controller added a key (as for every other kind, fields we do not set are not ours)', () => {
    const live = stored(desired);
    expect(unchangedSinceApply(desired, { ...live, data: { ...live.data, token: 'eA==' } })).toBe(true);
  });
});
