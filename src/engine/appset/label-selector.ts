/**
 * Kubernetes label selectors (`matchLabels` + `matchExpressions` with In, NotIn, Exists,
 * DoesNotExist), as Argo CD applies them to generator parameters (its own copy of
 * `LabelSelectorAsSelector` without label-value syntax checks, so URLs can be matched).
 */

export interface LabelSelectorSpec {
  readonly matchLabels?: { [key: string]: string };
  readonly matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** A validation message for a selector, or undefined when it is valid. */
export function labelSelectorError(selector: LabelSelectorSpec): string | undefined {
  for (const e of selector.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (!e.values || e.values.length === 0) return `selector expression for '${e.key}': for 'In' and 'NotIn' operators, values can't be empty`;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (e.values && e.values.length > 0) return `selector expression for '${e.key}': values must be empty for 'Exists' and 'DoesNotExist'`;
        break;
      default:
        return `selector expression for '${e.key}': '${e.operator}' is not a valid label selector operator (use In, NotIn, Exists or DoesNotExist)`;
    }
  }
  return undefined;
}

/** Whether `labels` match. An empty selector matches everything. */
export function labelSelectorMatches(selector: LabelSelectorSpec, labels: { [key: string]: string }): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
