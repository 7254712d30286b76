import * as path from 'path';
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { renderCommittedDirectory } from './committed-directory-render';
import { GITOPS_APP_SYMBOL } from './gitops-app-scope';
import { dns1123SubdomainError, throwIfErrors } from './validation';
import { ARGOCD_NAMESPACE } from '../argo/destination';
import { pathInGitRepo } from '../git/git-root';
import { CDK8S_OUTDIR_ENV, writeCdk8sCliOutput } from '../synth/cdk8s-cli-output';
import { checkCommittedDirectory, SynthCheckResult } from '../synth/check';
import { writeCommittedDirectory } from '../synth/write';


/** Options of a GitOpsApp. */
export interface GitOpsAppProps {
  /** URL of the Git repository Argo CD reads the committed directory from. */
  readonly repoURL: string;
  /**
   * Git revision Argo CD syncs.
   * @default 'HEAD'
   */
  readonly targetRevision?: string;
  /**
   * The committed directory the manifests are written to (relative to the working directory).
   * `CDK8S_OUTDIR` (set by `cdk8s synth`) does not move it: under the cdk8s CLI the manifests also
   * go, as one stream, to `<CDK8S_OUTDIR>/<outdir name>.k8s.yaml` (what `cdk8s synth --stdout` prints).
   * @default 'manifests'
   */
  readonly outdir?: string;
  /**
   * Path of `outdir` inside the Git repository, used for every `source.path`.
   * @default - found by looking for the Git root above `outdir`
   */
  readonly outdirPathInRepo?: string;
  /**
   * Namespace Argo CD runs in; Application and AppProject objects are created there.
   * @default 'argocd'
   */
  readonly argocdNamespace?: string;
}

/**
 * A cdk8s App that synthesizes into a committed directory for Argo CD: one folder per
 * Application, stable human file names, byte-identical output on re-runs, stale files removed.
 */
export class GitOpsApp extends App {
  /** Whether `x` is a GitOpsApp. */
  public static isGitOpsApp(x: any): x is GitOpsApp {
    return x !== null && typeof x === 'object' && GITOPS_APP_SYMBOL in x;
  }

  /** The GitOpsApp that contains `construct`, if any. */
  public static tryOf(construct: IConstruct): GitOpsApp | undefined {
    const root = construct.node.root;
    return GitOpsApp.isGitOpsApp(root) ? root : undefined;
  }

  /** Git repository URL. */
  public readonly repoURL: string;
  /** Git revision. */
  public readonly targetRevision: string;
  /** Namespace Argo CD runs in. */
  public readonly argocdNamespace: string;
  private readonly explicitPathInRepo?: string;
  private resolvedPathInRepo?: string;

  public constructor(props: GitOpsAppProps) {
    super({ outdir: props.outdir ?? 'manifests' });
    Object.defineProperty(this, GITOPS_APP_SYMBOL, { value: true });
    throwIfErrors('GitOpsApp', [
      props.repoURL ? undefined : 'repoURL must not be empty',
      dns1123SubdomainError('argocdNamespace', props.argocdNamespace ?? ARGOCD_NAMESPACE),
      props.outdirPathInRepo !== undefined && path.posix.isAbsolute(props.outdirPathInRepo)
        ? `outdirPathInRepo '${props.outdirPathInRepo}' must be relative to the repository root` : undefined,
    ]);
    this.repoURL = props.repoURL;
    this.targetRevision = props.targetRevision ?? 'HEAD';
    this.argocdNamespace = props.argocdNamespace ?? ARGOCD_NAMESPACE;
    this.explicitPathInRepo = props.outdirPathInRepo;
  }

  /** Path of the output directory inside the Git repository (POSIX separators). */
  public get outdirPathInRepo(): string {
    if (this.resolvedPathInRepo === undefined) {
      this.resolvedPathInRepo = this.explicitPathInRepo !== undefined
        ? path.posix.normalize(this.explicitPathInRepo).replace(/\/$/, '')
        : pathInGitRepo(path.resolve(this.outdir));
    }
    return this.resolvedPathInRepo;
  }

  /**
   * Synthesizes into the committed directory, removing files it wrote before and no longer
   * writes. With `--check` on the command line (or `CDK8S_ARGOCD_CHECK=1`) it only compares, prints
   * a diff and sets a non-zero exit code when the directory is stale. Run by `cdk8s synth`
   * (`CDK8S_OUTDIR` set), it also writes all manifests as one YAML stream into `CDK8S_OUTDIR`.
   */
  public synth(): void {
    const shown = path.relative(process.cwd(), path.resolve(this.outdir)) || '.';
    if (process.argv.includes('--check') || process.env.CDK8S_ARGOCD_CHECK === '1') {
      const result = this.check();
      if (result.upToDate) {
        console.log(`${shown}: up to date`);
      } else {
        console.error(result.diff);
        console.error(`${shown} is stale: ${result.changedFiles.length} file(s) differ from what the code synthesizes. Run synth and commit the result.`);
        process.exitCode = 1;
      }
      return;
    }
    const files = this.synthFiles();
    // First: it refuses a CDK8S_OUTDIR inside the committed directory before anything is written there.
    const cdk8sOutdir = process.env[CDK8S_OUTDIR_ENV];
    if (cdk8sOutdir) writeCdk8sCliOutput(cdk8sOutdir, this.outdir, files);
    const summary = writeCommittedDirectory(this.outdir, files);
    if (process.env.CDK8S_ARGOCD_QUIET !== '1') {
      console.log(`${shown}: ${summary.written} file(s) written, ${summary.unchanged} unchanged, ${summary.removed} stale file(s) removed`);
    }
  }

  /**
   * Synthesizes in memory: `{ relativePath: yamlText }`, for snapshot tests.
   * Nothing is written to disk.
   */
  public synthFiles(): { [relativePath: string]: string } {
    return renderCommittedDirectory(this, () => this.outdirPathInRepo);
  }

  /** Compares the committed directory with what the code synthesizes now. */
  public check(): SynthCheckResult {
    return checkCommittedDirectory(this.outdir, this.synthFiles());
  }
}
