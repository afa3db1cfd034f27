/**
 * The wire protocol between the browser and the server, declared once and used on both ends
 * (`client/` may `import type` from here and nothing else on the server).
 *
 * Two channels:
 * - socket.io (`/socket.io`) carries control and events: the session, lab events, later checks and the dashboard.
 * - a raw WebSocket per terminal (`/ws/terminal`) carries the pty byte stream. Binary frames both ways are
 *   terminal bytes; text frames are JSON {@link TerminalClientMessage} / {@link TerminalServerMessage}.
 *   A raw channel beats socket.io here (docs/benchmarks.md): socket.io sends each binary emit as two frames.
 */

/** Path of the terminal WebSocket; query: `learner`, `lab`, `cols`, `rows`. */
export const TERMINAL_WS_PATH = '/ws/terminal';

/**
 * Flow control (docs/architecture.md#flow-control). The browser acknowledges bytes once xterm.js has parsed
 * them; the server pauses the pty while more than HIGH bytes are unacknowledged and resumes below LOW.
 * LOW must stay at least twice ACK_EVERY, or a client holding back a partial ack can stall the stream.
 */
export const FLOW = {
  HIGH_WATERMARK: 512 * 1024,
  LOW_WATERMARK: 128 * 1024,
  ACK_EVERY: 32 * 1024,
} as const;

/** Text frames the browser sends on the terminal channel. */
export type TerminalClientMessage =
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'ack'; bytes: number }
  | { type: 'restart' };

/** Text frames the server sends on the terminal channel. */
export type TerminalServerMessage =
  /**
   * First message: which shell this is. `replay` says a binary frame with the screen follows before live output.
   * `cols`/`rows`: the pty's size (an observer sizes its view to it; a participant's own size wins anyway).
   */
  | { type: 'attached'; sessionId: string; replay: boolean; workspace: string; cols: number; rows: number }
  /**
   * Observers (`shadow=1`): the student's terminal was resized; size the view to match. Observers never resize
   * the pty, and after falling behind they get a full reset (`ESC c`) and the screen as a binary frame.
   */
  | { type: 'size'; cols: number; rows: number }
  /** The shell exited; the session is gone. A `restart` message starts a new one. */
  | { type: 'exit'; exitCode: number; signal: number | null }
  /** The server refused or ended the channel. */
  | { type: 'error'; code: string; message: string };

/** Limits on what a client may send, checked on arrival. */
export const TERMINAL_LIMITS = {
  MAX_COLS: 1000,
  MAX_ROWS: 500,
  MAX_INPUT_FRAME: 64 * 1024,
} as const;

/** Learner ids become folder names: keep them to a safe alphabet. */
export const LEARNER_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Lab ids are folder names under labs/. */
export const LAB_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Parses and validates a text frame from the browser; undefined when it is not a valid message. */
export function parseTerminalClientMessage(text: string): TerminalClientMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const msg = value as Record<string, unknown>;
  switch (msg.type) {
    case 'resize': {
      const { cols, rows } = msg;
      if (!isIntIn(cols, 1, TERMINAL_LIMITS.MAX_COLS) || !isIntIn(rows, 1, TERMINAL_LIMITS.MAX_ROWS)) return undefined;
      return { type: 'resize', cols, rows };
    }
    case 'ack':
      return isIntIn(msg.bytes, 0, Number.MAX_SAFE_INTEGER) ? { type: 'ack', bytes: msg.bytes } : undefined;
    case 'restart':
      return { type: 'restart' };
    default:
      return undefined;
  }
}

function isIntIn(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Events the server emits over socket.io. */
export interface ServerToClientEvents {
  /** Who the server thinks this browser is, and what it may do. */
  session: (info: SessionInfo) => void;
  /** A lab's files changed on disk (author mode, `labrunner dev`): the page re-renders its instructions. */
  'lab:changed': (change: { labId: string }) => void;
  /** The learner's progress in a lab changed (a check ran, a hint unlocked). */
  'lab:progress': (progress: LabProgressView) => void;
  /** Classroom students: the instructor's announcement, shown on every lab page. */
  announcement: (announcement: AnnouncementView) => void;
  /** Classroom students: an instructor asks to type in this student's terminal; answer with `shadow:respond`. */
  'shadow:request': (request: { requestId: string; instructor: string; labId: string }) => void;
  /** Instructors: whether a student granted (or took back) write access to their terminal. */
  'shadow:state': (state: { learnerId: string; labId: string; write: boolean }) => void;
  /** Instructors with a dashboard open: one student's row changed (a check ran, they joined, went idle, got stuck). */
  'dashboard:student': (update: { classroomId: string; student: DashboardStudentView }) => void;
  /** Instructors with a student's detail open: a new command or check attempt of that student. */
  'dashboard:timeline': (update: { classroomId: string; learnerId: string; entry: TimelineEntryView }) => void;
  /** The server ended this session (revoked, classroom closed): the page says so and stops reconnecting. */
  'session:ended': (info: { reason: string }) => void;
}

/** Who this browser is to the server; decided on the server (docs/architecture.md#classrooms). */
export interface SessionInfo {
  role: 'owner' | 'instructor' | 'student';
  /** The learner id whose shell and progress this browser uses (owner: chosen by the tab; student: assigned). Absent for instructors. */
  learnerId?: string;
  mode: 'local' | 'token';
  authorMode: boolean;
  /** Students and instructors: their classroom. */
  classroom?: { id: string; name: string; labIds: string[] };
  /** Students: the name they joined with. */
  displayName?: string;
  /** Students: their commands are recorded for the instructor (the lab page says so). */
  recordingCommands?: boolean;
  /** Students: the latest announcement, if any. */
  announcement?: AnnouncementView;
}

/** Events the browser emits over socket.io. Every handler validates its payload on arrival. */
export interface ClientToServerEvents {
  /** Liveness probe; answers with the server time. */
  ping: (reply: (serverTime: number) => void) => void;
  /** Opens a lab for this learner: answers with their progress and starts background checks if the lab has them. */
  'lab:open': (request: { labId: string }, reply: (answer: Answer<LabProgressView>) => void) => void;
  /** Runs one step's checks on the server (the browser can ask, never decide). */
  'check:run': (request: { labId: string; stepId: string }, reply: (answer: Answer<LabProgressView>) => void) => void;
  /** "Check all steps": every step's checks at once; records passes and breaks, never a failed attempt on a step not yet tried. */
  'check:all': (request: { labId: string }, reply: (answer: Answer<LabProgressView>) => void) => void;
  /** Instructor/owner: the classroom's dashboard now; this socket then receives `dashboard:*` updates for it. */
  'dashboard:open': (request: { classroomId: string }, reply: (answer: Answer<DashboardView>) => void) => void;
  /** Instructor/owner: one student's history (checks with the hints they saw, commands); timeline updates follow. */
  'dashboard:student': (request: { classroomId: string; learnerId: string }, reply: (answer: Answer<StudentDetailView>) => void) => void;
  /** Instructor/owner: shows a short text on every student's lab page (at most 500 characters). */
  'classroom:announce': (request: { classroomId: string; text: string }, reply: (answer: Answer<AnnouncementView>) => void) => void;
  /** Instructor/owner: ends a student's session at once (their cookie stops working; their work stays). */
  'classroom:revoke': (request: { classroomId: string; learnerId: string }, reply: (answer: Answer<{ revoked: true }>) => void) => void;
  /** Instructor/owner: asks a student for write access to their terminal (the shadow view is read-only until they accept). */
  'shadow:request-write': (request: { classroomId: string; learnerId: string; labId: string }, reply: (answer: Answer<{ requestId: string }>) => void) => void;
  /** Student: accepts or refuses an instructor's `shadow:request`; `accept: false` later takes write access back. */
  'shadow:respond': (request: { requestId: string; accept: boolean }, reply: (answer: Answer<{ write: boolean }>) => void) => void;
  /** Student, `aws` labs in a classroom: their own credentials, checked with STS, kept in server memory only and never sent back. */
  'aws:credentials': (
    request: { labId: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string },
    reply: (answer: Answer<{ accountId: string }>) => void,
  ) => void;
}

// ---- Classrooms (docs/architecture.md#classrooms) ----

/** Terminal channel query for instructors watching a student: `/ws/terminal?lab=<id>&learner=<id>&shadow=1`. Read-only unless the student accepted a write request. */
export const SHADOW_QUERY_PARAM = 'shadow';

export interface ClassroomSummaryView {
  id: string;
  name: string;
  labIds: string[];
  joinCode: string;
  /** The absolute join link (`<server>/join/<code>`), as students should open it. */
  joinUrl: string;
  hasRoster: boolean;
  stuck: { noProgressMinutes: number; failedAttempts: number };
  createdAt: number;
  closedAt?: number;
  studentCount: number;
}

/** What creating a classroom (or rotating its instructor link) returns; the instructor link is shown only then. */
export interface ClassroomCreatedView {
  classroom: ClassroomSummaryView;
  /** `<server>/instructor/<classroomId>?key=<secret>`: opens the dashboard with an instructor session. Shown once. */
  instructorUrl: string;
}

/** `POST /api/classrooms` body (owner only). */
export interface CreateClassroomRequest {
  name: string;
  labIds: string[];
  /** Allowed student ids; omitted or empty = anyone with the join link. */
  roster?: string[];
  stuckMinutes?: number;
  stuckFailures?: number;
}

/** `POST /api/join` body (public, rate-limited). */
export interface JoinRequest {
  code: string;
  displayName: string;
  /** Required when the classroom has a roster. */
  rosterId?: string;
}

export interface AnnouncementView {
  id: number;
  text: string;
  at: number;
}

/** One cell of the dashboard grid: a student on a step. */
export interface DashboardCellView {
  status: StepStatusView;
  /** Check presses on the step. */
  attempts: number;
  /** When the step became the student's current one (the previous step passed, or they joined). */
  startedAt?: number;
  firstPassedAt?: number;
}

export interface StuckView {
  reason: 'no-progress' | 'failed-attempts';
  labId: string;
  stepId?: string;
  /** For the instructor, e.g. "4 failed checks on “Push the image”". */
  message: string;
  /** The hint the student saw last (plain text), so the instructor knows what they were told. */
  lastHint?: string;
}

export interface DashboardStudentView {
  learnerId: string;
  displayName: string;
  rosterId?: string;
  joinedAt: number;
  revoked: boolean;
  /** A browser of theirs is connected now. */
  online: boolean;
  lastActivityAt?: number;
  labs: Record<string, { currentStepId?: string; score: { earned: number; total: number }; steps: Record<string, DashboardCellView> }>;
  stuck?: StuckView;
}

export interface DashboardView {
  classroom: ClassroomSummaryView;
  labs: { id: string; title: string; steps: { id: string; title: string; points: number }[] }[];
  students: DashboardStudentView[];
  announcements: AnnouncementView[];
  /** Server time, for "time on step" clocks. */
  now: number;
}

export type TimelineEntryView =
  | { kind: 'command'; labId: string; at: number; command: string; exitCode: number }
  | { kind: 'check'; labId: string; stepId: string; at: number; trigger: 'button' | 'auto'; results: CheckResultView[] };

export interface StudentDetailView {
  student: DashboardStudentView;
  /** Newest first: commands and check attempts interleaved by time. */
  timeline: TimelineEntryView[];
}

/** One gradebook row: a student on a graded step (`GET /api/classrooms/:id/gradebook.json`, and the CSV's columns). */
export interface GradebookRowView {
  student: string;
  rosterId: string;
  learnerId: string;
  lab: string;
  step: string;
  status: StepStatusView;
  points: number;
  pointsPossible: number;
  /** Check presses on the step. */
  attempts: number;
  /** ISO 8601, or '' when the step was never passed. */
  firstPassedAt: string;
  /** The student's points over every lab of the classroom. */
  total: number;
  totalPossible: number;
}

/** `GET /api/classrooms/:id/gradebook.json`. */
export interface GradebookView {
  classroom: { id: string; name: string };
  exportedAt: string;
  rows: GradebookRowView[];
}

/** A reply to a request: the value, or an error safe to show. */
export type Answer<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

export type StepStatusView = 'not-started' | 'failed' | 'passed' | 'broken';

/** One check's latest result as the learner sees it. */
export interface CheckResultView {
  title: string;
  status: 'pass' | 'fail' | 'error';
  message: string;
  hint?: string;
  /** Author mode only: the checker id and what the checker saw, for the lab's author. */
  checker?: string;
  evidence?: Record<string, unknown>;
}

/** A step's progress as the lab page shows it. */
export interface StepProgressView {
  status: StepStatusView;
  attempts: number;
  pointsAwarded: number;
  points: number;
  firstPassedAt?: number;
  lastCheckedAt?: number;
  results: CheckResultView[];
  /** Progressive hints unlocked so far, rendered HTML. */
  hintsHtml: string[];
  /** True while this step's checks are running. */
  checking?: boolean;
  /** Author mode only: how long the last run of this step's checks took. */
  lastDurationMs?: number;
}

/** A learner's progress in one lab. */
export interface LabProgressView {
  labId: string;
  score: { earned: number; total: number };
  steps: Record<string, StepProgressView>;
}

/** A lab in the catalog. */
export interface LabSummary {
  id: string;
  title: string;
  summary: string;
  durationMinutes?: number;
  difficulty?: 'beginner' | 'intermediate' | 'advanced';
  environment?: 'sandbox' | 'aws';
  /** False when the lab has errors and cannot be opened; `problems` says why. */
  available: boolean;
  /** What `labrunner lint` would print for this lab (errors and warnings), when there is anything. */
  problems?: LabProblemView[];
}

/** A problem in a lab's files, located for its author (docs/lab-format.md). */
export interface LabProblemView {
  /** Relative to the labs folder, e.g. `ecr-basics/lab.md`. */
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

/** One step as the lab page shows it; checks are listed by title (the grader runs them, not the browser). */
export interface LabStepView {
  /** Unique in the lab; the step's section has the DOM id `step-<id>`. */
  id: string;
  /** Plain text, variables substituted. */
  title: string;
  /** The title rendered as inline Markdown. */
  titleHtml: string;
  /** The step's instructions without its check and hint blocks, rendered and sanitised on the server. */
  html: string;
  points: number;
  checks: { title: string }[];
}

/** A lab as the lab page shows it, with this learner's variable values substituted. */
export interface LabView extends LabSummary {
  /** The whole lab as one document (introduction, then each step as a section); kept for older clients. */
  html: string;
  /** Markdown before the first step, rendered. */
  introductionHtml: string;
  steps: LabStepView[];
  /** The lab checks steps in the background, not only on the Check button. */
  autoCheck: boolean;
  totalPoints: number;
}
