/**
 * `cdk8s-argocd set-image NAME=IMAGE:TAG …`: pins images in the images file and re-synthesizes the
 * committed directory in one step (see src/images/set-image.ts).
 */
import { Command } from 'commander';
import { EXIT_FAILED_OR_CHANGED, EXIT_OK, EXIT_USAGE } from './engine-commands';
import { integerOption } from './integer-option';
import { SET_IMAGE_LOCK_TIMEOUT_SECONDS, setImages, SetImageUsageError } from '../images/set-image';

interface SetImageCommandOptions {
  file?: string;
  add: boolean;
  synth: string | boolean;
  lockTimeout: number;
}

export function registerSetImageCommand(program: Command): void {
  program.command('set-image')
    .description('pin images in the images file (images.yaml/images.yml/images.json) and re-synthesize, under a lock so concurrent CI runs each keep their change; ' +
      'the synth is `app` of cdk8s.yaml, else `npm run synth`; if it fails the file is put back. Exit 0 done, 1 synth failed (file put back) or the lock wait timed out, 2 usage or input error')
    .argument('<NAME=IMAGE:TAG...>', 'image name and pinned reference (tag or digest), e.g. hello-api=ghcr.io/acme/hello-api:1.4.2')
    .option('-f, --file <file>', 'the images file (default: images.yaml, images.yml or images.json in the current directory)')
    .option('--add', 'allow names the file does not have yet', false)
    .option('--synth <command>', 'shell command that re-synthesizes (default: cdk8s.yaml `app`, else `npm run synth`)')
    .option('--no-synth', 'only update the file')
    .option('--lock-timeout <seconds>', 'give up waiting for another set-image after this long', integerOption({ min: 1, unit: 'seconds' }), SET_IMAGE_LOCK_TIMEOUT_SECONDS)
    .action((assignments: string[], opts: SetImageCommandOptions) => {
      try {
        const result = setImages({
          assignments,
          cwd: process.cwd(),
          file: opts.file,
          add: opts.add,
          synth: opts.synth === false ? false : typeof opts.synth === 'string' ? opts.synth : undefined,
          lockTimeoutSeconds: opts.lockTimeout,
          log: line => process.stderr.write(`${line}\n`),
        });
        process.exitCode = result.synthExitCode === 0 ? EXIT_OK : EXIT_FAILED_OR_CHANGED;
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exitCode = e instanceof SetImageUsageError ? EXIT_USAGE : EXIT_FAILED_OR_CHANGED;
      }
    });
}
