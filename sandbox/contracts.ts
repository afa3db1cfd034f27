/**
 * Contracts between the sandbox's parts, fixed up front so they can be built side by side:
 * the HTTP front door (`http/`), the ECR control plane (`ecr/`), the OCI registry (`registry/`),
 * the blob store (`storage/`), the scanner (`scanner/`) and the lifecycle evaluator (`core/lifecycle-policy/`).
 * Change them only together with every implementer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** Every ECR/ECS resource lives in one account and one region; the two never leak into each other. */
export interface Scope {
  readonly accountId: string; // 12 digits
  readonly region: string; // e.g. us-east-1
}

/** An error as AWS sends it: `{"__type": name, "message": message}` with this HTTP status. */
export interface AwsErrorShape {
  readonly name: string; // e.g. RepositoryNotFoundException
  readonly message: string;
  readonly status: number; // 400, or 500 for ServerException
}

/** What the registry needs to know about a repository. */
export interface RepositoryInfo {
  readonly scope: Scope;
  readonly name: string;
  readonly imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
}

/** A manifest as stored: the exact bytes the client pushed, its digest and media type. */
export interface StoredManifest {
  readonly digest: string; // sha256:<64 hex>
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

/**
 * The ECR image model, owned by `ecr/` and used by the registry for manifests and tags.
 * Methods throw an error carrying an {@link AwsErrorShape} name (RepositoryNotFoundException,
 * ImageTagAlreadyExistsException, ImageNotFoundException, ...) — the registry maps those to
 * registry error codes (NAME_UNKNOWN, TAG_INVALID, MANIFEST_UNKNOWN, ...).
 */
export interface IImageService {
  getRepository(scope: Scope, name: string): RepositoryInfo | undefined;
  /**
   * Stores a manifest pushed through the registry or PutImage. `tag` is undefined for a push by digest.
   * Enforces tag immutability, records pushedAt, and triggers what ECR triggers on push
   * (scan on push, replication). Returns the image's digest.
   */
  putManifest(scope: Scope, repositoryName: string, manifest: StoredManifest, tag: string | undefined): Promise<string>;
  /** Looks a manifest up by tag or by digest. */
  getManifest(scope: Scope, repositoryName: string, reference: string): StoredManifest | undefined;
  /** Tags of the repository, sorted (for `GET /v2/<name>/tags/list`). */
  listTags(scope: Scope, repositoryName: string): string[];
  /** Deletes an image by digest with all its tags; false when there is no such image. */
  deleteManifest(scope: Scope, repositoryName: string, digest: string): boolean;
}

/** Outcome of checking registry credentials (HTTP Basic `AWS:<password>` from GetAuthorizationToken). */
export type RegistryAuthResult =
  | { readonly ok: true; readonly accountId: string; readonly region: string }
  | { readonly ok: false; readonly reason: 'missing' | 'invalid' | 'expired' };

/** Owned by `accounts/`: verifies the passwords that GetAuthorizationToken hands out. */
export interface IRegistryAuth {
  verifyBasic(authorizationHeader: string | undefined): RegistryAuthResult;
}

/** Content-addressed layer/config storage, shared within an account. Owned by `storage/`. */
export interface IBlobStore {
  has(accountId: string, digest: string): Promise<boolean>;
  size(accountId: string, digest: string): Promise<number | undefined>;
  /** Streams a blob, optionally a byte range (inclusive start, inclusive end). */
  open(accountId: string, digest: string, range?: { start: number; end: number }): Readable;
}

/** A node:http handler the front door delegates `/v2/...` requests to. */
export type RegistryHttpHandler = (req: IncomingMessage, res: ServerResponse, registryHost: RegistryHost) => Promise<void>;

/**
 * Which account/region a registry request is for, read from the Host header
 * (`<account>.dkr.ecr.<region>.localhost:<port>`). The fallback host (`localhost:<port>`), which needs no
 * name resolution, carries no account: then the credentials decide.
 */
export type RegistryHost = { readonly kind: 'ecr'; readonly scope: Scope } | { readonly kind: 'fallback' };

/** ECR's finding severities (basic scanning). */
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNDEFINED';

/** One finding, shaped as DescribeImageScanFindings returns it. */
export interface ScanFinding {
  readonly name: string; // advisory id, e.g. CVE-2023-1234
  readonly description?: string;
  readonly uri?: string;
  readonly severity: Severity;
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: string }>; // package_name, package_version, CVSS2_SCORE, CVSS2_VECTOR
}

/** What a scan concluded. An image with no recognisable OS package database is UNSUPPORTED_IMAGE, as on AWS. */
export type ScanOutcome =
  | { readonly status: 'COMPLETE'; readonly findings: readonly ScanFinding[]; readonly vulnerabilitySourceUpdatedAt?: number }
  | { readonly status: 'FAILED' | 'UNSUPPORTED_IMAGE'; readonly description: string };

/** Owned by `scanner/`: inventories an image's OS packages from its layers and matches an advisory feed. */
export interface IImageScanner {
  scan(accountId: string, manifest: StoredManifest): Promise<ScanOutcome>;
}
