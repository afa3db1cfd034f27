/**
 * Three kinds of failure, kept apart (see docs/architecture.md):
 * - outcomes are values (a failed check is a result, not an exception);
 * - expected request errors are {@link HttpError}s, turned into responses at the edge;
 * - bugs are {@link BugIndicatingError}s, never used for user input.
 */

/** An expected error caused by the request; its message is safe to show to the user. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown; code?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? 'RequestError';
  }
  readonly code: string;
}

/** Something that cannot happen unless the code is wrong. */
export class BugIndicatingError extends Error {
  override readonly name = 'BugIndicatingError';
}

/** The shape an error takes when it crosses to the browser: no stack, no cause chain. */
export interface WireError {
  name: string;
  message: string;
  code: string;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof HttpError) return { name: err.name, message: err.message, code: err.code };
  return { name: 'InternalError', message: 'Internal error', code: 'InternalError' };
}
