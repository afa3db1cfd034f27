import type Database from 'better-sqlite3';
import type { Announcement, Classroom, CommandRecord, SessionRecord, Student } from '../core/classroom/model.ts';
import type { IClassroomStore } from '../core/classroom/store.ts';
import { rosterKey } from '../core/classroom/validation.ts';
import { openDatabase } from './database.ts';

interface ClassroomRow {
  id: string;
  name: string;
  lab_ids: string;
  join_code: string;
  roster: string | null;
  stuck_minutes: number;
  stuck_failures: number;
  created_at: number;
  closed_at: number | null;
}

interface StudentRow {
  learner_id: string;
  classroom_id: string;
  display_name: string;
  roster_id: string | null;
  joined_at: number;
  revoked_at: number | null;
}

interface SessionRow {
  id: string;
  role: string;
  classroom_id: string;
  learner_id: string | null;
  created_at: number;
  revoked_at: number | null;
}

/** Classrooms, students, sessions, commands and announcements in labrunner.db (migration 2). */
export class SqliteClassroomStore implements IClassroomStore {
  private constructor(private readonly _db: Database.Database) {}

  /** Opens its own connection to `<dataDir>/labrunner.db` (creating and migrating it as needed). */
  static open(dataDir: string): SqliteClassroomStore {
    return new SqliteClassroomStore(openDatabase(dataDir));
  }

  createClassroom(c: Classroom, instructorKeyDigest: string): void {
    this._db
      .prepare(
        `INSERT INTO classrooms (id, name, lab_ids, join_code, roster, stuck_minutes, stuck_failures, instructor_key_digest, created_at, closed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.id, c.name, JSON.stringify(c.labIds), c.joinCode, c.roster ? JSON.stringify(c.roster) : null, c.stuck.noProgressMinutes, c.stuck.failedAttempts, instructorKeyDigest, c.createdAt, c.closedAt ?? null);
  }

  classroom(id: string): Classroom | undefined {
    const row = this._db.prepare('SELECT * FROM classrooms WHERE id = ?').get(id) as ClassroomRow | undefined;
    return row && classroomOf(row);
  }

  classroomByJoinCode(joinCode: string): Classroom | undefined {
    const row = this._db.prepare('SELECT * FROM classrooms WHERE join_code = ?').get(joinCode) as ClassroomRow | undefined;
    return row && classroomOf(row);
  }

  listClassrooms(): Classroom[] {
    return (this._db.prepare('SELECT * FROM classrooms ORDER BY created_at DESC, id').all() as ClassroomRow[]).map(classroomOf);
  }

  instructorKeyDigest(classroomId: string): string | undefined {
    const row = this._db.prepare('SELECT instructor_key_digest AS d FROM classrooms WHERE id = ?').get(classroomId) as { d: string } | undefined;
    return row?.d;
  }

  replaceInstructorKey(classroomId: string, digest: string, now: number): void {
    this._db.transaction(() => {
      this._db.prepare('UPDATE classrooms SET instructor_key_digest = ? WHERE id = ?').run(digest, classroomId);
      this._db
        .prepare("UPDATE classroom_sessions SET revoked_at = ? WHERE classroom_id = ? AND role = 'instructor' AND revoked_at IS NULL")
        .run(now, classroomId);
    })();
  }

  closeClassroom(classroomId: string, now: number): void {
    this._db.transaction(() => {
      this._db.prepare('UPDATE classrooms SET closed_at = ? WHERE id = ? AND closed_at IS NULL').run(now, classroomId);
      this._db
        .prepare("UPDATE classroom_sessions SET revoked_at = ? WHERE classroom_id = ? AND role = 'student' AND revoked_at IS NULL")
        .run(now, classroomId);
    })();
  }

  addStudent(s: Student): void {
    this._db
      .prepare(
        `INSERT INTO classroom_students (learner_id, classroom_id, display_name, roster_id, roster_key, joined_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.learnerId, s.classroomId, s.displayName, s.rosterId ?? null, s.rosterId !== undefined ? rosterKey(s.rosterId) : null, s.joinedAt, s.revokedAt ?? null);
  }

  student(learnerId: string): Student | undefined {
    const row = this._db.prepare('SELECT * FROM classroom_students WHERE learner_id = ?').get(learnerId) as StudentRow | undefined;
    return row && studentOf(row);
  }

  studentByRosterId(classroomId: string, rosterId: string): Student | undefined {
    const row = this._db
      .prepare('SELECT * FROM classroom_students WHERE classroom_id = ? AND roster_key = ?')
      .get(classroomId, rosterKey(rosterId)) as StudentRow | undefined;
    return row && studentOf(row);
  }

  students(classroomId: string): Student[] {
    const rows = this._db.prepare('SELECT * FROM classroom_students WHERE classroom_id = ? ORDER BY joined_at, rowid').all(classroomId) as StudentRow[];
    return rows.map(studentOf);
  }

  studentCount(classroomId: string): number {
    return (this._db.prepare('SELECT COUNT(*) AS n FROM classroom_students WHERE classroom_id = ?').get(classroomId) as { n: number }).n;
  }

  revokeStudent(classroomId: string, learnerId: string, now: number): boolean {
    return this._db.transaction(() => {
      const changed = this._db
        .prepare('UPDATE classroom_students SET revoked_at = COALESCE(revoked_at, ?) WHERE classroom_id = ? AND learner_id = ?')
        .run(now, classroomId, learnerId).changes;
      if (!changed) return false;
      this._db.prepare('UPDATE classroom_sessions SET revoked_at = ? WHERE learner_id = ? AND revoked_at IS NULL').run(now, learnerId);
      return true;
    })();
  }

  createSession(s: SessionRecord, tokenDigest: string): void {
    this._db
      .prepare('INSERT INTO classroom_sessions (id, token_digest, role, classroom_id, learner_id, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.id, tokenDigest, s.role, s.classroomId, s.learnerId ?? null, s.createdAt, s.revokedAt ?? null);
  }

  sessionByTokenDigest(digest: string): SessionRecord | undefined {
    const row = this._db.prepare('SELECT * FROM classroom_sessions WHERE token_digest = ?').get(digest) as SessionRow | undefined;
    return row && sessionOf(row);
  }

  revokeSession(sessionId: string, now: number): void {
    this._db.prepare('UPDATE classroom_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, sessionId);
  }

  revokedAmong(sessionIds: readonly string[]): string[] {
    if (!sessionIds.length) return [];
    const rows = this._db
      .prepare(`SELECT id FROM classroom_sessions WHERE revoked_at IS NOT NULL AND id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(sessionIds)) as { id: string }[];
    return rows.map((r) => r.id);
  }

  recordCommand(c: CommandRecord): void {
    this._db.prepare('INSERT INTO command_events (learner_id, lab_id, at, command, exit_code) VALUES (?, ?, ?, ?, ?)').run(c.learnerId, c.labId, c.at, c.command, c.exitCode);
  }

  commands(learnerId: string, limit: number): CommandRecord[] {
    const rows = this._db
      .prepare('SELECT * FROM command_events WHERE learner_id = ? ORDER BY id DESC LIMIT ?')
      .all(learnerId, limit) as { learner_id: string; lab_id: string; at: number; command: string; exit_code: number }[];
    return rows.map((r) => ({ learnerId: r.learner_id, labId: r.lab_id, at: r.at, command: r.command, exitCode: r.exit_code }));
  }

  lastCommandAt(learnerId: string): number | undefined {
    const row = this._db.prepare('SELECT at FROM command_events WHERE learner_id = ? ORDER BY id DESC LIMIT 1').get(learnerId) as { at: number } | undefined;
    return row?.at;
  }

  addAnnouncement(classroomId: string, text: string, at: number): Announcement {
    const id = Number(this._db.prepare('INSERT INTO announcements (classroom_id, at, text) VALUES (?, ?, ?)').run(classroomId, at, text).lastInsertRowid);
    return { id, classroomId, at, text };
  }

  announcements(classroomId: string, limit: number): Announcement[] {
    const rows = this._db.prepare('SELECT * FROM announcements WHERE classroom_id = ? ORDER BY id DESC LIMIT ?').all(classroomId, limit) as {
      id: number;
      classroom_id: string;
      at: number;
      text: string;
    }[];
    return rows.map((r) => ({ id: r.id, classroomId: r.classroom_id, at: r.at, text: r.text }));
  }

  dispose(): void {
    if (this._db.open) this._db.close();
  }
}

function classroomOf(r: ClassroomRow): Classroom {
  return {
    id: r.id,
    name: r.name,
    labIds: JSON.parse(r.lab_ids) as string[],
    joinCode: r.join_code,
    ...(r.roster ? { roster: JSON.parse(r.roster) as string[] } : {}),
    stuck: { noProgressMinutes: r.stuck_minutes, failedAttempts: r.stuck_failures },
    createdAt: r.created_at,
    ...(r.closed_at !== null ? { closedAt: r.closed_at } : {}),
  };
}

function studentOf(r: StudentRow): Student {
  return {
    learnerId: r.learner_id,
    classroomId: r.classroom_id,
    displayName: r.display_name,
    ...(r.roster_id !== null ? { rosterId: r.roster_id } : {}),
    joinedAt: r.joined_at,
    ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
  };
}

function sessionOf(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    role: r.role === 'instructor' ? 'instructor' : 'student',
    classroomId: r.classroom_id,
    ...(r.learner_id !== null ? { learnerId: r.learner_id } : {}),
    createdAt: r.created_at,
    ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
  };
}
