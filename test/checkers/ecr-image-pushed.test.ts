import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckerFixture, type CheckerFixture } from './fixture.ts';

describe('ecr.image-pushed against the sandbox', () => {
  let f: CheckerFixture;
  beforeAll(async () => {
    f = await startCheckerFixture();
  });
  afterAll(async () => {
    await f?.dispose();
  });

  const uriOf = (accountId: string, repo: string) => new RegExp(`${accountId}\\.dkr\\.ecr\\.us-east-1\\.localhost:\\d+/${repo}`);

  it('passes when the tag was pushed, and counts images', async () => {
    const l = f.learner('push-pass');
    await l.createRepository('myrepo');
    const digest = await l.push('myrepo', 'latest');
    const r = await l.check('ecr.image-pushed', { repository: 'myrepo', tag: 'latest' });
    expect(r).toMatchObject({ status: 'pass', message: "An image tagged 'latest' is in 'myrepo'.", evidence: { digest } });
    expect((await l.check('ecr.image-pushed', { repository: 'myrepo' })).message).toBe("1 image is in 'myrepo'.");
  });

  it('says nothing was pushed yet, with the login and push commands', async () => {
    const l = f.learner('push-empty');
    await l.createRepository('myrepo');
    const r = await l.check('ecr.image-pushed', { repository: 'myrepo', tag: 'latest' });
    expect(r.message).toBe("Nothing has been pushed to 'myrepo' yet.");
    expect(r.status === 'fail' && r.hint).toMatch(
      new RegExp(`^Log docker in, then tag and push: aws ecr get-login-password \\| docker login --username AWS --password-stdin ${l.access.accountId}\\.dkr\\.ecr\\.us-east-1\\.localhost:\\d+ ; docker tag <your-image> ${uriOf(l.access.accountId, 'myrepo').source}:latest && docker push `),
    );
  });

  it('names the other repository the image was pushed to', async () => {
    const l = f.learner('push-elsewhere');
    await l.createRepository('myrepo');
    await l.createRepository('my-repo');
    await l.push('my-repo', 'latest');
    const r = await l.check('ecr.image-pushed', { repository: 'myrepo', tag: 'latest' });
    expect(r).toMatchObject({ status: 'fail', message: "No image tagged 'latest' in 'myrepo'.", evidence: { foundIn: 'my-repo' } });
    expect(r.status === 'fail' && r.hint).toMatch(new RegExp(`^You pushed 'latest' to 'my-repo'; this lab asks for 'myrepo'\\. Tag it for 'myrepo' and push: docker tag ${uriOf(l.access.accountId, 'my-repo').source}:latest ${uriOf(l.access.accountId, 'myrepo').source}:latest`));
    const any = await l.check('ecr.image-pushed', { repository: 'myrepo' });
    expect(any.status === 'fail' && any.hint).toMatch(/^You pushed to 'my-repo'; this lab asks for 'myrepo'\./);
  });

  it('lists the tags there are when the asked-for tag is missing', async () => {
    const l = f.learner('push-tags');
    await l.createRepository('myrepo');
    await l.push('myrepo', 'v1');
    await l.push('myrepo', 'dev');
    const r = await l.check('ecr.image-pushed', { repository: 'myrepo', tag: 'latest' });
    expect(r.status === 'fail' && r.hint).toMatch(/^Its tags: '(v1|dev)', '(v1|dev)'\. Push the tag the lab asks for: docker tag <your-image> .*\/myrepo:latest && docker push .*\/myrepo:latest$/);
  });

  it('fails below minCount, saying how many there are', async () => {
    const l = f.learner('push-count');
    await l.createRepository('myrepo');
    await l.push('myrepo', 'v1');
    const r = await l.check('ecr.image-pushed', { repository: 'myrepo', minCount: 3 });
    expect(r).toMatchObject({ status: 'fail', message: "'myrepo' has 1 image; the lab asks for at least 3." });
    expect(r.status === 'fail' && r.hint).toMatch(/^Push 2 more/);
    await l.push('myrepo', 'v2');
    await l.push('myrepo', undefined);
    expect(await l.check('ecr.image-pushed', { repository: 'myrepo', minCount: 3 })).toMatchObject({ status: 'pass', message: "3 images are in 'myrepo'." });
  });

  it('explains a missing repository like ecr.repository-exists does', async () => {
    const l = f.learner('push-norepo');
    await l.createRepository('myrepo1');
    const r = await l.check('ecr.image-pushed', { repository: 'myrepo', tag: 'latest' });
    expect(r).toMatchObject({ status: 'fail', message: "There is no repository 'myrepo' in us-east-1." });
    expect(r.status === 'fail' && r.hint).toMatch(/^You created 'myrepo1'; this lab asks for 'myrepo'\./);
  });
});
