import { createHash } from 'crypto';
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { namingPath } from './naming';

const MAX_NAME = 63;
// A CronJob's Jobs are named `<cronjob>-<11 digits>`, so Kubernetes allows 52 characters.
const MAX_CRONJOB_NAME = 52;
const HASH_LENGTH = 8;
// Construct ids that carry no meaning in a name (cdk8s and cdk8s-plus conventions).
const OMITTED_IDS = new Set(['resource', 'default']);

/**
 * `<app name>-<naming path below the Application>`, lower-cased and DNS-safe, e.g. `shop-web` for
 * `shop/web/Resource` and for `shop/<a SyncWave>/web/Resource` alike (see `namingPath`). A name
 * longer than Kubernetes allows is cut and ends in a hash of the whole name, so it stays stable.
 */
export function objectNameWithin(app: IConstruct & { readonly name: string }, apiObject: ApiObject): string {
  const parts = [app.name];
  for (const raw of namingPath(app, apiObject)) {
    const id = raw.toLowerCase().replace(/[^0-9a-z-.]/g, '-').replace(/^[-.]+|[-.]+$/g, '');
    if (!id || OMITTED_IDS.has(id)) continue;
    if (parts[parts.length - 1] === id) continue;
    parts.push(id);
  }
  const name = parts.join('-').replace(/-+/g, '-');
  const max = apiObject.kind === 'CronJob' ? MAX_CRONJOB_NAME : MAX_NAME;
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_LENGTH);
  return `${name.slice(0, max - HASH_LENGTH - 1).replace(/[-.]+$/, '')}-${hash}`;
}
