import { ApplicationInfo, DeletionFinalizer } from './application';
import { ApplicationSource, compact, renderSource, renderSourceHydrator, SourceHydrator } from './application-source';
import { ApplicationDestination, renderDestination } from './destination';
import { IgnoreDifferencesRule, ignoreDifferencesRuleErrors, renderIgnoreDifferencesRule } from './ignore-differences-rule';
import { renderSyncPolicy, SyncPolicy, syncPolicyErrors } from './sync-policy';
import { dns1123SubdomainError, throwIfErrors } from './validation';

/**
 * The Application an ApplicationSet generates: the `Application` props, where any string may hold
 * template placeholders (`{{cluster}}` with fasttemplate, `{{.cluster}}` with goTemplate).
 */
export interface ApplicationSetTemplate {
  /**
   * Name of each generated Application, e.g. `'{{env}}-api'`. Required on the ApplicationSet's
   * template; optional in a generator's template override.
   * @default - the ApplicationSet's template name (overrides only)
   */
  readonly name?: string;
  /** @default 'default' (overrides: the ApplicationSet's) */
  readonly project?: string;
  /** @default - the in-cluster server (overrides: the ApplicationSet's) */
  readonly destination?: ApplicationDestination;
  /** @default - none: set source, sources or sourceHydrator */
  readonly source?: ApplicationSource;
  /** @default - see source */
  readonly sources?: ApplicationSource[];
  /** @default - no hydrator */
  readonly sourceHydrator?: SourceHydrator;
  /** @default - manual sync */
  readonly syncPolicy?: SyncPolicy;
  /** @default - none */
  readonly ignoreDifferences?: IgnoreDifferencesRule[];
  /** @default - none */
  readonly info?: ApplicationInfo[];
  /** @default - Argo CD's default (10) */
  readonly revisionHistoryLimit?: number;
  /** @default - none */
  readonly labels?: { [key: string]: string };
  /** @default - none */
  readonly annotations?: { [key: string]: string };
  /**
   * Deletion finalizer of each generated Application. Unset, Argo CD adds
   * `resources-finalizer.argocd.argoproj.io` unless the set's `preserveResourcesOnDeletion` is on.
   * @default - Argo CD's rule above
   */
  readonly deletionFinalizer?: DeletionFinalizer;
}

/** Defaults for generated sources and git generators. @internal */
export interface TemplateDefaults {
  readonly repoURL?: string;
  readonly targetRevision?: string;
}

/** Whether a value holds a template placeholder, so name checks must wait for expansion. */
export function isTemplated(value: string): boolean {
  return value.includes('{{');
}

/** Input checks that do not need the tree. */
export function applicationSetTemplateErrors(template: ApplicationSetTemplate, isOverride: boolean): Array<string | undefined> {
  return [
    !isOverride && template.name === undefined ? 'template.name is required (e.g. \'{{env}}-my-app\')' : undefined,
    template.name !== undefined && !isTemplated(template.name) ? dns1123SubdomainError('template.name', template.name) : undefined,
    template.source && template.sources ? 'template: set either source or sources, not both' : undefined,
    !isOverride && !template.source && !template.sources && !template.sourceHydrator
      ? 'template needs a source, sources or sourceHydrator (an ApplicationSet has no folder of its own)' : undefined,
    template.revisionHistoryLimit !== undefined && (!Number.isInteger(template.revisionHistoryLimit) || template.revisionHistoryLimit < 0)
      ? `template.revisionHistoryLimit ${template.revisionHistoryLimit} must be a non-negative integer` : undefined,
    ...syncPolicyErrors(template.syncPolicy),
    ...(template.ignoreDifferences ?? []).flatMap(ignoreDifferencesRuleErrors),
  ];
}

/**
 * Renders the template as `spec.template` (or a generator's `template` override, where unset
 * fields stay empty so Argo CD fills them from the set's template).
 */
export function renderApplicationSetTemplate(where: string, template: ApplicationSetTemplate, defaults: TemplateDefaults, isOverride: boolean): any {
  throwIfErrors(where, applicationSetTemplateErrors(template, isOverride));
  const explicit = template.sources ?? (template.source ? [template.source] : []);
  const sources = explicit.map(s => renderSource(where, s, defaults));
  const finalizer = template.deletionFinalizer;
  const metadata = compact({
    name: template.name,
    labels: template.labels,
    annotations: template.annotations,
    finalizers: finalizer === undefined || finalizer === DeletionFinalizer.NONE ? undefined : [finalizer],
  });
  const spec = compact({
    // The CRD requires project and destination even in overrides; empty values are filled from the set's template.
    project: template.project ?? (isOverride ? '' : 'default'),
    // An override must not default the server: Argo CD would merge it with the set's destination.name.
    destination: isOverride ? overrideDestination(where, template.destination) : renderDestination(where, template.destination),
    source: !template.sourceHydrator && sources.length === 1 && !template.sources ? sources[0] : undefined,
    sources: !template.sourceHydrator && template.sources ? sources : undefined,
    sourceHydrator: template.sourceHydrator && renderSourceHydrator(where, template.sourceHydrator, defaults),
    syncPolicy: renderSyncPolicy(template.syncPolicy, []),
    ignoreDifferences: (template.ignoreDifferences ?? []).map(renderIgnoreDifferencesRule),
    info: (template.info ?? []).map(i => ({ name: i.name, value: i.value })),
    revisionHistoryLimit: template.revisionHistoryLimit,
  });
  if (spec.project === undefined) spec.project = '';
  if (spec.destination === undefined) spec.destination = {};
  return { metadata, spec };
}

function overrideDestination(where: string, destination: ApplicationDestination | undefined): any {
  if (!destination) return {};
  renderDestination(where, destination); // same checks (server and name, empty strings)
  return compact({ server: destination.server, name: destination.name, namespace: destination.namespace });
}
