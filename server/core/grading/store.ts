import type { CheckResult } from '../checks.ts';
import type { IDisposable } from '../lifecycle.ts';
import type { CheckTrigger, StepProgress } from './progress.ts';

/** One run of a step's checks, as recorded for history (and, later, the classroom dashboard). */
export interface CheckAttemptRecord {
  learnerId: string;
  labId: string;
  stepId: string;
  trigger: CheckTrigger;
  at: number;
  durationMs: number;
  results: CheckResult[];
}

/**
 * Where progress lives. The SQLite implementation (server/store/) writes each check run and the step's new
 * progress in one transaction, so a crash never records one without the other.
 */
export interface IProgressStore extends IDisposable {
  /** Progress per step id for a learner's lab (steps never checked are absent). */
  loadProgress(learnerId: string, labId: string): Map<string, StepProgress>;
  /** Records a check run and the step progress it produced. */
  recordAttempt(attempt: CheckAttemptRecord, progress: StepProgress): void;
  /** Saves progress without an attempt (e.g. a hint revealed by time). */
  saveProgress(learnerId: string, labId: string, stepId: string, progress: StepProgress): void;
  /** A learner's per-lab variables, created on first use and never changed after. */
  loadVariables(learnerId: string, labId: string): Record<string, string> | undefined;
  /** Stores variables unless the learner already has some for the lab; returns what is stored. */
  saveVariablesOnce(learnerId: string, labId: string, values: Record<string, string>): Record<string, string>;
  /** The most recent check runs of a learner's lab, newest first. */
  recentAttempts(learnerId: string, labId: string, limit: number): CheckAttemptRecord[];
}
