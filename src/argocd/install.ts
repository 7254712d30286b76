/**
 * The objects a real Argo CD installation has besides its Deployments, as the upstream
 * `install.yaml` creates them, for `cdk8s-argocd argocd up` on the local control plane: the
 * CRDs and the `argocd` namespace (the ones the engine ships), the settings ConfigMaps, the
 * `argocd-secret`, and the `default` AppProject (which the API server, not run here, would create).
 */
import { randomBytes } from 'crypto';
import { DEFAULT_PROJECT, DEFAULT_PROJECT_SPEC } from '../argo/app-project';
import { ARGOCD_NAMESPACE } from '../argo/destination';
import { ARGOCD_RBAC_CONFIGMAP } from '../argo/rbac';
import { installArgoCdCrds } from '../engine/crds/install-crds';
import { KubeApi } from '../engine/kube/kube-api';
import { KubeObject } from '../engine/model';

/** Field manager of what `argocd up` writes. */
export const ARGOCD_UP_FIELD_MANAGER = 'cdk8s-argocd-argocd-up';

/**
 * Argo CD's settings manager only watches ConfigMaps and Secrets carrying this label
 * (`app.kubernetes.io/part-of=argocd`): without it, argocd-cm is invisible to the controllers.
 */
const PART_OF_ARGOCD = { 'app.kubernetes.io/part-of': 'argocd' };

/** Settings ConfigMaps (data left empty: Argo CD's defaults) as the upstream install creates them. */
export const ARGOCD_CONFIGMAPS = ['argocd-cm', 'argocd-cmd-params-cm', ARGOCD_RBAC_CONFIGMAP, 'argocd-tls-certs-cm', 'argocd-ssh-known-hosts-cm', 'argocd-gpg-keys-cm'];
export const ARGOCD_SECRET = 'argocd-secret';

function configMap(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ARGOCD_NAMESPACE, labels: { ...PART_OF_ARGOCD, 'app.kubernetes.io/name': name } } };
}

/**
 * Installs what the controllers need, leaving whatever exists as it is (a user's argocd-cm
 * settings, a customized `default` project, an existing server key): only the label Argo CD
 * requires is applied to existing ConfigMaps.
 */
export async function installArgoCdObjects(api: KubeApi, log: (m: string) => void): Promise<void> {
  await installArgoCdCrds(api, { log });
  for (const name of ARGOCD_CONFIGMAPS) {
    await api.apply(configMap(name), ARGOCD_UP_FIELD_MANAGER, { force: true });
  }
  const secretRef = { apiVersion: 'v1', kind: 'Secret', metadata: { name: ARGOCD_SECRET, namespace: ARGOCD_NAMESPACE } };
  if (!(await api.get(secretRef))) {
    // The key that signs sessions of the API server; the controllers only require it to exist.
    await api.create({
      ...secretRef,
      metadata: { ...secretRef.metadata, labels: { ...PART_OF_ARGOCD, 'app.kubernetes.io/name': ARGOCD_SECRET } },
      type: 'Opaque',
      data: { 'server.secretkey': randomBytes(32).toString('base64') },
    } as KubeObject, ARGOCD_UP_FIELD_MANAGER);
  } else {
    const labelOnly = { ...secretRef, metadata: { ...secretRef.metadata, labels: PART_OF_ARGOCD } } as KubeObject;
    await api.apply(labelOnly, ARGOCD_UP_FIELD_MANAGER, { force: true });
  }
  const projectRef = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: DEFAULT_PROJECT, namespace: ARGOCD_NAMESPACE } };
  if (!(await api.get(projectRef))) {
    await api.create({ ...projectRef, spec: DEFAULT_PROJECT_SPEC } as unknown as KubeObject, ARGOCD_UP_FIELD_MANAGER);
  }
  log(`installed ${ARGOCD_CONFIGMAPS.join(', ')}, ${ARGOCD_SECRET} and AppProject ${DEFAULT_PROJECT} in namespace ${ARGOCD_NAMESPACE}`);
}
