import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { runInProcess } from './run-in-process';
import { buildProgram } from '../../src/cli/main';

describe('exit codes without a cluster', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-exit-'));
  afterAll(() => fs.rmSync(empty, { recursive: true, force: true }));

  test('--help and --version exit 0', async () => {
    expect((await runInProcess('--help')).code).toBe(0);
    expect((await runInProcess('diff', '--help')).code).toBe(0);
    const version = await runInProcess('--version');
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  test('an unknown flag of diff exits 2, not 1 ("changes")', async () => {
    const res = await runInProcess('diff', '--bogus');
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("error: unknown option '--bogus' (see: cdk8s-argocd diff --help)\n");
  });

  test('a command group without its subcommand is a usage error', async () => {
    expect((await runInProcess('cluster')).code).toBe(2);
    expect((await runInProcess()).code).toBe(2);
  });

  test('buildProgram throws usage errors instead of exiting the process', async () => {
    const program = buildProgram().configureOutput({ writeErr: () => undefined });
    await expect(program.parseAsync(['node', 'cdk8s-argocd', 'sync', '--concurrency', '0'])).rejects.toMatchObject({
      code: 'commander.invalidArgument',
    });
  });

  test('cluster status exits 1 when no cluster runs, in every output format', async () => {
    const dir = path.join(empty, 'none');
    const text = await runInProcess('cluster', 'status', '--dir', dir);
    expect(text).toMatchObject({ code: 1, stdout: `no cluster in ${dir} (start one with: cdk8s-argocd cluster up)\n` });
    const json = await runInProcess('cluster', 'status', '--dir', dir, '-o', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ dir, exists: false, running: false, components: [] });
    const yaml = await runInProcess('cluster', 'status', '--dir', dir, '-o', 'yaml');
    expect(parse(yaml.stdout)).toEqual({ dir, exists: false, running: false, components: [] });
    const alias = await runInProcess('cluster', 'status', '--dir', dir, '--json');
    expect(alias.stdout).toBe(json.stdout);
    expect((await runInProcess('cluster', 'status', '--help')).stdout).not.toContain('--json');
  });
});
