/** An ApplicationSet could not be expanded; like Argo CD, no Applications are produced at all. */
export class ApplicationSetExpansionError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ApplicationSetExpansionError';
  }
}

/** A generator that needs a live service (SCM API, cluster, plugin) and cannot be expanded offline. */
export class OfflineExpansionUnsupportedError extends ApplicationSetExpansionError {
  public constructor(message: string) {
    super(message);
    this.name = 'OfflineExpansionUnsupportedError';
  }
}
