/** Resolving ECR ImageIdentifiers (`{imageDigest?, imageTag?}`) against a repository, with AWS's failure reasons. */
import type { RequestReader } from '../core/request-reader.ts';
import type { MetadataStore } from '../storage/metadata-store.ts';

/** An ImageIdentifier as the request gave it. */
export interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

/** A per-image failure in a batch response. */
export interface ImageFailure {
  imageId: ImageId;
  failureCode: 'InvalidImageDigest' | 'InvalidImageTag' | 'ImageTagDoesNotMatchDigest' | 'ImageNotFound' | 'MissingDigestAndTag';
  failureReason: string;
}

/** Reads a list of ImageIdentifiers. */
export function readImageIds(r: RequestReader, field: string): ImageId[] | undefined {
  return r.objectList(
    field,
    (i) => {
      const id: ImageId = {};
      const digest = i.string('imageDigest');
      const tag = i.string('imageTag', { min: 1, max: 300 });
      if (digest !== undefined) id.imageDigest = digest;
      if (tag !== undefined) id.imageTag = tag;
      return id;
    },
    { min: 1, max: 100 },
  );
}

/** The digest an id names, or the failure AWS reports for it. */
export function resolveImageId(store: MetadataStore, repositoryId: number, id: ImageId): { digest: string } | { failure: ImageFailure } {
  const fail = (failureCode: ImageFailure['failureCode'], failureReason: string) => ({ failure: { imageId: id, failureCode, failureReason } });
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return fail('MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null');
  }
  if (id.imageDigest !== undefined && !/^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/.test(id.imageDigest)) {
    return fail('InvalidImageDigest', 'Invalid request parameters: image digest should satisfy the regex \'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+\'');
  }
  const byTag = id.imageTag === undefined ? undefined : store.images.digestOfTag(repositoryId, id.imageTag);
  if (id.imageTag !== undefined && id.imageDigest !== undefined) {
    if (byTag === undefined && !store.images.get(repositoryId, id.imageDigest)) return fail('ImageNotFound', 'Requested image not found');
    if (byTag !== id.imageDigest) return fail('ImageTagDoesNotMatchDigest', 'Invalid request parameters: given tag does not map to the given digest');
    return { digest: byTag };
  }
  const digest = id.imageDigest ?? byTag;
  if (digest === undefined || !store.images.get(repositoryId, digest)) return fail('ImageNotFound', 'Requested image not found');
  return { digest };
}
