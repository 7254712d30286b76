import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RefreshSchedule } from '../../../src/engine/watch/refresh-schedule';
import { readHeadCommit } from '../../../src/engine/watch/watcher';

describe('refresh scheduling', () => {
  test('a full refresh when asked, then periodically every interval after the last one', () => {
    const s = new RefreshSchedule(180_000, 0);
    s.requestFull('start');
    expect(s.nextDueMs()).toBe(0);
    expect(s.take(10).full).toBe('start');
    expect(s.nextDueMs()).toBe(180_010);
    expect(s.take(100_000).full).toBeUndefined();
    expect(s.take(180_010).full).toBe('periodic refresh (every 180s)');
    expect(s.nextDueMs()).toBe(360_010);
  });

  test('live changes of one Application are one refresh after the debounce; a full refresh takes them', () => {
    const s = new RefreshSchedule(180_000, 0, 100);
    s.liveChange('argocd/web', 'live change: Deployment web changed', 1000);
    s.liveChange('argocd/web', 'live change: Service web changed', 1050);
    expect(s.nextDueMs()).toBe(1100);
    expect(s.take(1099).apps.size).toBe(0);
    expect([...s.take(1100).apps]).toEqual([['argocd/web', 'live change: Deployment web changed']]);
    s.liveChange('argocd/db', 'live change', 2000);
    s.requestFull('new commit abc1234');
    const due = s.take(2000);
    expect(due.full).toBe('new commit abc1234');
    expect(s.take(2200).apps.size).toBe(0);
  });

  test('a self-heal backoff retry waits for its time, even across a full refresh', () => {
    const s = new RefreshSchedule(180_000, 0, 100);
    s.requestApp('argocd/web', 'self-heal backoff ended', 6000);
    s.requestFull('new commit');
    expect(s.take(1000).full).toBe('new commit');
    expect(s.nextDueMs()).toBe(6000);
    expect([...s.take(6000).apps.keys()]).toEqual(['argocd/web']);
  });
});

describe('HEAD from the ref files', () => {
  test('a loose ref, a packed ref and a detached HEAD', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'head-'));
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    fs.mkdirSync(path.join(dir, 'refs', 'heads'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(dir, 'packed-refs'), `# pack-refs with: peeled\n${b} refs/heads/main\n`);
    expect(readHeadCommit(dir)).toBe(b);
    fs.writeFileSync(path.join(dir, 'refs', 'heads', 'main'), `${a}\n`);
    expect(readHeadCommit(dir)).toBe(a);
    fs.writeFileSync(path.join(dir, 'HEAD'), `${b}\n`);
    expect(readHeadCommit(dir)).toBe(b);
    expect(readHeadCommit(path.join(dir, 'missing'))).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
