import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, ociManifest, startEcrFixture, type EcrFixture } from './ecr-fixture.ts';

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('sandbox ECR images (SDK v3)', () => {
  let f: EcrFixture;
  let acct: string;
  beforeAll(async () => {
    f = await startEcrFixture();
    acct = f.sandbox.accounts.provision('img').accountId;
    const ecr = f.client('img');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'locked', imageTagMutability: 'IMMUTABLE' }));
  });
  afterAll(async () => {
    await f.dispose();
  });

  it('PutImage stores a manifest and returns its digest', async () => {
    const ecr = f.client('img');
    const m = ociManifest(1);
    const { image } = await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: m, imageTag: 'v1' }));
    expect(image).toMatchObject({
      registryId: acct,
      repositoryName: 'app',
      imageId: { imageDigest: digestOf(m), imageTag: 'v1' },
      imageManifest: m,
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
  });

  it('PutImage of the same manifest and tag is ImageAlreadyExistsException', async () => {
    const ecr = f.client('img');
    const err = await errorOf(ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: ociManifest(1), imageTag: 'v1' })));
    expect(err.name).toBe('ImageAlreadyExistsException');
    expect(err.message).toBe(`Image with digest '${digestOf(ociManifest(1))}' and tag 'v1' already exists in the repository with name 'app' in the registry with id '${acct}'`);
  });

  it('IMMUTABLE repositories refuse to move a tag (ImageTagAlreadyExistsException)', async () => {
    const ecr = f.client('img');
    await ecr.send(new PutImageCommand({ repositoryName: 'locked', imageManifest: ociManifest(1), imageTag: 'v1' }));
    const err = await errorOf(ecr.send(new PutImageCommand({ repositoryName: 'locked', imageManifest: ociManifest(2), imageTag: 'v1' })));
    expect(err.name).toBe('ImageTagAlreadyExistsException');
    expect(err.message).toBe("The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable.");
  });

  it('PutImage into a missing repository is RepositoryNotFoundException', async () => {
    const err = await errorOf(f.client('img').send(new PutImageCommand({ repositoryName: 'ghost', imageManifest: ociManifest(1), imageTag: 'x' })));
    expect(err.name).toBe('RepositoryNotFoundException');
  });

  it('ListImages gives one entry per tag plus untagged digests; DescribeImages one per image', async () => {
    const ecr = f.client('img');
    await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: ociManifest(1), imageTag: 'latest' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: ociManifest(3) })); // untagged
    const d1 = digestOf(ociManifest(1));
    const d3 = digestOf(ociManifest(3));
    const all = (await ecr.send(new ListImagesCommand({ repositoryName: 'app' }))).imageIds!;
    expect(all).toHaveLength(3);
    expect(all).toEqual(expect.arrayContaining([{ imageDigest: d1, imageTag: 'v1' }, { imageDigest: d1, imageTag: 'latest' }, { imageDigest: d3 }]));
    expect((await ecr.send(new ListImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'UNTAGGED' } }))).imageIds).toEqual([{ imageDigest: d3 }]);
    expect((await ecr.send(new ListImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'TAGGED' } }))).imageIds).toHaveLength(2);

    const details = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'app' }))).imageDetails!;
    expect(details).toHaveLength(2);
    const one = details.find((d) => d.imageDigest === d1)!;
    expect(one.imageTags!.sort()).toEqual(['latest', 'v1']);
    expect(one.imageSizeInBytes).toBe(7 + 1001); // config + layer sizes from the manifest
    expect(one.imageManifestMediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(one.artifactMediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(one.imagePushedAt).toBeInstanceOf(Date);
    expect(details.find((d) => d.imageDigest === d3)!.imageTags).toBeUndefined();
  });

  it('DescribeImages pages through every image once, filters by tag status and sorts each image\'s tags', async () => {
    const ecr = f.client('img');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'paged' }));
    const digests: string[] = [];
    for (let n = 20; n < 25; n++) {
      await ecr.send(new PutImageCommand({ repositoryName: 'paged', imageManifest: ociManifest(n), ...(n === 24 ? {} : { imageTag: `t${n}` }) }));
      digests.push(digestOf(ociManifest(n)));
    }
    await ecr.send(new PutImageCommand({ repositoryName: 'paged', imageManifest: ociManifest(20), imageTag: 'a-first' }));

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await ecr.send(new DescribeImagesCommand({ repositoryName: 'paged', maxResults: 2, nextToken }));
      expect(out.imageDetails!.length).toBeLessThanOrEqual(2);
      seen.push(...out.imageDetails!.map((d) => d.imageDigest!));
      nextToken = out.nextToken;
      pages++;
    } while (nextToken !== undefined);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...digests].sort());

    const untagged = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'paged', filter: { tagStatus: 'UNTAGGED' } }))).imageDetails!;
    expect(untagged.map((d) => d.imageDigest)).toEqual([digests[4]]);
    const tagged = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'paged', filter: { tagStatus: 'TAGGED' } }))).imageDetails!;
    expect(tagged.map((d) => d.imageDigest).sort()).toEqual(digests.slice(0, 4).sort());
    expect(tagged.find((d) => d.imageDigest === digests[0])!.imageTags).toEqual(['a-first', 't20']);
  });

  it('DescribeImages with an unknown imageId is ImageNotFoundException', async () => {
    const err = await errorOf(f.client('img').send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'nope' }] })));
    expect(err.name).toBe('ImageNotFoundException');
    expect(err.message).toBe(`The image with imageId {imageDigest:null, imageTag:'nope'} does not exist within the repository with name 'app' in the registry with id '${acct}'`);
  });

  it('BatchGetImage returns manifests and AWS failure reasons', async () => {
    const ecr = f.client('img');
    const out = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'app',
        imageIds: [{ imageTag: 'v1' }, { imageTag: 'missing' }, {}, { imageTag: 'v1', imageDigest: digestOf(ociManifest(3)) }],
      }),
    );
    expect(out.images).toHaveLength(1);
    expect(out.images![0]!.imageManifest).toBe(ociManifest(1));
    expect(out.failures!.map((x) => [x.failureCode, x.failureReason])).toEqual([
      ['ImageNotFound', 'Requested image not found'],
      ['MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null'],
      ['ImageTagDoesNotMatchDigest', 'Invalid request parameters: given tag does not map to the given digest'],
    ]);
  });

  it('BatchDeleteImage by digest removes every tag; by tag removes the tag', async () => {
    const ecr = f.client('img');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'del' }));
    for (const tag of ['a', 'b']) await ecr.send(new PutImageCommand({ repositoryName: 'del', imageManifest: ociManifest(5), imageTag: tag }));
    await ecr.send(new PutImageCommand({ repositoryName: 'del', imageManifest: ociManifest(6), imageTag: 'c' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'del', imageManifest: ociManifest(6), imageTag: 'd' }));
    const byDigest = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'del', imageIds: [{ imageDigest: digestOf(ociManifest(5)) }, { imageTag: 'zzz' }] }));
    expect(byDigest.imageIds!.map((i) => i.imageTag).sort()).toEqual(['a', 'b']);
    expect(byDigest.failures).toEqual([{ imageId: { imageTag: 'zzz' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
    const byTag = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'del', imageIds: [{ imageTag: 'c' }] }));
    expect(byTag.imageIds).toEqual([{ imageDigest: digestOf(ociManifest(6)), imageTag: 'c' }]);
    expect((await ecr.send(new ListImagesCommand({ repositoryName: 'del' }))).imageIds).toEqual([{ imageDigest: digestOf(ociManifest(6)), imageTag: 'd' }]);
  });

  it('GetAuthorizationToken returns an AWS:<password> token the registry auth accepts for this account and region', async () => {
    const west = f.client('img', 'us-west-2');
    const { authorizationData } = await west.send(new GetAuthorizationTokenCommand({}));
    const [data] = authorizationData!;
    const decoded = Buffer.from(data!.authorizationToken!, 'base64').toString();
    expect(decoded.startsWith('AWS:')).toBe(true);
    expect(decoded.slice(4)).not.toContain(':');
    expect(data!.proxyEndpoint).toBe(`http://${acct}.dkr.ecr.us-west-2.localhost:${f.sandbox.port}`);
    const hours = (data!.expiresAt!.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    expect(f.sandbox.registryAuth.verifyBasic(`Basic ${data!.authorizationToken}`)).toEqual({ ok: true, accountId: acct, region: 'us-west-2' });
  });
});
