import { OfflineExpansionUnsupportedError } from '../errors';

const WHY: { [generator: string]: string } = {
  scmProvider: 'it lists repositories from an SCM provider\'s API (GitHub, GitLab, …) when Argo CD runs',
  pullRequest: 'it lists open pull requests from an SCM provider\'s API when Argo CD runs',
  clusterDecisionResource: 'it reads a custom resource (e.g. an OCM PlacementDecision) from the cluster when Argo CD runs',
  plugin: 'it calls an HTTP plugin service when Argo CD runs',
};

export const OFFLINE_UNSUPPORTED_GENERATORS = Object.keys(WHY);

/** Generators that need a live service fail instead of silently producing nothing. */
export function offlineUnsupported(generator: string): never {
  throw new OfflineExpansionUnsupportedError(
    `the ${generator} generator cannot be expanded offline: ${WHY[generator]}. No Applications are previewed for this ApplicationSet; expand it with Argo CD itself, or preview with a list generator standing in for it`,
  );
}
