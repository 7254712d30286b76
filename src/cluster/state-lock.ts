/**
 * An exclusive lock on a cluster state directory (`<dir>/.lock`), so two `cluster up` (or an
 * `up` and a `down`) on one directory never run at once: the second would overwrite
 * state.json and orphan the first one's processes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClusterError } from './build';
import { pidAlive } from './pid-alive';

export const STATE_LOCK_FILE = '.lock';

interface LockOwner {
  readonly pid: number;
  readonly purpose: string;
  readonly since: string;
}

export interface StateDirLock {
  release(): void;
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return undefined; // being written, or gone
  }
}

/**
 * Takes the lock or throws a ClusterError naming the holder. A lock whose process is gone
 * (killed while starting) is stale and taken over.
 */
export function lockStateDir(dir: string, purpose: string): StateDirLock {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, STATE_LOCK_FILE);
  const me: LockOwner = { pid: process.pid, purpose, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      // 'wx' = O_CREAT|O_EXCL: exactly one creator wins, across processes.
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ClusterError(`cannot lock the cluster state dir ${dir}: ${(e as Error).message}`);
      }
      const owner = readOwner(file);
      if (owner && pidAlive(owner.pid)) {
        throw new ClusterError(
          `the cluster state dir ${dir} is in use by 'cluster ${owner.purpose}' (pid ${owner.pid}, since ${owner.since}); ` +
          'wait for it to finish, or use another --dir',
        );
      }
      // Unreadable and fresh: another process is writing it right now.
      const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (!owner && age < 2000) {
        throw new ClusterError(`the cluster state dir ${dir} is being locked by another cluster command; wait for it to finish, or use another --dir`);
      }
      if (attempt >= 3) {
        throw new ClusterError(`cannot lock the cluster state dir ${dir}: ${file} keeps reappearing; remove it if no cluster command is running`);
      }
      // Stale: its process died (killed while starting). Take it over.
      fs.rmSync(file, { force: true });
    }
  }
  return {
    release() {
      if (readOwner(file)?.pid === process.pid) {
        fs.rmSync(file, { force: true });
      }
    },
  };
}
