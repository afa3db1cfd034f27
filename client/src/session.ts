import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SessionInfo } from '../../server/core/protocol.ts';
import { ApiError, getJson } from './dom.ts';
import { currentLearnerId } from './learner.ts';

export type EventsSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Who this browser is, as the page needs it: the server's answer, with the learner id this tab uses. */
export interface PageSession extends SessionInfo {
  /** Owner: the tab's own choice (`?learner=`); student: the server's. Instructors have none of their own. */
  learnerId?: string;
}

/**
 * Asks the server who this browser is (`GET /api/me`). Undefined when it does not know us (401: no session,
 * no token): the caller shows the join page or says how to get in.
 */
export async function fetchSession(): Promise<PageSession | undefined> {
  let info: SessionInfo;
  try {
    info = await getJson<SessionInfo>('/api/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return undefined;
    // A server from before classrooms has no /api/me: it treats every permitted browser as the owner.
    if (err instanceof ApiError && err.status === 404) info = { role: 'owner', mode: 'local', authorMode: false };
    else throw err;
  }
  if (info.role === 'owner') return { ...info, learnerId: currentLearnerId() };
  return info;
}

/**
 * The socket.io connection. For students and instructors the server takes their identity from the cookie;
 * `auth.learnerId` only matters to the owner, whose tabs choose a learner each.
 */
export function connectEvents(session: PageSession): EventsSocket {
  return io({ auth: session.role === 'owner' ? { learnerId: session.learnerId } : {}, transports: ['websocket'] });
}

/** Keeps `?learner=` on in-app links so an owner's tab stays the same learner. Students and instructors have no say. */
export function withLearner(session: PageSession, path: string): string {
  if (session.role !== 'owner') return path;
  const learner = new URLSearchParams(location.search).get('learner');
  return learner ? `${path}?learner=${encodeURIComponent(learner)}` : path;
}

/** Ends this browser's classroom session (students: "Leave"). */
export async function logout(): Promise<void> {
  await fetch('/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}' });
}
