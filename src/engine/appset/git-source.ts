/**
 * The only I/O of the expander: reading a Git repository. The expander asks for file lists and
 * contents and applies Argo CD's matching rules itself, so any source (a checkout, a revision, a
 * test fixture) behaves the same.
 */

/** Read access to the repositories git generators name. */
export interface GitSource {
  /** Every file path in the repository (POSIX, relative to its root). */
  listFiles(repoURL: string, revision: string): string[];
  /** The content of one file. */
  readFile(repoURL: string, revision: string, path: string): string;
}

/** An in-memory repository, for tests and for callers that already hold the files. */
export class InMemoryGitSource implements GitSource {
  public constructor(private readonly files: { [path: string]: string }) {}

  public listFiles(): string[] {
    return Object.keys(this.files).sort();
  }

  public readFile(_repoURL: string, _revision: string, path: string): string {
    const content = this.files[path];
    if (content === undefined) throw new Error(`no file ${path}`);
    return content;
  }
}
