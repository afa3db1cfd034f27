import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { TERMINAL_WS_PATH } from '../../server/core/protocol.ts';
import { PtyHost, type SessionKey } from '../../server/pty/index.ts';
import { TerminalChannel, parseTerminalRequest } from '../../server/transport/terminal-channel.ts';
import { bashSpec, prepareWorkspace, shellEnvironment, workspacePath } from '../../server/workspace/index.ts';

export interface PtyHarness {
  url: string;
  dataDir: string;
  ptyHost: PtyHost;
  /** Server-side sockets of the channels opened with `shadow=1`, newest last (to see what the server holds). */
  observerSockets: WebSocket[];
  /** What an observer's `canWrite()` answers (the student's grant, flipped by the classroom server in real use). */
  canWrite: boolean;
  dispose(): Promise<void>;
}

/**
 * The terminal channel the way the server builds it (real PtyHost, node-pty bash, workspace, WebSocket upgrade,
 * TerminalChannel), without the rest of the server: shells here can record commands, and `shadow=1`
 * connections are observers. Authorisation is not this layer's business (the server decides who may shadow).
 */
export async function startPtyHarness(options: { recordCommands?: boolean } = {}): Promise<PtyHarness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-pty-'));
  const workspaceOf = (key: SessionKey) => workspacePath(dataDir, key.learnerId, key.labId);
  const ptyHost = new PtyHost({
    idleTimeoutMs: 30 * 60_000,
    async shellFor(key, size) {
      const home = workspaceOf(key);
      await prepareWorkspace(home, undefined);
      return bashSpec(home, size, shellEnvironment(home), { recordCommands: options.recordCommands ?? false });
    },
  });
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });
  const channels = new Set<TerminalChannel>();
  const harness: PtyHarness = {
    url: '',
    dataDir,
    ptyHost,
    observerSockets: [],
    canWrite: false,
    async dispose() {
      for (const channel of channels) channel.dispose();
      wss.close();
      await ptyHost.shutdown();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const request = parseTerminalRequest(req);
    if (new URL(req.url ?? '/', 'http://x').pathname !== TERMINAL_WS_PATH || !request) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const observer = request.shadow ? { canWrite: () => harness.canWrite } : undefined;
      if (observer) harness.observerSockets.push(ws);
      const channel = new TerminalChannel(ws, request, ptyHost, workspaceOf, { observer });
      channels.add(channel);
      ws.once('close', () => channels.delete(channel));
      channel.start().catch(() => undefined);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  harness.url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  return harness;
}
