import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GitSource } from './git-source';

/** Options of a LocalGitSource. */
export interface LocalGitSourceOptions {
  /** A directory inside the local repository. */
  readonly root: string;
  /**
   * Revision to read (`main`, a tag, a SHA). Unset reads the working tree: tracked files plus
   * untracked ones that are not ignored, so uncommitted changes show in a preview.
   */
  readonly revision?: string;
  /**
   * Repository URLs this checkout stands for. Unset: every URL a git generator names is read from
   * this repository.
   */
  readonly repoURLs?: string[];
}

/** Reads git generators' repositories from a local checkout with the `git` CLI. */
export class LocalGitSource implements GitSource {
  private resolvedRoot?: string;
  private fileList?: string[];

  public constructor(private readonly options: LocalGitSourceOptions) {}

  /** The repository's top-level directory (found on first use, so sets without git generators need no repository). */
  public get root(): string {
    if (this.resolvedRoot === undefined) {
      try {
        this.resolvedRoot = this.git(['rev-parse', '--show-toplevel'], this.options.root).trim();
      } catch {
        throw new Error(`git generators read a local checkout, but ${this.options.root} is not inside a Git repository; run from a checkout (CLI: --repo-root)`);
      }
    }
    return this.resolvedRoot;
  }

  public listFiles(repoURL: string): string[] {
    this.checkRepo(repoURL);
    if (!this.fileList) {
      const out = this.options.revision
        ? this.git(['ls-tree', '-r', '-z', '--name-only', '--full-tree', this.options.revision])
        : this.git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--full-name']);
      const files = out.split('\0').filter(f => f.length > 0);
      // Deleted-but-tracked files are still listed by ls-files --cached; the working tree wins.
      this.fileList = this.options.revision ? files : files.filter(f => fs.existsSync(path.join(this.root, f)));
      this.fileList = [...new Set(this.fileList)].sort();
    }
    return this.fileList;
  }

  public readFile(repoURL: string, _revision: string, file: string): string {
    this.checkRepo(repoURL);
    if (this.options.revision) return this.git(['show', `${this.options.revision}:${file}`]);
    return fs.readFileSync(path.join(this.root, file), 'utf8');
  }

  private checkRepo(repoURL: string): void {
    const wanted = this.options.repoURLs;
    if (wanted && !wanted.some(u => sameRepo(u, repoURL))) {
      throw new Error(`git generator repository '${repoURL}' is not available offline: the local checkout at ${this.root} stands for ${wanted.map(u => `'${u}'`).join(', ')}; point the generator at that repository or pass a checkout of '${repoURL}'`);
    }
  }

  private git(args: string[], cwd?: string): string {
    cwd = cwd ?? this.root;
    try {
      return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e: any) {
      const stderr = e?.stderr ? String(e.stderr).trim() : String(e);
      throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr}`);
    }
  }
}

/** Repository URLs compare equal regardless of a trailing `.git` or `/` and of case. */
export function sameRepo(a: string, b: string): boolean {
  const norm = (u: string): string => u.trim().replace(/\/+$/, '').replace(/\.git$/, '').toLowerCase();
  return norm(a) === norm(b);
}
