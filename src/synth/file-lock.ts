import * as fs from 'fs';
import * as os from 'os';
import { pidAlive } from '../cluster/pid-alive';

/** Who holds a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
}

/** What a waiting process says, in the words of its command. */
export interface FileLockMessages {
  /** Printed once per holder while waiting; `who` is e.g. `pid 42` or `pid 42 on ci-3`. */
  readonly waiting: (who: string) => string;
  /** Printed when a lock whose process died is taken over. */
  readonly staleRemoved: (holder: LockHolder | undefined) => string;
  /** The error after `timeoutSeconds`. */
  readonly timedOut: (who: string, timeoutSeconds: number) => string;
}

const POLL_MS = 100;
// A lock file without a readable holder is being created right now, or was left by a crash
// between create and write; after this long it is the latter.
const UNREADABLE_LOCK_GRACE_MS = 5000;

/**
 * Takes the exclusive lock file `lockPath` (its folder must exist): created with O_EXCL, holding
 * the pid and host. Waits while another live process holds it, takes over a lock whose holder
 * died, and throws `timedOut` after `timeoutSeconds`. Returns the function that releases it.
 */
export function acquireFileLock(lockPath: string, timeoutSeconds: number, messages: FileLockMessages, log: (line: string) => void): () => void {
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname() });
  const deadline = Date.now() + timeoutSeconds * 1000;
  let announced: number | undefined;
  for (;;) {
    if (tryCreate(lockPath, mine)) {
      return () => {
        if (readText(lockPath) === mine) fs.rmSync(lockPath, { force: true });
      };
    }
    const text = readText(lockPath);
    if (text === undefined) continue; // released between our create and our read
    const holder = parseHolder(text);
    const stale = holder
      ? holder.host === os.hostname() && holder.pid !== process.pid && !pidAlive(holder.pid)
      : ageMs(lockPath) > UNREADABLE_LOCK_GRACE_MS;
    if (stale) {
      log(messages.staleRemoved(holder));
      removeIfStill(lockPath, text);
      continue;
    }
    const who = holder ? `pid ${holder.pid}${holder.host === os.hostname() ? '' : ` on ${holder.host}`}` : 'unknown pid';
    if (Date.now() > deadline) throw new Error(messages.timedOut(who, timeoutSeconds));
    if (announced !== holder?.pid) {
      log(messages.waiting(who));
      announced = holder?.pid;
    }
    sleep(POLL_MS);
  }
}

function tryCreate(lockPath: string, content: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx');
  } catch (e: any) {
    if (e.code === 'EEXIST') return false;
    throw e;
  }
  try {
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/**
 * Removes the lock only if it still holds `expected`: it is moved aside first, and if another
 * process replaced it meanwhile, the replacement is put back.
 */
function removeIfStill(lockPath: string, expected: string): void {
  const aside = `${lockPath}.stale-${process.pid}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (e: any) {
    if (e.code === 'ENOENT') return;
    throw e;
  }
  if (readText(aside) !== expected) {
    try {
      fs.linkSync(aside, lockPath);
    } catch {
      // someone created a new lock after ours was moved: theirs stands
    }
  }
  fs.rmSync(aside, { force: true });
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text);
    return Number.isInteger(value?.pid) && typeof value?.host === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function sleep(ms: number): void {
  // Callers are synchronous (cdk8s App.synth), so wait without an event loop.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
