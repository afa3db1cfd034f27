import type { ReplicationRule } from '@aws-sdk/client-ecr';
import { ecrSdk } from '../lib/sdk.ts';
import { z } from 'zod';
import { fail, pass } from '../../server/core/checks.ts';
import { describeRepository, explainMissingRepository, listImages, quoteList, sendOptions, type AwsChecker } from '../lib/ecr.ts';
import { zodParams } from '../lib/params.ts';

const Params = z.strictObject({
  destinationRegion: z.string().min(1),
  repository: z.string().min(1),
  /** A tag that must have arrived in the destination; without it, any image. */
  tag: z.string().min(1).optional(),
  /** The source region; default the learner's region. */
  region: z.string().min(1).optional(),
});
type Params = z.output<typeof Params>;

/** Does a rule's repository filter let `repository` through? (no filters: every repository) */
function ruleCovers(rule: ReplicationRule, repository: string): boolean {
  const filters = rule.repositoryFilters ?? [];
  return filters.length === 0 || filters.some((f) => f.filterType === 'PREFIX_MATCH' && f.filter !== undefined && repository.startsWith(f.filter));
}

/**
 * Cross-region replication works for a repository: the registry (DescribeRegistry) has a rule to the
 * destination region that covers the repository, and the destination region's copy has the image.
 */
export const ecrReplication: AwsChecker<Params> = {
  id: 'ecr.replication',
  description: 'Registry replication to a region is configured and the repository’s image arrived there',
  params: zodParams(Params),
  async run(p, ctx) {
    const source = p.region ?? ctx.aws.region;
    const dest = p.destinationRegion;
    const accountId = ctx.aws.accountId;
    const srcEcr = ctx.aws.inRegion(source).ecr;
    const config = `'{"rules":[{"destinations":[{"region":"${dest}","registryId":"${accountId}"}]}]}'`;
    const putCmd = `aws ecr put-replication-configuration --replication-configuration ${config}${source === ctx.aws.region ? '' : ` --region ${source}`}`;

    const registry = await srcEcr.send(new (await ecrSdk()).DescribeRegistryCommand({}), sendOptions(ctx));
    const rules = registry.replicationConfiguration?.rules ?? [];
    const toDest = rules.filter((r) => r.destinations?.some((d) => d.region === dest && (d.registryId ?? accountId) === accountId));
    const evidence = { sourceRegion: source, destinationRegion: dest, rules };
    if (toDest.length === 0) {
      const regions = [...new Set(rules.flatMap((r) => r.destinations?.map((d) => d.region ?? '?') ?? []))];
      if (regions.length === 0) return fail(`Your registry in ${source} has no replication rule.`, `Add one to ${dest}: ${putCmd}`, evidence);
      return fail(`Your registry replicates to ${regions.join(', ')}, not to ${dest}.`, `Add ${dest} as a destination (the configuration replaces the old one): ${putCmd}`, evidence);
    }
    if (!toDest.some((r) => ruleCovers(r, p.repository))) {
      const prefixes = toDest.flatMap((r) => r.repositoryFilters?.map((f) => f.filter ?? '') ?? []);
      return fail(
        `Your rule to ${dest} replicates only repositories starting with ${quoteList(prefixes, 5)}; '${p.repository}' does not match.`,
        `Change the rule's repositoryFilters (PREFIX_MATCH) to include '${p.repository}', or remove them: ${putCmd}`,
        evidence,
      );
    }

    const repo = await describeRepository(srcEcr, p.repository, ctx);
    if (!repo) {
      const why = await explainMissingRepository(ctx, p.repository, source);
      return fail(why.message, why.hint, why.evidence);
    }
    const sourceImages = (await listImages(srcEcr, p.repository, ctx)) ?? [];
    const sourceHas = p.tag === undefined ? sourceImages.length > 0 : sourceImages.some((i) => i.imageTags?.includes(p.tag!));
    const tag = p.tag ?? 'latest';
    const uri = repo.repositoryUri ?? p.repository;
    const what = p.tag === undefined ? 'an image' : `'${p.tag}'`;
    if (!sourceHas) {
      return fail(
        `'${p.repository}' in ${source} has no ${p.tag === undefined ? 'image' : `image tagged '${p.tag}'`} to replicate.`,
        `Push it to ${source} first; replication then copies it to ${dest}: docker push ${uri}:${tag}`,
        evidence,
      );
    }
    const destImages = await listImages(ctx.aws.inRegion(dest).ecr, p.repository, ctx);
    const arrived = destImages !== undefined && (p.tag === undefined ? destImages.length > 0 : destImages.some((i) => i.imageTags?.includes(p.tag!)));
    if (!arrived) {
      return fail(
        `Replication to ${dest} is configured, but ${what} of '${p.repository}' has not arrived there.`,
        `Only pushes made after the rule exists are replicated: push again (docker push ${uri}:${tag}), wait a minute, then look: ` +
          `aws ecr describe-images --repository-name ${p.repository} --region ${dest}`,
        { ...evidence, destinationTags: destImages?.flatMap((i) => i.imageTags ?? []) ?? null },
      );
    }
    return pass(`'${p.repository}' is replicated to ${dest}${p.tag === undefined ? '' : ` with '${p.tag}'`}.`, evidence);
  },
};
