import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lockStateDir, STATE_LOCK_FILE } from '../../src/cluster/state-lock';

describe('cluster state dir lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a second lock while the first is held fails, naming the holder; after release it succeeds', () => {
    const first = lockStateDir(dir, 'up');
    expect(() => lockStateDir(dir, 'up')).toThrow(new RegExp(`state dir ${dir} is in use by 'cluster up' \\(pid ${process.pid}, since .*\\); wait for it to finish, or use another --dir`));
    first.release();
    expect(fs.existsSync(path.join(dir, STATE_LOCK_FILE))).toBe(false);
    lockStateDir(dir, 'down').release();
  });

  test('a lock left by a dead process is taken over', () => {
    // pid 2^22+1 is above Linux's pid_max default, so it is never alive
    fs.writeFileSync(path.join(dir, STATE_LOCK_FILE), JSON.stringify({ pid: 4194305, purpose: 'up', since: '2026-01-01T00:00:00Z' }));
    const lock = lockStateDir(dir, 'up');
    expect(JSON.parse(fs.readFileSync(path.join(dir, STATE_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  test('release never removes a lock that someone else took meanwhile', () => {
    const lock = lockStateDir(dir, 'up');
    fs.writeFileSync(path.join(dir, STATE_LOCK_FILE), JSON.stringify({ pid: 1, purpose: 'down', since: 'now' }));
    lock.release();
    expect(fs.existsSync(path.join(dir, STATE_LOCK_FILE))).toBe(true);
  });
});
