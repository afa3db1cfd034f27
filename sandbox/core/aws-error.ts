/**
 * Errors as AWS sends them. An {@link AwsError} is an expected request error: the HTTP front door turns it
 * into `{"__type": name, "message": message}` with its status. Anything else that escapes an operation is a
 * bug and becomes a 500 ServerException.
 */

/** A request error with AWS's exact name (`err.name` is what SDK v3 callers match on). */
export class AwsError extends Error {
  override readonly name: string;
  readonly status: number;
  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** True for an {@link AwsError}, or anything carrying the same shape (name + message + numeric status). */
export function isAwsError(err: unknown): err is AwsError {
  return (
    err instanceof AwsError ||
    (typeof err === 'object' &&
      err !== null &&
      typeof (err as { name?: unknown }).name === 'string' &&
      typeof (err as { status?: unknown }).status === 'number' &&
      typeof (err as { message?: unknown }).message === 'string')
  );
}

/** The generic parameter error most ECR operations use. */
export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

/** The shape-level error AWS's front end returns before an operation runs (`1 validation error detected: ...`). */
export function validationError(problems: readonly string[]): AwsError {
  const n = problems.length;
  return new AwsError(
    'ValidationException',
    `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
  );
}
