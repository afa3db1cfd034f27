import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCheckerFixture, type CheckerFixture } from './fixture.ts';

describe('ecr.scan-complete against the sandbox (real scanner, shipped advisory feed)', () => {
  let f: CheckerFixture;
  beforeAll(async () => {
    f = await startCheckerFixture({ holdScans: true });
  });
  afterAll(async () => {
    await f?.dispose();
  });

  it('says "still scanning" while the scan runs, then passes with the findings once it is COMPLETE', async () => {
    const l = f.learner('scan-debian');
    await l.createRepository('myrepo', { imageScanningConfiguration: { scanOnPush: true } });
    await l.push('myrepo', 'latest', { layer: 'debian' });
    const during = await l.check('ecr.scan-complete', { repository: 'myrepo', tag: 'latest' });
    expect(during).toMatchObject({ status: 'fail', message: "The scan of 'myrepo:latest' is still running.", hint: 'Still scanning, try again in a moment.' });

    f.releaseScans();
    await f.sandbox.idle();
    const done = await l.check('ecr.scan-complete', { repository: 'myrepo', tag: 'latest' });
    expect(done.status).toBe('pass');
    // libc6 2.36-9+deb12u1 is affected by the shipped DSA-5514-1.
    expect(done.message).toMatch(/^The scan of 'myrepo:latest' is complete \(\d+ (HIGH|CRITICAL|MEDIUM)/);
    expect(done.evidence).toMatchObject({ status: 'COMPLETE' });
  });

  it('counts an unsupported-OS scan as run only when the lab accepts it', async () => {
    const l = f.learner('scan-scratch');
    await l.createRepository('myrepo', { imageScanningConfiguration: { scanOnPush: true } });
    await l.push('myrepo', 'latest', { layer: 'scratch' });
    await f.sandbox.idle();
    const strict = await l.check('ecr.scan-complete', { repository: 'myrepo', tag: 'latest' });
    expect(strict).toMatchObject({
      status: 'fail',
      message: "The scan of 'myrepo:latest' could not scan the image: UnsupportedImageError: The operating system and/or package manager are not supported.",
    });
    expect(strict.status === 'fail' && strict.hint).toMatch(/^Basic scanning needs an image built on a supported OS/);
    const lenient = await l.check('ecr.scan-complete', { repository: 'myrepo', tag: 'latest', acceptUnsupported: true });
    expect(lenient).toMatchObject({ status: 'pass', message: "The scan of 'myrepo:latest' ran (its operating system is not one basic scanning supports)." });
  });

  it('quotes why a scan failed for another reason, and how to scan again', async () => {
    const l = f.learner('scan-broken');
    await l.createRepository('myrepo', { imageScanningConfiguration: { scanOnPush: true } });
    await l.push('myrepo', 'latest'); // a layer that is not a tar archive
    await f.sandbox.idle();
    const r = await l.check('ecr.scan-complete', { repository: 'myrepo', tag: 'latest', acceptUnsupported: true });
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/^The scan of 'myrepo:latest' failed: The image layers cannot be read: /);
    expect(r.status === 'fail' && r.hint).toBe('Push the image again or start a new scan: aws ecr start-image-scan --repository-name myrepo --image-id imageTag=latest');
  });

  it('explains a missing scan: scan on push off, and the commands to scan', async () => {
    const l = f.learner('scan-none');
    await l.createRepository('myrepo');
    await l.push('myrepo', 'latest');
    const r = await l.check('ecr.scan-complete', { repository: 'myrepo', tag: 'latest' });
    expect(r).toEqual({
      status: 'fail',
      message: "'myrepo:latest' has not been scanned.",
      hint:
        "Scan on push is off for 'myrepo', so pushes are not scanned. Start a scan: aws ecr start-image-scan --repository-name myrepo --image-id imageTag=latest " +
        '(and for future pushes: aws ecr put-image-scanning-configuration --repository-name myrepo --image-scanning-configuration scanOnPush=true)',
      evidence: { repository: 'myrepo', tag: 'latest', scanOnPush: false },
    });
  });

  it('fails when the tag or the repository is missing', async () => {
    const l = f.learner('scan-missing');
    await l.createRepository('myrepo', { imageScanningConfiguration: { scanOnPush: true } });
    const noTag = await l.check('ecr.scan-complete', { repository: 'myrepo', tag: 'v9' });
    expect(noTag).toMatchObject({ status: 'fail', message: "There is no image tagged 'v9' in 'myrepo'." });
    expect(noTag.status === 'fail' && noTag.hint).toMatch(new RegExp(`^Push it first: docker push ${l.access.accountId}\\.dkr\\.ecr\\.us-east-1\\.localhost:\\d+/myrepo:v9$`));
    const noRepo = await l.check('ecr.scan-complete', { repository: 'my-repo', tag: 'v9' });
    expect(noRepo.status === 'fail' && noRepo.hint).toMatch(/^You created 'myrepo'; this lab asks for 'my-repo'/);
  });
});
