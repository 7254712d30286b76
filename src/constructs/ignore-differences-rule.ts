import { jsonPointerError } from './validation';

/**
 * One `spec.ignoreDifferences` entry: which resources, and which of their fields Argo CD should
 * ignore when comparing live and desired state.
 */
export interface IgnoreDifferencesRule {
  /** API group of the resources (glob). Empty string for the core group. @default - the core group */
  readonly group?: string;
  /** Kind of the resources (glob), e.g. `Deployment`. */
  readonly kind: string;
  /** Name of one resource. @default - every resource of the kind */
  readonly name?: string;
  /** Namespace of the resources. @default - every namespace */
  readonly namespace?: string;
  /** RFC 6901 JSON pointers of ignored fields, e.g. `/spec/replicas`. @default - none */
  readonly jsonPointers?: string[];
  /** jq path expressions of ignored fields, e.g. `.spec.template.spec.initContainers[] | select(.name == "x")`. @default - none */
  readonly jqPathExpressions?: string[];
  /** Ignore fields owned by these server-side-apply field managers, e.g. `kube-controller-manager`. @default - none */
  readonly managedFieldsManagers?: string[];
}

export function ignoreDifferencesRuleErrors(rule: IgnoreDifferencesRule): string[] {
  const errors: Array<string | undefined> = [];
  const target = `${rule.group ? rule.group + '/' : ''}${rule.kind}${rule.name ? ' ' + rule.name : ''}`;
  if (!rule.kind) errors.push('ignoreDifferences rule needs a kind (e.g. \'Deployment\')');
  for (const pointer of rule.jsonPointers ?? []) {
    errors.push(jsonPointerError(`ignoreDifferences for ${target}: jsonPointer`, pointer));
  }
  for (const expr of rule.jqPathExpressions ?? []) {
    if (expr.trim() === '') errors.push(`ignoreDifferences for ${target}: empty jqPathExpression`);
  }
  const fields = (rule.jsonPointers?.length ?? 0) + (rule.jqPathExpressions?.length ?? 0) + (rule.managedFieldsManagers?.length ?? 0);
  if (fields === 0) {
    errors.push(`ignoreDifferences for ${target} ignores nothing: set jsonPointers, jqPathExpressions or managedFieldsManagers`);
  }
  return errors.filter((e): e is string => e !== undefined);
}

export function renderIgnoreDifferencesRule(rule: IgnoreDifferencesRule): any {
  const out: { [key: string]: any } = {};
  // Argo CD matches group '' as the core group; keep an explicit '' out of the manifest.
  if (rule.group) out.group = rule.group;
  out.kind = rule.kind;
  if (rule.name) out.name = rule.name;
  if (rule.namespace) out.namespace = rule.namespace;
  if (rule.jsonPointers?.length) out.jsonPointers = [...rule.jsonPointers];
  if (rule.jqPathExpressions?.length) out.jqPathExpressions = [...rule.jqPathExpressions];
  if (rule.managedFieldsManagers?.length) out.managedFieldsManagers = [...rule.managedFieldsManagers];
  return out;
}
