/**
 * Builds a tiny real image with podman — `FROM scratch` plus the static `/bin/busybox` — so registry
 * tests can push with real clients without any public registry. Each build gets a unique name and a
 * label nonce (so two builds never share a manifest digest), and a dispose that removes it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PODMAN = '/usr/bin/podman';
export const SKOPEO = '/usr/bin/skopeo';
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));

/** Why container-client tests cannot run here, or undefined when podman, skopeo and busybox are present. */
export function containerToolsMissing(): string | undefined {
  const missing = [PODMAN, SKOPEO].filter((p) => !existsSync(p));
  if (BUSYBOX === undefined) missing.push('busybox (busybox-static)');
  return missing.length === 0 ? undefined : `missing ${missing.join(', ')} (scripts/setup-system installs them)`;
}

/** A locally built image. */
export interface BuiltImage {
  /** `localhost/labrunner-test-busybox:<nonce>` */
  readonly name: string;
  /** Removes the image from podman's storage; safe to call twice. */
  dispose(): Promise<void>;
}

/** Runs podman/skopeo and returns stdout; on failure the error carries stderr. */
export async function tool(bin: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(bin, args, { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 << 20 });
  return stdout;
}

/** Runs a tool expected to fail and returns its stderr (throws if it succeeds). */
export async function toolFailure(bin: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    await tool(bin, args, env);
  } catch (err) {
    return String((err as { stderr?: unknown }).stderr ?? err);
  }
  throw new Error(`${bin} ${args.join(' ')} succeeded but was expected to fail`);
}

/** Builds `FROM scratch` + busybox with podman (no network needed). */
export async function buildBusyboxImage(): Promise<BuiltImage> {
  if (BUSYBOX === undefined) throw new Error('busybox is not installed');
  const nonce = randomBytes(6).toString('hex');
  const name = `localhost/labrunner-test-busybox:${nonce}`;
  const context = await mkdtemp(join(tmpdir(), 'busybox-image-'));
  try {
    await copyFile(BUSYBOX, join(context, 'busybox'));
    await writeFile(
      join(context, 'Containerfile'),
      ['FROM scratch', 'COPY busybox /bin/busybox', `LABEL org.labrunner.test.nonce=${nonce}`, 'ENTRYPOINT ["/bin/busybox"]', 'CMD ["sh"]', ''].join('\n'),
    );
    await tool(PODMAN, ['build', '--quiet', '--pull=never', '--format', 'docker', '-t', name, '-f', join(context, 'Containerfile'), context]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  let disposed = false;
  return {
    name,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await tool(PODMAN, ['rmi', '--force', '--ignore', name]).catch(() => undefined);
    },
  };
}
