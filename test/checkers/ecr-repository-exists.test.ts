import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckerFixture, type CheckerFixture } from './fixture.ts';

describe('ecr.repository-exists against the sandbox', () => {
  let f: CheckerFixture;
  beforeAll(async () => {
    f = await startCheckerFixture();
  });
  afterAll(async () => {
    await f?.dispose();
  });

  it('passes when the repository exists with the settings the lab asks for', async () => {
    const l = f.learner('repo-pass');
    await l.createRepository('myrepo', { imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: 'IMMUTABLE' });
    const r = await l.check('ecr.repository-exists', { name: 'myrepo', scanOnPush: true, tagMutability: 'IMMUTABLE', encryptionType: 'AES256' });
    expect(r).toMatchObject({ status: 'pass', message: "Repository 'myrepo' exists in us-east-1." });
  });

  it('names a near-miss repository the learner created instead', async () => {
    for (const [learner, made] of [['near-dash', 'my-repo'], ['near-digit', 'myrepo1'], ['near-swap', 'myrpeo']] as const) {
      const l = f.learner(learner);
      await l.createRepository(made);
      await l.createRepository('unrelated-thing');
      const r = await l.check('ecr.repository-exists', { name: 'myrepo' });
      expect(r.status).toBe('fail');
      expect(r.message).toBe("There is no repository 'myrepo' in us-east-1.");
      expect(r.status === 'fail' && r.hint).toMatch(new RegExp(`^You created '${made}'; this lab asks for 'myrepo'\\. A repository cannot be renamed: create 'myrepo' \\(aws ecr create-repository --repository-name myrepo\\) and delete '${made}'`));
    }
  });

  it('names the region where the learner created the repository instead', async () => {
    const l = f.learner('wrong-region');
    await l.createRepository('myrepo', {}, 'us-west-2');
    const r = await l.check('ecr.repository-exists', { name: 'myrepo' });
    expect(r.status === 'fail' && r.hint).toBe(
      "You created 'myrepo' in us-west-2; this lab uses us-east-1. Create it in us-east-1: aws ecr create-repository --repository-name myrepo",
    );
    // The lab's own region list is the one searched.
    const narrow = await l.check('ecr.repository-exists', { name: 'myrepo', searchRegions: ['eu-west-1'] });
    expect(narrow.status === 'fail' && narrow.hint).toBe('Create it: aws ecr create-repository --repository-name myrepo');
  });

  it('checks a region the lab names, with --region in the commands it suggests', async () => {
    const l = f.learner('lab-region');
    const r = await l.check('ecr.repository-exists', { name: 'eu-repo', region: 'eu-west-1' });
    expect(r).toMatchObject({ status: 'fail', message: "There is no repository 'eu-repo' in eu-west-1." });
    expect(r.status === 'fail' && r.hint).toBe('Create it: aws ecr create-repository --repository-name eu-repo --region eu-west-1');
    await l.createRepository('eu-repo', {}, 'eu-west-1');
    expect((await l.check('ecr.repository-exists', { name: 'eu-repo', region: 'eu-west-1' })).status).toBe('pass');
  });

  it('lists the repositories there are when nothing is close', async () => {
    const l = f.learner('nothing-close');
    await l.createRepository('frontend');
    const r = await l.check('ecr.repository-exists', { name: 'myrepo' });
    expect(r.status === 'fail' && r.hint).toBe("Create it: aws ecr create-repository --repository-name myrepo Your repositories in us-east-1: 'frontend'.");
  });

  it('says which setting is wrong and the command that fixes it', async () => {
    const l = f.learner('settings');
    await l.createRepository('myrepo');
    const scan = await l.check('ecr.repository-exists', { name: 'myrepo', scanOnPush: true });
    expect(scan).toMatchObject({
      status: 'fail',
      message: "Repository 'myrepo' exists, but scan on push is off (the lab wants it on).",
      hint: 'Fix it: aws ecr put-image-scanning-configuration --repository-name myrepo --image-scanning-configuration scanOnPush=true',
    });
    const both = await l.check('ecr.repository-exists', { name: 'myrepo', scanOnPush: true, tagMutability: 'IMMUTABLE', encryptionType: 'KMS' });
    expect(both.message).toBe(
      "Repository 'myrepo' exists, but scan on push is off (the lab wants it on); tags are MUTABLE (the lab wants IMMUTABLE); encryption is AES256 (the lab wants KMS).",
    );
    expect(both.status === 'fail' && both.hint).toContain('aws ecr put-image-tag-mutability --repository-name myrepo --image-tag-mutability IMMUTABLE');
    expect(both.status === 'fail' && both.hint).toContain('--encryption-configuration encryptionType=KMS');
  });

  it('reports error, not fail, when the credentials are refused', async () => {
    const l = f.learner('bad-creds');
    const bad = { ...l.access, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wrong' } };
    const { createAwsClients } = await import('../../server/aws/clients.ts');
    const aws = await createAwsClients(bad, { maxAttempts: 1 });
    try {
      const checker = f.registry.get('ecr.repository-exists')!;
      const r = await f.registry.runCheck(checker, { name: 'myrepo' }, { learnerId: 'x', variables: {}, aws, workspace: '/tmp' }, { timeoutMs: 10_000 });
      expect(r.status).toBe('error');
      expect(r.message).toMatch(/^The check 'ecr\.repository-exists' could not run: UnrecognizedClientException: /);
    } finally {
      aws.dispose();
    }
  });

  it('rejects parameters that are not a repository check', () => {
    expect(f.registry.validate('ecr.repository-exists', { name: '', scanOnpush: true, tagMutability: 'immutable' }).map((p) => p.path).sort()).toEqual([
      '(params)',
      'name',
      'tagMutability',
    ]);
  });
});
