import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import { DisposableStore, toDisposable, type IDisposable } from '../core/lifecycle.ts';
import {
  LEARNER_ID_PATTERN,
  TERMINAL_WS_PATH,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../core/protocol.ts';
import type { ILabCatalog } from '../labs/index.ts';
import type { PtyHost, SessionKey } from '../pty/index.ts';
import type { AccessPolicy } from './access-policy.ts';
import { TerminalChannel, parseTerminalRequest } from './terminal-channel.ts';

export interface RealtimeDeps {
  http: HttpServer;
  policy: AccessPolicy;
  ptyHost: PtyHost;
  labs: ILabCatalog;
  workspaceOf: (key: SessionKey) => string;
  log: (msg: string, err?: unknown) => void;
}

/**
 * The two live channels on the HTTP server: socket.io for events, and the raw terminal WebSocket.
 * Both check host, origin and token before any handler runs.
 */
export function attachRealtime(deps: RealtimeDeps): IDisposable & { io: SocketIoServer } {
  const store = new DisposableStore();

  const io = new SocketIoServer<ClientToServerEvents, ServerToClientEvents>(deps.http, {
    serveClient: false,
    allowRequest: (req, callback) => callback(null, deps.policy.check(req, { browserChannel: true }) === undefined),
    maxHttpBufferSize: 1e6,
  });
  io.on('connection', (socket) => {
    const learnerId = (socket.handshake.auth as { learnerId?: unknown }).learnerId;
    if (typeof learnerId !== 'string' || !LEARNER_ID_PATTERN.test(learnerId)) {
      socket.disconnect(true);
      return;
    }
    socket.emit('session', { learnerId, mode: deps.policy.mode });
    socket.on('ping', (reply) => {
      if (typeof reply === 'function') reply(Date.now());
    });
  });
  store.add(toDisposable(() => void io.close()));

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });
  const channels = new Set<TerminalChannel>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname !== TERMINAL_WS_PATH) return; // socket.io handles its own path
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const refused = deps.policy.check(req, { browserChannel: true });
    if (refused) return refuse(deps.policy.mode === 'local' ? 403 : 401, 'Forbidden');
    const request = parseTerminalRequest(req);
    if (!request) return refuse(400, 'Bad Request');
    deps.labs
      .get(request.key.labId)
      .then((lab) => {
        if (!lab) return refuse(404, 'Not Found');
        wss.handleUpgrade(req, socket, head, (ws) => {
          const channel = new TerminalChannel(ws, request, deps.ptyHost, deps.workspaceOf);
          channels.add(channel);
          ws.once('close', () => channels.delete(channel));
          channel.start().catch((err) => deps.log('terminal failed to start', err));
        });
      })
      .catch((err) => {
        deps.log('terminal upgrade failed', err);
        refuse(500, 'Internal Server Error');
      });
  };
  deps.http.on('upgrade', onUpgrade);
  store.add(
    toDisposable(() => {
      deps.http.off('upgrade', onUpgrade);
      for (const channel of channels) channel.dispose();
      channels.clear();
      wss.close();
    }),
  );

  return { io, dispose: () => store.dispose() };
}
