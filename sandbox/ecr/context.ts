/** What every ECR operation module needs, and the small helpers they share. */
import type { IBlobStore, Scope } from '../contracts.ts';
import { repositoryArn } from '../core/arn.ts';
import { invalidParameter } from '../core/aws-error.ts';
import { ecrErrors } from '../core/ecr-errors.ts';
import type { RequestReader } from '../core/request-reader.ts';
import { checkRepositoryName } from '../core/repository-name.ts';
import type { RegistryTokenService } from '../accounts/registry-auth.ts';
import type { CallContext } from '../http/aws-json.ts';
import type { MetadataStore, RepositoryRow } from '../storage/metadata-store.ts';
import type { ImageService } from './image-service.ts';

/** Dependencies of the ECR operations, wired by `startSandbox`. */
export interface EcrDeps {
  readonly store: MetadataStore;
  readonly images: ImageService;
  /** Sandbox time (epoch ms, shifted by the admin clock offset). */
  readonly now: () => number;
  /** The registry host (no scheme) for a scope: the prefix of repositoryUri. */
  readonly registryHost: (scope: Scope) => string;
  /** Scheme of the registry's proxyEndpoint: `https` when it serves TLS for the host above. */
  readonly registryScheme: 'https' | 'http';
  readonly tokens: RegistryTokenService;
  readonly blobs: IBlobStore | undefined;
}

/** The scope an operation acts on: the caller's, unless `registryId` names another registry. */
export function targetScope(ctx: CallContext, registryId: string | undefined): Scope {
  return { accountId: registryId ?? ctx.scope.accountId, region: ctx.scope.region };
}

/**
 * The repository an operation names. Another account's registry is never visible (the sandbox evaluates
 * no cross-account repository policies), so it answers as AWS does for a repository that is not there.
 */
export function requireRepository(deps: EcrDeps, ctx: CallContext, scope: Scope, name: string): RepositoryRow {
  const row = scope.accountId === ctx.scope.accountId ? deps.store.repositories.get(scope.accountId, scope.region, name) : undefined;
  if (!row) throw ecrErrors.repositoryNotFound(name, scope.accountId);
  return row;
}

/** Reads the common `registryId` + `repositoryName` members. */
export function readRepositoryRef(r: RequestReader): { registryId: string | undefined; repositoryName: string } {
  const registryId = r.string('registryId', { pattern: /^[0-9]{12}$/ });
  const repositoryName = r.requiredString('repositoryName');
  return { registryId, repositoryName };
}

/** Throws ECR's InvalidParameterException for a malformed repository name. */
export function assertRepositoryName(name: string): void {
  const err = checkRepositoryName(name);
  if (err) throw err;
}

/** Epoch milliseconds → AWS JSON 1.1 timestamp (epoch seconds). */
export const seconds = (ms: number): number => ms / 1000;

/** The Repository structure as ECR returns it. */
export function repositoryJson(deps: EcrDeps, row: RepositoryRow): Record<string, unknown> {
  const scope = { accountId: row.accountId, region: row.region };
  return {
    repositoryArn: repositoryArn(scope, row.name),
    registryId: row.accountId,
    repositoryName: row.name,
    repositoryUri: `${deps.registryHost(scope)}/${row.name}`,
    createdAt: seconds(row.createdAt),
    imageTagMutability: row.tagMutability,
    imageScanningConfiguration: { scanOnPush: row.scanOnPush },
    encryptionConfiguration: { encryptionType: row.encryptionType, ...(row.kmsKey ? { kmsKey: row.kmsKey } : {}) },
  };
}

/** Pages through `items` with an opaque nextToken (an offset), as ECR's list operations do. */
export function paginate<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined, defaultMax: number): { page: T[]; nextToken?: string } {
  const start = offsetOfToken(nextToken);
  const size = maxResults ?? defaultMax;
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? tokenOfOffset(start + size) : undefined;
  return next ? { page, nextToken: next } : { page };
}

/** Where a page starts: 0 without a token, else the offset {@link tokenOfOffset} wrote into it. */
export function offsetOfToken(nextToken: string | undefined): number {
  if (nextToken === undefined) return 0;
  const decoded = /^o:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
  if (!decoded) throw invalidParameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid pagination token'");
  return Number(decoded[1]);
}

/** The nextToken of a page that starts at `offset`. */
export function tokenOfOffset(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}
