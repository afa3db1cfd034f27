import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer, type ServerConfig } from '../../server/main.ts';
import { CLIENT_DIST, LABS_DIR } from '../../cli/paths.ts';

export interface TestServer extends Omit<RunningServer, 'dispose'> {
  dataDir: string;
  /** Stops the server; removes its data dir unless it was given, or `keepData` is set. */
  dispose(options?: { keepData?: boolean }): Promise<void>;
}

/** Starts the real server on a free port with a throwaway data dir; dispose removes both. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const ownDataDir = !overrides.dataDir;
  const dataDir = overrides.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'labrunner-test-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    labsDir: LABS_DIR,
    clientDir: CLIENT_DIST,
    idleTimeoutMs: 30 * 60_000,
    log: () => undefined,
    ...overrides,
    dataDir,
  });
  return {
    ...server,
    dataDir,
    async dispose(options = {}) {
      await server.dispose();
      if (ownDataDir && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
