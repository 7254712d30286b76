/**
 * The parts of an Argo CD Application the engine reads (argoproj.io/v1alpha1), as plain JSON.
 * Field names are Argo CD's, so the CRD reference applies.
 */
export interface IgnoreDifferencesEntry {
  readonly group?: string;
  readonly kind: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly jsonPointers?: string[];
  readonly jqPathExpressions?: string[];
  readonly managedFieldsManagers?: string[];
}

export interface ApplicationSourceSpec {
  readonly repoURL?: string;
  readonly path?: string;
  readonly targetRevision?: string;
  readonly chart?: string;
  readonly ref?: string;
  readonly directory?: { recurse?: boolean; include?: string; exclude?: string; jsonnet?: unknown };
  readonly helm?: {
    releaseName?: string;
    valueFiles?: string[];
    /** Skip value files that do not exist (Argo CD's `helm.ignoreMissingValueFiles`). */
    ignoreMissingValueFiles?: boolean;
    values?: string;
    valuesObject?: unknown;
    parameters?: Array<{ name: string; value: string; forceString?: boolean }>;
    namespace?: string;
    skipCrds?: boolean;
    /** Helm's Capabilities.KubeVersion (`--kube-version`). */
    kubeVersion?: string;
    /** Helm's Capabilities.APIVersions (`--api-versions`). */
    apiVersions?: string[];
  };
  readonly kustomize?: Record<string, unknown>;
  readonly plugin?: unknown;
}

export interface RetrySpec {
  readonly limit?: number;
  readonly backoff?: { duration?: string; factor?: number; maxDuration?: string };
}

export interface ApplicationSpec {
  readonly project?: string;
  readonly source?: ApplicationSourceSpec;
  readonly sources?: ApplicationSourceSpec[];
  readonly destination: { server?: string; name?: string; namespace?: string };
  readonly syncPolicy?: {
    automated?: { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean; enabled?: boolean };
    syncOptions?: string[];
    retry?: RetrySpec;
    managedNamespaceMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  };
  readonly ignoreDifferences?: IgnoreDifferencesEntry[];
  /** Entries kept in `status.history` (Argo CD's default is 10). */
  readonly revisionHistoryLimit?: number;
}

export interface ApplicationManifest {
  readonly apiVersion: string;
  readonly kind: 'Application';
  readonly metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  readonly spec: ApplicationSpec;
}

/** The namespace Argo CD itself runs in when none is given (Application instance names omit it). */
export { ARGOCD_NAMESPACE as CONTROL_PLANE_NAMESPACE } from '../argo/destination';

/** Sources that yield manifests (`ref`-only sources only provide values files to others). */
export function manifestSources(spec: ApplicationSpec): ApplicationSourceSpec[] {
  const all = spec.sources ?? (spec.source ? [spec.source] : []);
  return all.filter((s) => !(s.ref && !s.path && !s.chart));
}
