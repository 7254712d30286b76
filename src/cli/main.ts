#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAppCommands } from './app-commands';
import { registerAppsetCommand } from './appset-command';
import { registerArgoCdCommand } from './argocd-command';
import { registerClusterCommand } from './cluster-command';
import { registerCrdsCommand } from './crds-command';
import { registerDeleteCommand } from './delete-command';
import { EXIT_USAGE, registerEngineCommands } from './engine-commands';
import { registerInitCommand } from './init-command';
import { registerRehearseCommand } from './rehearse-command';
import { registerSetImageCommand } from './set-image-command';
import { registerWatchCommand } from './watch-command';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../package.json');

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Usage errors (unknown flag or command, bad flag value, bad `-o`) as one line that says what to
 * do, and thrown rather than exiting with commander's code 1, which for `diff` means "changes".
 */
function reportUsageErrorsOnOneLine(program: Command): void {
  // Commander shares one output configuration between a command and its subcommands, so the
  // command being parsed is tracked as commander dispatches to it.
  let parsing = program;
  const track = (cmd: Command): void => {
    cmd.hook('preSubcommand', (_, sub) => {
      parsing = sub;
    });
    cmd.commands.forEach(track);
  };
  track(program);
  program.exitOverride().configureOutput({
    outputError: (message, write) => write(`${message.trim().replace(/\s*\n\s*/g, ' ')} (see: ${commandPath(parsing)} --help)\n`),
  });
  const inherit = (cmd: Command): void => {
    // A second path would otherwise be ignored silently.
    cmd.exitOverride().allowExcessArguments(false);
    cmd.commands.forEach(inherit);
  };
  inherit(program);
}

/** The whole CLI; a usage error makes `parseAsync` throw a CommanderError (see `run`). */
export function buildProgram(): Command {
  const program = new Command('cdk8s-argocd')
    .description('Argo CD GitOps for cdk8s: sync, diff and inspect the committed manifests directory against a cluster. ' +
      'Exit codes: 0 success or no changes, 1 sync failed or diff has changes, 2 usage or input error')
    .version(version, '-v, --version', 'print the version');
  registerInitCommand(program);
  registerClusterCommand(program);
  registerArgoCdCommand(program);
  registerEngineCommands(program);
  registerWatchCommand(program);
  registerAppCommands(program);
  registerAppsetCommand(program);
  registerCrdsCommand(program);
  registerDeleteCommand(program);
  registerSetImageCommand(program);
  registerRehearseCommand(program);
  reportUsageErrorsOnOneLine(program);
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and returns its exit code (also set as process.exitCode). */
export async function run(argv: readonly string[]): Promise<number> {
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end parsing with exit code 0; everything else is a usage error.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT_USAGE;
    }
  }
  return Number(process.exitCode ?? 0);
}

if (require.main === module) {
  void run(process.argv);
}
