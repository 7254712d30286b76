import * as path from 'path';
import { parse } from 'yaml';
import { flattenParams } from '../flatten';
import { markGoTyped } from '../go-typed';
import { isPlainObject } from '../go-value';
import { sanitizeName } from '../names';
import { doublestarMatch, gitPathspecMatch, goPathMatch } from '../path-glob';
import { Params } from '../template-engine';
import { ExpandContext, ParamSets } from './context';
import { appendValues } from './values';

/**
 * Git generator (directories or files) over a local repository. Parameter names follow Argo CD's
 * git.go: `path`, `path.basename`, `path.basenameNormalized`, `path[n]`, `path.filename`,
 * `path.filenameNormalized` (optionally under `pathParamPrefix`), file keys flattened with dots for
 * fasttemplate; `.path.path`, `.path.segments`, … for Go templates (Argo CD v3 repo_path_utils.go).
 */
export function gitParams(git: any, ctx: ExpandContext): ParamSets {
  if (!ctx.git) {
    throw new Error(`git generator for '${git.repoURL}' needs a repository to read; pass a git source (the CLI and synth previews read the local checkout)`);
  }
  const source = ctx.git;
  const files = source.listFiles(git.repoURL, git.revision);
  if ((git.directories ?? []).length > 0) {
    const all = directoriesOf(files);
    const requested = all.filter(dir => {
      let include = false;
      let exclude = false;
      for (const item of git.directories) {
        let match: boolean;
        try {
          match = goPathMatch(item.path, dir);
        } catch {
          continue; // Argo CD logs a malformed pattern and skips it
        }
        if (match && !item.exclude) include = true;
        if (match && item.exclude) exclude = true;
      }
      return include && !exclude;
    });
    const res = requested.map(dir => pathParams(dir, undefined, git.pathParamPrefix, ctx.engine.goTemplate));
    appendValues(git.values, res, ctx.engine);
    return res;
  }
  if ((git.files ?? []).length > 0) {
    const match = ctx.newGitFileGlobbing ? doublestarMatch : gitPathspecMatch;
    const includes = git.files.filter((f: any) => !f.exclude).map((f: any) => f.path as string);
    const excludes = git.files.filter((f: any) => f.exclude).map((f: any) => f.path as string);
    const selected = files
      .filter(f => includes.some((p: string) => match(p, f)) && !excludes.some((p: string) => match(p, f)))
      .sort();
    const res: ParamSets = [];
    for (const file of selected) {
      let objects: Array<{ [key: string]: unknown }>;
      try {
        objects = parseParamsFile(source.readFile(git.repoURL, git.revision, file));
      } catch (e) {
        throw new Error(`unable to process file '${file}': ${e instanceof Error ? e.message : String(e)}`);
      }
      for (const object of objects) {
        const params: Params = ctx.engine.goTemplate ? { ...object } : flattenParams(object);
        Object.assign(params, pathParams(path.posix.dirname(file), file, git.pathParamPrefix, ctx.engine.goTemplate));
        res.push(params);
      }
    }
    appendValues(git.values, res, ctx.engine);
    return res;
  }
  throw new Error('git generator needs directories or files');
}

/** Every directory that holds a file, except hidden ones (Argo CD skips `.`-directories). */
function directoriesOf(files: string[]): string[] {
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      if (parts[i - 1].startsWith('.')) break;
      dirs.add(parts.slice(0, i).join('/'));
    }
  }
  return [...dirs].sort();
}

/**
 * A JSON/YAML file is one parameter object or a list of them. Argo CD v3 tries a single object
 * first, so an empty file is one empty object (one Application with only path parameters).
 */
function parseParamsFile(content: string): Array<{ [key: string]: unknown }> {
  // sigs.k8s.io/yaml reads YAML 1.1 (yes/no are booleans).
  const value = parse(content, { version: '1.1' });
  if (value === null || value === undefined) return [{}];
  if (isPlainObject(value)) return [value];
  if (Array.isArray(value)) {
    if (!value.every(isPlainObject)) throw new Error('unable to parse file: a list must contain only objects');
    return value;
  }
  throw new Error('unable to parse file: expected an object or a list of objects');
}

function pathParams(dir: string, file: string | undefined, prefix: string | undefined, goTemplate: boolean): Params {
  const basename = path.posix.basename(dir) || dir;
  if (goTemplate) {
    const p: Params = { path: dir, basename, basenameNormalized: sanitizeName(basename), segments: markGoTyped(dir.split('/')) };
    if (file !== undefined) {
      const filename = path.posix.basename(file);
      Object.assign(p, { filename, filenameNormalized: sanitizeName(filename) });
    }
    return prefix ? { [prefix]: { path: p } } : { path: p };
  }
  const name = prefix ? `${prefix}.path` : 'path';
  const params: Params = {
    [name]: dir,
    [`${name}.basename`]: basename,
    [`${name}.basenameNormalized`]: sanitizeName(basename),
  };
  if (file !== undefined) {
    const filename = path.posix.basename(file);
    params[`${name}.filename`] = filename;
    params[`${name}.filenameNormalized`] = sanitizeName(filename);
  }
  dir.split('/').forEach((segment, i) => {
    if (segment.length > 0) params[`${name}[${i}]`] = segment;
  });
  return params;
}
