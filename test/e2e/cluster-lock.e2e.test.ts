/**
 * `cluster up` twice on one state dir at once: the second is refused (instead of overwriting
 * state.json and orphaning the first one's processes), and `down` stops every process of the
 * dir — also ones state.json does not name — and checks they are gone.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClusterError } from '../../src/cluster/build';
import { LocalCluster, processesOfDir } from '../../src/cluster/local-cluster';

jest.setTimeout(240_000);

const quiet = () => undefined;

test('a second start on the same dir fails with a clear message and down leaves no process behind', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-lock-'));
  let cluster: LocalCluster | undefined;
  try {
    const first = LocalCluster.start({ dir, log: quiet });
    const second = LocalCluster.start({ dir, log: quiet });
    await expect(second).rejects.toThrow(ClusterError);
    await expect(second).rejects.toThrow(/state dir .* is in use by 'cluster up' \(pid \d+, since .*\); wait for it to finish, or use another --dir/);
    cluster = await first;
    const recorded = cluster.state.components.map((c) => c.pid).sort();
    expect(processesOfDir(dir).map((p) => p.pid).sort()).toEqual(recorded);

    // A down while an up holds the dir is refused too.
    const lock = LocalCluster.withStateLock(dir, 'up', () => new Promise((r) => setTimeout(r, 500)));
    await expect(LocalCluster.withStateLock(dir, 'down', async () => undefined)).rejects.toThrow(/in use by 'cluster up'/);
    await lock;

    // A process of this dir that state.json does not know (as a racing start left before the
    // lock existed): down must stop it as well.
    const stray = { ...cluster.state, components: cluster.state.components.filter((c) => c.name !== 'kwok') };
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(stray));
    await LocalCluster.withStateLock(dir, 'down', () => LocalCluster.open(dir)!.stop({ log: quiet }));
    expect(processesOfDir(dir)).toEqual([]);
    cluster = undefined;
  } finally {
    await cluster?.stop({ log: quiet }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
