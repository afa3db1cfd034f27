/** TagResource, UntagResource, ListTagsForResource: resource tags on repositories, addressed by ARN. */
import { parseRepositoryArn } from '../core/arn.ts';
import { AwsError, invalidParameter } from '../core/aws-error.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { CallContext, Operation } from '../http/aws-json.ts';
import type { RepositoryRow } from '../storage/metadata-store.ts';
import { requireRepository, type EcrDeps } from './context.ts';

/** AWS allows 50 tags per resource. */
const MAX_TAGS = 50;

/** Reads a `[{Key, Value}]` list, validated as ECR does. */
export function readTags(r: RequestReader, field: string): { Key: string; Value: string }[] | undefined {
  const tags = r.objectList(field, (t) => ({ Key: t.string('Key'), Value: t.string('Value') }));
  if (!tags) return undefined;
  for (const t of tags) {
    if (t.Key === undefined || t.Key.length < 1 || t.Key.length > 128 || t.Key.startsWith('aws:')) {
      throw new AwsError('InvalidTagParameterException', 'Invalid parameter at \'tags\' failed to satisfy constraint: \'Tag keys must be between 1 and 128 characters and must not start with aws:\'');
    }
    if (t.Value !== undefined && t.Value.length > 256) {
      throw new AwsError('InvalidTagParameterException', 'Invalid parameter at \'tags\' failed to satisfy constraint: \'Tag values must be at most 256 characters\'');
    }
  }
  if (tags.length > MAX_TAGS) throw new AwsError('TooManyTagsException', `The number of tags exceeds the limit of ${MAX_TAGS} tags`);
  return tags.map((t) => ({ Key: t.Key!, Value: t.Value ?? '' }));
}

/** The tagging operations. */
export function tagOperations(deps: EcrDeps): Record<string, Operation> {
  const repoOf = (r: RequestReader, ctx: CallContext): RepositoryRow => {
    const arn = r.requiredString('resourceArn');
    r.done();
    const parsed = parseRepositoryArn(arn);
    if (!parsed) throw invalidParameter(`Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN: ${arn}'`);
    if (parsed.scope.region !== ctx.scope.region) {
      throw invalidParameter(`Invalid parameter at 'resourceArn' failed to satisfy constraint: 'The region in the ARN does not match the region of the request'`);
    }
    return requireRepository(deps, ctx, parsed.scope, parsed.name);
  };
  return {
    TagResource(input, ctx) {
      const r = RequestReader.of(input);
      const tags = readTags(r, 'tags');
      if (!tags) r.requiredString('tags');
      const repo = repoOf(r, ctx);
      deps.store.transaction(() => {
        const keys = new Set([...deps.store.repositories.tags(repo.id).map((t) => t.Key), ...tags!.map((t) => t.Key)]);
        if (keys.size > MAX_TAGS) throw new AwsError('TooManyTagsException', `The number of tags exceeds the limit of ${MAX_TAGS} tags`);
        for (const t of tags!) deps.store.repositories.putTag(repo.id, t.Key, t.Value);
      });
      return {};
    },
    UntagResource(input, ctx) {
      const r = RequestReader.of(input);
      const keys = r.stringList('tagKeys');
      if (!keys) r.requiredString('tagKeys');
      const repo = repoOf(r, ctx);
      deps.store.transaction(() => keys!.forEach((k) => deps.store.repositories.deleteTag(repo.id, k)));
      return {};
    },
    ListTagsForResource(input, ctx) {
      const repo = repoOf(RequestReader.of(input), ctx);
      return { tags: deps.store.repositories.tags(repo.id) };
    },
  };
}
