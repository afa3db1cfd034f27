import { z } from 'zod';
import { fail, pass } from '../../server/core/checks.ts';
import { DEFAULT_SEARCH_REGIONS, describeRepository, explainMissingRepository, regionFlag, type AwsChecker } from '../lib/ecr.ts';
import { zodParams } from '../lib/params.ts';

const Params = z.strictObject({
  /** The repository's name, e.g. `myrepo` or `app-{{suffix}}`. */
  name: z.string().min(1),
  scanOnPush: z.boolean().optional(),
  tagMutability: z.enum(['MUTABLE', 'IMMUTABLE']).optional(),
  encryptionType: z.enum(['AES256', 'KMS']).optional(),
  /** Where the repository must be; default the learner's region. */
  region: z.string().min(1).optional(),
  /** Other regions to look in when it is missing (to say "you made it in us-west-2"). */
  searchRegions: z.array(z.string().min(1)).optional(),
});
type Params = z.output<typeof Params>;

/**
 * An ECR repository exists (in the lab's region) with the settings the lab asks for. When it does not,
 * the hint names what the learner did make: the same name in another region, or a near-miss name.
 */
export const ecrRepositoryExists: AwsChecker<Params> = {
  id: 'ecr.repository-exists',
  description: 'An ECR repository exists, optionally with scan on push, tag mutability and encryption as given',
  params: zodParams(Params),
  async run(p, ctx) {
    const region = p.region ?? ctx.aws.region;
    const repo = await describeRepository(ctx.aws.inRegion(region).ecr, p.name, ctx);
    if (!repo) {
      const why = await explainMissingRepository(ctx, p.name, region, p.searchRegions ?? DEFAULT_SEARCH_REGIONS);
      return fail(why.message, why.hint, why.evidence);
    }
    const actual = {
      scanOnPush: repo.imageScanningConfiguration?.scanOnPush ?? false,
      tagMutability: repo.imageTagMutability ?? 'MUTABLE',
      encryptionType: repo.encryptionConfiguration?.encryptionType ?? 'AES256',
    };
    const evidence = { repository: p.name, region, repositoryUri: repo.repositoryUri, ...actual };
    const r = regionFlag(ctx, region);
    const wrong: { what: string; fix: string }[] = [];
    if (p.scanOnPush !== undefined && actual.scanOnPush !== p.scanOnPush) {
      wrong.push({
        what: `scan on push is ${actual.scanOnPush ? 'on' : 'off'} (the lab wants it ${p.scanOnPush ? 'on' : 'off'})`,
        fix: `aws ecr put-image-scanning-configuration --repository-name ${p.name} --image-scanning-configuration scanOnPush=${p.scanOnPush}${r}`,
      });
    }
    if (p.tagMutability !== undefined && actual.tagMutability !== p.tagMutability) {
      wrong.push({
        what: `tags are ${actual.tagMutability} (the lab wants ${p.tagMutability})`,
        fix: `aws ecr put-image-tag-mutability --repository-name ${p.name} --image-tag-mutability ${p.tagMutability}${r}`,
      });
    }
    if (p.encryptionType !== undefined && actual.encryptionType !== p.encryptionType) {
      wrong.push({
        what: `encryption is ${actual.encryptionType} (the lab wants ${p.encryptionType})`,
        // ECR sets encryption only when a repository is created.
        fix:
          `encryption is chosen only at creation, so delete the repository and create it again: ` +
          `aws ecr create-repository --repository-name ${p.name} --encryption-configuration encryptionType=${p.encryptionType}${r}`,
      });
    }
    if (wrong.length > 0) {
      return fail(
        `Repository '${p.name}' exists, but ${wrong.map((w) => w.what).join('; ')}.`,
        wrong.length === 1 ? `Fix it: ${wrong[0]!.fix}` : `Fix them: ${wrong.map((w) => w.fix).join(' ; ')}`,
        evidence,
      );
    }
    return pass(`Repository '${p.name}' exists in ${region}.`, evidence);
  },
};
