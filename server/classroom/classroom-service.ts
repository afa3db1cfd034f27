import { HttpError } from '../core/errors.ts';
import { Disposable, toDisposable, type IDisposable } from '../core/lifecycle.ts';
import { Emitter } from '../core/event.ts';
import { substituteVariables } from '../core/lab/variables.ts';
import type { StepProgress } from '../core/grading/progress.ts';
import type { IProgressStore } from '../core/grading/store.ts';
import {
  buildStudentRow,
  gradebookRows,
  normalizeJoinCode,
  parseRoster,
  rosterKey,
  validateAnnouncement,
  validateClassroomName,
  validateDisplayName,
  validateLabIds,
  validateRosterId,
  validateStuck,
  type Classroom,
  type CommandRecord,
  type GradebookRow,
  type IClassroomStore,
  type LabOutline,
  type Principal,
  type Student,
} from '../core/classroom/index.ts';
import type {
  AnnouncementView,
  CheckResultView,
  ClassroomSummaryView,
  DashboardStudentView,
  DashboardView,
  StudentDetailView,
  TimelineEntryView,
} from '../core/protocol.ts';
import type { ILabCatalog } from '../labs/index.ts';
import { digestOf, newClassroomId, newJoinCode, newSecret, newSessionId, newStudentLearnerId, sameDigest } from './secrets.ts';

export interface ClassroomServiceDeps {
  store: IClassroomStore;
  /** Check attempts and step progress live with grading (check_attempts, step_progress). */
  progress: Pick<IProgressStore, 'loadProgress' | 'recentAttempts'>;
  labs: ILabCatalog;
  now(): number;
  log?: (msg: string, err?: unknown) => void;
}

/** What `create` asks for (the HTTP body and the CLI's options, both untrusted until validated here). */
export interface CreateClassroomInput {
  name: unknown;
  labIds: unknown;
  roster?: unknown;
  stuckMinutes?: unknown;
  stuckFailures?: unknown;
}

/** A new session: the cookie's token (shown once, never stored) and who it makes its holder. */
export interface NewSession {
  token: string;
  principal: Exclude<Principal, { role: 'owner' }>;
}

const TIMELINE_LIMIT = 300;

/**
 * Classrooms (issue #6): creating and closing them, joining, sessions and their revocation, announcements,
 * commands, the dashboard's rows, student detail and the gradebook. Everything lives in the store, so a
 * restart or another process (the CLI) sees the same state; only presence (who is connected) is in memory.
 */
export class ClassroomService extends Disposable {
  private readonly _online = new Map<string, number>();
  /** Live connections by session id, each with how to end it (socket, terminal channel). */
  private readonly _live = new Map<string, Set<(reason: string) => void>>();

  private readonly _onStudentRow = this._register(new Emitter<{ classroomId: string; student: DashboardStudentView }>());
  /** A student's dashboard row changed (check, command, presence, revocation, stuck flag). */
  readonly onStudentRow = this._onStudentRow.event;
  private readonly _onTimeline = this._register(new Emitter<{ classroomId: string; learnerId: string; entry: TimelineEntryView }>());
  /** A new command or check attempt of a student, for instructors with their detail open. */
  readonly onTimeline = this._onTimeline.event;
  private readonly _onAnnouncement = this._register(new Emitter<{ classroomId: string; announcement: AnnouncementView }>());
  readonly onAnnouncement = this._onAnnouncement.event;
  private readonly _onStudentRevoked = this._register(new Emitter<{ classroomId: string; learnerId: string }>());
  readonly onStudentRevoked = this._onStudentRevoked.event;

  constructor(private readonly _deps: ClassroomServiceDeps) {
    super();
  }

  // ---- classrooms ----

  /** Creates a classroom; the instructor key is returned once and only its digest is kept. */
  async create(input: CreateClassroomInput): Promise<{ classroom: Classroom; instructorKey: string }> {
    const name = validateClassroomName(input.name);
    const known = new Set((await this._deps.labs.list()).filter((l) => l.available).map((l) => l.id));
    const labIds = validateLabIds(input.labIds, (id) => known.has(id));
    const roster = parseRoster(input.roster);
    const stuck = validateStuck(input.stuckMinutes, input.stuckFailures);
    const instructorKey = newSecret();
    const classroom: Classroom = {
      id: newClassroomId(),
      name,
      labIds,
      joinCode: newJoinCode(),
      ...(roster ? { roster } : {}),
      stuck,
      createdAt: this._deps.now(),
    };
    this._deps.store.createClassroom(classroom, digestOf(instructorKey));
    return { classroom, instructorKey };
  }

  list(): Classroom[] {
    return this._deps.store.listClassrooms();
  }

  /** The classroom, or 404. */
  get(classroomId: string): Classroom {
    const classroom = typeof classroomId === 'string' ? this._deps.store.classroom(classroomId) : undefined;
    if (!classroom) throw new HttpError(404, 'There is no such classroom.', { code: 'ClassroomNotFound' });
    return classroom;
  }

  summary(classroom: Classroom, origin: string): ClassroomSummaryView {
    return {
      id: classroom.id,
      name: classroom.name,
      labIds: classroom.labIds,
      joinCode: classroom.joinCode,
      joinUrl: `${origin}/join/${classroom.joinCode}`,
      hasRoster: !!classroom.roster?.length,
      stuck: { ...classroom.stuck },
      createdAt: classroom.createdAt,
      ...(classroom.closedAt !== undefined ? { closedAt: classroom.closedAt } : {}),
      studentCount: this._deps.store.studentCount(classroom.id),
    };
  }

  instructorUrl(classroomId: string, key: string, origin: string): string {
    return `${origin}/instructor/${classroomId}?key=${encodeURIComponent(key)}`;
  }

  /** A new instructor key: the old link and every session it opened stop working at once. */
  rotateInstructorKey(classroomId: string): string {
    this.get(classroomId);
    const key = newSecret();
    this._deps.store.replaceInstructorKey(classroomId, digestOf(key), this._deps.now());
    this.endRevokedSessions();
    return key;
  }

  /** Closes a classroom: no more joins, its students' sessions end (instructors keep theirs, to export grades). */
  close(classroomId: string): void {
    this.get(classroomId);
    this._deps.store.closeClassroom(classroomId, this._deps.now());
    this.endRevokedSessions();
  }

  // ---- sessions ----

  /** A student joins with the link's code; a roster id seen before resumes that student. */
  join(request: { code?: unknown; displayName?: unknown; rosterId?: unknown }): NewSession {
    const code = normalizeJoinCode(request.code);
    if (!code) throw new HttpError(400, 'code: the join code is missing or malformed.', { code: 'BadRequest' });
    const displayName = validateDisplayName(request.displayName);
    const classroom = this._deps.store.classroomByJoinCode(code);
    if (!classroom) throw new HttpError(404, 'No classroom has this join code. Check the link with your instructor.', { code: 'ClassroomNotFound' });
    if (classroom.closedAt !== undefined) throw new HttpError(409, 'This classroom is closed.', { code: 'ClassroomClosed' });
    let rosterId: string | undefined;
    if (classroom.roster?.length) {
      rosterId = validateRosterId(request.rosterId);
      const key = rosterKey(rosterId);
      const listed = classroom.roster.find((id) => rosterKey(id) === key);
      if (!listed) throw new HttpError(403, 'This id is not on the class list. Check it, or ask your instructor.', { code: 'NotOnRoster' });
      rosterId = listed;
    }
    const now = this._deps.now();
    let student = rosterId !== undefined ? this._deps.store.studentByRosterId(classroom.id, rosterId) : undefined;
    if (student?.revokedAt !== undefined) {
      throw new HttpError(403, 'Your instructor ended your access to this classroom.', { code: 'Revoked' });
    }
    if (!student) {
      student = { learnerId: newStudentLearnerId(), classroomId: classroom.id, displayName, ...(rosterId !== undefined ? { rosterId } : {}), joinedAt: now };
      this._deps.store.addStudent(student);
    }
    const token = newSecret();
    const sessionId = newSessionId();
    this._deps.store.createSession({ id: sessionId, role: 'student', classroomId: classroom.id, learnerId: student.learnerId, createdAt: now }, digestOf(token));
    this._fireRow(student.learnerId);
    return {
      token,
      principal: { role: 'student', classroomId: classroom.id, sessionId, learnerId: student.learnerId, displayName: student.displayName },
    };
  }

  /** The instructor link's key → an instructor session; undefined when the key is wrong or was replaced. */
  instructorLogin(classroomId: unknown, key: unknown): NewSession | undefined {
    if (typeof classroomId !== 'string' || typeof key !== 'string' || !key || key.length > 200) return undefined;
    const stored = this._deps.store.instructorKeyDigest(classroomId);
    if (!stored || !sameDigest(digestOf(key), stored)) return undefined;
    const token = newSecret();
    const sessionId = newSessionId();
    this._deps.store.createSession({ id: sessionId, role: 'instructor', classroomId, createdAt: this._deps.now() }, digestOf(token));
    return { token, principal: { role: 'instructor', classroomId, sessionId } };
  }

  /** Who a session cookie's token makes its holder; undefined when revoked, closed or unknown. */
  authenticate(token: string | undefined): Exclude<Principal, { role: 'owner' }> | undefined {
    if (!token || token.length > 200) return undefined;
    const session = this._deps.store.sessionByTokenDigest(digestOf(token));
    if (!session || session.revokedAt !== undefined) return undefined;
    const classroom = this._deps.store.classroom(session.classroomId);
    if (!classroom) return undefined;
    if (session.role === 'instructor') return { role: 'instructor', classroomId: classroom.id, sessionId: session.id };
    if (classroom.closedAt !== undefined || !session.learnerId) return undefined;
    const student = this._deps.store.student(session.learnerId);
    if (!student || student.revokedAt !== undefined) return undefined;
    return { role: 'student', classroomId: classroom.id, sessionId: session.id, learnerId: student.learnerId, displayName: student.displayName };
  }

  /** Logout: the session stops working and its connections end. */
  endSession(sessionId: string): void {
    this._deps.store.revokeSession(sessionId, this._deps.now());
    this.endRevokedSessions('You logged out.');
  }

  /** Ends a student's access at once: their sessions, sockets and terminals. Their work stays. */
  revoke(classroomId: string, learnerIdOrRosterId: string): Student {
    this.get(classroomId);
    const student = this.findStudent(classroomId, learnerIdOrRosterId);
    this._deps.store.revokeStudent(classroomId, student.learnerId, this._deps.now());
    this.endRevokedSessions();
    this._onStudentRevoked.fire({ classroomId, learnerId: student.learnerId });
    this._fireRow(student.learnerId);
    return student;
  }

  /** A student of the classroom by learner id or roster id, or 404. */
  findStudent(classroomId: string, learnerIdOrRosterId: string): Student {
    const byId = this._deps.store.student(learnerIdOrRosterId);
    const student = byId?.classroomId === classroomId ? byId : this._deps.store.studentByRosterId(classroomId, learnerIdOrRosterId);
    if (!student) throw new HttpError(404, 'There is no such student in this classroom.', { code: 'StudentNotFound' });
    return student;
  }

  /** A student by learner id, whatever the classroom; undefined for learners who are not classroom students. */
  student(learnerId: string): Student | undefined {
    return this._deps.store.student(learnerId);
  }

  /**
   * Registers a live connection of a session; `end` is called once if the session is revoked (here, or by
   * another process: see {@link endRevokedSessions}). Dispose when the connection closes.
   */
  trackSession(sessionId: string, end: (reason: string) => void): IDisposable {
    let set = this._live.get(sessionId);
    if (!set) this._live.set(sessionId, (set = new Set()));
    set.add(end);
    return toDisposable(() => {
      set.delete(end);
      if (!set.size && this._live.get(sessionId) === set) this._live.delete(sessionId);
    });
  }

  /** Ends the live connections of every session revoked in the store, wherever it was revoked. */
  endRevokedSessions(reason = 'Your session was ended by your instructor.'): void {
    const revoked = this._deps.store.revokedAmong([...this._live.keys()]);
    for (const sessionId of revoked) {
      const ends = [...(this._live.get(sessionId) ?? [])];
      this._live.delete(sessionId);
      for (const end of ends) end(reason);
    }
  }

  // ---- presence, announcements, commands ----

  /** A socket of this student connected; online until every one of theirs has disconnected. */
  connected(learnerId: string): IDisposable {
    const count = (this._online.get(learnerId) ?? 0) + 1;
    this._online.set(learnerId, count);
    if (count === 1) this._fireRow(learnerId);
    return toDisposable(() => {
      const left = (this._online.get(learnerId) ?? 1) - 1;
      if (left > 0) return void this._online.set(learnerId, left);
      this._online.delete(learnerId);
      if (!this.isDisposed) this._fireRow(learnerId);
    });
  }

  isOnline(learnerId: string): boolean {
    return (this._online.get(learnerId) ?? 0) > 0;
  }

  announce(classroomId: string, text: unknown): AnnouncementView {
    this.get(classroomId);
    const a = this._deps.store.addAnnouncement(classroomId, validateAnnouncement(text), this._deps.now());
    const view = { id: a.id, text: a.text, at: a.at };
    this._onAnnouncement.fire({ classroomId, announcement: view });
    return view;
  }

  latestAnnouncement(classroomId: string): AnnouncementView | undefined {
    const a = this._deps.store.announcements(classroomId, 1)[0];
    return a && { id: a.id, text: a.text, at: a.at };
  }

  /** Records a command a classroom student ran; commands of anyone else are not kept. */
  recordCommand(record: CommandRecord): boolean {
    const student = this._deps.store.student(record.learnerId);
    if (!student || student.revokedAt !== undefined) return false;
    const command = record.command.slice(0, 2000);
    this._deps.store.recordCommand({ ...record, command });
    this._onTimeline.fire({
      classroomId: student.classroomId,
      learnerId: student.learnerId,
      entry: { kind: 'command', labId: record.labId, at: record.at, command, exitCode: record.exitCode },
    });
    this._fireRow(student.learnerId);
    return true;
  }

  /** A student's check ran (GradingService.onProgress): their row and a timeline entry go to the dashboard. */
  async checkRecorded(learnerId: string, labId: string): Promise<void> {
    const student = this._deps.store.student(learnerId);
    if (!student) return;
    const lab = (await this._outlines([labId]))[0];
    const attempt = this._deps.progress.recentAttempts(learnerId, labId, 1)[0];
    if (attempt && lab) {
      const variables = (await this._deps.labs.variables(labId, { learnerId })) ?? {};
      this._onTimeline.fire({ classroomId: student.classroomId, learnerId, entry: await this._checkEntry(attempt, variables) });
    }
    await this._fireRow(learnerId);
  }

  // ---- the dashboard ----

  async dashboard(classroomId: string, origin: string): Promise<DashboardView> {
    const classroom = this.get(classroomId);
    const labs = await this._outlines(classroom.labIds);
    const now = this._deps.now();
    const students = await Promise.all(this._deps.store.students(classroomId).map((s) => this._row(s, classroom, labs, now)));
    return {
      classroom: this.summary(classroom, origin),
      labs: labs.map((l) => ({ id: l.id, title: l.title, steps: l.steps.filter((s) => s.graded).map((s) => ({ id: s.id, title: s.title, points: s.points })) })),
      students,
      announcements: this._deps.store.announcements(classroomId, 20).map((a) => ({ id: a.id, text: a.text, at: a.at })),
      now,
    };
  }

  async studentRow(learnerId: string): Promise<{ classroomId: string; student: DashboardStudentView } | undefined> {
    const student = this._deps.store.student(learnerId);
    const classroom = student && this._deps.store.classroom(student.classroomId);
    if (!student || !classroom) return undefined;
    return { classroomId: classroom.id, student: await this._row(student, classroom, await this._outlines(classroom.labIds), this._deps.now()) };
  }

  /** A student's check history (with the hints they saw) and commands, newest first. */
  async studentDetail(classroomId: string, learnerId: string): Promise<StudentDetailView> {
    const classroom = this.get(classroomId);
    const student = this._deps.store.student(learnerId);
    if (!student || student.classroomId !== classroomId) throw new HttpError(404, 'There is no such student in this classroom.', { code: 'StudentNotFound' });
    const labs = await this._outlines(classroom.labIds);
    const timeline: TimelineEntryView[] = this._deps.store
      .commands(learnerId, TIMELINE_LIMIT)
      .map((c) => ({ kind: 'command', labId: c.labId, at: c.at, command: c.command, exitCode: c.exitCode }));
    for (const labId of classroom.labIds) {
      const variables = (await this._deps.labs.variables(labId, { learnerId })) ?? {};
      for (const attempt of this._deps.progress.recentAttempts(learnerId, labId, TIMELINE_LIMIT)) timeline.push(await this._checkEntry(attempt, variables));
    }
    timeline.sort((a, b) => b.at - a.at);
    return { student: await this._row(student, classroom, labs, this._deps.now()), timeline: timeline.slice(0, TIMELINE_LIMIT) };
  }

  async gradebook(classroomId: string): Promise<GradebookRow[]> {
    const classroom = this.get(classroomId);
    const labs = await this._outlines(classroom.labIds);
    return gradebookRows(this._deps.store.students(classroomId), labs, (learnerId, labId) => this._deps.progress.loadProgress(learnerId, labId));
  }

  /**
   * Rows of these classrooms whose stuck flag changed since the last sweep (time alone makes a student stuck),
   * fired as row updates. Called by the periodic sweep for classrooms with a dashboard open.
   */
  async sweepStuck(classroomIds: Iterable<string>): Promise<void> {
    const now = this._deps.now();
    for (const classroomId of classroomIds) {
      const classroom = this._deps.store.classroom(classroomId);
      if (!classroom) continue;
      const labs = await this._outlines(classroom.labIds);
      for (const student of this._deps.store.students(classroomId)) {
        const before = this._stuckFlags.get(student.learnerId) ?? '';
        const row = await this._row(student, classroom, labs, now);
        if ((this._stuckFlags.get(student.learnerId) ?? '') !== before) this._onStudentRow.fire({ classroomId, student: row });
      }
    }
  }

  private readonly _stuckFlags = new Map<string, string>();

  private async _row(student: Student, classroom: Classroom, labs: readonly LabOutline[], now: number): Promise<DashboardStudentView> {
    const progress = new Map<string, ReadonlyMap<string, StepProgress>>();
    const variables = new Map<string, Record<string, string>>();
    let lastActivityAt = this._deps.store.lastCommandAt(student.learnerId);
    for (const lab of labs) {
      const p = this._deps.progress.loadProgress(student.learnerId, lab.id);
      progress.set(lab.id, p);
      for (const s of p.values()) if (s.lastCheckedAt !== undefined && s.lastCheckedAt > (lastActivityAt ?? 0)) lastActivityAt = s.lastCheckedAt;
      variables.set(lab.id, (await this._deps.labs.variables(lab.id, { learnerId: student.learnerId })) ?? {});
    }
    const row = buildStudentRow(
      { student, online: this.isOnline(student.learnerId), ...(lastActivityAt !== undefined ? { lastActivityAt } : {}), progress, variables },
      labs,
      classroom.stuck,
      now,
    );
    this._stuckFlags.set(student.learnerId, row.stuck ? `${row.stuck.reason}/${row.stuck.labId}/${row.stuck.stepId}` : '');
    return row;
  }

  private async _fireRow(learnerId: string): Promise<void> {
    if (!this._onStudentRow.hasListeners) return;
    try {
      const row = await this.studentRow(learnerId);
      if (row && !this.isDisposed) this._onStudentRow.fire(row);
    } catch (err) {
      // A dashboard update that failed must not fail what caused it (a join, a command); the next one catches up.
      this._deps.log?.('dashboard update failed', err);
    }
  }

  private async _checkEntry(attempt: ReturnType<IProgressStore['recentAttempts']>[number], variables: Record<string, string>): Promise<TimelineEntryView> {
    const lab = (await this._deps.labs.get(attempt.labId))?.definition;
    const step = lab?.steps.find((s) => s.id === attempt.stepId);
    const results: CheckResultView[] = attempt.results.map((r, i) => {
      const spec = step?.checks[i];
      const title = substituteVariables(spec?.title ?? spec?.checker ?? `check ${i + 1}`, variables);
      return { title, status: r.status, message: r.message, ...(r.status === 'fail' ? { hint: r.hint } : {}) };
    });
    return { kind: 'check', labId: attempt.labId, stepId: attempt.stepId, at: attempt.at, trigger: attempt.trigger, results };
  }

  private async _outlines(labIds: readonly string[]): Promise<LabOutline[]> {
    return Promise.all(
      labIds.map(async (id): Promise<LabOutline> => {
        const def = (await this._deps.labs.get(id))?.definition;
        if (!def) return { id, title: id, steps: [] };
        return {
          id,
          title: def.title,
          steps: def.steps.map((s) => ({ id: s.id, title: s.title, points: s.points, graded: s.checks.length > 0, hints: s.hints.map((h) => h.text) })),
        };
      }),
    );
  }
}
