/** A failed API request: HTTP status, the Status reason (`NotFound`, `Conflict`, `Invalid`…) and message. */
export class ApiError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: any) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.code === 404;
}

export function isConflict(e: unknown): boolean {
  return e instanceof ApiError && e.code === 409;
}
