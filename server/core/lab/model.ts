/**
 * The lab model: what a lab file means once parsed (docs/lab-format.md). Pure data; the parser builds it,
 * the renderer shows it, the grader scores it.
 */

/** Where something is in a lab file (1-based), for `file:line:col` messages. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** A problem in a lab file. Errors make the lab unusable; warnings don't. */
export interface LabProblem extends SourcePosition {
  severity: 'error' | 'warning';
  message: string;
}

export type LabEnvironment = 'sandbox' | 'aws';

/** A variable generated per learner so answers cannot be copied (e.g. a suffix, a secret phrase). */
export interface LabVariable {
  name: string;
  /** `random-suffix`: 6 lowercase letters/digits; `phrase`: a few words; `fixed`: `value` as given. */
  kind: 'random-suffix' | 'phrase' | 'fixed';
  value?: string;
  description?: string;
}

/** One check of a step: a checker id and its raw parameters (validated against the checker's schema). */
export interface CheckSpec {
  checker: string;
  params: Record<string, unknown>;
  /** Shown to the learner next to the result, e.g. "Repository myrepo exists". */
  title?: string;
  position: SourcePosition;
}

/** A hint revealed after `afterAttempts` failed checks or `afterMinutes` on the step. */
export interface ProgressiveHint {
  text: string;
  afterAttempts?: number;
  afterMinutes?: number;
}

export interface LabStep {
  /** Unique within the lab; from the heading or an explicit `{#id}`. */
  id: string;
  title: string;
  /** The step's Markdown (without its checks block). */
  markdown: string;
  points: number;
  checks: CheckSpec[];
  hints: ProgressiveHint[];
  /** A `solve/<id>.sh` script exists (used by `labrunner test`). */
  hasSolution: boolean;
  /**
   * `{… waits}`: the step waits for something an earlier step set in motion (a lifecycle policy running, a task
   * starting), so its checks may already pass before its own solution runs; `labrunner test` does not call that
   * vacuous.
   */
  waits: boolean;
  position: SourcePosition;
}

export interface LabDefinition {
  id: string;
  title: string;
  summary: string;
  durationMinutes?: number;
  difficulty?: 'beginner' | 'intermediate' | 'advanced';
  environment: LabEnvironment;
  /** Check steps in the background (with backoff) instead of only on the Check button. */
  autoCheck: boolean;
  /**
   * The lab runs containers (`docker run`). Only such labs get them where learners are confined, and even then
   * never privileged, with host folders, host namespaces or added capabilities (docs/security.md).
   */
  containers: boolean;
  variables: LabVariable[];
  /** Markdown before the first step. */
  introduction: string;
  steps: LabStep[];
}
