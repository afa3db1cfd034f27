import { ListImagesCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckerFixture, type CheckerFixture, type Learner } from './fixture.ts';

const keepTwo = {
  rules: [
    { rulePriority: 1, description: 'drop untagged after 14 days', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'keep two v images', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
  ],
};

describe('ecr.lifecycle-policy against the sandbox', () => {
  let f: CheckerFixture;
  let l: Learner;
  beforeAll(async () => {
    f = await startCheckerFixture();
    l = f.learner('life');
    await l.createRepository('myrepo');
    for (const tag of ['v1', 'v2', 'v3', 'v4', 'dev']) await l.push('myrepo', tag);
    await l.aws.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'myrepo', lifecyclePolicyText: JSON.stringify(keepTwo) }));
  });
  afterAll(async () => {
    await f?.dispose();
  });

  it('passes when every expected rule is matched (only the fields given are compared)', async () => {
    const r = await l.check('ecr.lifecycle-policy', {
      repository: 'myrepo',
      expectRules: [{ tagStatus: 'untagged', countNumber: 14 }, { tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }],
    });
    expect(r).toMatchObject({ status: 'pass', message: "The lifecycle policy of 'myrepo' has the expected rules." });
  });

  it('names the closest rule and what differs in it', async () => {
    const r = await l.check('ecr.lifecycle-policy', { repository: 'myrepo', expectRules: [{ tagStatus: 'tagged', tagPrefixList: ['v'], countNumber: 5 }] });
    expect(r).toMatchObject({
      status: 'fail',
      message: 'The lifecycle policy of \'myrepo\' has no rule with tagStatus "tagged", tagPrefixList ["v"], countNumber 5.',
    });
    expect(r.status === 'fail' && r.hint).toBe(
      'Closest is the rule with priority 2: countNumber is 2, the lab expects 5. Fix policy.json and put it again: aws ecr put-lifecycle-policy --repository-name myrepo --lifecycle-policy-text file://policy.json',
    );
  });

  it('previews the policy without expiring anything: a count, and exact tags', async () => {
    const r = await l.check('ecr.lifecycle-policy', { repository: 'myrepo', expectPreviewExpires: 2 });
    expect(r).toMatchObject({ status: 'pass', message: "The lifecycle policy of 'myrepo' has the expected rules and would expire 2 images." });
    expect(await l.check('ecr.lifecycle-policy', { repository: 'myrepo', expectPreviewExpires: ['v1', 'v2'] })).toMatchObject({ status: 'pass' });
    expect((await l.aws.ecr.send(new ListImagesCommand({ repositoryName: 'myrepo' }))).imageIds).toHaveLength(5);
  });

  it('says how many the preview would expire, and which tags it would keep or expire against the lab', async () => {
    const count = await l.check('ecr.lifecycle-policy', { repository: 'myrepo', expectPreviewExpires: 3 });
    expect(count).toMatchObject({ status: 'fail', message: 'The policy would expire 2 images now; the lab expects 3.' });
    expect(count.status === 'fail' && count.hint).toMatch(/^Check the rules' counts and tag filters\. It would expire '(v1|v2)', '(v1|v2)'\. Preview it yourself: aws ecr start-lifecycle-policy-preview --repository-name myrepo && /);
    const tags = await l.check('ecr.lifecycle-policy', { repository: 'myrepo', expectPreviewExpires: ['v1', 'dev'] });
    expect(tags.message).toBe("The policy does not expire what the lab expects: it would keep 'dev', which the lab expects to expire; it would expire 'v2', which the lab expects to keep.");
  });

  it('fails with the put-lifecycle-policy command when there is no policy', async () => {
    const other = f.learner('life-none');
    await other.createRepository('myrepo');
    const r = await other.check('ecr.lifecycle-policy', { repository: 'myrepo', expectRules: [{ tagStatus: 'untagged' }] });
    expect(r).toEqual({
      status: 'fail',
      message: "Repository 'myrepo' has no lifecycle policy.",
      hint: 'Write the policy to policy.json and put it: aws ecr put-lifecycle-policy --repository-name myrepo --lifecycle-policy-text file://policy.json',
      evidence: { repository: 'myrepo' },
    });
  });

  it('explains a missing repository', async () => {
    const r = await l.check('ecr.lifecycle-policy', { repository: 'my-repo' });
    expect(r).toMatchObject({ status: 'fail', message: "There is no repository 'my-repo' in us-east-1." });
    expect(r.status === 'fail' && r.hint).toMatch(/^You created 'myrepo'; this lab asks for 'my-repo'\./);
  });
});
