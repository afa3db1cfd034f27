/**
 * The instructor's grid, pure: a student's stored progress becomes one {@link DashboardStudentView} row, with the
 * current step of each lab, time on step and the stuck flag. The service feeds it what the stores hold.
 */
import { labScore, type StepProgress } from '../grading/progress.ts';
import { substituteVariables } from '../lab/variables.ts';
import type { DashboardCellView, DashboardStudentView, StuckView } from '../protocol.ts';
import type { StuckThresholds, Student } from './model.ts';

/** What the dashboard needs of a lab (from its definition). */
export interface LabOutline {
  id: string;
  title: string;
  steps: readonly StepOutline[];
}

export interface StepOutline {
  id: string;
  title: string;
  points: number;
  /** Has checks: reading steps are never passed, so they are neither a current step nor a grid column. */
  graded: boolean;
  /** The step's progressive hints, as written (Markdown with `{{variables}}`). */
  hints: readonly string[];
}

/** One student's state, as the stores hold it. */
export interface StudentState {
  student: Student;
  online: boolean;
  /** Their last command or check. */
  lastActivityAt?: number;
  /** Progress per lab id, per step id (steps never checked are absent). */
  progress: ReadonlyMap<string, ReadonlyMap<string, StepProgress>>;
  /** Per lab: the student's variable values, so a hint reads as they saw it. */
  variables?: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** The first graded step not passed (broken counts as passed once: the points stay, the class moved on). */
export function currentStep(lab: LabOutline, progress: ReadonlyMap<string, StepProgress> | undefined): StepOutline | undefined {
  return lab.steps.find((s) => s.graded && progress?.get(s.id)?.firstPassedAt === undefined);
}

/** A student's row of the grid. */
export function buildStudentRow(state: StudentState, labs: readonly LabOutline[], thresholds: StuckThresholds, now: number): DashboardStudentView {
  const { student } = state;
  const row: DashboardStudentView = {
    learnerId: student.learnerId,
    displayName: student.displayName,
    ...(student.rosterId !== undefined ? { rosterId: student.rosterId } : {}),
    joinedAt: student.joinedAt,
    revoked: student.revokedAt !== undefined,
    online: state.online,
    ...(state.lastActivityAt !== undefined ? { lastActivityAt: state.lastActivityAt } : {}),
    labs: {},
  };
  for (const lab of labs) {
    const progress = state.progress.get(lab.id) ?? new Map<string, StepProgress>();
    const steps: Record<string, DashboardCellView> = {};
    let startedAt: number | undefined = student.joinedAt;
    for (const step of lab.steps.filter((s) => s.graded)) {
      const p = progress.get(step.id);
      steps[step.id] = {
        status: p?.status ?? 'not-started',
        attempts: p?.attempts ?? 0,
        ...(startedAt !== undefined ? { startedAt } : {}),
        ...(p?.firstPassedAt !== undefined ? { firstPassedAt: p.firstPassedAt } : {}),
      };
      startedAt = p?.firstPassedAt;
    }
    const current = currentStep(lab, progress);
    row.labs[lab.id] = { ...(current ? { currentStepId: current.id } : {}), score: labScore(lab.steps, progress), steps };
  }
  const stuck = row.revoked ? undefined : detectStuck(state, labs, thresholds, now);
  if (stuck) row.stuck = stuck;
  return row;
}

/**
 * Flags a student who needs help: `failedAttempts` failed Check presses on their current step, or no step
 * passed for `noProgressMinutes` while steps remain. The current step is that of the first lab not finished.
 */
export function detectStuck(state: StudentState, labs: readonly LabOutline[], thresholds: StuckThresholds, now: number): StuckView | undefined {
  const lab = labs.find((l) => currentStep(l, state.progress.get(l.id)));
  if (!lab) return undefined; // everything passed
  const progress = state.progress.get(lab.id);
  const step = currentStep(lab, progress)!;
  const p = progress?.get(step.id);
  const lastHint = hintSeen(step, p, state.variables?.get(lab.id));
  const withHint = lastHint ? { lastHint } : {};
  if (p && p.failedAttempts >= thresholds.failedAttempts) {
    return {
      reason: 'failed-attempts',
      labId: lab.id,
      stepId: step.id,
      message: `${p.failedAttempts} failed checks on “${step.title}”`,
      ...withHint,
    };
  }
  let lastProgressAt = state.student.joinedAt;
  for (const steps of state.progress.values()) {
    for (const s of steps.values()) if (s.firstPassedAt !== undefined && s.firstPassedAt > lastProgressAt) lastProgressAt = s.firstPassedAt;
  }
  const minutes = Math.floor((now - lastProgressAt) / 60_000);
  if (minutes >= thresholds.noProgressMinutes) {
    return {
      reason: 'no-progress',
      labId: lab.id,
      stepId: step.id,
      message: `No step passed for ${minutes} minutes (on “${step.title}”)`,
      ...withHint,
    };
  }
  return undefined;
}

/** The hint the student saw last on a step: the newest progressive hint revealed, else the last failing check's. */
export function hintSeen(step: StepOutline, progress: StepProgress | undefined, variables: Readonly<Record<string, string>> = {}): string | undefined {
  if (!progress) return undefined;
  const revealed = progress.revealedHints.at(-1);
  const text = revealed !== undefined ? step.hints[revealed] : undefined;
  if (text !== undefined) return plainText(substituteVariables(text, variables));
  const failing = [...progress.lastResults].reverse().find((r) => r.status === 'fail');
  return failing?.status === 'fail' && failing.hint ? plainText(failing.hint) : undefined;
}

/** Markdown to the plain text an instructor reads in a tooltip: no markup, one line. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n?/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__)(.*?)\1/g, '$2')
    .replace(/(^|\s)[*_](\S[^*_]*?)[*_](?=\s|$|[.,;:!?])/g, '$1$2')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}
