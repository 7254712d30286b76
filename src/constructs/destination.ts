import { IN_CLUSTER_SERVER } from '../argo/destination';
/** The cluster and namespace an Application deploys to. */
export interface ApplicationDestination {
  /**
   * API server URL of the target cluster. Set this or `name`, not both.
   * @default - the in-cluster server `https://kubernetes.default.svc` when `name` is not set
   */
  readonly server?: string;
  /** Name of a cluster registered in Argo CD. Set this or `server`, not both. @default - use `server` */
  readonly name?: string;
  /** Namespace for namespaced resources that do not set one. @default - none (resources must set their namespace) */
  readonly namespace?: string;
}


export function renderDestination(where: string, destination: ApplicationDestination | undefined): any {
  if (destination?.server !== undefined && destination?.name !== undefined) {
    throw new Error(`${where}: destination sets both server ('${destination.server}') and name ('${destination.name}'); set exactly one`);
  }
  if (destination && destination.server === undefined && destination.name === undefined && destination.namespace === undefined) {
    throw new Error(`${where}: destination is empty; set server (e.g. '${IN_CLUSTER_SERVER}') or name, or leave destination out for the in-cluster server`);
  }
  if (destination?.server === '' || destination?.name === '') {
    throw new Error(`${where}: destination server/name is an empty string; set a cluster URL or name, or leave both unset for the in-cluster server`);
  }
  const out: { [key: string]: string } = {};
  if (destination?.name !== undefined) out.name = destination.name;
  else out.server = destination?.server ?? IN_CLUSTER_SERVER;
  if (destination?.namespace !== undefined) out.namespace = destination.namespace;
  return out;
}
