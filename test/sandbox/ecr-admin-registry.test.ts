import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, ListImagesCommand } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandbox } from '../../sandbox/main.ts';
import type { SandboxHandle } from '../../sandbox/index.ts';

const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('sandbox admin API and the composed sandbox (registry + scanner)', () => {
  let dataDir: string;
  let sandbox: SandboxHandle;
  const clients: ECRClient[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sbx-full-'));
    sandbox = await runSandbox({ port: 0, dataDir, registryHostNaming: 'ecr', warn: () => {} });
  });
  afterAll(async () => {
    clients.forEach((c) => c.destroy());
    await sandbox.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const admin = (method: string, path: string, body?: unknown, token = sandbox.adminToken) =>
    fetch(`${sandbox.endpoint}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('keeps the admin token in <dataDir>/admin-token with mode 0600', () => {
    expect(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()).toBe(sandbox.adminToken);
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
  });

  it('answers health without a token and refuses admin routes without the right one', async () => {
    const health = await fetch(`${sandbox.endpoint}/_sandbox/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    expect((await admin('POST', '/_sandbox/accounts', { learnerId: 'x' }, 'wrong')).status).toBe(401);
    expect((await fetch(`${sandbox.endpoint}/_sandbox/accounts`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('provisions accounts idempotently per learnerId', async () => {
    const a = (await (await admin('POST', '/_sandbox/accounts', { learnerId: 'alice' })).json()) as Record<string, string>;
    const again = (await (await admin('POST', '/_sandbox/accounts', { learnerId: 'alice' })).json()) as Record<string, string>;
    const b = (await (await admin('POST', '/_sandbox/accounts', { learnerId: 'bob' })).json()) as Record<string, string>;
    expect(again).toEqual(a);
    expect(a['accountId']).toMatch(/^[1-9][0-9]{11}$/);
    expect(a['accessKeyId']).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(b['accountId']).not.toBe(a['accountId']);
    expect((await admin('POST', '/_sandbox/accounts', { learnerId: '../etc' })).status).toBe(400);
    expect((await admin('POST', '/_sandbox/accounts', 'nope')).status).toBe(400);
  });

  it('pushes through the registry with the GetAuthorizationToken password; the ECR API sees the image and scans it', async () => {
    const creds = sandbox.accounts.provision('pusher');
    const ecr = new ECRClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    clients.push(ecr);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'web', imageScanningConfiguration: { scanOnPush: true } }));
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!;
    const host = new URL(token.proxyEndpoint!).host;
    const auth = { authorization: `Basic ${token.authorizationToken}`, host };
    const base = sandbox.endpoint; // connect to 127.0.0.1, name the ECR host in the Host header as docker does

    const unauth = await fetch(`${base}/v2/`);
    expect(unauth.status).toBe(401);

    const config = new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const layer = new Uint8Array(1234).fill(7);
    for (const blob of [config, layer]) {
      const start = await fetch(`${base}/v2/web/blobs/uploads/`, { method: 'POST', headers: auth });
      expect(start.status).toBe(202);
      const location = new URL(start.headers.get('location')!, base);
      location.searchParams.set('digest', sha(blob));
      const put = await fetch(`${base}${location.pathname}${location.search}`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/octet-stream' },
        body: blob,
      });
      expect(put.status).toBe(201);
    }
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    });
    const put = await fetch(`${base}/v2/web/manifests/v1`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: manifest,
    });
    expect(put.status).toBe(201);

    expect((await ecr.send(new ListImagesCommand({ repositoryName: 'web' }))).imageIds).toEqual([{ imageDigest: sha(manifest), imageTag: 'v1' }]);
    await sandbox.idle();
    const [detail] = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'web' }))).imageDetails!;
    expect(detail!.imageSizeInBytes).toBe(config.length + layer.length);
    // A layer of 7s is no OS the scanner knows: the scan finishes, just not COMPLETE.
    expect(['FAILED', 'UNSUPPORTED_IMAGE']).toContain(detail!.imageScanStatus!.status);
  });
});
