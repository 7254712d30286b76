import * as fs from 'fs';
import * as path from 'path';
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { registerAppsetSyncCommand } from './appset-sync-command';
import { findApplicationSets, FoundArgoObject } from './argo-objects';
import { checkGeneratedSources, ClusterInfo, expandApplicationSet, LocalGitSource } from '../engine/appset';
import { withoutAutomatedSync } from '../engine/appset-controller/application-changes';
import { rollingSyncSteps } from '../engine/appset-controller/rolling-sync';
import { generatorClusters, readClustersFile } from '../engine/clusters-file';

interface ExpandCommandOptions {
  clusters?: string;
  revision?: string;
  repoRoot?: string;
  repoUrl: string[];
  newGitFileGlobbing: boolean;
  output: 'yaml' | 'json' | 'names';
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `cdk8s-argocd appset expand <file-or-dir>`: the Applications each ApplicationSet generates. */
export function registerAppsetCommand(program: Command): void {
  const appset = program.command('appset').description('work with ApplicationSets offline');
  appset.command('expand')
    .description('print the Applications each ApplicationSet generates, expanded offline with Argo CD\'s rules (list, clusters, git, matrix, merge); '
      + 'source paths and Helm value files missing from the local repository are reported as a sync would (exit 1)')
    .argument('<file-or-dir>', 'an ApplicationSet manifest, or a directory searched for them (e.g. manifests)')
    .option('--clusters <file>', 'clusters Argo CD knows, for clusters generators: a top-level `clusters:` list of {name, server, project, labels, annotations} (the engine\'s clusters file works; kubeconfig is ignored). Argo CD\'s local in-cluster is always added unless listed')
    .option('--revision <git-rev>', 'read git generators\' files at this revision instead of the working tree')
    .option('--repo-root <dir>', 'local checkout that git generators read (default: the Git repository containing <file-or-dir>)')
    .option('--repo-url <url>', 'only git generators for this repository URL read the local checkout; others fail (repeatable; default: every URL)', collect, [])
    .option('--new-git-file-globbing', 'git files patterns use doublestar globs, as with Argo CD\'s applicationsetcontroller.enable.new.git.file.globbing', false)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json', 'names']).default('yaml'))
    .action((target: string, opts: ExpandCommandOptions) => {
      process.exitCode = runExpand(target, opts);
    });
  registerAppsetSyncCommand(appset);
}

function runExpand(target: string, opts: ExpandCommandOptions): number {
  let sets: FoundArgoObject[];
  let clusters: ClusterInfo[] | undefined;
  try {
    sets = findApplicationSets(target);
    clusters = opts.clusters ? readClusters(opts.clusters) : undefined;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  if (sets.length === 0) {
    process.stderr.write(`error: no ApplicationSet found in ${target}\n`);
    return 2;
  }
  const git = new LocalGitSource({
    root: opts.repoRoot ?? (fs.statSync(target).isDirectory() ? target : path.dirname(target)),
    revision: opts.revision,
    repoURLs: opts.repoUrl.length > 0 ? opts.repoUrl : undefined,
  });
  let failed = false;
  const json: any[] = [];
  const yamlDocs: string[] = [];
  for (const set of sets) {
    const id = `${set.object.metadata?.namespace ?? ''}/${set.object.metadata?.name ?? '<unnamed>'}`.replace(/^\//, '');
    try {
      const generated = expandApplicationSet(set.object, { git, clusters, newGitFileGlobbing: opts.newGitFileGlobbing });
      // The Applications as the controller writes them: a RollingSync set turns their automated sync off.
      const expanded = rollingSyncSteps(set.object) ? { ...generated, applications: generated.applications.map(withoutAutomatedSync) } : generated;
      // What a sync of each generated Application would refuse: missing source paths and value files.
      const result = { ...expanded, errors: [...expanded.errors, ...checkGeneratedSources(set.object.metadata?.name ?? '<unnamed>', expanded.applications, git)] };
      for (const error of result.errors) process.stderr.write(`${set.file}: ${error}\n`);
      if (result.errors.length > 0) failed = true;
      if (opts.output === 'names') {
        for (const app of result.applications) process.stdout.write(`${id}\t${app.metadata.name}\n`);
      } else if (opts.output === 'json') {
        json.push({ applicationSet: id, file: set.file, applications: result.applications, errors: result.errors });
      } else {
        const header = `# ApplicationSet ${id} (${set.file}): ${result.applications.length} Application(s)\n`;
        const docs = result.applications.map(a => stringify(a, { lineWidth: 0 }));
        yamlDocs.push(header + (docs.length > 0 ? docs.join('---\n') : '# (none)\n'));
      }
    } catch (e) {
      failed = true;
      process.stderr.write(`${set.file}: ${(e as Error).message}\n`);
      if (opts.output === 'json') json.push({ applicationSet: id, file: set.file, applications: [], errors: [(e as Error).message] });
    }
  }
  if (opts.output === 'json') process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  if (opts.output === 'yaml' && yamlDocs.length > 0) process.stdout.write(yamlDocs.join('---\n'));
  return failed ? 1 : 0;
}

/** The clusters file (the engine's, see src/engine/clusters-file.ts), plus Argo CD's local cluster. */
export function readClusters(file: string): ClusterInfo[] {
  return generatorClusters(readClustersFile(file));
}
