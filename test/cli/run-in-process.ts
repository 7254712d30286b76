/** Runs the CLI in this jest process, capturing stdout, stderr and the exit code. Not a test file. */
import { run } from '../../src/cli/main';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `main` (anything that returns an exit code) with stdout and stderr captured. */
export async function captureOutput(main: () => Promise<number>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((c: any) => (stdout += String(c), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((c: any) => (stderr += String(c), true));
  let code: number;
  try {
    code = await main();
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

export async function runInProcess(...args: string[]): Promise<CliResult> {
  return captureOutput(() => run(['node', 'cdk8s-argocd', ...args]));
}
