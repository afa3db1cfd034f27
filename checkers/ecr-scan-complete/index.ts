import type { DescribeImageScanFindingsCommandOutput } from '@aws-sdk/client-ecr';
import { ecrSdk } from '../lib/sdk.ts';
import { z } from 'zod';
import { fail, pass } from '../../server/core/checks.ts';
import { isAwsError } from '../lib/aws-errors.ts';
import { describeRepository, explainMissingRepository, regionFlag, sendOptions, type AwsChecker } from '../lib/ecr.ts';
import { zodParams } from '../lib/params.ts';

const Params = z.strictObject({
  repository: z.string().min(1),
  tag: z.string().min(1),
  /**
   * Count a basic scan that ended FAILED with UnsupportedImageError as "the scan ran": real ECR does that
   * for images without a supported OS (e.g. FROM scratch).
   */
  acceptUnsupported: z.boolean().default(false),
  region: z.string().min(1).optional(),
});
type Params = z.output<typeof Params>;

/** An image scan of `repository:tag` has finished (DescribeImageScanFindings status COMPLETE). */
export const ecrScanComplete: AwsChecker<Params> = {
  id: 'ecr.scan-complete',
  description: 'The vulnerability scan of an image has completed',
  params: zodParams(Params),
  async run(p, ctx) {
    const region = p.region ?? ctx.aws.region;
    const ecr = ctx.aws.inRegion(region).ecr;
    const r = regionFlag(ctx, region);
    const startScan = `aws ecr start-image-scan --repository-name ${p.repository} --image-id imageTag=${p.tag}${r}`;
    let out: DescribeImageScanFindingsCommandOutput;
    try {
      out = await ecr.send(new (await ecrSdk()).DescribeImageScanFindingsCommand({ repositoryName: p.repository, imageId: { imageTag: p.tag }, maxResults: 1 }), sendOptions(ctx));
    } catch (err) {
      if (isAwsError(err, 'RepositoryNotFoundException')) {
        const why = await explainMissingRepository(ctx, p.repository, region);
        return fail(why.message, why.hint, why.evidence);
      }
      if (isAwsError(err, 'ImageNotFoundException')) {
        const uri = (await describeRepository(ecr, p.repository, ctx))?.repositoryUri ?? p.repository;
        return fail(`There is no image tagged '${p.tag}' in '${p.repository}'.`, `Push it first: docker push ${uri}:${p.tag}`, { repository: p.repository, tag: p.tag });
      }
      if (isAwsError(err, 'ScanNotFoundException')) {
        const repo = await describeRepository(ecr, p.repository, ctx);
        const scanOnPush = repo?.imageScanningConfiguration?.scanOnPush ?? false;
        const hint = scanOnPush
          ? `Scan on push is on, but this image was pushed before it was turned on. Start a scan: ${startScan}`
          : `Scan on push is off for '${p.repository}', so pushes are not scanned. Start a scan: ${startScan} ` +
            `(and for future pushes: aws ecr put-image-scanning-configuration --repository-name ${p.repository} --image-scanning-configuration scanOnPush=true${r})`;
        return fail(`'${p.repository}:${p.tag}' has not been scanned.`, hint, { repository: p.repository, tag: p.tag, scanOnPush });
      }
      throw err;
    }
    const status = out.imageScanStatus?.status ?? 'UNKNOWN';
    const description = out.imageScanStatus?.description ?? '';
    const counts = out.imageScanFindings?.findingSeverityCounts ?? {};
    const evidence = { repository: p.repository, tag: p.tag, status, description, findingSeverityCounts: counts, imageDigest: out.imageId?.imageDigest };
    switch (status) {
      case 'COMPLETE':
      case 'ACTIVE': {
        const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
        const summary = total === 0 ? 'no findings' : Object.entries(counts).map(([sev, n]) => `${n} ${sev}`).join(', ');
        return pass(`The scan of '${p.repository}:${p.tag}' is complete (${summary}).`, evidence);
      }
      case 'IN_PROGRESS':
      case 'PENDING':
        return fail(`The scan of '${p.repository}:${p.tag}' is still running.`, 'Still scanning, try again in a moment.', evidence);
      case 'FAILED':
      case 'UNSUPPORTED_IMAGE':
        if (description.includes('UnsupportedImageError') || status === 'UNSUPPORTED_IMAGE') {
          if (p.acceptUnsupported) return pass(`The scan of '${p.repository}:${p.tag}' ran (its operating system is not one basic scanning supports).`, evidence);
          return fail(
            `The scan of '${p.repository}:${p.tag}' could not scan the image: ${description || status}`,
            'Basic scanning needs an image built on a supported OS with a package database (e.g. Debian, Ubuntu, Alpine, Amazon Linux). Build FROM one of those, push, and scan again.',
            evidence,
          );
        }
        return fail(`The scan of '${p.repository}:${p.tag}' failed: ${description || status}`, `Push the image again or start a new scan: ${startScan}`, evidence);
      default:
        return fail(`The scan of '${p.repository}:${p.tag}' has status ${status}.`, `Start a scan: ${startScan}`, evidence);
    }
  },
};
