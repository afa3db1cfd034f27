/** ListImages, DescribeImages, BatchGetImage, BatchDeleteImage and PutImage. */
import { invalidParameter } from '../core/aws-error.ts';
import { ecrErrors } from '../core/ecr-errors.ts';
import { readManifest } from '../core/manifest.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import type { ImageSummaryRow, RepositoryRow } from '../storage/metadata-store.ts';
import { offsetOfToken, paginate, readRepositoryRef, tokenOfOffset, requireRepository, seconds, targetScope, type EcrDeps } from './context.ts';
import { sha256Digest } from './digest.ts';
import { readImageIds, resolveImageId, type ImageFailure, type ImageId } from './image-ids.ts';
import { scanSummaryJson } from './scan-json.ts';

const TAG_STATUS = ['TAGGED', 'UNTAGGED', 'ANY'] as const;

/** The image operations. */
export function imageOperations(deps: EcrDeps): Record<string, Operation> {
  const { store } = deps;
  const detail = (repo: RepositoryRow, img: ImageSummaryRow, knownTags?: readonly string[]) => {
    const tags = knownTags ?? store.images.tagsOf(repo.id, img.digest);
    return {
      registryId: repo.accountId,
      repositoryName: repo.name,
      imageDigest: img.digest,
      ...(tags.length ? { imageTags: tags } : {}),
      imageSizeInBytes: img.size,
      imagePushedAt: seconds(img.pushedAt),
      imageManifestMediaType: img.mediaType,
      ...(img.artifactMediaType ? { artifactMediaType: img.artifactMediaType } : {}),
      ...scanSummaryJson(img),
    };
  };
  const tagFilter = (r: RequestReader) => r.object('filter', (f) => f.enumOf('tagStatus', TAG_STATUS)) ?? 'ANY';

  return {
    ListImages(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const maxResults = r.integer('maxResults', 1, 1000);
      const nextToken = r.string('nextToken');
      const status = tagFilter(r);
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      const ids: ImageId[] = [];
      for (const img of store.images.list(repo.id)) {
        const tags = store.images.tagsOf(repo.id, img.digest);
        if (tags.length === 0 && status !== 'TAGGED') ids.push({ imageDigest: img.digest });
        if (status !== 'UNTAGGED') for (const t of tags) ids.push({ imageDigest: img.digest, imageTag: t });
      }
      const { page, nextToken: next } = paginate(ids, maxResults, nextToken, 100);
      return { imageIds: page, ...(next ? { nextToken: next } : {}) };
    },

    DescribeImages(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const imageIds = readImageIds(r, 'imageIds');
      const maxResults = r.integer('maxResults', 1, 1000);
      const nextToken = r.string('nextToken');
      const status = tagFilter(r);
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      if (imageIds) {
        if (maxResults !== undefined || nextToken !== undefined) {
          throw invalidParameter("Invalid parameter at 'maxResults' failed to satisfy constraint: 'maxResults and nextToken cannot be used with imageIds'");
        }
        const seen = new Set<string>();
        const details = [];
        for (const id of imageIds) {
          const found = resolveImageId(store, repo.id, id);
          if ('failure' in found) throw ecrErrors.imageNotFound(id, repo.name, repo.accountId);
          if (seen.has(found.digest)) continue;
          seen.add(found.digest);
          details.push(detail(repo, store.images.get(repo.id, found.digest)!));
        }
        return { imageDetails: details };
      }
      // SQLite orders, filters and cuts the page; only the page's rows (without manifests) are read, tags included.
      const offset = offsetOfToken(nextToken);
      const limit = maxResults ?? 100;
      const { images, more } = store.images.page(repo.id, status, offset, limit);
      return { imageDetails: images.map(({ image, tags }) => detail(repo, image, tags)), ...(more ? { nextToken: tokenOfOffset(offset + limit) } : {}) };
    },

    BatchGetImage(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const imageIds = readImageIds(r, 'imageIds');
      if (!imageIds) r.requiredString('imageIds');
      const accepted = r.stringList('acceptedMediaTypes', { minItems: 1, maxItems: 100 });
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      const images = [];
      const failures: ImageFailure[] = [];
      for (const id of imageIds!) {
        const found = resolveImageId(store, repo.id, id);
        if ('failure' in found) {
          failures.push(found.failure);
          continue;
        }
        const img = store.images.get(repo.id, found.digest)!;
        if (accepted && !accepted.includes(img.mediaType)) {
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          continue;
        }
        images.push({
          registryId: repo.accountId,
          repositoryName: repo.name,
          imageId: { imageDigest: img.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
          imageManifest: Buffer.from(img.manifest).toString('utf8'),
          imageManifestMediaType: img.mediaType,
        });
      }
      return { images, failures };
    },

    BatchDeleteImage(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const imageIds = readImageIds(r, 'imageIds');
      if (!imageIds) r.requiredString('imageIds');
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      const deleted: ImageId[] = [];
      const failures: ImageFailure[] = [];
      store.transaction(() => {
        for (const id of imageIds!) {
          const found = resolveImageId(store, repo.id, id);
          if ('failure' in found) {
            failures.push(found.failure);
            continue;
          }
          if (id.imageDigest !== undefined) {
            // By digest: the image goes, with every tag (one response entry per tag).
            const tags = store.images.tagsOf(repo.id, found.digest);
            store.images.delete(repo.id, found.digest);
            if (tags.length === 0) deleted.push({ imageDigest: found.digest });
            for (const t of tags) deleted.push({ imageDigest: found.digest, imageTag: t });
          } else {
            // By tag: the tag goes; an image left without tags is deleted, as ECR does.
            store.images.deleteTag(repo.id, id.imageTag!);
            if (store.images.tagsOf(repo.id, found.digest).length === 0) store.images.delete(repo.id, found.digest);
            deleted.push({ imageDigest: found.digest, imageTag: id.imageTag! });
          }
        }
      });
      return { imageIds: deleted, failures };
    },

    async PutImage(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const manifestText = r.requiredString('imageManifest', { min: 1, max: 4194304 });
      const mediaType = r.string('imageManifestMediaType');
      const tag = r.string('imageTag', { min: 1, max: 300 });
      const digest = r.string('imageDigest');
      r.done();
      const scope = targetScope(ctx, registryId);
      const repo = requireRepository(deps, ctx, scope, repositoryName);
      const bytes = new TextEncoder().encode(manifestText);
      const read = readManifest(manifestText, mediaType);
      if (!read.ok) throw invalidParameter(read.message);
      if (deps.blobs) {
        const missing: string[] = [];
        for (const d of read.facts.blobDigests) if (!(await deps.blobs.has(repo.accountId, d))) missing.push(d);
        if (missing.length) throw ecrErrors.layersNotFound(missing, repo.name, repo.accountId);
      }
      const stored = deps.images.put(
        scope,
        repo.name,
        { digest: digest ?? sha256Digest(bytes), mediaType: read.facts.mediaType, bytes },
        tag,
        { failIfExists: true },
      );
      return {
        image: {
          registryId: repo.accountId,
          repositoryName: repo.name,
          imageId: { imageDigest: stored, ...(tag !== undefined ? { imageTag: tag } : {}) },
          imageManifest: manifestText,
          imageManifestMediaType: read.facts.mediaType,
        },
      };
    },
  };
}
