import type { Server as SocketIoServer, Socket } from 'socket.io';
import { HttpError } from '../core/errors.ts';
import { DisposableStore, toDisposable, type IDisposable } from '../core/lifecycle.ts';
import type { Principal } from '../core/classroom/model.ts';
import { LAB_ID_PATTERN, LEARNER_ID_PATTERN, type ClientToServerEvents, type ServerToClientEvents } from '../core/protocol.ts';
import type { ClassroomService, ShadowGrants } from '../classroom/index.ts';
import { forbidden, requireStaffOf } from './authorize.ts';

type IoServer = SocketIoServer<ClientToServerEvents, ServerToClientEvents>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** A student's own AWS credentials for a lab on real AWS (the vault behind it is wired in main.ts). */
export type AwsCredentialsHook = (
  student: Extract<Principal, { role: 'student' }>,
  request: { labId: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string },
) => Promise<{ accountId: string }>;

export const refuseAwsCredentials: AwsCredentialsHook = async () => {
  throw new HttpError(501, 'This server does not take AWS credentials from students.', { code: 'NotSupported' });
};

/** Socket.io rooms: who hears what. */
export const rooms = {
  learner: (learnerId: string) => `learner:${learnerId}`,
  student: (learnerId: string) => `student:${learnerId}`,
  classroom: (classroomId: string) => `classroom:${classroomId}`,
  dashboard: (classroomId: string) => `dashboard:${classroomId}`,
  detail: (classroomId: string, learnerId: string) => `detail:${classroomId}:${learnerId}`,
  staff: (staffKey: string) => `staff:${staffKey}`,
} as const;

/** Who holds shadow write grants: an instructor session, or the owner. */
export function staffKeyOf(p: Principal): string {
  return p.role === 'instructor' ? p.sessionId : 'owner';
}

export interface ClassroomEventDeps {
  io: IoServer;
  classrooms: ClassroomService;
  grants: ShadowGrants;
  onAwsCredentials: AwsCredentialsHook;
  answer: <T>(reply: unknown, work: () => Promise<T>) => void;
}

/** Service events → rooms. Returns what unsubscribes them. */
export function forwardClassroomEvents(deps: ClassroomEventDeps): IDisposable {
  const { io, classrooms, grants } = deps;
  const store = new DisposableStore();
  store.add(classrooms.onStudentRow((u) => io.to(rooms.dashboard(u.classroomId)).emit('dashboard:student', u)));
  store.add(classrooms.onTimeline((u) => io.to(rooms.detail(u.classroomId, u.learnerId)).emit('dashboard:timeline', u)));
  store.add(classrooms.onAnnouncement((u) => io.to(rooms.classroom(u.classroomId)).emit('announcement', u.announcement)));
  store.add(
    classrooms.onStudentRevoked(({ learnerId }) => {
      for (const g of grants.dropStudent(learnerId)) io.to(rooms.staff(g.instructorSession)).emit('shadow:state', { learnerId, labId: g.labId, write: false });
    }),
  );
  return store;
}

/** The classroom events of one socket; each checks the caller's role before doing anything. */
export function handleClassroomEvents(socket: IoSocket, principal: Principal, origin: string, deps: ClassroomEventDeps): IDisposable {
  const { classrooms, grants, answer } = deps;
  const store = new DisposableStore();
  const staffKey = staffKeyOf(principal);
  if (principal.role !== 'student') void socket.join(rooms.staff(staffKey));

  socket.on('dashboard:open', (request, reply) =>
    answer(reply, async () => {
      const classroomId = classroomIdOf(request);
      requireStaffOf(principal, classroomId);
      const view = await classrooms.dashboard(classroomId, origin);
      void socket.join(rooms.dashboard(classroomId));
      return view;
    }),
  );
  socket.on('dashboard:student', (request, reply) =>
    answer(reply, async () => {
      const classroomId = classroomIdOf(request);
      const learnerId = learnerIdOf(request);
      requireStaffOf(principal, classroomId);
      const detail = await classrooms.studentDetail(classroomId, learnerId);
      // One student's detail at a time per socket: the timeline follows the one open now.
      for (const room of socket.rooms) if (room.startsWith('detail:')) void socket.leave(room);
      void socket.join(rooms.detail(classroomId, learnerId));
      return detail;
    }),
  );
  socket.on('classroom:announce', (request, reply) =>
    answer(reply, async () => {
      const classroomId = classroomIdOf(request);
      requireStaffOf(principal, classroomId);
      return classrooms.announce(classroomId, (request as { text?: unknown }).text);
    }),
  );
  socket.on('classroom:revoke', (request, reply) =>
    answer(reply, async () => {
      const classroomId = classroomIdOf(request);
      const learnerId = learnerIdOf(request);
      requireStaffOf(principal, classroomId);
      classrooms.revoke(classroomId, learnerId);
      return { revoked: true as const };
    }),
  );
  socket.on('shadow:request-write', (request, reply) =>
    answer(reply, async () => {
      const classroomId = classroomIdOf(request);
      const learnerId = learnerIdOf(request);
      const labId = labIdOf(request);
      requireStaffOf(principal, classroomId);
      const student = classrooms.findStudent(classroomId, learnerId);
      if (student.learnerId !== learnerId || student.revokedAt !== undefined) throw new HttpError(404, 'There is no such student in this classroom.', { code: 'StudentNotFound' });
      if (!classrooms.get(classroomId).labIds.includes(labId)) throw new HttpError(400, 'labId: not a lab of this classroom.', { code: 'BadRequest' });
      const r = grants.request({ classroomId, learnerId, labId, instructorSession: staffKey });
      deps.io.to(rooms.student(learnerId)).emit('shadow:request', { requestId: r.requestId, instructor: principal.role === 'owner' ? 'The server owner' : 'Your instructor', labId });
      return { requestId: r.requestId };
    }),
  );
  socket.on('shadow:respond', (request, reply) =>
    answer(reply, async () => {
      if (principal.role !== 'student') throw forbidden('Only the student asked can answer.');
      const requestId = (request as { requestId?: unknown } | undefined)?.requestId;
      const accept = (request as { accept?: unknown } | undefined)?.accept;
      if (typeof requestId !== 'string' || typeof accept !== 'boolean') throw new HttpError(400, 'requestId and accept are required.', { code: 'BadRequest' });
      const r = grants.respond(requestId, principal.learnerId, accept);
      if (!r) throw new HttpError(404, 'There is no such request (it may have been withdrawn).', { code: 'RequestNotFound' });
      deps.io.to(rooms.staff(r.instructorSession)).emit('shadow:state', { learnerId: r.learnerId, labId: r.labId, write: accept });
      return { write: accept };
    }),
  );
  socket.on('aws:credentials', (request, reply) =>
    answer(reply, async () => {
      if (principal.role !== 'student') throw forbidden('Only classroom students give their own AWS credentials.');
      const r = (request ?? {}) as Record<string, unknown>;
      const labId = labIdOf(r);
      if (!classrooms.get(principal.classroomId).labIds.includes(labId)) throw forbidden('This lab is not part of your classroom.');
      const text = (k: string) => (typeof r[k] === 'string' ? (r[k] as string) : '');
      return deps.onAwsCredentials(principal, {
        labId,
        accessKeyId: text('accessKeyId'),
        secretAccessKey: text('secretAccessKey'),
        ...(typeof r.sessionToken === 'string' ? { sessionToken: r.sessionToken } : {}),
        region: text('region'),
      });
    }),
  );

  if (principal.role !== 'student') {
    // Write grants last while the instructor is connected: the last socket of theirs going takes them back.
    store.add(
      toDisposable(() => {
        const room = deps.io.sockets.adapter.rooms.get(rooms.staff(staffKey));
        if (room && [...room].some((id) => id !== socket.id)) return;
        for (const g of grants.dropInstructor(staffKey)) deps.io.to(rooms.student(g.learnerId)).emit('shadow:state', { learnerId: g.learnerId, labId: g.labId, write: false });
      }),
    );
  }
  return store;
}

function classroomIdOf(request: unknown): string {
  const id = (request as { classroomId?: unknown } | undefined)?.classroomId;
  if (typeof id !== 'string' || !/^[a-z0-9-]{1,64}$/.test(id)) throw new HttpError(400, 'classroomId is required.', { code: 'BadRequest' });
  return id;
}

function learnerIdOf(request: unknown): string {
  const id = (request as { learnerId?: unknown } | undefined)?.learnerId;
  if (typeof id !== 'string' || !LEARNER_ID_PATTERN.test(id)) throw new HttpError(400, 'learnerId is required.', { code: 'BadRequest' });
  return id;
}

function labIdOf(request: unknown): string {
  const id = (request as { labId?: unknown } | undefined)?.labId;
  if (typeof id !== 'string' || !LAB_ID_PATTERN.test(id)) throw new HttpError(400, 'A lab id is required.', { code: 'BadRequest' });
  return id;
}
