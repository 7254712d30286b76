import * as path from 'path';
import { acquireFileLock } from './file-lock';
import { LOCK_FILE } from './synth-owned-files';

/** Environment variable: seconds to wait for another synth before giving up (default 120). */
export const LOCK_TIMEOUT_ENV = 'CDK8S_ARGOCD_SYNTH_LOCK_TIMEOUT';
const DEFAULT_TIMEOUT_SECONDS = 120;

/**
 * Takes the synth lock of `outdir` (which must exist), waiting while another live synth holds it
 * and taking over a lock whose holder died. Returns the function that releases it.
 */
export function acquireOutdirLock(outdir: string, shownOutdir: string, log: (line: string) => void): () => void {
  const shownLock = path.join(shownOutdir, LOCK_FILE);
  const timeoutSeconds = Number(process.env[LOCK_TIMEOUT_ENV] ?? DEFAULT_TIMEOUT_SECONDS);
  return acquireFileLock(path.join(outdir, LOCK_FILE), timeoutSeconds, {
    waiting: who => `${shownOutdir}: waiting for another synth (${who}) to finish writing it`,
    staleRemoved: holder => `${shownOutdir}: removing the lock of a synth that is no longer running${holder ? ` (pid ${holder.pid})` : ''}`,
    timedOut: (who, seconds) => `another synth (${who}) has held ${shownLock} for more than ${seconds} s: wait for it to finish, or, if no synth is running, delete ${shownLock} and run synth again`,
  }, log);
}
