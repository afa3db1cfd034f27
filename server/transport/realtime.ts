import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import { DisposableStore, toDisposable, type IDisposable } from '../core/lifecycle.ts';
import { HttpError } from '../core/errors.ts';
import {
  LAB_ID_PATTERN,
  LEARNER_ID_PATTERN,
  TERMINAL_WS_PATH,
  type Answer,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../core/protocol.ts';
import { toWireError } from '../core/errors.ts';
import type { AutoChecker, GradingService } from '../grading/index.ts';
import { LabWatcher, type ILabCatalog } from '../labs/index.ts';
import type { PtyHost, SessionKey } from '../pty/index.ts';
import type { AccessPolicy } from './access-policy.ts';
import { TerminalChannel, parseTerminalRequest } from './terminal-channel.ts';

export interface RealtimeDeps {
  http: HttpServer;
  policy: AccessPolicy;
  ptyHost: PtyHost;
  labs: ILabCatalog;
  workspaceOf: (key: SessionKey) => string;
  grading: GradingService;
  autoChecker: AutoChecker;
  /** `labrunner dev`: authors see evidence and lint problems, and pages follow edits to the lab's files. */
  authorMode: boolean;
  /** Where lab folders live, watched in author mode. */
  labsDir: string;
  log: (msg: string, err?: unknown) => void;
}

const STEP_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Runs a request handler and answers with its value, or with an error safe to show (never a stack). */
async function answer<T>(reply: unknown, work: () => Promise<T>, log: RealtimeDeps['log']): Promise<void> {
  if (typeof reply !== 'function') return;
  let result: Answer<T>;
  try {
    result = { ok: true, value: await work() };
  } catch (err) {
    const wire = toWireError(err);
    if (wire.code === 'InternalError') log('request failed', err);
    result = { ok: false, error: { code: wire.code, message: wire.message } };
  }
  (reply as (a: Answer<T>) => void)(result);
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
    socket.emit('session', { role: 'owner', learnerId, mode: deps.policy.mode, authorMode: deps.authorMode });
    // Progress events go to every tab of this learner, and only to them.
    void socket.join(`learner:${learnerId}`);
    socket.on('ping', (reply) => {
      if (typeof reply === 'function') reply(Date.now());
    });
    const watches = new DisposableStore();
    socket.on('disconnect', () => watches.dispose());
    socket.on('lab:open', (request, reply) => {
      void answer(reply, async () => {
        const labId = validLabId(request);
        const progress = await deps.grading.progress(learnerId, labId);
        const lab = await deps.labs.get(labId);
        if (lab?.definition?.autoCheck) watches.add(deps.autoChecker.watch(learnerId, labId));
        return progress;
      }, deps.log);
    });
    socket.on('check:run', (request, reply) => {
      void answer(reply, async () => {
        const labId = validLabId(request);
        const stepId = (request as { stepId?: unknown } | undefined)?.stepId;
        if (typeof stepId !== 'string' || !STEP_ID.test(stepId)) throw new HttpError(400, 'A step id is required.', { code: 'BadRequest' });
        return deps.grading.checkStep(learnerId, labId, stepId, 'button');
      }, deps.log);
    });
  });
  if (deps.authorMode) store.add(new LabWatcher(deps.labsDir, (labId) => io.emit('lab:changed', { labId })));
  store.add(deps.grading.onProgress(({ learnerId, progress }) => io.to(`learner:${learnerId}`).emit('lab:progress', progress)));
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

function validLabId(request: unknown): string {
  const labId = (request as { labId?: unknown } | undefined)?.labId;
  if (typeof labId !== 'string' || !LAB_ID_PATTERN.test(labId)) throw new HttpError(400, 'A lab id is required.', { code: 'BadRequest' });
  return labId;
}
