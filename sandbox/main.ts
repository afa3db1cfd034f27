/**
 * The sandbox's composition root: the on-disk blob store, the OCI registry, the vulnerability scanner and
 * its advisory feed, wired into {@link startSandbox}. `labrunner sandbox` and the lab server start the
 * sandbox through here; tests that need only the ECR API call startSandbox directly.
 */
import { fileURLToPath } from 'node:url';
import { createRegistryHandler } from './registry/index.ts';
import { createAdvisoryFeed, createImageScanner, loadAdvisoryFeed, type AdvisoryFeed } from './scanner/index.ts';
import { createBlobStore } from './storage/blob-store.ts';
import { startSandbox, type SandboxHandle, type SandboxOptions } from './index.ts';
import { DockerodeEngine, ensureDockerApiSocket } from './engine/index.ts';
import { findRegistryTls } from './http/registry-tls.ts';

/** Options of {@link runSandbox}. */
export interface RunSandboxOptions extends Pick<SandboxOptions, 'port' | 'host' | 'dataDir' | 'now' | 'registryHostNaming' | 'tls' | 'ecsMaxServiceTasks' | 'ecsIntervalMs' | 'lifecycleIntervalMs'> {
  /** Folder of OSV advisory JSON files; default `sandbox/advisories/`. */
  readonly advisoriesDir?: string;
  /** Where warnings go (a malformed advisory file, a missing feed); default console.warn. */
  readonly warn?: (message: string) => void;
}

/** Default advisory folder, shipped beside this file. */
export const DEFAULT_ADVISORIES_DIR = fileURLToPath(new URL('./advisories/', import.meta.url));

/** Starts the complete sandbox: ECR API, registry on `/v2/`, scanning. */
export async function runSandbox(opts: RunSandboxOptions): Promise<SandboxHandle> {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const blobs = createBlobStore({ dataDir: opts.dataDir });
  const feed = await loadFeed(opts.advisoriesDir ?? DEFAULT_ADVISORIES_DIR, warn);
  // Learners' `docker` and ECS tasks need a container engine; without one the sandbox still serves ECR.
  const engine = await ensureDockerApiSocket({ dataDir: opts.dataDir, log: warn });
  if (!engine) warn('sandbox: no container engine (Docker or podman): docker commands and ECS tasks will not work');
  const handle = await startSandbox({
    port: opts.port,
    host: opts.host,
    dataDir: opts.dataDir,
    now: opts.now,
    registryHostNaming: opts.registryHostNaming,
    // setup-system's certificate (/var/lib/labrunner/tls or LABRUNNER_SANDBOX_TLS_DIR) when readable.
    tls: opts.tls ?? findRegistryTls(undefined, warn),
    blobs,
    scanner: createImageScanner({ blobs, feed }),
    createRegistryHandler: ({ imageService, registryAuth }) => createRegistryHandler({ auth: registryAuth, images: imageService, blobs }),
    dockerHost: engine?.dockerHost,
    containerEngine: engine ? new DockerodeEngine(engine.socketPath) : undefined,
    ecsMaxServiceTasks: opts.ecsMaxServiceTasks,
    ecsIntervalMs: opts.ecsIntervalMs,
    lifecycleIntervalMs: opts.lifecycleIntervalMs,
  }).catch(async (err: unknown) => {
    await engine?.dispose();
    throw err;
  });
  return {
    ...handle,
    async dispose() {
      await handle.dispose();
      await engine?.dispose();
    },
  };
}

async function loadFeed(dir: string, warn: (m: string) => void): Promise<AdvisoryFeed> {
  try {
    const feed = await loadAdvisoryFeed(dir);
    for (const p of feed.problems) warn(`sandbox: advisory feed: ${p.source}: ${p.message}`);
    return feed;
  } catch (err) {
    // Scanning still works (no findings) without a feed; a lab that needs findings will show it.
    warn(`sandbox: no advisory feed at ${dir} (${err instanceof Error ? err.message : String(err)}); scans will find nothing`);
    return createAdvisoryFeed([]);
  }
}
