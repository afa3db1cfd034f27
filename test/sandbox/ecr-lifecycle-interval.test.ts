import { CreateRepositoryCommand, ListImagesCommand, PutImageCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { afterEach, describe, expect, it } from 'vitest';
import { ociManifest, startEcrFixture, type EcrFixture } from './ecr-fixture.ts';

const keepTwo = JSON.stringify({
  rules: [{ rulePriority: 1, description: 'keep two', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }],
});

let f: EcrFixture | undefined;
afterEach(async () => {
  await f?.dispose();
  f = undefined;
});

describe('lifecycle policies applied on their own', () => {
  it('expires images a short while after the policy is put, without anyone asking (AWS: within 24 hours)', async () => {
    f = await startEcrFixture({ lifecycleIntervalMs: 200 });
    const ecr = f.client('interval');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'auto' }));
    for (const n of [1, 2, 3, 4]) await ecr.send(new PutImageCommand({ repositoryName: 'auto', imageManifest: ociManifest(n), imageTag: `v${n}` }));
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'auto', lifecyclePolicyText: keepTwo }));
    await expect
      .poll(async () => (await ecr.send(new ListImagesCommand({ repositoryName: 'auto' }))).imageIds!.map((i) => i.imageTag).sort(), { timeout: 10_000 })
      .toEqual(['v3', 'v4']);
  });

  it('leaves images alone when the interval is off', async () => {
    f = await startEcrFixture({ lifecycleIntervalMs: 0 });
    const ecr = f.client('manual');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'manual' }));
    for (const n of [1, 2, 3]) await ecr.send(new PutImageCommand({ repositoryName: 'manual', imageManifest: ociManifest(n), imageTag: `v${n}` }));
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'manual', lifecyclePolicyText: keepTwo }));
    await new Promise((r) => setTimeout(r, 600));
    expect((await ecr.send(new ListImagesCommand({ repositoryName: 'manual' }))).imageIds).toHaveLength(3);
  });
});
