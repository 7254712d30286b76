import { IConstruct } from 'constructs';

/** Marks a GitOpsApp (a symbol rather than `instanceof`, so two copies of the library agree). */
export const GITOPS_APP_SYMBOL = Symbol.for('cdk8s-argocd.GitOpsApp');

/** What constructs read from the GitOpsApp they are declared in. */
export interface GitOpsAppScope {
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly argocdNamespace: string;
  readonly outdir: string;
  readonly outdirPathInRepo: string;
}

/**
 * The GitOpsApp at the root of `construct`'s tree, if any. Constructs use this instead of
 * importing GitOpsApp, which imports them back to render the committed directory.
 */
export function gitOpsAppOf(construct: IConstruct): GitOpsAppScope | undefined {
  const root = construct.node.root as unknown as Partial<Record<symbol, unknown>>;
  return root !== null && typeof root === 'object' && GITOPS_APP_SYMBOL in root ? root as unknown as GitOpsAppScope : undefined;
}
