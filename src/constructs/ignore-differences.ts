import { ApiObject } from 'cdk8s';
import { IgnoreDifferencesRule, ignoreDifferencesRuleErrors } from './ignore-differences-rule';
import { dns1123SubdomainError, throwIfErrors } from './validation';

const REPLICAS = '/spec/replicas';

// Workload kinds whose replicas an autoscaler commonly owns, and their API groups.
const SCALABLE_GROUPS: { [kind: string]: string } = {
  Deployment: 'apps',
  StatefulSet: 'apps',
  ReplicaSet: 'apps',
  Rollout: 'argoproj.io',
};

// Where each kind keeps the CA bundle a controller (cert-manager's cainjector, an operator) injects.
const CA_BUNDLE_FIELDS: { [kind: string]: { group: string; jsonPointers?: string[]; jqPathExpressions?: string[] } } = {
  MutatingWebhookConfiguration: { group: 'admissionregistration.k8s.io', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  ValidatingWebhookConfiguration: { group: 'admissionregistration.k8s.io', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  CustomResourceDefinition: { group: 'apiextensions.k8s.io', jsonPointers: ['/spec/conversion/webhook/clientConfig/caBundle'] },
  APIService: { group: 'apiregistration.k8s.io', jsonPointers: ['/spec/caBundle'] },
};

/**
 * Ready-made `ignoreDifferences` rules for the differences that keep Applications OutOfSync
 * forever in practice. Pass them to `Application.addIgnoreDifferences()` or the
 * `ignoreDifferences` prop.
 *
 * Argo CD only hides ignored fields from the diff; add `SyncOption.RESPECT_IGNORE_DIFFERENCES` so a
 * sync does not write them back either.
 */
export class IgnoreDifferences {
  /**
   * The replica count of a workload scaled by a HorizontalPodAutoscaler (`/spec/replicas`).
   * @param kind `Deployment`, `StatefulSet`, `ReplicaSet` or `Rollout`; other kinds need `group`
   * @param name the workload's name
   * @param group API group of the kind @default - `apps` (`argoproj.io` for Rollout)
   */
  public static hpaManagedReplicas(kind: string, name: string, group?: string): IgnoreDifferencesRule {
    return replicasRule('hpaManagedReplicas', kind, name, group);
  }

  /**
   * The replica count of a workload scaled by a KEDA ScaledObject (`/spec/replicas`); KEDA drives
   * the workload through an HPA it creates, so the field to ignore is the same.
   * @param kind `Deployment`, `StatefulSet`, `ReplicaSet` or `Rollout`; other kinds need `group`
   * @param name the workload's name
   * @param group API group of the kind @default - `apps` (`argoproj.io` for Rollout)
   */
  public static kedaManagedReplicas(kind: string, name: string, group?: string): IgnoreDifferencesRule {
    return replicasRule('kedaManagedReplicas', kind, name, group);
  }

  /**
   * Values of a Secret that Helm's `lookup` keeps from the live object (generated passwords): the
   * chart renders a fresh random value on every `helm template`, so Argo CD always sees a change.
   * @param name the Secret's name
   * @param keys the data keys to ignore @default - all of `/data`
   */
  public static helmLookupSecret(name: string, keys?: string[]): IgnoreDifferencesRule {
    throwIfErrors('IgnoreDifferences.helmLookupSecret', [
      dns1123SubdomainError('Secret name', name),
      keys && keys.length === 0 ? 'keys is empty: leave it out to ignore all of /data' : undefined,
      ...(keys ?? []).map(k => (k === '' ? 'a data key must not be empty' : undefined)),
    ]);
    return checked({
      kind: 'Secret',
      name,
      jsonPointers: keys ? keys.map(k => `/data/${escapePointerToken(k)}`) : ['/data'],
    });
  }

  /**
   * The `caBundle` a controller injects (cert-manager's cainjector, an operator) into webhook
   * configurations, CRD conversion webhooks or APIServices.
   * @param kind `MutatingWebhookConfiguration`, `ValidatingWebhookConfiguration`,
   *   `CustomResourceDefinition` or `APIService`
   * @param name one object's name @default - every object of the kind
   */
  public static webhookCaBundle(kind: string, name?: string): IgnoreDifferencesRule {
    const fields = CA_BUNDLE_FIELDS[kind];
    if (!fields) {
      throw new Error(`IgnoreDifferences.webhookCaBundle: kind '${kind}' has no caBundle field; use one of ${Object.keys(CA_BUNDLE_FIELDS).join(', ')}`);
    }
    return checked({ group: fields.group, kind, name, jsonPointers: fields.jsonPointers, jqPathExpressions: fields.jqPathExpressions });
  }

  /**
   * Every field that another server-side-apply field manager owns, e.g. `kube-controller-manager`
   * or an operator that mutates objects it did not create.
   * @param group API group (`''` for the core group)
   * @param kind kind, e.g. `Deployment`
   * @param manager the field manager's name, as in `metadata.managedFields[].manager`
   * @param name one object's name @default - every object of the kind
   */
  public static fieldManager(group: string, kind: string, manager: string, name?: string): IgnoreDifferencesRule {
    if (!manager) throw new Error('IgnoreDifferences.fieldManager: manager must not be empty');
    return checked({ group, kind, name, managedFieldsManagers: [manager] });
  }

  private constructor() {}
}

function replicasRule(preset: string, kind: string, name: string, group: string | undefined): IgnoreDifferencesRule {
  const resolvedGroup = group ?? SCALABLE_GROUPS[kind];
  if (resolvedGroup === undefined) {
    throw new Error(`IgnoreDifferences.${preset}: kind '${kind}' is not a known scalable workload (${Object.keys(SCALABLE_GROUPS).join(', ')}); pass its API group as the third argument`);
  }
  throwIfErrors(`IgnoreDifferences.${preset}`, [dns1123SubdomainError(`${kind} name`, name)]);
  return checked({ group: resolvedGroup, kind, name, jsonPointers: [REPLICAS] });
}

/** RFC 6901: '~' and '/' inside one token are written '~0' and '~1'. */
function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function checked(rule: IgnoreDifferencesRule): IgnoreDifferencesRule {
  const compacted = Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined)) as unknown as IgnoreDifferencesRule;
  throwIfErrors('IgnoreDifferences', ignoreDifferencesRuleErrors(compacted));
  return compacted;
}

/** A workload replicas rule added automatically because an autoscaler in the same Application targets it. */
export interface AutoscaledTarget {
  readonly rule: IgnoreDifferencesRule;
  /** Path of the autoscaler, for messages. */
  readonly autoscalerPath: string;
}

/**
 * Replicas rules for workloads that an HPA (`autoscaling/*` HorizontalPodAutoscaler, including
 * cdk8s-plus's) or a KEDA ScaledObject among `objects` scales, when the workload is among `objects`
 * too. Without them every sync (and every self-heal) resets the replica count the autoscaler chose.
 */
export function autoscaledReplicasRules(objects: ApiObject[]): AutoscaledTarget[] {
  const byKindName = new Map<string, ApiObject>();
  for (const o of objects) byKindName.set(`${o.kind}/${o.name}`, o);
  const found: AutoscaledTarget[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const isHpa = o.kind === 'HorizontalPodAutoscaler' && o.apiVersion.startsWith('autoscaling/');
    const isKeda = o.kind === 'ScaledObject' && o.apiVersion.startsWith('keda.sh/');
    if (!isHpa && !isKeda) continue;
    const ref = o.toJson().spec?.scaleTargetRef;
    if (!ref?.name) continue;
    // KEDA defaults the target to an apps/v1 Deployment.
    const kind: string = ref.kind ?? 'Deployment';
    const apiVersion: string = ref.apiVersion ?? 'apps/v1';
    const target = byKindName.get(`${kind}/${ref.name}`);
    if (!target || target.apiVersion !== apiVersion) continue;
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    const key = `${group}/${kind}/${ref.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push({
      rule: { ...(group ? { group } : {}), kind, name: ref.name, jsonPointers: [REPLICAS] },
      autoscalerPath: o.node.path,
    });
  }
  return found;
}

/** Whether `rules` already ignore `/spec/replicas` of the resource `rule` names. */
export function coversReplicas(rules: IgnoreDifferencesRule[], rule: IgnoreDifferencesRule): boolean {
  return rules.some(r => (r.group ?? '') === (rule.group ?? '') && r.kind === rule.kind
    && (r.name === undefined || r.name === rule.name)
    && (r.jsonPointers ?? []).some(p => p === REPLICAS || p === '/spec' || p === ''));
}
