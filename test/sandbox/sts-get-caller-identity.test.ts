import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerIdentity } from '../../sandbox/sts/index.ts';
import { errorOf, startEcrFixture, type EcrFixture } from './ecr-fixture.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';

describe('sandbox STS GetCallerIdentity', () => {
  let f: EcrFixture;
  const clients: STSClient[] = [];
  beforeAll(async () => {
    f = await startEcrFixture();
  });
  afterAll(async () => {
    clients.forEach((c) => c.destroy());
    await f.dispose();
  });

  function sts(credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): STSClient {
    const c = new STSClient({ endpoint: f.sandbox.endpoint, region, credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  }

  /** A Query-protocol request signed for STS by hand (the SDK would not send a bad one). */
  async function signedPost(body: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<{ status: number; type: string; text: string }> {
    const url = new URL(f.sandbox.endpoint);
    const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'sts', sha256: Sha256 });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      }),
    );
    const res = await fetch(f.sandbox.endpoint + '/', { method: 'POST', headers: signed.headers, body });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  it("the SDK's STSClient gets the learner's account, IAM user ARN and user id", async () => {
    const acct = f.sandbox.accounts.provision('alice');
    const out = await sts(acct).send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe(acct.accountId);
    expect(out.Arn).toBe(`arn:aws:iam::${acct.accountId}:user/alice`);
    expect(out.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(out.UserId).toBe(callerIdentity(acct.accountId, 'alice').userId);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Another learner is another account.
    const bob = f.sandbox.accounts.provision('bob');
    expect((await sts(bob, 'eu-west-1').send(new GetCallerIdentityCommand({}))).Account).toBe(bob.accountId);
  });

  it('a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId (403, as STS says them)', async () => {
    const acct = f.sandbox.accounts.provision('alice');
    const bad = await errorOf(sts({ accessKeyId: acct.accessKeyId, secretAccessKey: 'wrong' }).send(new GetCallerIdentityCommand({})));
    expect(bad.name).toBe('SignatureDoesNotMatch');
    expect(bad.message).toMatch(/^The request signature we calculated does not match/);
    expect(bad.$metadata?.httpStatusCode).toBe(403);
    const unknown = await errorOf(sts({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})));
    expect(unknown.name).toBe('InvalidClientTokenId');
    expect(unknown.message).toBe('The security token included in the request is invalid.');
  });

  it('errors have the Query protocol XML shape; an unknown Action is InvalidAction', async () => {
    const acct = f.sandbox.accounts.provision('alice');
    const bad = await signedPost('Action=GetCallerIdentity&Version=2011-06-15', { accessKeyId: acct.accessKeyId, secretAccessKey: 'wrong' });
    expect(bad.status).toBe(403);
    expect(bad.type).toBe('text/xml');
    expect(bad.text).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>SignatureDoesNotMatch<\/Code><Message>The request signature we calculated[^<]*<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>\n$/,
    );
    const unknown = await signedPost('Action=AssumeRole&Version=2011-06-15', acct);
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('<Code>InvalidAction</Code><Message>Could not find operation AssumeRole for version 2011-06-15</Message>');
    const ok = await signedPost('Action=GetCallerIdentity&Version=2011-06-15', acct);
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(
      new RegExp(
        `^<GetCallerIdentityResponse xmlns="https://sts\\.amazonaws\\.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${acct.accountId}:user/alice</Arn><UserId>AIDA[A-Z2-7]{17}</UserId><Account>${acct.accountId}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      ),
    );
    // Unsigned: STS's missing-token error, still XML.
    const unsigned = await fetch(f.sandbox.endpoint + '/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('JSON APIs are unaffected: a request with X-Amz-Target still reaches ECR', async () => {
    const res = await fetch(f.sandbox.endpoint + '/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
  });

  describe.skipIf(!existsSync(AWS))('with the real AWS CLI v2', () => {
    let home: string;
    beforeAll(() => {
      home = mkdtempSync(join(tmpdir(), 'sbx-sts-home-'));
    });
    afterAll(() => rmSync(home, { recursive: true, force: true }));

    async function aws(args: string[], creds: { accessKeyId: string; secretAccessKey: string }) {
      const env = {
        PATH: process.env.PATH,
        HOME: home,
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_PAGER: '',
      };
      try {
        const { stdout, stderr } = await run(AWS, [...args, '--endpoint-url', f.sandbox.endpoint], { env, timeout: 30_000 });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    }

    it('`aws sts get-caller-identity --query Account --output text` prints the account id', async () => {
      const acct = f.sandbox.accounts.provision('cli');
      const r = await aws(['sts', 'get-caller-identity', '--query', 'Account', '--output', 'text'], acct);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(acct.accountId);
      const full = JSON.parse((await aws(['sts', 'get-caller-identity'], acct)).stdout) as Record<string, string>;
      expect(full).toEqual({ UserId: expect.stringMatching(/^AIDA/), Account: acct.accountId, Arn: `arn:aws:iam::${acct.accountId}:user/cli` });
    });

    it('a bad secret prints the STS error and exits 254', async () => {
      const acct = f.sandbox.accounts.provision('cli');
      const r = await aws(['sts', 'get-caller-identity'], { accessKeyId: acct.accessKeyId, secretAccessKey: 'nope' });
      expect(r.code).toBe(254);
      expect(r.stderr.trim()).toMatch(
        /^An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation: The request signature we calculated does not match/,
      );
    });
  });
});
