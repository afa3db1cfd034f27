import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startEcrFixture, type EcrFixture } from './ecr-fixture.ts';

const TARGET = 'AmazonEC2ContainerRegistry_V20150921';

describe('sandbox AWS JSON protocol and SigV4', () => {
  let f: EcrFixture;
  let creds: { accessKeyId: string; secretAccessKey: string };
  beforeAll(async () => {
    f = await startEcrFixture();
    creds = f.sandbox.accounts.provision('proto');
  });
  afterAll(async () => {
    await f.dispose();
  });

  /** Sends a raw request, signed unless `sign` is false. */
  async function raw(opts: { target?: string; body: string; sign?: boolean; secret?: string; date?: Date; service?: string }) {
    const url = new URL(f.sandbox.endpoint);
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-amz-json-1.1' };
    if (opts.target !== undefined) headers['x-amz-target'] = opts.target;
    let req = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers, body: opts.body });
    if (opts.sign !== false) {
      const signer = new SignatureV4({
        credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: opts.secret ?? creds.secretAccessKey },
        region: 'us-east-1',
        service: opts.service ?? 'ecr',
        sha256: Sha256,
      });
      req = (await signer.sign(req, { signingDate: opts.date ?? new Date() })) as HttpRequest;
    }
    const res = await fetch(f.sandbox.endpoint + '/', { method: 'POST', headers: req.headers, body: opts.body });
    const text = await res.text();
    return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), json: text ? (JSON.parse(text) as { __type?: string; message?: string }) : {} };
  }

  it('answers a correctly signed raw request', async () => {
    const r = await raw({ target: `${TARGET}.DescribeRepositories`, body: '{}' });
    expect(r).toMatchObject({ status: 200, json: { repositories: [] } });
  });

  it('rejects an unsigned request with MissingAuthenticationTokenException', async () => {
    const r = await raw({ target: `${TARGET}.DescribeRepositories`, body: '{}', sign: false });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    expect(r.errorType).toBe('MissingAuthenticationTokenException');
  });

  it('rejects a wrong secret with InvalidSignatureException (SDK v3 sees the name)', async () => {
    const ecr = new ECRClient({ endpoint: f.sandbox.endpoint, region: 'us-east-1', credentials: { ...creds, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    const err = await errorOf(ecr.send(new DescribeRepositoriesCommand({})));
    ecr.destroy();
    expect(err.name).toBe('InvalidSignatureException');
    expect(err.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
  });

  it('rejects a tampered body: the signature covers the payload', async () => {
    const url = new URL(f.sandbox.endpoint);
    const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'ecr', sha256: Sha256 });
    const signed = await signer.sign(
      new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', body: '{}',
        headers: { host: url.host, 'x-amz-target': `${TARGET}.DescribeRepositories`, 'content-type': 'application/x-amz-json-1.1' } }),
    );
    const res = await fetch(f.sandbox.endpoint + '/', { method: 'POST', headers: signed.headers, body: '{"maxResults":1}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('InvalidSignatureException');
  });

  it('rejects an unknown access key with UnrecognizedClientException', async () => {
    const ecr = new ECRClient({ endpoint: f.sandbox.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' }, maxAttempts: 1 });
    const err = await errorOf(ecr.send(new DescribeRepositoriesCommand({})));
    ecr.destroy();
    expect(err.name).toBe('UnrecognizedClientException');
    expect(err.message).toBe('The security token included in the request is invalid.');
  });

  it('rejects a signature for another service', async () => {
    const r = await raw({ target: `${TARGET}.DescribeRepositories`, body: '{}', service: 'ecs' });
    expect(r.json.__type).toBe('InvalidSignatureException');
    expect(r.json.message).toBe("Credential should be scoped to correct service: 'ecr'. ");
  });

  it('rejects a signature more than 15 minutes old with AWS expiry text', async () => {
    const r = await raw({ target: `${TARGET}.DescribeRepositories`, body: '{}', date: new Date(Date.now() - 20 * 60_000) });
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('InvalidSignatureException');
    expect(r.json.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  it('accepts a signature within the 15-minute skew', async () => {
    const r = await raw({ target: `${TARGET}.DescribeRepositories`, body: '{}', date: new Date(Date.now() - 10 * 60_000) });
    expect(r.status).toBe(200);
  });

  it('reports a malformed JSON body as SerializationException', async () => {
    const r = await raw({ target: `${TARGET}.DescribeRepositories`, body: '{"repositoryNames": [' });
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('SerializationException');
  });

  it('reports a missing or unknown X-Amz-Target as UnknownOperationException', async () => {
    expect((await raw({ body: '{}' })).json.__type).toBe('UnknownOperationException');
    expect((await raw({ target: `${TARGET}.LaunchRockets`, body: '{}' })).json.__type).toBe('UnknownOperationException');
    expect((await raw({ target: 'SomethingElse_2020.DescribeRepositories', body: '{}' })).json.__type).toBe('UnknownOperationException');
  });

  it('reports wrong member types as ValidationException', async () => {
    const r = await raw({ target: `${TARGET}.CreateRepository`, body: '{"repositoryName": 42}' });
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('ValidationException');
    expect(r.json.message).toMatch(/^1 validation error detected: Value 42 at 'repositoryName'/);
  });

  it('refuses a huge body with a 413 and keeps serving', async () => {
    const big = new Uint8Array(7 * 1024 * 1024).fill(0x20);
    const res = await fetch(f.sandbox.endpoint + '/', { method: 'POST', headers: { 'x-amz-target': `${TARGET}.DescribeRepositories` }, body: big });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { __type: string }).__type).toBe('RequestEntityTooLargeException');
    const after = await raw({ target: `${TARGET}.DescribeRepositories`, body: '{}' });
    expect(after.status).toBe(200);
  });

  it('answers 404 on /v2/ until a registry is plugged in, and on unknown paths', async () => {
    expect((await fetch(f.sandbox.endpoint + '/v2/')).status).toBe(404);
    expect((await fetch(f.sandbox.endpoint + '/nope')).status).toBe(404);
  });
});
