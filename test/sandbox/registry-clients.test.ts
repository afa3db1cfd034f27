/**
 * Real clients against the sandbox registry: skopeo and podman push a podman-built busybox image to
 * the ECR-shaped host with a password from GetAuthorizationToken, read it back, and print ECR's
 * messages when they must fail. Skipped (with the reason printed) only when the tools are absent.
 */
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, describe, expect } from 'vitest';
import { buildBusyboxImage, containerToolsMissing, PODMAN, SKOPEO, tool, toolFailure } from './helpers/busybox-image.ts';
import type { BuiltImage } from './helpers/busybox-image.ts';
import { startRegistryHarness } from './helpers/registry-harness.ts';
import type { RegistryHarness } from './helpers/registry-harness.ts';

/**
 * PULL_HOST_NOTE: pushes use the ECR-shaped host, reads use `localhost:<port>`. The machine's
 * registries.conf drop-in (scripts/setup-system) sets `location = "*.localhost"` on the wildcard
 * entry, which containers/image applies when *pulling*: it rewrites `<acct>.dkr.ecr.<region>.localhost`
 * into the literal `*.localhost` ("rewriting reference: invalid reference format"). Leaving `location`
 * out of that entry fixes it (checked with the entry replaced in a bubblewrap mount namespace).
 */
const missing = containerToolsMissing();
if (missing !== undefined) console.warn(`registry-clients: skipped, ${missing}`);

interface Fixtures {
  reg: RegistryHarness;
  /** A throwaway directory (auth files, pulled images). */
  tmp: string;
  /** Builds images and removes them after the test. */
  build: () => Promise<BuiltImage>;
}

const it = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  reg: async ({}, use) => {
    const reg = await startRegistryHarness();
    await use(reg);
    await reg.close();
  },
  // eslint-disable-next-line no-empty-pattern
  tmp: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-clients-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  // eslint-disable-next-line no-empty-pattern
  build: async ({}, use) => {
    const built: BuiltImage[] = [];
    await use(async () => {
      const image = await buildBusyboxImage();
      built.push(image);
      return image;
    });
    for (const image of built) await image.dispose();
  },
});

/** ECR's view of a tag, through the SDK, as a checker would ask. */
async function describeTag(reg: RegistryHarness, repositoryName: string, tag: string) {
  const account = reg.sandbox.accounts.provision('alice');
  const ecr = new ECRClient({ endpoint: reg.sandbox.endpoint, region: reg.scope.region, credentials: account, maxAttempts: 1 });
  try {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
    return out.imageDetails?.[0];
  } finally {
    ecr.destroy();
  }
}

describe.skipIf(missing !== undefined)('real container clients', () => {
  it('skopeo copies a podman-built image in, inspects it and copies it back out', async ({ reg, tmp, build }) => {
    const image = await build();
    await reg.createRepository('myrepo');
    const password = await reg.password();
    await tool(SKOPEO, ['copy', '--quiet', `containers-storage:${image.name}`, `docker://${reg.ecrHost()}/myrepo:v1`, '--dest-creds', `AWS:${password}`, '--dest-tls-verify=false']);
    // Reads go through the fallback host: see PULL_HOST_NOTE.
    const ref = `docker://${reg.fallbackHost}/myrepo:v1`;

    const inspected = JSON.parse(await tool(SKOPEO, ['inspect', '--creds', `AWS:${password}`, '--tls-verify=false', ref])) as { Digest: string; Layers: string[]; Labels: Record<string, string> };
    expect(inspected.Layers).toHaveLength(1);
    expect(inspected.Labels['org.labrunner.test.nonce']).toBe(image.name.split(':')[1]);
    const detail = await describeTag(reg, 'myrepo', 'v1');
    expect(detail?.imageDigest).toBe(inspected.Digest);

    const out = join(tmp, 'pulled');
    await tool(SKOPEO, ['copy', '--quiet', '--src-creds', `AWS:${password}`, '--src-tls-verify=false', ref, `dir:${out}`]);
    const layerHex = inspected.Layers[0]!.split(':')[1]!;
    expect(existsSync(join(out, layerHex))).toBe(true);
    const manifest = await readFile(join(out, 'manifest.json'));
    expect(`sha256:${createHash('sha256').update(manifest).digest('hex')}`).toBe(inspected.Digest);
  });

  it('podman logs in and pushes to the ECR-shaped host, and pulls the same image back', async ({ reg, tmp, build }) => {
    const image = await build();
    await reg.createRepository('team/web');
    const authfile = join(tmp, 'auth.json');
    const host = reg.ecrHost();
    const login = await tool(PODMAN, ['login', '--authfile', authfile, '--username', 'AWS', '--password', await reg.password(), host]);
    expect(login).toMatch(/Login Succeeded/);
    const target = `${host}/team/web:v1`;
    await tool(PODMAN, ['push', '--quiet', '--authfile', authfile, image.name, target]);
    const detail = await describeTag(reg, 'team/web', 'v1');
    expect(detail?.imageTags).toEqual(['v1']);

    // Pull back through the fallback host (see PULL_HOST_NOTE), logged in there with the same password.
    const pullRef = `${reg.fallbackHost}/team/web:v1`;
    await tool(PODMAN, ['login', '--authfile', authfile, '--username', 'AWS', '--password', await reg.password(), reg.fallbackHost]);
    try {
      await tool(PODMAN, ['pull', '--quiet', '--authfile', authfile, pullRef]);
      const digests = JSON.parse(await tool(PODMAN, ['image', 'inspect', '--format', '{{json .RepoDigests}}', pullRef])) as string[];
      expect(digests).toContain(`${reg.fallbackHost}/team/web@${detail?.imageDigest}`);
    } finally {
      await tool(PODMAN, ['rmi', '--ignore', pullRef]).catch(() => undefined);
    }
  });

  it('refuses podman login with a wrong password', async ({ reg, tmp }) => {
    const stderr = await toolFailure(PODMAN, ['login', '--authfile', join(tmp, 'auth.json'), '--username', 'AWS', '--password', 'wrong', reg.ecrHost()]);
    expect(stderr).toMatch(/invalid username\/password/);
  });

  it('refuses a push without login', async ({ reg, tmp, build }) => {
    const image = await build();
    await reg.createRepository('myrepo');
    const empty = join(tmp, 'empty-auth.json');
    await writeFile(empty, '{"auths":{}}');
    const stderr = await toolFailure(PODMAN, ['push', '--authfile', empty, image.name, `${reg.ecrHost()}/myrepo:v1`]);
    expect(stderr).toMatch(/unauthorized|authentication required/i);
    expect(await describeTag(reg, 'myrepo', 'v1').catch((err: Error) => err.name)).toBe('ImageNotFoundException');
  });

  it('prints ECR\'s message when pushing to a repository that does not exist', async ({ reg, tmp, build }) => {
    const image = await build();
    const authfile = join(tmp, 'auth.json');
    await tool(PODMAN, ['login', '--authfile', authfile, '--username', 'AWS', '--password', await reg.password(), reg.ecrHost()]);
    const stderr = await toolFailure(PODMAN, ['push', '--authfile', authfile, image.name, `${reg.ecrHost()}/nope:v1`]);
    expect(stderr).toContain(`The repository with name 'nope' does not exist in the registry with id '${reg.scope.accountId}'`);
  });

  it('prints ECR\'s message when overwriting a tag of an immutable repository', async ({ reg, tmp, build }) => {
    await reg.createRepository('frozen', { immutable: true });
    const authfile = join(tmp, 'auth.json');
    await tool(PODMAN, ['login', '--authfile', authfile, '--username', 'AWS', '--password', await reg.password(), reg.ecrHost()]);
    const first = await build();
    await tool(PODMAN, ['push', '--quiet', '--authfile', authfile, first.name, `${reg.ecrHost()}/frozen:v1`]);
    const second = await build();
    const stderr = await toolFailure(PODMAN, ['push', '--authfile', authfile, second.name, `${reg.ecrHost()}/frozen:v1`]);
    expect(stderr).toContain("The image tag 'v1' already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable.");
  });

  it('lets skopeo push through the fallback host, where the credentials pick the account', async ({ reg, build }) => {
    const image = await build();
    await reg.createRepository('viafallback');
    await tool(SKOPEO, ['copy', '--quiet', `containers-storage:${image.name}`, `docker://${reg.fallbackHost}/viafallback:v1`, '--dest-creds', `AWS:${await reg.password()}`, '--dest-tls-verify=false']);
    expect((await describeTag(reg, 'viafallback', 'v1'))?.imageTags).toEqual(['v1']);
  });
});
