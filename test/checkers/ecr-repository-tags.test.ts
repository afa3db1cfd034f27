import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckerFixture, type CheckerFixture } from './fixture.ts';

describe('ecr.repository-tags against the sandbox', () => {
  let f: CheckerFixture;
  beforeAll(async () => {
    f = await startCheckerFixture();
  });
  afterAll(async () => {
    await f?.dispose();
  });

  it('passes when exactly the expected tags remain', async () => {
    const l = f.learner('tags-exact');
    await l.createRepository('keep');
    await l.push('keep', 'prod-2');
    await l.push('keep', 'prod-3');
    const r = await l.check('ecr.repository-tags', { repository: 'keep', tags: ['prod-3', 'prod-2'], untagged: 0 });
    expect(r).toMatchObject({ status: 'pass', message: "'keep' holds exactly 'prod-3', 'prod-2' and 0 untagged." });
  });

  it('names the tags that should be gone, with the lab\'s hint about waiting', async () => {
    const l = f.learner('tags-extra');
    await l.createRepository('keep');
    for (const t of ['prod-1', 'prod-2', 'prod-3']) await l.push('keep', t);
    const r = await l.check('ecr.repository-tags', { repository: 'keep', tags: ['prod-2', 'prod-3'], waitHint: 'The policy runs within a minute.' });
    expect(r).toMatchObject({ status: 'fail', message: "'keep' holds more than it should: 'prod-1' is still there.", hint: 'The policy runs within a minute.' });
  });

  it('names the tags that are missing', async () => {
    const l = f.learner('tags-missing');
    await l.createRepository('keep');
    await l.push('keep', 'prod-3');
    const r = await l.check('ecr.repository-tags', { repository: 'keep', tags: ['prod-2', 'prod-3'] });
    expect(r).toMatchObject({ status: 'fail', message: "'keep' is missing 'prod-2'." });
  });

  it('explains a missing repository', async () => {
    const l = f.learner('tags-norepo');
    const r = await l.check('ecr.repository-tags', { repository: 'keep', tags: ['x'] });
    expect(r).toMatchObject({ status: 'fail', message: "There is no repository 'keep' in us-east-1." });
  });
});
