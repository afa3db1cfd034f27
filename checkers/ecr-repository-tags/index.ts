import { z } from 'zod';
import { fail, pass } from '../../server/core/checks.ts';
import { describeRepository, explainMissingRepository, listImages, quoteList, type AwsChecker } from '../lib/ecr.ts';
import { zodParams } from '../lib/params.ts';

const Params = z.strictObject({
  repository: z.string().min(1),
  /** Exactly these tags must be in the repository, no more and no fewer (order does not matter). */
  tags: z.array(z.string().min(1)).min(1),
  /** How many untagged images may remain; default: any number. */
  untagged: z.number().int().min(0).optional(),
  /** A hint for when tags are still there that should be gone (e.g. "the policy runs within a minute"). */
  waitHint: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
});
type Params = z.output<typeof Params>;

/**
 * What is left in a repository: exactly the expected tags (after a lifecycle policy ran, a clean-up, …).
 * The hint names the tags that should be gone and the ones that are missing.
 */
export const ecrRepositoryTags: AwsChecker<Params> = {
  id: 'ecr.repository-tags',
  description: 'An ECR repository holds exactly the expected tags (and, optionally, a number of untagged images)',
  params: zodParams(Params),
  async run(p, ctx) {
    const region = p.region ?? ctx.aws.region;
    const ecr = ctx.aws.inRegion(region).ecr;
    const images = (await describeRepository(ecr, p.repository, ctx)) && (await listImages(ecr, p.repository, ctx));
    if (!images) {
      const why = await explainMissingRepository(ctx, p.repository, region);
      return fail(why.message, why.hint, why.evidence);
    }
    const present = images.flatMap((i) => i.imageTags ?? []).sort();
    const untagged = images.filter((i) => !i.imageTags?.length).length;
    const extra = present.filter((t) => !p.tags.includes(t));
    const missing = p.tags.filter((t) => !present.includes(t));
    const evidence = { repository: p.repository, region, tags: present.slice(0, 50), untagged };
    if (missing.length > 0) {
      return fail(
        `'${p.repository}' is missing ${quoteList(missing, 8)}.`,
        `These should still be there: they were deleted or never pushed. Its tags now: ${present.length ? quoteList(present, 12) : 'none'}.`,
        evidence,
      );
    }
    const tooManyUntagged = p.untagged !== undefined && untagged > p.untagged;
    if (extra.length > 0 || tooManyUntagged) {
      const what = [
        ...(extra.length ? [`${quoteList(extra, 8)} ${extra.length === 1 ? 'is' : 'are'} still there`] : []),
        ...(tooManyUntagged ? [`${untagged} untagged image${untagged === 1 ? ' is' : 's are'} left (expected ${p.untagged})`] : []),
      ].join('; ');
      return fail(`'${p.repository}' holds more than it should: ${what}.`, p.waitHint ?? 'Remove them, or fix the rule that should have removed them.', evidence);
    }
    return pass(`'${p.repository}' holds exactly ${quoteList(p.tags, 12)}${p.untagged !== undefined ? ` and ${untagged} untagged` : ''}.`, evidence);
  },
};
