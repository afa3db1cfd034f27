/**
 * The ECR image model behind both the registry (`docker push/pull`) and the ECR API (PutImage,
 * BatchGetImage, ...): one place that enforces tag immutability, records pushedAt and fires what ECR
 * does after a push (scan on push, replication).
 */
import type { IImageService, RepositoryInfo, Scope, StoredManifest } from '../contracts.ts';
import { Emitter } from '../../server/core/event.ts';
import type { IDisposable } from '../../server/core/lifecycle.ts';
import { AwsError, invalidParameter } from '../core/aws-error.ts';
import { ecrErrors } from '../core/ecr-errors.ts';
import { DIGEST_PATTERN, readManifest } from '../core/manifest.ts';
import type { MetadataStore, RepositoryRow } from '../storage/metadata-store.ts';
import { sha256Digest } from './digest.ts';

/** What happened in a push, for listeners (scan on push, replication). */
export interface ImagePushedEvent {
  readonly scope: Scope;
  readonly repositoryName: string;
  readonly digest: string;
  readonly tag: string | undefined;
  /** False when the manifest was already in the repository (only a tag moved or nothing changed). */
  readonly newImage: boolean;
  /** True when this push is itself a replica (replication must not cascade). */
  readonly replicated: boolean;
}

/** Options of one put. */
export interface PutOptions {
  /** PutImage semantics: an identical image+tag is ImageAlreadyExistsException (a registry re-push is a no-op). */
  readonly failIfExists?: boolean;
  readonly replicated?: boolean;
}

/** {@link IImageService} over the metadata store. */
export class ImageService implements IImageService, IDisposable {
  private readonly _onImagePushed = new Emitter<ImagePushedEvent>();
  /** Fires after a push has been committed. */
  readonly onImagePushed = this._onImagePushed.event;

  constructor(
    private readonly _store: MetadataStore,
    private readonly _now: () => number,
  ) {}

  getRepository(scope: Scope, name: string): RepositoryInfo | undefined {
    const row = this._store.repositories.get(scope.accountId, scope.region, name);
    return row ? { scope: { accountId: row.accountId, region: row.region }, name: row.name, imageTagMutability: row.tagMutability } : undefined;
  }

  putManifest(scope: Scope, repositoryName: string, manifest: StoredManifest, tag: string | undefined): Promise<string> {
    try {
      return Promise.resolve(this.put(scope, repositoryName, manifest, tag));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Synchronous put used by PutImage and the registry. Throws RepositoryNotFoundException,
   * ImageTagAlreadyExistsException, ImageAlreadyExistsException (with failIfExists), InvalidParameterException.
   */
  put(scope: Scope, repositoryName: string, manifest: StoredManifest, tag: string | undefined, opts: PutOptions = {}): string {
    const repo = this._requireRepository(scope, repositoryName);
    const digest = sha256Digest(manifest.bytes);
    if (manifest.digest && manifest.digest !== digest) throw ecrErrors.imageDigestDoesNotMatch(manifest.digest, digest);
    const read = readManifest(new TextDecoder().decode(manifest.bytes), manifest.mediaType || undefined);
    if (!read.ok) throw invalidParameter(read.message);
    if (tag !== undefined && DIGEST_PATTERN.test(tag)) {
      throw invalidParameter(`Invalid parameter at 'imageTag' failed to satisfy constraint: 'must not be a digest'`);
    }

    let newImage = false;
    let changed = false;
    this._store.transaction(() => {
      const existing = this._store.images.get(repo.id, digest);
      const tagged = tag === undefined ? undefined : this._store.images.digestOfTag(repo.id, tag);
      if (existing && (tag === undefined || tagged === digest)) {
        if (opts.failIfExists) throw ecrErrors.imageAlreadyExists(digest, tag, repo.name, repo.accountId);
        return; // docker re-pushing an unchanged image: nothing to do.
      }
      if (tag !== undefined && tagged !== undefined && tagged !== digest && repo.tagMutability === 'IMMUTABLE') {
        throw ecrErrors.imageTagAlreadyExists(tag, repo.name);
      }
      if (!existing) {
        this._store.images.insert({
          repositoryId: repo.id,
          digest,
          mediaType: read.facts.mediaType,
          artifactMediaType: read.facts.artifactMediaType ?? null,
          manifest: manifest.bytes,
          size: read.facts.sizeInBytes,
          pushedAt: this._now(),
        });
        newImage = true;
      }
      if (tag !== undefined) this._store.images.setTag(repo.id, tag, digest);
      changed = true;
    });
    if (changed) {
      this._fire({ scope, repositoryName: repo.name, digest, tag, newImage, replicated: opts.replicated ?? false });
    }
    return digest;
  }

  getManifest(scope: Scope, repositoryName: string, reference: string): StoredManifest | undefined {
    const repo = this._store.repositories.get(scope.accountId, scope.region, repositoryName);
    if (!repo) return undefined;
    const digest = DIGEST_PATTERN.test(reference) ? reference : this._store.images.digestOfTag(repo.id, reference);
    if (!digest) return undefined;
    const image = this._store.images.get(repo.id, digest);
    return image ? { digest: image.digest, mediaType: image.mediaType, bytes: new Uint8Array(image.manifest) } : undefined;
  }

  listTags(scope: Scope, repositoryName: string): string[] {
    const repo = this._store.repositories.get(scope.accountId, scope.region, repositoryName);
    return repo ? this._store.images.allTags(repo.id).map((t) => t.tag) : [];
  }

  deleteManifest(scope: Scope, repositoryName: string, digest: string): boolean {
    const repo = this._store.repositories.get(scope.accountId, scope.region, repositoryName);
    return repo ? this._store.images.delete(repo.id, digest) : false;
  }

  dispose(): void {
    this._onImagePushed.dispose();
  }

  private _requireRepository(scope: Scope, name: string): RepositoryRow {
    const repo = this._store.repositories.get(scope.accountId, scope.region, name);
    if (!repo) throw ecrErrors.repositoryNotFound(name, scope.accountId);
    return repo;
  }

  private _fire(e: ImagePushedEvent): void {
    try {
      this._onImagePushed.fire(e);
    } catch (err) {
      // A failing post-push hook (scan, replication) must not fail a push that has been committed.
      console.error('sandbox: post-push hook failed', err instanceof AwsError ? err.message : err);
    }
  }
}
