/** Runs the CLI in this jest process, capturing stdout, stderr and the exit code. Not a test file. */
import { run } from '../../src/cli/main';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runInProcess(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((c: any) => (stdout += String(c), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((c: any) => (stderr += String(c), true));
  let code: number;
  try {
    code = await run(['node', 'cdk8s-argocd', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}
