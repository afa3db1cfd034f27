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
import type { Principal } from '../core/classroom/model.ts';
import type { ClassroomService, ShadowGrants } from '../classroom/index.ts';
import type { AccessPolicy } from './access-policy.ts';
import { forbidden } from './authorize.ts';
import { forwardClassroomEvents, handleClassroomEvents, refuseAwsCredentials, rooms, staffKeyOf, type AwsCredentialsHook } from './classroom-events.ts';
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
  classrooms: ClassroomService;
  grants: ShadowGrants;
  /** A student's own AWS credentials (`aws:credentials`); default: refused. */
  onAwsCredentials?: AwsCredentialsHook;
  /** How often stuck flags are re-evaluated and revocations made elsewhere (the CLI) are applied. */
  sweepMs?: number;
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
    allowRequest: (req, callback) => callback(null, deps.policy.gate(req, { browserChannel: true }) === undefined),
    maxHttpBufferSize: 1e6,
  });
  // Who the socket is comes from its handshake's cookie or token, decided here, never from what it says later.
  io.use((socket, next) => {
    const access = deps.policy.resolve(socket.request);
    if (!access.principal) return next(new Error('Unauthorized'));
    (socket.data as { principal?: Principal }).principal = access.principal;
    next();
  });
  const classroomDeps = {
    io,
    classrooms: deps.classrooms,
    grants: deps.grants,
    onAwsCredentials: deps.onAwsCredentials ?? refuseAwsCredentials,
    answer: <T>(reply: unknown, work: () => Promise<T>) => void answer(reply, work, deps.log),
  };
  store.add(forwardClassroomEvents(classroomDeps));
  io.on('connection', (socket) => {
    const principal = (socket.data as { principal: Principal }).principal;
    const connection = new DisposableStore();
    socket.on('disconnect', () => connection.dispose());
    // The owner's tab says which learner it is; a student is the learner the server assigned them (whatever
    // `auth.learnerId` claims), and an instructor is no learner at all.
    let learnerId: string | undefined;
    if (principal.role === 'owner') {
      const claimed = (socket.handshake.auth as { learnerId?: unknown }).learnerId;
      if (claimed !== undefined && (typeof claimed !== 'string' || !LEARNER_ID_PATTERN.test(claimed))) {
        socket.disconnect(true);
        return;
      }
      learnerId = claimed;
    } else if (principal.role === 'student') {
      learnerId = principal.learnerId;
    }
    if (principal.role !== 'owner') {
      connection.add(
        deps.classrooms.trackSession(principal.sessionId, (reason) => {
          socket.emit('session:ended', { reason });
          socket.disconnect(true);
        }),
      );
    }
    const classroom = principal.role === 'owner' ? undefined : deps.classrooms.get(principal.classroomId);
    if (principal.role === 'student') {
      const announcement = deps.classrooms.latestAnnouncement(principal.classroomId);
      socket.emit('session', {
        role: 'student',
        learnerId: principal.learnerId,
        mode: deps.policy.mode,
        authorMode: deps.authorMode,
        classroom: { id: classroom!.id, name: classroom!.name, labIds: classroom!.labIds },
        displayName: principal.displayName,
        recordingCommands: true,
        ...(announcement ? { announcement } : {}),
      });
      void socket.join(rooms.classroom(principal.classroomId));
      void socket.join(rooms.student(principal.learnerId));
      connection.add(deps.classrooms.connected(principal.learnerId));
    } else if (principal.role === 'instructor') {
      socket.emit('session', {
        role: 'instructor',
        mode: deps.policy.mode,
        authorMode: deps.authorMode,
        classroom: { id: classroom!.id, name: classroom!.name, labIds: classroom!.labIds },
      });
    } else {
      socket.emit('session', { role: 'owner', ...(learnerId ? { learnerId } : {}), mode: deps.policy.mode, authorMode: deps.authorMode });
    }
    // Progress events go to every tab of this learner, and only to them.
    if (learnerId) void socket.join(rooms.learner(learnerId));
    connection.add(handleClassroomEvents(socket, principal, originOf(socket.request), classroomDeps));

    socket.on('ping', (reply) => {
      if (typeof reply === 'function') reply(Date.now());
    });
    /** The learner whose lab this socket may open or check, or an error saying why not. */
    const learnerFor = (labId: string): string => {
      if (!learnerId) throw forbidden('Instructors watch labs; they do not do them.');
      if (classroom && !classroom.labIds.includes(labId)) throw forbidden('This lab is not part of your classroom.');
      return learnerId;
    };
    socket.on('lab:open', (request, reply) => {
      void answer(reply, async () => {
        const labId = validLabId(request);
        const learner = learnerFor(labId);
        const progress = await deps.grading.progress(learner, labId);
        const lab = await deps.labs.get(labId);
        if (lab?.definition?.autoCheck) connection.add(deps.autoChecker.watch(learner, labId));
        return progress;
      }, deps.log);
    });
    socket.on('check:run', (request, reply) => {
      void answer(reply, async () => {
        const labId = validLabId(request);
        const stepId = (request as { stepId?: unknown } | undefined)?.stepId;
        if (typeof stepId !== 'string' || !STEP_ID.test(stepId)) throw new HttpError(400, 'A step id is required.', { code: 'BadRequest' });
        return deps.grading.checkStep(learnerFor(labId), labId, stepId, 'button');
      }, deps.log);
    });
    socket.on('check:all', (request, reply) => {
      void answer(reply, async () => {
        const labId = validLabId(request);
        return deps.grading.checkAll(learnerFor(labId), labId);
      }, deps.log);
    });
  });
  if (deps.authorMode) store.add(new LabWatcher(deps.labsDir, (labId) => io.emit('lab:changed', { labId })));
  store.add(
    deps.grading.onProgress(({ learnerId, progress }) => {
      io.to(rooms.learner(learnerId)).emit('lab:progress', progress);
      // A classroom student's check: their dashboard row and their detail's timeline.
      if (deps.classrooms.student(learnerId)) deps.classrooms.checkRecorded(learnerId, progress.labId).catch((err) => deps.log('dashboard update failed', err));
    }),
  );
  // Stuck flags change with time alone, and the CLI revokes in another process: look again now and then.
  const sweep = setInterval(() => {
    try {
      deps.classrooms.endRevokedSessions();
    } catch (err) {
      deps.log('session sweep failed', err);
    }
    const watched = [...io.sockets.adapter.rooms.keys()].filter((r) => r.startsWith('dashboard:')).map((r) => r.slice('dashboard:'.length));
    if (watched.length) deps.classrooms.sweepStuck(watched).catch((err) => deps.log('stuck sweep failed', err));
  }, deps.sweepMs ?? 15_000);
  sweep.unref();
  store.add(toDisposable(() => clearInterval(sweep)));
  store.add(toDisposable(() => void io.close()));

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });
  const channels = new Set<TerminalChannel>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname !== TERMINAL_WS_PATH) return; // socket.io handles its own path
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const refused = deps.policy.gate(req, { browserChannel: true });
    if (refused) return refuse(deps.policy.mode === 'local' ? 403 : 401, 'Forbidden');
    const principal = deps.policy.resolve(req).principal;
    if (!principal) return refuse(401, 'Unauthorized');
    const request = parseTerminalRequest(req);
    if (!request) return refuse(400, 'Bad Request');
    const shadow = request.shadow;
    const { learnerId, labId } = request.key;
    // Students reach only their own shell in their classroom's labs; instructors only watch their students'.
    if (principal.role === 'student') {
      if (shadow || learnerId !== principal.learnerId) return refuse(403, 'Forbidden');
      if (!deps.classrooms.get(principal.classroomId).labIds.includes(labId)) return refuse(403, 'Forbidden');
    } else if (principal.role === 'instructor') {
      if (!shadow || deps.classrooms.student(learnerId)?.classroomId !== principal.classroomId) return refuse(403, 'Forbidden');
    }
    // Shadowing watches the student's running shell; it never starts one.
    if (shadow && !deps.ptyHost.get(request.key)) return refuse(404, 'Not Found');
    const staffKey = staffKeyOf(principal);
    // Read-only unless the student accepted this instructor's write request (asked at each keystroke).
    const observer = shadow ? { canWrite: () => deps.grants.canWrite(staffKey, learnerId, labId) } : undefined;
    deps.labs
      .get(labId)
      .then((lab) => {
        if (!lab) return refuse(404, 'Not Found');
        wss.handleUpgrade(req, socket, head, (ws) => {
          const channel = new TerminalChannel(ws, request, deps.ptyHost, deps.workspaceOf, observer ? { observer } : {});
          channels.add(channel);
          const tracked = principal.role === 'owner' ? undefined : deps.classrooms.trackSession(principal.sessionId, () => channel.dispose());
          ws.once('close', () => {
            channels.delete(channel);
            tracked?.dispose();
          });
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

/** The origin the socket's page came from, for links in answers (the Host it connected to). */
function originOf(req: IncomingMessage): string {
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}

function validLabId(request: unknown): string {
  const labId = (request as { labId?: unknown } | undefined)?.labId;
  if (typeof labId !== 'string' || !LAB_ID_PATTERN.test(labId)) throw new HttpError(400, 'A lab id is required.', { code: 'BadRequest' });
  return labId;
}
