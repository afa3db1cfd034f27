/** Shared fixture of the sandbox ECR integration tests: a sandbox on port 0 with a temp data dir, plus clients. */
import { ECRClient } from '@aws-sdk/client-ecr';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type SandboxHandle, type SandboxOptions } from '../../sandbox/index.ts';

/** A started sandbox and what tests need around it. */
export interface EcrFixture {
  sandbox: SandboxHandle;
  dataDir: string;
  /** An ECR client for a learner (provisioned on first use) in a region. */
  client(learnerId?: string, region?: string): ECRClient;
  /** Restarts the sandbox on the same data dir (new port). */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** Starts a sandbox for a test file. */
export async function startEcrFixture(options: Partial<SandboxOptions> = {}): Promise<EcrFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sbx-ecr-'));
  const start = () => startSandbox({ port: 0, dataDir, registryHostNaming: 'ecr', ...options });
  const clients: ECRClient[] = [];
  const fixture: EcrFixture = {
    sandbox: await start(),
    dataDir,
    client(learnerId = 'alice', region = 'us-east-1') {
      const { accessKeyId, secretAccessKey } = fixture.sandbox.accounts.provision(learnerId);
      const c = new ECRClient({ endpoint: fixture.sandbox.endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
      clients.push(c);
      return c;
    },
    async restart() {
      await fixture.sandbox.dispose();
      fixture.sandbox = await start();
    },
    async dispose() {
      clients.forEach((c) => c.destroy());
      await fixture.sandbox.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** A distinct OCI image manifest (n varies the layer), with its exact text. */
export function ociManifest(n: number): string {
  const hex = (c: string) => c.repeat(64).slice(0, 64);
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${hex('c')}`, size: 7 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex(String(n % 10))}${''}`, size: 1000 + n }],
    annotations: { n: String(n) },
  });
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
}
