import type { CheckResult } from '../checks.ts';
import type { LabStep, ProgressiveHint } from '../lab/model.ts';

/**
 * Grading rules, pure: how a step's recorded progress changes when its checks come back.
 * - all checks pass → `passed`; the first pass awards the step's points and records the time;
 * - a check fails on a step that never passed → `failed` (a failed attempt when the learner asked);
 * - a check fails on a step that passed before → `broken`: the points stay, the learner sees it broke;
 * - a check could not run (`error`) → the state stays; an error is never the learner's mistake.
 */

export type StepStatus = 'not-started' | 'failed' | 'passed' | 'broken';

/** Why checks ran: the learner's Check button, or the background auto-check. */
export type CheckTrigger = 'button' | 'auto';

export interface StepProgress {
  status: StepStatus;
  /** Check button presses on this step. */
  attempts: number;
  /** Of those, how many found something missing. */
  failedAttempts: number;
  pointsAwarded: number;
  /** Epoch ms the learner first checked or opened this step. */
  firstSeenAt: number;
  firstPassedAt?: number;
  lastCheckedAt?: number;
  /** The results of the last run, one per check of the step, in order. */
  lastResults: CheckResult[];
  /** Indexes into the step's hints that have been revealed. */
  revealedHints: number[];
}

export function initialProgress(now: number): StepProgress {
  return { status: 'not-started', attempts: 0, failedAttempts: 0, pointsAwarded: 0, firstSeenAt: now, lastResults: [], revealedHints: [] };
}

/** The step's verdict from its check results: pass only if all pass; an error outranks nothing. */
export function verdict(results: readonly CheckResult[]): 'pass' | 'fail' | 'error' {
  if (results.some((r) => r.status === 'fail')) return 'fail';
  if (results.some((r) => r.status === 'error')) return 'error';
  return 'pass';
}

/** Applies one run of a step's checks to its progress. */
export function applyResults(
  prev: StepProgress,
  step: Pick<LabStep, 'points' | 'hints'>,
  results: readonly CheckResult[],
  trigger: CheckTrigger,
  now: number,
): StepProgress {
  const next: StepProgress = { ...prev, lastResults: [...results], lastCheckedAt: now, revealedHints: [...prev.revealedHints] };
  if (trigger === 'button') next.attempts += 1;
  const v = verdict(results);
  if (v === 'pass') {
    next.status = 'passed';
    if (next.firstPassedAt === undefined) {
      next.firstPassedAt = now;
      next.pointsAwarded = step.points;
    }
  } else if (v === 'fail') {
    const everPassed = prev.firstPassedAt !== undefined;
    next.status = everPassed ? 'broken' : 'failed';
    if (trigger === 'button' && !everPassed) next.failedAttempts += 1;
  }
  next.revealedHints = revealHints(next, step.hints, now);
  return next;
}

/** Hints unlock after N failed attempts or M minutes on the step; once revealed they stay revealed. */
export function revealHints(progress: StepProgress, hints: readonly ProgressiveHint[], now: number): number[] {
  if (progress.status === 'passed' && progress.firstPassedAt !== undefined) return progress.revealedHints;
  const revealed = new Set(progress.revealedHints);
  hints.forEach((hint, i) => {
    const byAttempts = hint.afterAttempts !== undefined && progress.failedAttempts >= hint.afterAttempts;
    const byTime = hint.afterMinutes !== undefined && now - progress.firstSeenAt >= hint.afterMinutes * 60_000;
    const unconditional = hint.afterAttempts === undefined && hint.afterMinutes === undefined && progress.failedAttempts > 0;
    if (byAttempts || byTime || unconditional) revealed.add(i);
  });
  return [...revealed].sort((a, b) => a - b);
}

/** A lab's score: points awarded (kept even for broken steps) out of all points. */
export function labScore(steps: readonly Pick<LabStep, 'id' | 'points'>[], progress: ReadonlyMap<string, StepProgress>): { earned: number; total: number } {
  let earned = 0;
  let total = 0;
  for (const step of steps) {
    total += step.points;
    earned += progress.get(step.id)?.pointsAwarded ?? 0;
  }
  return { earned, total };
}
