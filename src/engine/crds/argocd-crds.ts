/**
 * The Argo CD v3.5 CustomResourceDefinitions shipped in the package (`crds/` at its top level):
 * where they are, which kinds they define, and the one message for a cluster that lacks them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { KubeApi } from '../kube/kube-api';
import { KubeObject } from '../model';

/** `crds/` of the package: two levels up from src/engine/crds (ts) and lib/engine/crds (js) alike. */
export const ARGOCD_CRD_DIR = path.join(__dirname, '..', '..', '..', 'crds');

/** The API version of every Argo CD kind. */
export const ARGOCD_API_VERSION = 'argoproj.io/v1alpha1';

/** One shipped CRD. */
export interface ArgoCdCrd {
  readonly kind: 'Application' | 'AppProject' | 'ApplicationSet';
  /** `metadata.name` of the CRD (`<plural>.argoproj.io`). */
  readonly name: string;
  /** File in {@link ARGOCD_CRD_DIR}. */
  readonly file: string;
}

export const ARGOCD_CRDS: readonly ArgoCdCrd[] = [
  { kind: 'Application', name: 'applications.argoproj.io', file: 'application-crd.yaml' },
  { kind: 'AppProject', name: 'appprojects.argoproj.io', file: 'appproject-crd.yaml' },
  { kind: 'ApplicationSet', name: 'applicationsets.argoproj.io', file: 'applicationset-crd.yaml' },
];

/** The text of a shipped CRD file (YAML, as released by Argo CD). */
export function argoCdCrdText(crd: ArgoCdCrd): string {
  return fs.readFileSync(path.join(ARGOCD_CRD_DIR, crd.file), 'utf8');
}

/** The shipped CRD objects, in {@link ARGOCD_CRDS} order (parsing the 1.4 MB ApplicationSet CRD takes seconds). */
export function readArgoCdCrds(): KubeObject[] {
  return ARGOCD_CRDS.map((c) => parse(argoCdCrdText(c)) as KubeObject);
}

/** What to run on a cluster without the Argo CD CRDs (the engine never installs CRDs by itself). */
export const INSTALL_CRDS_HINT = 'install them with `cdk8s-argocd install-crds` (the engine never installs CRDs by itself; `cdk8s-argocd cluster up` does it for the local cluster)';

/** The one-line error for an operation that needs an Argo CD kind the cluster does not serve. */
export function missingArgoCdCrdMessage(kind: string, server?: string): string {
  return `the cluster${server ? ` at ${server}` : ''} does not serve ${kind} (${ARGOCD_API_VERSION}): the Argo CD CRDs are not installed; ${INSTALL_CRDS_HINT}`;
}

/** Whether `obj` is of an Argo CD kind (Application, AppProject, ApplicationSet). */
export function isArgoCdKind(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return obj.apiVersion.startsWith('argoproj.io/') && ARGOCD_CRDS.some((c) => c.kind === obj.kind);
}

/** Throws {@link missingArgoCdCrdMessage} when the cluster does not serve `kind`. */
export async function requireArgoCdKind(api: KubeApi, kind: ArgoCdCrd['kind'], server?: string): Promise<void> {
  if (!(await api.resourceFor(ARGOCD_API_VERSION, kind))) {
    throw new Error(missingArgoCdCrdMessage(kind, server));
  }
}
