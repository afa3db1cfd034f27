import type { LifecyclePolicyPreviewResult } from '@aws-sdk/client-ecr';
import { ecrSdk } from '../lib/sdk.ts';
import { z } from 'zod';
import { checkError, fail, pass, type CheckResult } from '../../server/core/checks.ts';
import { isAwsError, unlessAwsError } from '../lib/aws-errors.ts';
import { explainMissingRepository, quoteList, regionFlag, sendOptions, type AwsChecker, type AwsContext } from '../lib/ecr.ts';
import { zodParams } from '../lib/params.ts';
import { sleep } from '../lib/sleep.ts';
import { closestRule, describeExpectation, describeMismatches, ExpectedRule, mismatches, parseRules } from './rules.ts';

const Params = z.strictObject({
  repository: z.string().min(1),
  /** Each must be matched by some rule of the policy (fields not given are free). */
  expectRules: z.array(ExpectedRule).min(1).optional(),
  /** What a preview of the policy would expire now: a number of images, or exactly these tags. */
  expectPreviewExpires: z.union([z.number().int().min(0), z.array(z.string().min(1))]).optional(),
  region: z.string().min(1).optional(),
});
type Params = z.output<typeof Params>;

/**
 * The repository has a lifecycle policy with the rules the lab asks for and, optionally, a preview of it
 * would expire what the lab expects. The preview (Start/GetLifecyclePolicyPreview) deletes nothing.
 */
export const ecrLifecyclePolicy: AwsChecker<Params> = {
  id: 'ecr.lifecycle-policy',
  description: 'An ECR repository has a lifecycle policy with the expected rules (and preview outcome)',
  params: zodParams(Params),
  async run(p, ctx) {
    const region = p.region ?? ctx.aws.region;
    const ecr = ctx.aws.inRegion(region).ecr;
    const put = `aws ecr put-lifecycle-policy --repository-name ${p.repository} --lifecycle-policy-text file://policy.json${regionFlag(ctx, region)}`;
    let policy;
    try {
      policy = await ecr.send(new (await ecrSdk()).GetLifecyclePolicyCommand({ repositoryName: p.repository }), sendOptions(ctx));
    } catch (err) {
      if (isAwsError(err, 'RepositoryNotFoundException')) {
        const why = await explainMissingRepository(ctx, p.repository, region);
        return fail(why.message, why.hint, why.evidence);
      }
      if (isAwsError(err, 'LifecyclePolicyNotFoundException')) {
        return fail(`Repository '${p.repository}' has no lifecycle policy.`, `Write the policy to policy.json and put it: ${put}`, { repository: p.repository });
      }
      throw err;
    }
    const rules = parseRules(policy.lifecyclePolicyText ?? '');
    if (!rules) return checkError(`The lifecycle policy of '${p.repository}' is not a JSON policy document.`, { text: policy.lifecyclePolicyText });
    const evidence = { repository: p.repository, rules };

    for (const expected of p.expectRules ?? []) {
      if (rules.some((r) => mismatches(r, expected).length === 0)) continue;
      const closest = closestRule(rules, expected);
      const near = closest ? `Closest is the rule with priority ${String(closest.rule.rulePriority)}: ${describeMismatches(closest.mismatches)}. ` : '';
      return fail(`The lifecycle policy of '${p.repository}' has no rule with ${describeExpectation(expected)}.`, `${near}Fix policy.json and put it again: ${put}`, evidence);
    }

    if (p.expectPreviewExpires !== undefined) {
      const preview = await runPreview(ctx, region, p.repository);
      if ('status' in preview) return preview;
      const expiring = preview.results;
      const previewCmd = `aws ecr start-lifecycle-policy-preview --repository-name ${p.repository}${regionFlag(ctx, region)} && aws ecr get-lifecycle-policy-preview --repository-name ${p.repository}${regionFlag(ctx, region)}`;
      const tags = expiring.flatMap((r) => r.imageTags ?? []);
      const previewEvidence = { ...evidence, expiringCount: expiring.length, expiringTags: tags };
      const seen = tags.length > 0 ? ` It would expire ${quoteList(tags, 8)}${expiring.length > tags.length ? ' and untagged images' : ''}.` : '';
      if (typeof p.expectPreviewExpires === 'number') {
        if (expiring.length !== p.expectPreviewExpires) {
          return fail(
            `The policy would expire ${plural(expiring.length, 'image')} now; the lab expects ${p.expectPreviewExpires}.`,
            `Check the rules' counts and tag filters.${seen} Preview it yourself: ${previewCmd}`,
            previewEvidence,
          );
        }
      } else {
        const want = p.expectPreviewExpires;
        const kept = want.filter((t) => !tags.includes(t));
        const extra = tags.filter((t) => !want.includes(t));
        if (kept.length > 0 || extra.length > 0) {
          const parts = [
            kept.length > 0 ? `it would keep ${quoteList(kept, 8)}, which the lab expects to expire` : '',
            extra.length > 0 ? `it would expire ${quoteList(extra, 8)}, which the lab expects to keep` : '',
          ].filter(Boolean);
          return fail(`The policy does not expire what the lab expects: ${parts.join('; ')}.`, `Check the rules' counts and tag filters. Preview it yourself: ${previewCmd}`, previewEvidence);
        }
      }
      return pass(`The lifecycle policy of '${p.repository}' has the expected rules and would expire ${plural(expiring.length, 'image')}.`, previewEvidence);
    }
    return pass(`The lifecycle policy of '${p.repository}' has the expected rules.`, evidence);
  },
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Starts a preview (or joins one in progress) and waits for its results, page by page. */
async function runPreview(ctx: AwsContext, region: string, repository: string): Promise<{ results: LifecyclePolicyPreviewResult[] } | CheckResult> {
  const ecr = ctx.aws.inRegion(region).ecr;
  await unlessAwsError(ecr.send(new (await ecrSdk()).StartLifecyclePolicyPreviewCommand({ repositoryName: repository }), sendOptions(ctx)), 'LifecyclePolicyPreviewInProgressException');
  for (;;) {
    const first = await ecr.send(new (await ecrSdk()).GetLifecyclePolicyPreviewCommand({ repositoryName: repository, maxResults: 100 }), sendOptions(ctx));
    if (first.status === 'IN_PROGRESS') {
      await sleep(500, ctx.signal);
      continue;
    }
    if (first.status !== 'COMPLETE') return checkError(`The lifecycle policy preview of '${repository}' ended ${first.status ?? 'without a status'}.`);
    const results = [...(first.previewResults ?? [])];
    let nextToken = first.nextToken;
    while (nextToken) {
      const page = await ecr.send(new (await ecrSdk()).GetLifecyclePolicyPreviewCommand({ repositoryName: repository, maxResults: 100, nextToken }), sendOptions(ctx));
      results.push(...(page.previewResults ?? []));
      nextToken = page.nextToken;
    }
    return { results };
  }
}
