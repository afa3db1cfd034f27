import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  GetRepositoryPolicyCommand,
  ListImagesCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  PutReplicationConfigurationCommand,
  SetRepositoryPolicyCommand,
  StartImageScanCommand,
  StartLifecyclePolicyPreviewCommand,
} from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IImageScanner, ScanOutcome } from '../../sandbox/contracts.ts';
import { errorOf, ociManifest, startEcrFixture, type EcrFixture } from './ecr-fixture.ts';

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** A scanner whose scans finish when the test says so (the sandbox must show IN_PROGRESS meanwhile). */
class GatedScanner implements IImageScanner {
  private _release: (() => void) | undefined;
  private _gate = new Promise<void>((r) => (this._release = r));
  scanned: string[] = [];
  async scan(_accountId: string, manifest: { digest: string }): Promise<ScanOutcome> {
    await this._gate;
    this.scanned.push(manifest.digest);
    return {
      status: 'COMPLETE',
      findings: [
        { name: 'CVE-2024-0001', severity: 'HIGH', uri: 'https://example.test/CVE-2024-0001', attributes: [{ key: 'package_name', value: 'openssl' }, { key: 'package_version', value: '3.0.0' }] },
        { name: 'CVE-2024-0002', severity: 'LOW', attributes: [] },
        { name: 'CVE-2024-0003', severity: 'HIGH', attributes: [] },
      ],
    };
  }
  open(): void {
    this._release?.();
  }
}

const keepTwoPolicy = JSON.stringify({
  rules: [{ rulePriority: 1, description: 'keep two', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }],
});
const oldUntaggedPolicy = JSON.stringify({
  rules: [{ rulePriority: 1, description: 'drop old untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 }, action: { type: 'expire' } }],
});

async function adminPost(f: EcrFixture, path: string, body: unknown) {
  const res = await fetch(`${f.sandbox.endpoint}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${f.sandbox.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('sandbox ECR lifecycle, scanning, policies, replication', () => {
  let f: EcrFixture;
  const scanner = new GatedScanner();
  beforeAll(async () => {
    f = await startEcrFixture({ scanner });
  });
  afterAll(async () => {
    scanner.open();
    await f.dispose();
  });

  it('validates, stores, previews and deletes a lifecycle policy', async () => {
    const ecr = f.client('life');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'lc' }));
    for (const n of [1, 2, 3, 4]) await ecr.send(new PutImageCommand({ repositoryName: 'lc', imageManifest: ociManifest(n), imageTag: `v${n}` }));
    expect((await errorOf(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'lc' })))).name).toBe('LifecyclePolicyNotFoundException');
    const noPreview = await errorOf(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'lc' })));
    expect([noPreview.name, noPreview.message]).toEqual(['LifecyclePolicyPreviewNotFoundException', 'There is no dry run for this repository.']);
    const bad = await errorOf(ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'lc', lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }) })));
    expect(bad.name).toBe('InvalidParameterException');
    expect(bad.message).toMatch(/^Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure/);

    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'lc', lifecyclePolicyText: keepTwoPolicy }));
    expect((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'lc' }))).lifecyclePolicyText).toBe(keepTwoPolicy);
    expect((await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'lc' }))).status).toBe('IN_PROGRESS');
    const preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'lc' }));
    expect(preview.status).toBe('COMPLETE');
    expect(preview.summary).toEqual({ expiringImageTotalCount: 2 });
    expect(preview.previewResults!.map((p) => p.imageDigest).sort()).toEqual([digestOf(ociManifest(1)), digestOf(ociManifest(2))].sort());
    // A preview expires nothing.
    expect((await ecr.send(new ListImagesCommand({ repositoryName: 'lc' }))).imageIds).toHaveLength(4);
  });

  it('really expires images when policies are applied (admin apply), and records lastEvaluatedAt', async () => {
    const ecr = f.client('life');
    const r = await adminPost(f, '/_sandbox/lifecycle/apply', {});
    expect(r.status).toBe(200);
    const left = (await ecr.send(new ListImagesCommand({ repositoryName: 'lc' }))).imageIds!.map((i) => i.imageTag).sort();
    expect(left.length).toBe(2);
    expect((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'lc' }))).lastEvaluatedAt).toBeInstanceOf(Date);
    await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'lc' }));
    expect((await errorOf(ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'lc' })))).name).toBe('LifecyclePolicyNotFoundException');
  });

  it('ages images with the admin clock: sinceImagePushed expires after advanceDays', async () => {
    const ecr = f.client('aging');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'old' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'old', imageManifest: ociManifest(7) })); // untagged
    await ecr.send(new PutImageCommand({ repositoryName: 'old', imageManifest: ociManifest(8), imageTag: 'keep' }));
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'old', lifecyclePolicyText: oldUntaggedPolicy }));
    expect((await adminPost(f, '/_sandbox/clock', { advanceDays: 2 })).status).toBe(200);
    expect((await ecr.send(new ListImagesCommand({ repositoryName: 'old' }))).imageIds).toHaveLength(2);
    const adv = await adminPost(f, '/_sandbox/clock', { advanceDays: 2 });
    expect((adv.json['expired'] as { imageDigest: string }[]).map((e) => e.imageDigest)).toContain(digestOf(ociManifest(7)));
    expect((await ecr.send(new ListImagesCommand({ repositoryName: 'old' }))).imageIds).toEqual([{ imageDigest: digestOf(ociManifest(8)), imageTag: 'keep' }]);
  });

  it('scans on push in the background: IN_PROGRESS, then COMPLETE with findings; once per 24 h', async () => {
    const ecr = f.client('scan');
    const acct = f.sandbox.accounts.provision('scan').accountId;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scanned', imageScanningConfiguration: { scanOnPush: true } }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'manual' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'scanned', imageManifest: ociManifest(1), imageTag: 'v1' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'manual', imageManifest: ociManifest(2), imageTag: 'v1' }));

    const notScanned = await errorOf(ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'manual', imageId: { imageTag: 'v1' } })));
    expect(notScanned.name).toBe('ScanNotFoundException');
    expect(notScanned.message).toBe(`Image scan does not exist for the image with '{imageDigest:null, imageTag:'v1'}' in the repository with name 'manual' in the registry with id '${acct}'`);

    const during = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scanned', imageId: { imageTag: 'v1' } }));
    expect(during.imageScanStatus!.status).toBe('IN_PROGRESS');
    const started = await ecr.send(new StartImageScanCommand({ repositoryName: 'manual', imageId: { imageTag: 'v1' } }));
    expect(started.imageScanStatus!.status).toBe('IN_PROGRESS');

    scanner.open();
    await f.sandbox.idle();
    const done = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scanned', imageId: { imageTag: 'v1' } }));
    expect(done.imageScanStatus!.status).toBe('COMPLETE');
    expect(done.imageScanFindings!.findingSeverityCounts).toEqual({ HIGH: 2, LOW: 1 });
    expect(done.imageScanFindings!.findings!.map((x) => x.name)).toEqual(['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003']);
    const [detail] = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'scanned' }))).imageDetails!;
    expect(detail!.imageScanStatus!.status).toBe('COMPLETE');
    expect(detail!.imageScanFindingsSummary!.findingSeverityCounts).toEqual({ HIGH: 2, LOW: 1 });

    const again = await errorOf(ecr.send(new StartImageScanCommand({ repositoryName: 'scanned', imageId: { imageTag: 'v1' } })));
    expect(again.name).toBe('LimitExceededException');
    const missing = await errorOf(ecr.send(new StartImageScanCommand({ repositoryName: 'scanned', imageId: { imageTag: 'nope' } })));
    expect(missing.name).toBe('ImageNotFoundException');
  });

  it('stores repository policies, rejecting ones that are not policies', async () => {
    const ecr = f.client('pol');
    const acct = f.sandbox.accounts.provision('pol').accountId;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shared' }));
    const missing = await errorOf(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'shared' })));
    expect([missing.name, missing.message]).toEqual([
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name 'shared' in the registry with id '${acct}'`,
    ]);
    for (const bad of ['not json', '{"Statement":[]}', '{"Version":"2012-10-17"}']) {
      expect((await errorOf(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'shared', policyText: bad })))).name).toBe('InvalidParameterException');
    }
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage'] }] });
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'shared', policyText: policy }));
    expect((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'shared' }))).policyText).toBe(policy);
    expect((await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'shared' }))).policyText).toBe(policy);
    expect((await errorOf(ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'shared' })))).name).toBe('RepositoryPolicyNotFoundException');
  });

  it('replicates pushes matching a PREFIX_MATCH rule to another region, creating the repository there', async () => {
    const ecr = f.client('rep');
    const acct = f.sandbox.accounts.provision('rep').accountId;
    const same = await errorOf(ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [{ destinations: [{ region: 'us-east-1', registryId: acct }] }] } })));
    expect(same.name).toBe('InvalidParameterException');
    expect(same.message).toContain('Replication destination cannot be the same as the source registry');
    const config = { rules: [{ destinations: [{ region: 'eu-central-1', registryId: acct }], repositoryFilters: [{ filter: 'prod', filterType: 'PREFIX_MATCH' as const }] }] };
    await ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: config }));
    expect((await ecr.send(new DescribeRegistryCommand({}))).replicationConfiguration).toEqual(config);

    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'prod-api' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'dev-api' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'prod-api', imageManifest: ociManifest(4), imageTag: 'v1' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'dev-api', imageManifest: ociManifest(4), imageTag: 'v1' }));
    await f.sandbox.idle();
    const eu = f.client('rep', 'eu-central-1');
    expect((await eu.send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName)).toEqual(['prod-api']);
    expect((await eu.send(new ListImagesCommand({ repositoryName: 'prod-api' }))).imageIds).toEqual([{ imageDigest: digestOf(ociManifest(4)), imageTag: 'v1' }]);
  });
});
