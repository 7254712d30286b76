import { IN_CLUSTER_NAME, IN_CLUSTER_SERVER } from '../../../argo/destination';
import { GitSource } from '../git-source';
import { Params, TemplateEngine } from '../template-engine';

/** A cluster Argo CD knows, as the clusters generator sees it. */
export interface ClusterInfo {
  /** Cluster name (`name` parameter). */
  readonly name: string;
  /** API server URL (`server` parameter). */
  readonly server: string;
  /** The cluster secret's `project` field. */
  readonly project?: string;
  /** Labels of the cluster secret (`argocd.argoproj.io/secret-type: cluster` is implied). */
  readonly labels?: { [key: string]: string };
  /** Annotations of the cluster secret. */
  readonly annotations?: { [key: string]: string };
  /**
   * The local cluster without a cluster secret (Argo CD's default `in-cluster`): it has no labels,
   * is skipped by any non-empty selector, and its `nameNormalized` is its raw name.
   */
  readonly local?: boolean;
}

/** Argo CD's default local cluster, used when no cluster list is given. */
export const IN_CLUSTER: ClusterInfo = { name: IN_CLUSTER_NAME, server: IN_CLUSTER_SERVER, local: true };

/** What every generator needs while one ApplicationSet is expanded. */
export interface ExpandContext {
  readonly engine: TemplateEngine;
  readonly git?: GitSource;
  readonly clusters: readonly ClusterInfo[];
  /** Argo CD's `applicationsetcontroller.enable.new.git.file.globbing`. */
  readonly newGitFileGlobbing?: boolean;
}

export type ParamSets = Params[];

/**
 * Expands one child of a matrix or merge generator. Passed in by the generator dispatcher so the
 * combining generators need not import it back (they are themselves dispatched by it).
 */
export type ChildParams = (child: any, ctx: ExpandContext, outerParams: Params, where: string) => ParamSets;

/** Prefixes an error message with where in the spec it happened. */
export function at(where: string, e: unknown): Error {
  const message = e instanceof Error ? e.message : String(e);
  // A nested generator already named its (longer) path; do not prefix it twice.
  const err = new Error(message.startsWith('spec.') ? message : `${where}: ${message}`);
  if (e instanceof Error) err.name = e.name;
  return err;
}
