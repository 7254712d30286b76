import { SourcePosition } from '../model';

/**
 * A source outside the repository (a chart from a chart repository) that could not be read or
 * rendered: unreachable, refused, or a version it does not have. Unlike an error in the
 * repository's own files it is a condition of the moment, which Argo CD reports as that
 * Application's ComparisonError while it goes on with the others.
 */
export class RemoteSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteSourceError';
  }
}

/** A manifest that cannot be used; the message starts with `file:line`. */
export class ManifestError extends Error {
  constructor(readonly position: SourcePosition, readonly reason: string) {
    super(`${position.file}:${position.line}: ${reason}`);
    this.name = 'ManifestError';
  }
}
