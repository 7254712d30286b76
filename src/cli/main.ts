#!/usr/bin/env node
import { Command } from 'commander';
import { registerAppsetCommand } from './appset-command';
import { registerClusterCommand } from './cluster-command';
import { registerEngineCommands } from './engine-commands';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json');

export function buildProgram(): Command {
  const program = new Command('cdk8s-argocd')
    .description('Argo CD GitOps for cdk8s: sync, diff and inspect the committed manifests directory against a cluster')
    .version(version, '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)');
  registerClusterCommand(program);
  registerEngineCommands(program);
  registerAppsetCommand(program);
  return program;
}

if (require.main === module) {
  buildProgram().parseAsync(process.argv).catch((err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  });
}
