import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, ociManifest, startEcrFixture, type EcrFixture } from './ecr-fixture.ts';

describe('sandbox ECR repositories (SDK v3)', () => {
  let f: EcrFixture;
  beforeAll(async () => {
    f = await startEcrFixture();
  });
  afterAll(async () => {
    await f.dispose();
  });

  it('creates a repository with ECR defaults and an ECR-shaped URI', async () => {
    const ecr = f.client('alice');
    const acct = f.sandbox.accounts.provision('alice').accountId;
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({ repositoryName: 'team/web', imageScanningConfiguration: { scanOnPush: true }, tags: [{ Key: 'env', Value: 'dev' }] }),
    );
    expect(repository).toMatchObject({
      repositoryName: 'team/web',
      registryId: acct,
      repositoryArn: `arn:aws:ecr:us-east-1:${acct}:repository/team/web`,
      repositoryUri: `${acct}.dkr.ecr.us-east-1.localhost:${f.sandbox.port}/team/web`,
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    expect(repository!.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(repository!.createdAt!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('rejects a duplicate with RepositoryAlreadyExistsException', async () => {
    const ecr = f.client('alice');
    const acct = f.sandbox.accounts.provision('alice').accountId;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'dup' }));
    const err = await errorOf(ecr.send(new CreateRepositoryCommand({ repositoryName: 'dup' })));
    expect(err.name).toBe('RepositoryAlreadyExistsException');
    expect(err.message).toBe(`The repository with name 'dup' already exists in the registry with id '${acct}'`);
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('rejects invalid names with InvalidParameterException', async () => {
    const ecr = f.client('alice');
    for (const name of ['MyRepo', 'a', 'bad//name', '-x']) {
      const err = await errorOf(ecr.send(new CreateRepositoryCommand({ repositoryName: name })));
      expect(err.name).toBe('InvalidParameterException');
      expect(err.message).toMatch(/^Invalid parameter at 'repositoryName' failed to satisfy constraint/);
    }
  });

  it('reports a missing repository by name with AWS message', async () => {
    const ecr = f.client('alice');
    const acct = f.sandbox.accounts.provision('alice').accountId;
    const err = await errorOf(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })));
    expect(err.name).toBe('RepositoryNotFoundException');
    expect(err.message).toBe(`The repository with name 'nope' does not exist in the registry with id '${acct}'`);
  });

  it('paginates DescribeRepositories with maxResults/nextToken', async () => {
    const ecr = f.client('pager');
    for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await ecr.send(new CreateRepositoryCommand({ repositoryName: n }));
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken }));
      names.push(...out.repositories!.map((r) => r.repositoryName!));
      nextToken = out.nextToken;
      pages++;
    } while (nextToken);
    expect(names).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(pages).toBe(3);
  });

  it("keeps accounts apart: another account's repository is invisible", async () => {
    await f.client('alice').send(new CreateRepositoryCommand({ repositoryName: 'secret' }));
    const bob = f.client('bob');
    const bobAcct = f.sandbox.accounts.provision('bob').accountId;
    expect((await bob.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
    const err = await errorOf(bob.send(new DescribeRepositoriesCommand({ repositoryNames: ['secret'] })));
    expect(err.name).toBe('RepositoryNotFoundException');
    expect(err.message).toContain(`registry with id '${bobAcct}'`);
    // bob can create his own with the same name
    await bob.send(new CreateRepositoryCommand({ repositoryName: 'secret' }));
  });

  it('keeps regions apart', async () => {
    await f.client('carol', 'us-east-1').send(new CreateRepositoryCommand({ repositoryName: 'regional' }));
    const west = f.client('carol', 'eu-west-1');
    const err = await errorOf(west.send(new DescribeRepositoriesCommand({ repositoryNames: ['regional'] })));
    expect(err.name).toBe('RepositoryNotFoundException');
    const { repository } = await west.send(new CreateRepositoryCommand({ repositoryName: 'regional' }));
    expect(repository!.repositoryUri).toContain('.dkr.ecr.eu-west-1.localhost:');
    expect(repository!.repositoryArn).toContain(':eu-west-1:');
  });

  it('deletes: RepositoryNotEmptyException unless force', async () => {
    const ecr = f.client('dave');
    const acct = f.sandbox.accounts.provision('dave').accountId;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'full' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'full', imageManifest: ociManifest(1), imageTag: 'v1' }));
    const err = await errorOf(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full' })));
    expect(err.name).toBe('RepositoryNotEmptyException');
    expect(err.message).toBe(`The repository with name 'full' in registry with id '${acct}' cannot be deleted because it still contains images`);
    const { repository } = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full', force: true }));
    expect(repository!.repositoryName).toBe('full');
    expect((await errorOf(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full' })))).name).toBe('RepositoryNotFoundException');
  });

  it('changes tag mutability and scanning configuration', async () => {
    const ecr = f.client('erin');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'settings' }));
    expect((await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'settings', imageTagMutability: 'IMMUTABLE' }))).imageTagMutability).toBe('IMMUTABLE');
    await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'settings', imageScanningConfiguration: { scanOnPush: true } }));
    const [repo] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['settings'] }))).repositories!;
    expect(repo).toMatchObject({ imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } });
  });

  it('tags and untags by repository ARN', async () => {
    const ecr = f.client('alice');
    const acct = f.sandbox.accounts.provision('alice').accountId;
    const arn = `arn:aws:ecr:us-east-1:${acct}:repository/team/web`;
    await ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'owner', Value: 'alice' }, { Key: 'env', Value: 'prod' }] }));
    expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { Key: 'env', Value: 'prod' },
      { Key: 'owner', Value: 'alice' },
    ]);
    await ecr.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env'] }));
    expect((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ Key: 'owner', Value: 'alice' }]);
    const missing = await errorOf(ecr.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr:us-east-1:${acct}:repository/none` })));
    expect(missing.name).toBe('RepositoryNotFoundException');
    expect((await errorOf(ecr.send(new ListTagsForResourceCommand({ resourceArn: 'not-an-arn' })))).name).toBe('InvalidParameterException');
  });

  it('keeps everything across a restart, and the same credentials still work', async () => {
    const before = f.sandbox.accounts.provision('alice');
    await f.restart();
    expect(f.sandbox.accounts.provision('alice')).toEqual(before);
    const names = (await f.client('alice').send(new DescribeRepositoriesCommand({}))).repositories!.map((r) => r.repositoryName);
    expect(names).toEqual(expect.arrayContaining(['team/web', 'dup', 'secret']));
  });
});
