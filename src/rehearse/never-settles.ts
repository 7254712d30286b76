/**
 * The forever-OutOfSync pattern the second comparison cannot always show on the local control
 * plane: a workload that sets `spec.replicas` and is scaled by a HorizontalPodAutoscaler of the
 * same Application, without an ignoreDifferences rule for the field. The autoscaler moves replicas
 * with load (the local cluster's usage is simulated, a fixed share of the requests, so during a
 * rehearsal it may not move them, or only to its min–max);
 * every move makes the Application OutOfSync, and with selfHeal Argo CD scales it back.
 * Argo CD's documentation: leave `replicas` out of the manifest, or ignore the field.
 */
import { FindingKind, FindingSeverity, RehearsalFinding } from './report';
import { IgnoreDifferencesEntry } from '../engine/application-spec';
import { LoadedApplication } from '../engine/load/applications';
import { groupOf } from '../engine/model';

/** True when a rule of the Application covers `spec.replicas` of this kind and name. */
function replicasIgnored(rules: readonly IgnoreDifferencesEntry[], group: string, kind: string, name: string, namespace: string): boolean {
  return rules.some((r) => {
    if ((r.group ?? '') !== group || r.kind !== kind || (r.name && r.name !== name) || (r.namespace && r.namespace !== namespace)) {
      return false;
    }
    return (r.jsonPointers ?? []).some((p) => p === '/spec/replicas' || p === '/spec')
      || (r.jqPathExpressions ?? []).some((p) => /^\.spec(\.replicas)?$/.test(p.trim()))
      // The autoscaler writes the scale subresource as kube-controller-manager.
      || (r.managedFieldsManagers ?? []).includes('kube-controller-manager');
  });
}

/** NEVER_SETTLES for each autoscaled workload of `app` that declares `spec.replicas` with no rule ignoring it. */
export function autoscaledReplicaFindings(app: LoadedApplication): RehearsalFinding[] {
  const rules = app.manifest.spec?.ignoreDifferences ?? [];
  const destinationNamespace = app.manifest.spec?.destination?.namespace ?? '';
  const out: RehearsalFinding[] = [];
  for (const hpa of app.objects.filter((d) => d.object.kind === 'HorizontalPodAutoscaler' && groupOf(d.object.apiVersion) === 'autoscaling')) {
    const ref = hpa.object.spec?.scaleTargetRef ?? {};
    const namespace = hpa.object.metadata?.namespace ?? destinationNamespace;
    const target = app.objects.find((d) => d.object.kind === ref.kind && d.object.metadata?.name === ref.name
      && groupOf(d.object.apiVersion) === groupOf(ref.apiVersion ?? '') && (d.object.metadata?.namespace ?? destinationNamespace) === namespace);
    if (!target || target.object.spec?.replicas === undefined) {
      continue;
    }
    const group = groupOf(target.object.apiVersion);
    if (replicasIgnored(rules, group, ref.kind, ref.name, namespace)) {
      continue;
    }
    out.push({
      kind: FindingKind.NEVER_SETTLES,
      severity: FindingSeverity.NEVER_SETTLES,
      application: app.name,
      resource: { group, kind: ref.kind, namespace, name: ref.name, source: `${target.source.file}:${target.source.line}` },
      path: 'spec.replicas',
      message: `HorizontalPodAutoscaler ${hpa.object.metadata?.name} (${hpa.source.file}:${hpa.source.line}) scales it, but the manifest sets spec.replicas `
        + 'and no ignoreDifferences rule covers it: every scale makes the Application OutOfSync (and selfHeal scales it back). '
        + 'Drop spec.replicas from the manifest, or add ignoreDifferences for /spec/replicas with RespectIgnoreDifferences=true',
    });
  }
  return out;
}
