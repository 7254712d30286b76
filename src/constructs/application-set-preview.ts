import { ClusterInfo } from '../engine/appset';

/** A cluster registered in Argo CD, as the offline expansion of a clusters generator sees it. */
export interface PreviewCluster {
  /** Cluster name. */
  readonly name: string;
  /** API server URL. */
  readonly server: string;
  /** The cluster secret's `project`. @default '' */
  readonly project?: string;
  /** Labels of the cluster secret. @default - none */
  readonly labels?: { [key: string]: string };
  /** Annotations of the cluster secret. @default - none */
  readonly annotations?: { [key: string]: string };
  /**
   * Argo CD's local cluster without a cluster secret: skipped by any non-empty cluster selector.
   * @default false
   */
  readonly local?: boolean;
}

/** Inputs of an offline expansion. */
export interface ApplicationSetPreview {
  /**
   * The clusters Argo CD knows, for clusters generators. This is the complete list: add
   * `{ name: 'in-cluster', server: 'https://kubernetes.default.svc', local: true }` yourself if Argo
   * CD's local cluster should take part.
   * @default - only Argo CD's local `in-cluster`
   */
  readonly clusters?: PreviewCluster[];
  /**
   * Revision of the local repository that git generators read.
   * @default - the working tree (tracked and untracked, not ignored files)
   */
  readonly gitRevision?: string;
}

export function previewClusters(clusters: PreviewCluster[] | undefined): ClusterInfo[] | undefined {
  return clusters?.map(c => ({ ...c }));
}
