import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSandbox, type LearnerAwsAccess } from '../../server/aws/index.ts';
import { LearnerCredentialVault, PerLearnerAwsTarget } from '../../server/aws/learner-credentials.ts';
import { BIN } from '../../cli/paths.ts';

/**
 * A classroom student's own AWS account, without real AWS: the student's "own account" is a sandbox account,
 * and STS GetCallerIdentity (the vault's check) is answered by the sandbox through the same SDK call.
 */
describe('students bring their own AWS credentials for real-AWS labs', () => {
  let tmp: string;
  let sandbox: EmbeddedSandbox;
  let annAccount: LearnerAwsAccess;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'labrunner-vault-'));
    sandbox = await EmbeddedSandbox.start({ bin: BIN, dataDir: path.join(tmp, 'sandbox'), port: 0, log: () => undefined });
    annAccount = await sandbox.access('ann-own-account');
  });
  afterAll(async () => {
    await sandbox?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('accepts working credentials, names their account and hands them only to that student', async () => {
    const vault = new LearnerCredentialVault({ endpoint: sandbox.endpoint });
    const { accessKeyId, secretAccessKey } = annAccount.credentials;
    const answer = await vault.submit('s-ann', { accessKeyId, secretAccessKey, region: 'eu-west-1' });
    expect(answer).toEqual({ accountId: annAccount.accountId });

    const target = new PerLearnerAwsTarget(vault, (id) => id.startsWith('s-'), undefined, () => new Error('no profile'));
    const access = await target.access('s-ann');
    expect(access).toMatchObject({ accountId: annAccount.accountId, region: 'eu-west-1', registry: `${annAccount.accountId}.dkr.ecr.eu-west-1.amazonaws.com` });
    expect(access.credentials.accessKeyId).toBe(accessKeyId);
    // Another student has entered nothing: they are told to, and never get Ann's account.
    await expect(target.access('s-bob')).rejects.toMatchObject({ code: 'AwsCredentialsNeeded' });
    // Someone who is not a student (the owner) uses the server's own target, and here there is none.
    await expect(target.access('owner-tab')).rejects.toThrow('no profile');
  });

  it('refuses credentials AWS refuses, saying so without repeating the secret', async () => {
    const vault = new LearnerCredentialVault({ endpoint: sandbox.endpoint });
    const secret = 'Wrong0Secret0Value0That0Is0Long';
    const refusal = await vault.submit('s-cy', { accessKeyId: annAccount.credentials.accessKeyId, secretAccessKey: secret, region: 'us-east-1' }).then(
      () => undefined,
      (err: Error & { code?: string }) => err,
    );
    expect(refusal?.code).toBe('InvalidCredentials');
    expect(refusal?.message).toMatch(/AWS refused these credentials \(SignatureDoesNotMatch\)/);
    expect(refusal?.message).not.toContain(secret);
    expect(vault.has('s-cy')).toBe(false);
  });

  it('checks the shape of what was typed before asking AWS', async () => {
    const vault = new LearnerCredentialVault({ endpoint: sandbox.endpoint });
    const good = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' };
    await expect(vault.submit('s-d', { ...good, accessKeyId: 'akia lower' })).rejects.toThrow('access key id');
    await expect(vault.submit('s-d', { ...good, secretAccessKey: 'short' })).rejects.toThrow('secret access key');
    await expect(vault.submit('s-d', { ...good, region: 'Mars' })).rejects.toThrow('region');
  });

  it('forgets a student on request', async () => {
    const vault = new LearnerCredentialVault({ endpoint: sandbox.endpoint });
    const { accessKeyId, secretAccessKey } = annAccount.credentials;
    await vault.submit('s-e', { accessKeyId, secretAccessKey, region: 'us-east-1' });
    vault.forget('s-e');
    expect(vault.access('s-e')).toBeUndefined();
  });
});
