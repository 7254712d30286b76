import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

const MAX_NAME = 63;
// Construct ids that carry no meaning in a name (cdk8s and cdk8s-plus conventions).
const OMITTED_IDS = new Set(['resource', 'default']);

/**
 * `<scopeName>-<path below scope>`, lower-cased and DNS-safe, e.g. `shop-web` for
 * `shop/web/Resource`. Undefined when that would exceed 63 characters, so the caller can fall
 * back to cdk8s's hashed name.
 */
export function objectNameWithin(scope: IConstruct & { readonly name: string }, apiObject: ApiObject): string | undefined {
  const scopes = apiObject.node.scopes;
  const start = scopes.indexOf(scope);
  if (start < 0) return undefined;
  const parts = [scope.name];
  for (const c of scopes.slice(start + 1)) {
    const id = c.node.id.toLowerCase().replace(/[^0-9a-z-.]/g, '-').replace(/^[-.]+|[-.]+$/g, '');
    if (!id || OMITTED_IDS.has(id)) continue;
    if (parts[parts.length - 1] === id) continue;
    parts.push(id);
  }
  const name = parts.join('-').replace(/-+/g, '-');
  return name.length <= MAX_NAME ? name : undefined;
}
