import type { IDisposable } from '../lifecycle.ts';
import type { Announcement, Classroom, CommandRecord, SessionRecord, Student } from './model.ts';

/**
 * Where classrooms live (server/store/ implements it on labrunner.db). Secrets are never stored: the instructor
 * key and each session's cookie token arrive here as SHA-256 digests (hex), made by the caller.
 * Writes are visible to every process that opens the same file, so the CLI and a running server share it.
 */
export interface IClassroomStore extends IDisposable {
  createClassroom(classroom: Classroom, instructorKeyDigest: string): void;
  classroom(id: string): Classroom | undefined;
  classroomByJoinCode(joinCode: string): Classroom | undefined;
  /** Newest first. */
  listClassrooms(): Classroom[];
  instructorKeyDigest(classroomId: string): string | undefined;
  /** Replaces the instructor key and revokes every instructor session of the classroom (the old link stops working). */
  replaceInstructorKey(classroomId: string, digest: string, now: number): void;
  /** Closes the classroom and revokes its students' sessions. */
  closeClassroom(classroomId: string, now: number): void;

  addStudent(student: Student): void;
  student(learnerId: string): Student | undefined;
  /** Roster ids match case-insensitively. */
  studentByRosterId(classroomId: string, rosterId: string): Student | undefined;
  /** In the order they joined. */
  students(classroomId: string): Student[];
  studentCount(classroomId: string): number;
  /** Marks the student revoked and revokes their sessions; false when there is no such student. */
  revokeStudent(classroomId: string, learnerId: string, now: number): boolean;

  createSession(session: SessionRecord, tokenDigest: string): void;
  sessionByTokenDigest(digest: string): SessionRecord | undefined;
  revokeSession(sessionId: string, now: number): void;
  /** Of these session ids, those revoked (by this process or another, e.g. the CLI). */
  revokedAmong(sessionIds: readonly string[]): string[];

  recordCommand(command: CommandRecord): void;
  /** Newest first. */
  commands(learnerId: string, limit: number): CommandRecord[];
  lastCommandAt(learnerId: string): number | undefined;

  addAnnouncement(classroomId: string, text: string, at: number): Announcement;
  /** Newest first. */
  announcements(classroomId: string, limit: number): Announcement[];
}
