import { PutReplicationConfigurationCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckerFixture, type CheckerFixture, type Learner } from './fixture.ts';

describe('ecr.replication against the sandbox', () => {
  let f: CheckerFixture;
  beforeAll(async () => {
    f = await startCheckerFixture();
  });
  afterAll(async () => {
    await f?.dispose();
  });

  const replicateTo = (l: Learner, region: string, prefix?: string) =>
    l.aws.ecr.send(
      new PutReplicationConfigurationCommand({
        replicationConfiguration: {
          rules: [{ destinations: [{ region, registryId: l.access.accountId }], ...(prefix ? { repositoryFilters: [{ filter: prefix, filterType: 'PREFIX_MATCH' }] } : {}) }],
        },
      }),
    );

  it('passes when a rule covers the repository and the image arrived in the destination region', async () => {
    const l = f.learner('rep-pass');
    await replicateTo(l, 'us-west-2');
    await l.createRepository('myrepo');
    await l.push('myrepo', 'latest');
    await f.sandbox.idle();
    expect(await l.check('ecr.replication', { destinationRegion: 'us-west-2', repository: 'myrepo', tag: 'latest' })).toMatchObject({
      status: 'pass',
      message: "'myrepo' is replicated to us-west-2 with 'latest'.",
    });
  });

  it('fails with the put-replication-configuration command when there is no rule', async () => {
    const l = f.learner('rep-none');
    const r = await l.check('ecr.replication', { destinationRegion: 'us-west-2', repository: 'myrepo' });
    expect(r).toMatchObject({ status: 'fail', message: 'Your registry in us-east-1 has no replication rule.' });
    expect(r.status === 'fail' && r.hint).toBe(
      `Add one to us-west-2: aws ecr put-replication-configuration --replication-configuration '{"rules":[{"destinations":[{"region":"us-west-2","registryId":"${l.access.accountId}"}]}]}'`,
    );
  });

  it('names the region the rules go to instead', async () => {
    const l = f.learner('rep-other-region');
    await replicateTo(l, 'eu-west-1');
    const r = await l.check('ecr.replication', { destinationRegion: 'us-west-2', repository: 'myrepo' });
    expect(r.message).toBe('Your registry replicates to eu-west-1, not to us-west-2.');
  });

  it('names the prefix filter that leaves the repository out', async () => {
    const l = f.learner('rep-filter');
    await replicateTo(l, 'us-west-2', 'prod-');
    const r = await l.check('ecr.replication', { destinationRegion: 'us-west-2', repository: 'myrepo' });
    expect(r.message).toBe("Your rule to us-west-2 replicates only repositories starting with 'prod-'; 'myrepo' does not match.");
  });

  it('says an image pushed before the rule existed was not replicated, and to push again', async () => {
    const l = f.learner('rep-before');
    await l.createRepository('myrepo');
    await l.push('myrepo', 'latest');
    await replicateTo(l, 'us-west-2');
    await f.sandbox.idle();
    const r = await l.check('ecr.replication', { destinationRegion: 'us-west-2', repository: 'myrepo', tag: 'latest' });
    expect(r.message).toBe("Replication to us-west-2 is configured, but 'latest' of 'myrepo' has not arrived there.");
    expect(r.status === 'fail' && r.hint).toMatch(/^Only pushes made after the rule exists are replicated: push again \(docker push \S+\/myrepo:latest\), wait a minute, then look: aws ecr describe-images --repository-name myrepo --region us-west-2$/);
  });

  it('says to push to the source first when the source has no such image', async () => {
    const l = f.learner('rep-empty');
    await replicateTo(l, 'us-west-2');
    await l.createRepository('myrepo');
    const r = await l.check('ecr.replication', { destinationRegion: 'us-west-2', repository: 'myrepo', tag: 'latest' });
    expect(r.message).toBe("'myrepo' in us-east-1 has no image tagged 'latest' to replicate.");
  });
});
