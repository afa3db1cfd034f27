/** CreateRepository, DescribeRepositories, DeleteRepository and the per-repository settings. */
import { AwsError, invalidParameter } from '../core/aws-error.ts';
import { ecrErrors } from '../core/ecr-errors.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import {
  assertRepositoryName,
  paginate,
  readRepositoryRef,
  repositoryJson,
  requireRepository,
  targetScope,
  type EcrDeps,
} from './context.ts';
import { readTags } from './tags.ts';

const MUTABILITY = ['MUTABLE', 'IMMUTABLE'] as const;

/** The repository operations. */
export function repositoryOperations(deps: EcrDeps): Record<string, Operation> {
  return {
    CreateRepository(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const tagMutability = r.enumOf('imageTagMutability', MUTABILITY) ?? 'MUTABLE';
      const scanOnPush = r.object('imageScanningConfiguration', (c) => c.boolean('scanOnPush')) ?? false;
      const encryption = r.object('encryptionConfiguration', (c) => ({
        type: c.requiredString('encryptionType', { values: ['AES256', 'KMS'] }) as 'AES256' | 'KMS',
        kmsKey: c.string('kmsKey', { min: 1, max: 2048 }),
      }));
      const tags = readTags(r, 'tags');
      r.done();
      assertRepositoryName(repositoryName);
      if (encryption?.type === 'AES256' && encryption.kmsKey) {
        throw invalidParameter("Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: 'kmsKey can only be specified when encryptionType is KMS'");
      }
      const scope = targetScope(ctx, registryId);
      if (scope.accountId !== ctx.scope.accountId) {
        throw new AwsError('AccessDeniedException', `User is not authorized to create a repository in the registry with id '${scope.accountId}'`);
      }
      const row = deps.store.transaction(() => {
        if (deps.store.repositories.get(scope.accountId, scope.region, repositoryName)) {
          throw ecrErrors.repositoryAlreadyExists(repositoryName, scope.accountId);
        }
        const created = deps.store.repositories.insert({
          ...scope,
          name: repositoryName,
          createdAt: deps.now(),
          tagMutability,
          scanOnPush,
          encryptionType: encryption?.type ?? 'AES256',
          kmsKey: encryption?.type === 'KMS' ? (encryption.kmsKey ?? `arn:aws:kms:${scope.region}:${scope.accountId}:alias/aws/ecr`) : null,
        });
        for (const t of tags ?? []) deps.store.repositories.putTag(created.id, t.Key, t.Value);
        return created;
      });
      return { repository: repositoryJson(deps, row) };
    },

    DescribeRepositories(input, ctx) {
      const r = RequestReader.of(input);
      const registryId = r.string('registryId', { pattern: /^[0-9]{12}$/ });
      const names = r.stringList('repositoryNames', { minItems: 1, maxItems: 100 });
      const maxResults = r.integer('maxResults', 1, 1000);
      const nextToken = r.string('nextToken');
      r.done();
      const scope = targetScope(ctx, registryId);
      if (names) {
        if (maxResults !== undefined || nextToken !== undefined) {
          throw invalidParameter("Invalid parameter at 'maxResults' failed to satisfy constraint: 'maxResults and nextToken cannot be used with repositoryNames'");
        }
        names.forEach(assertRepositoryName);
        return { repositories: names.map((n) => repositoryJson(deps, requireRepository(deps, ctx, scope, n))) };
      }
      const all = scope.accountId === ctx.scope.accountId ? deps.store.repositories.list(scope.accountId, scope.region) : [];
      const { page, nextToken: next } = paginate(all, maxResults, nextToken, 1000);
      return { repositories: page.map((row) => repositoryJson(deps, row)), ...(next ? { nextToken: next } : {}) };
    },

    DeleteRepository(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const force = r.boolean('force') ?? false;
      r.done();
      const scope = targetScope(ctx, registryId);
      const row = deps.store.transaction(() => {
        const repo = requireRepository(deps, ctx, scope, repositoryName);
        if (!force && deps.store.images.count(repo.id) > 0) throw ecrErrors.repositoryNotEmpty(repositoryName, scope.accountId);
        deps.store.repositories.delete(repo.id);
        return repo;
      });
      return { repository: repositoryJson(deps, row) };
    },

    PutImageTagMutability(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const mutability = r.enumOf('imageTagMutability', MUTABILITY);
      if (mutability === undefined) r.requiredString('imageTagMutability');
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      deps.store.repositories.setTagMutability(repo.id, mutability!);
      return { registryId: repo.accountId, repositoryName: repo.name, imageTagMutability: mutability };
    },

    PutImageScanningConfiguration(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const scanOnPush = r.requiredObject('imageScanningConfiguration', (c) => c.boolean('scanOnPush')) ?? false;
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      deps.store.repositories.setScanOnPush(repo.id, scanOnPush);
      return { registryId: repo.accountId, repositoryName: repo.name, imageScanningConfiguration: { scanOnPush } };
    },
  };
}
