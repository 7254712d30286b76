import { groupOf, HealthStatus, KubeObject } from '../model';
import { apiServiceHealth } from './apiservice';
import { applicationHealth } from './application';
import { daemonSetHealth } from './daemonset';
import { deploymentHealth } from './deployment';
import { progressing } from './health-status';
import { hpaHealth } from './hpa';
import { ingressHealth } from './ingress';
import { jobHealth } from './job';
import { podHealth } from './pod';
import { pvcHealth } from './pvc';
import { replicaSetHealth } from './replicaset';
import { serviceHealth } from './service';
import { statefulSetHealth } from './statefulset';
import { customHealth, hasCustomHealth } from '../settings/resource-settings';

type HealthCheck = (obj: any) => HealthStatus;

const CHECKS: Record<string, HealthCheck> = {
  'apps/Deployment': deploymentHealth,
  'extensions/Deployment': deploymentHealth,
  'apps/StatefulSet': statefulSetHealth,
  'apps/DaemonSet': daemonSetHealth,
  'extensions/DaemonSet': daemonSetHealth,
  'apps/ReplicaSet': replicaSetHealth,
  'extensions/ReplicaSet': replicaSetHealth,
  '/Pod': podHealth,
  'batch/Job': jobHealth,
  '/PersistentVolumeClaim': pvcHealth,
  '/Service': serviceHealth,
  'networking.k8s.io/Ingress': ingressHealth,
  'extensions/Ingress': ingressHealth,
  'autoscaling/HorizontalPodAutoscaler': hpaHealth,
  'apiregistration.k8s.io/APIService': apiServiceHealth,
  'argoproj.io/Application': applicationHealth,
};

/** True when the kind has a health rule (kinds without one do not gate waves). */
export function hasHealthCheck(obj: KubeObject): boolean {
  return hasCustomHealth(obj) || CHECKS[`${groupOf(obj.apiVersion)}/${obj.kind}`] !== undefined;
}

/**
 * Health of a live object, or undefined for kinds without a rule. An object being deleted is
 * Progressing whatever its kind (gitops-engine `GetResourceHealth`).
 */
export function resourceHealth(obj: KubeObject): HealthStatus | undefined {
  if (obj.metadata.deletionTimestamp) {
    return progressing('Pending deletion');
  }
  // A user's Lua check from argocd-cm wins over every built-in rule (Argo CD: resource overrides first).
  const custom = customHealth(obj);
  if (custom) {
    return custom;
  }
  const check = CHECKS[`${groupOf(obj.apiVersion)}/${obj.kind}`];
  return check ? check(obj) : undefined;
}
