import { SourcePosition } from '../model';

/** A manifest that cannot be used; the message starts with `file:line`. */
export class ManifestError extends Error {
  constructor(readonly position: SourcePosition, readonly reason: string) {
    super(`${position.file}:${position.line}: ${reason}`);
    this.name = 'ManifestError';
  }
}
