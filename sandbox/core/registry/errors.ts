/**
 * Registry (OCI distribution) errors as ECR sends them: `{"errors":[{"code","message","detail"}]}`.
 * Docker prints `<lowercased code>: <message>`, so the messages here are what learners read: they copy
 * ECR's wording where ECR has one (see /work/shared/aws-sandbox-spec.md, "The registry").
 */

/** The error codes of the distribution spec, with the HTTP status each one is sent with by default. */
export const RegistryErrorCode = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  // Not in the spec's list; distribution (and so every client) uses it for server-side failures.
  UNKNOWN: 500,
} as const;

/** One of the distribution spec's error codes. */
export type RegistryErrorCodeName = keyof typeof RegistryErrorCode;

/** The JSON body of a registry error response. */
export interface RegistryErrorBody {
  readonly errors: ReadonlyArray<{ readonly code: RegistryErrorCodeName; readonly message: string; readonly detail?: unknown }>;
}

/**
 * An expected registry error caused by the request (never a bug): the HTTP adapter turns it into
 * a response with {@link RegistryError.status} and {@link RegistryError.toBody}.
 */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly status: number;
  /** Extra response headers, e.g. the `Www-Authenticate` challenge of a 401. */
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    readonly code: RegistryErrorCodeName,
    message: string,
    readonly detail?: unknown,
    options?: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> },
  ) {
    super(message);
    this.status = options?.status ?? RegistryErrorCode[code];
    this.headers = options?.headers ?? {};
  }

  /** The response body, `{"errors":[...]}`. */
  toBody(): RegistryErrorBody {
    const entry = this.detail === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, detail: this.detail };
    return { errors: [entry] };
  }
}

/** True for a {@link RegistryError}, matched by name so it survives duplicated module instances. */
export function isRegistryError(err: unknown): err is RegistryError {
  return err instanceof Error && err.name === 'RegistryError' && 'code' in err && 'status' in err;
}

/** ECR's own messages, kept in one place so the wording is reviewed once. */
export const EcrMessages = {
  repositoryNotFound: (name: string, registryId: string) =>
    `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
  tagImmutable: (tag: string, repository: string) =>
    `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
  manifestUnknown: 'Requested image not found',
  tokenExpired: 'Your authorization token has expired. Reauthenticate and try again.',
  notAuthorized: 'Not Authorized',
  // ECR answers a token from another account with an IAM denial naming the action and the repository.
  accessDenied: (callerAccountId: string, action: string, resourceArn: string) =>
    `User: arn:aws:iam::${callerAccountId}:root is not authorized to perform: ${action} on resource: ${resourceArn}`,
} as const;
