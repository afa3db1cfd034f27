import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer, type ServerConfig } from '../../server/main.ts';
import { CLIENT_DIST, LABS_DIR } from '../../cli/paths.ts';

export interface TestServer extends RunningServer {
  dataDir: string;
}

/** Starts the real server on a free port with a throwaway data dir; dispose removes both. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-test-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    labsDir: LABS_DIR,
    clientDir: CLIENT_DIST,
    idleTimeoutMs: 30 * 60_000,
    log: () => undefined,
    ...overrides,
  });
  return {
    ...server,
    dataDir,
    async dispose() {
      await server.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
