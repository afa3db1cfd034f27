/**
 * Classrooms, pure: who is who, and what the store must keep. No I/O here (server/store/ implements the store,
 * server/classroom/ the service, server/transport/ the routes and socket events that enforce it).
 */

/** Who a request or a socket is, decided on the server from a cookie or the access token, never from the client's say-so. */
export type Principal =
  /** Whoever runs the server: loopback in local mode, or the holder of the access token. May do everything. */
  | { role: 'owner' }
  /** An instructor of one classroom (from the instructor link): its dashboard, shadowing, broadcast, export. */
  | { role: 'instructor'; classroomId: string; sessionId: string }
  /** A student of one classroom (from the join link): their own shell, progress and workspace in its labs only. */
  | { role: 'student'; classroomId: string; sessionId: string; learnerId: string; displayName: string };

export type Role = Principal['role'];

/** When the dashboard flags a student as stuck. */
export interface StuckThresholds {
  /** No step passed for this long while the student still has steps to do. */
  noProgressMinutes: number;
  /** This many failed Check presses on the current step. */
  failedAttempts: number;
}

export const DEFAULT_STUCK: StuckThresholds = { noProgressMinutes: 10, failedAttempts: 3 };

export interface Classroom {
  /** Short, URL-safe, not secret (it appears in dashboard URLs); access needs a session. */
  id: string;
  name: string;
  /** The labs the class does, in order. Students can open only these. */
  labIds: string[];
  /** The code in the join link (`/join/<code>`); unguessable, rotatable. */
  joinCode: string;
  /** When set, only these ids may join (a student types theirs). */
  roster?: string[];
  stuck: StuckThresholds;
  createdAt: number;
  /** A closed classroom accepts no joins; existing sessions end. */
  closedAt?: number;
}

export interface Student {
  learnerId: string;
  classroomId: string;
  displayName: string;
  /** The roster id they joined with, when the classroom has a roster. */
  rosterId?: string;
  joinedAt: number;
  revokedAt?: number;
}

/** A server-side session behind an httpOnly cookie; the store keeps only a digest of the cookie's token. */
export interface SessionRecord {
  id: string;
  role: 'instructor' | 'student';
  classroomId: string;
  /** Students only. */
  learnerId?: string;
  createdAt: number;
  revokedAt?: number;
}

/** A command a student ran, captured by the shell's prompt hook (docs/architecture.md#command-timeline). */
export interface CommandRecord {
  learnerId: string;
  labId: string;
  at: number;
  command: string;
  exitCode: number;
}

export interface Announcement {
  id: number;
  classroomId: string;
  at: number;
  text: string;
}
