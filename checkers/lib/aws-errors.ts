/**
 * SDK errors are matched by `name`, never `instanceof`: the class identity changes across SDK versions
 * (trigger.dev ca45ea5), the name is the service's error code, and the sandbox returns the same names.
 */

/** The error's `name`, or '' for something that is not an error object. */
export function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string' ? (err as { name: string }).name : '';
}

/** True when `err` is one of the named errors. */
export function isAwsError(err: unknown, ...names: string[]): boolean {
  return names.includes(errorName(err));
}

/**
 * Runs an SDK call and returns `undefined` when it fails with one of `names` (an outcome the caller turns
 * into a `fail`); any other error propagates (the registry reports it as `error`).
 */
export async function unlessAwsError<T>(call: Promise<T>, ...names: string[]): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isAwsError(err, ...names)) return undefined;
    throw err;
  }
}
