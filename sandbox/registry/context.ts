/** What every route handler gets: the request, the resolved scope and the registry's dependencies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IImageService, IRegistryAuth, Scope } from '../contracts.ts';
import { EcrMessages, RegistryError } from '../core/registry/index.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { ReferrersIndex } from './referrers.ts';

/** The registry's collaborators, passed in by the composition root. */
export interface RegistryDeps {
  readonly auth: IRegistryAuth;
  readonly images: IImageService;
  readonly blobs: BlobStore;
  /**
   * Enables the referrers API (`createReferrersIndex({ dataDir })`). Without it `/referrers/` answers
   * 404 and pushes carry no `OCI-Subject`, which tells clients to fall back to the referrers tag schema.
   */
  readonly referrers?: ReferrersIndex;
}

/** One authenticated request on one repository. */
export interface RepoRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly method: string;
  readonly scope: Scope;
  readonly name: string;
  readonly deps: RegistryDeps;
}

/** NAME_UNKNOWN with ECR's message: ECR never creates a repository on push. */
export function repositoryNotFound(name: string, scope: Scope): RegistryError {
  return new RegistryError('NAME_UNKNOWN', EcrMessages.repositoryNotFound(name, scope.accountId));
}

/** Throws NAME_UNKNOWN unless the repository exists in the request's scope. */
export function requireRepository(ctx: RepoRequest): void {
  if (ctx.deps.images.getRepository(ctx.scope, ctx.name) === undefined) throw repositoryNotFound(ctx.name, ctx.scope);
}

/** A method this route does not serve. */
export function unsupported(): RegistryError {
  return new RegistryError('UNSUPPORTED', 'The operation is unsupported.');
}
