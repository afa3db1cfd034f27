import type { ImageDetail } from '@aws-sdk/client-ecr';
import { z } from 'zod';
import { fail, pass } from '../../server/core/checks.ts';
import { describeRepository, explainMissingRepository, listImages, listRepositories, quoteList, regionFlag, registryOf, type AwsChecker, type AwsContext } from '../lib/ecr.ts';
import { zodParams } from '../lib/params.ts';

const Params = z.strictObject({
  repository: z.string().min(1),
  /** The tag that must be there (e.g. `latest`); without it, any image counts. */
  tag: z.string().min(1).optional(),
  /** At least this many images (manifests) in the repository; default 1. */
  minCount: z.number().int().min(1).optional(),
  region: z.string().min(1).optional(),
});
type Params = z.output<typeof Params>;

/** How many other repositories are searched for a misplaced image. */
const MAX_OTHER_REPOSITORIES = 25;

/**
 * An image (with a given tag) was pushed to the repository. When it was not, the hint says where it went
 * instead (another repository of the learner), or which tags are there, and the push commands.
 */
export const ecrImagePushed: AwsChecker<Params> = {
  id: 'ecr.image-pushed',
  description: 'An image (optionally with a given tag, or at least N images) is in an ECR repository',
  params: zodParams(Params),
  async run(p, ctx) {
    const region = p.region ?? ctx.aws.region;
    const ecr = ctx.aws.inRegion(region).ecr;
    const repo = await describeRepository(ecr, p.repository, ctx);
    const images = repo && (await listImages(ecr, p.repository, ctx));
    if (!repo || !images) {
      const why = await explainMissingRepository(ctx, p.repository, region);
      return fail(why.message, why.hint, why.evidence);
    }
    const uri = repo.repositoryUri ?? p.repository;
    const wantTag = p.tag ?? 'latest';
    const push = `docker tag <your-image> ${uri}:${wantTag} && docker push ${uri}:${wantTag}`;
    const tags = images.flatMap((i) => i.imageTags ?? []);
    const evidence = { repository: p.repository, region, imageCount: images.length, tags: tags.slice(0, 50) };
    const minCount = p.minCount ?? 1;

    if (p.tag !== undefined && !tags.includes(p.tag)) {
      const elsewhere = await findTagElsewhere(ctx, region, p.repository, p.tag);
      if (elsewhere) {
        return fail(
          `No image tagged '${p.tag}' in '${p.repository}'.`,
          `You pushed '${p.tag}' to '${elsewhere.name}'; this lab asks for '${p.repository}'. Tag it for '${p.repository}' and push: ` +
            `docker tag ${elsewhere.uri}:${p.tag} ${uri}:${p.tag} && docker push ${uri}:${p.tag}`,
          { ...evidence, foundIn: elsewhere.name },
        );
      }
      if (images.length === 0) return fail(`Nothing has been pushed to '${p.repository}' yet.`, loginAndPush(ctx, region, uri, p.tag), evidence);
      const present = tags.length > 0 ? `Its tags: ${quoteList(tags, 8)}.` : `It has ${images.length} untagged image${images.length === 1 ? '' : 's'}.`;
      return fail(`No image tagged '${p.tag}' in '${p.repository}'.`, `${present} Push the tag the lab asks for: ${push}`, evidence);
    }
    if (images.length < minCount) {
      if (images.length === 0) {
        const elsewhere = await findTagElsewhere(ctx, region, p.repository, undefined);
        if (elsewhere) {
          return fail(
            `Nothing has been pushed to '${p.repository}' yet.`,
            `You pushed to '${elsewhere.name}'; this lab asks for '${p.repository}'. Tag the image for '${p.repository}' and push: ${push}`,
            { ...evidence, foundIn: elsewhere.name },
          );
        }
        return fail(`Nothing has been pushed to '${p.repository}' yet.`, loginAndPush(ctx, region, uri, wantTag), evidence);
      }
      return fail(
        `'${p.repository}' has ${images.length} image${images.length === 1 ? '' : 's'}; the lab asks for at least ${minCount}.`,
        `Push ${minCount - images.length} more (each push of a changed image with a new tag adds one): docker build -t <your-image> . && docker tag <your-image> ${uri}:<new-tag> && docker push ${uri}:<new-tag>`,
        evidence,
      );
    }
    const what = p.tag !== undefined ? `An image tagged '${p.tag}' is` : `${images.length} image${images.length === 1 ? ' is' : 's are'}`;
    return pass(`${what} in '${p.repository}'.`, { ...evidence, digest: p.tag !== undefined ? digestOfTag(images, p.tag) : undefined });
  },
};

function digestOfTag(images: ImageDetail[], tag: string): string | undefined {
  return images.find((i) => i.imageTags?.includes(tag))?.imageDigest;
}

function loginAndPush(ctx: AwsContext, region: string, uri: string, tag: string): string {
  return (
    `Log docker in, then tag and push: aws ecr get-login-password${regionFlag(ctx, region)} | docker login --username AWS --password-stdin ${registryOf(uri)} ; ` +
    `docker tag <your-image> ${uri}:${tag} && docker push ${uri}:${tag}`
  );
}

/** Another repository of the learner holding `tag` (or any image, when no tag is given). */
async function findTagElsewhere(ctx: AwsContext, region: string, exclude: string, tag: string | undefined): Promise<{ name: string; uri: string } | undefined> {
  const ecr = ctx.aws.inRegion(region).ecr;
  const others = (await listRepositories(ecr, ctx)).filter((r) => r.repositoryName && r.repositoryName !== exclude).slice(0, MAX_OTHER_REPOSITORIES);
  for (const other of others) {
    const images = (await listImages(ecr, other.repositoryName!, ctx)) ?? [];
    if (tag === undefined ? images.length > 0 : images.some((i) => i.imageTags?.includes(tag))) {
      return { name: other.repositoryName!, uri: other.repositoryUri ?? other.repositoryName! };
    }
  }
  return undefined;
}
