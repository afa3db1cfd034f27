/**
 * `labrunner test`, the pure part: what a step's results before and after its solution mean, and the report
 * (table, details, summary, JSON) made of them. No I/O: the runner (lab-tester.ts) collects the results.
 */

/** One check's result as the grader returned it. */
export interface CheckOutcome {
  title: string;
  status: 'pass' | 'fail' | 'error';
  message: string;
}

/** How a solve script ended. */
export interface SolveOutcome {
  /** Undefined when it did not finish (timed out, or the shell went away). */
  exitCode?: number;
  timedOut: boolean;
  durationMs: number;
  /** The tail of what it printed, for the author. */
  output: string;
}

/**
 * What was learned about one step:
 * - `passed`: every check failed before the solution and passed after it (a reading step: its solution, if
 *   any, ran cleanly);
 * - `failed`: see `problems`;
 * - `no-solution`: graded, but there is no solve script, so it was not tested;
 * - `reading`: no checks and no solution: nothing to test;
 * - `not-run`: an earlier step failed, so the state this step starts from is unknown.
 */
export type StepVerdict = 'passed' | 'failed' | 'no-solution' | 'reading' | 'not-run';

export type StepProblem =
  /** The check passed before the solution: it does not test the step. */
  | { kind: 'vacuous'; check: string; message: string }
  /** The check could not run (before or after): never the solution's fault, but the step is not proven. */
  | { kind: 'check-error'; phase: 'before' | 'after'; check: string; message: string }
  | { kind: 'solve-exit'; exitCode: number; output: string }
  | { kind: 'solve-timeout'; timeoutMs: number; output: string }
  /** The check still failed after the solution. */
  | { kind: 'still-failing'; check: string; message: string; output: string };

export interface StepReport {
  stepId: string;
  title: string;
  verdict: StepVerdict;
  /** Short cell for the table's before column. */
  before: string;
  /** Short cell for the table's after column. */
  after: string;
  durationMs: number;
  problems: StepProblem[];
  /** Every check's result before and after, when they ran. */
  checksBefore?: CheckOutcome[];
  checksAfter?: CheckOutcome[];
  solve?: SolveOutcome;
}

export interface LabReport {
  labId: string;
  /** True when every step passed (or had nothing to test) and the lab could be set up and cleaned up. */
  ok: boolean;
  steps: StepReport[];
  /** Problems of the lab as a whole: it does not load, the shell could not start, clean-up failed. */
  errors: string[];
  /** Worth knowing, not a failure (e.g. a leftover the clean-up could not remove). */
  warnings: string[];
  /** How the lab's `solve/cleanup.sh` ended, when it has one. */
  cleanup?: SolveOutcome;
  durationMs: number;
}

/** Whether the learner the labs were solved as was confined (own OS user, sandbox and container engine). */
export interface IsolationReport {
  confined: boolean;
  /** Why not, when not confined (`--isolation off`, or what this machine lacks). */
  reason?: string;
}

export interface TestReport {
  ok: boolean;
  isolation: IsolationReport;
  labs: LabReport[];
  /** Worth knowing about the run as a whole, not a failure (e.g. a test learner's OS user that could not be removed). */
  warnings: string[];
  summary: { labs: number; failedLabs: number; steps: number; passed: number; failed: number; noSolution: number; reading: number; notRun: number };
}

/** What the runner observed for a graded step with a solution (each part absent when it did not happen). */
export interface StepObservation {
  before: CheckOutcome[];
  solve: SolveOutcome;
  /** The last run of the checks after the solution (absent when the solution failed, so they were not run). */
  after?: CheckOutcome[];
  timeoutMs: number;
  /** The step waits for an earlier step's effect (`{… waits}`): passing before its solution is expected. */
  waits?: boolean;
}

/**
 * The verdict on a graded step: every check must fail before the solution (a pass is vacuous, an error is an
 * error; a step that `waits` may already pass), the solution must exit 0 within its time, and every check must
 * pass after it.
 */
export function judgeStep(obs: StepObservation): { verdict: 'passed' | 'failed'; problems: StepProblem[]; before: string; after: string } {
  const problems: StepProblem[] = [];
  for (const c of obs.before) {
    if (c.status === 'pass' && !obs.waits) problems.push({ kind: 'vacuous', check: c.title, message: c.message });
    else if (c.status === 'error') problems.push({ kind: 'check-error', phase: 'before', check: c.title, message: c.message });
  }
  const output = obs.solve.output;
  if (obs.solve.timedOut || obs.solve.exitCode === undefined) {
    problems.push({ kind: 'solve-timeout', timeoutMs: obs.timeoutMs, output });
  } else if (obs.solve.exitCode !== 0) {
    problems.push({ kind: 'solve-exit', exitCode: obs.solve.exitCode, output });
  } else {
    for (const c of obs.after ?? []) {
      if (c.status === 'fail') problems.push({ kind: 'still-failing', check: c.title, message: c.message, output });
      else if (c.status === 'error') problems.push({ kind: 'check-error', phase: 'after', check: c.title, message: c.message });
    }
  }
  return { verdict: problems.length ? 'failed' : 'passed', problems, before: beforeCell(obs.before), after: afterCell(obs) };
}

/** True when the lab cannot go on past this step: the solution did not work, so later steps start from the wrong state. */
export function stopsTheLab(step: StepReport): boolean {
  return step.problems.some((p) => p.kind === 'solve-exit' || p.kind === 'solve-timeout' || p.kind === 'still-failing' || (p.kind === 'check-error' && p.phase === 'after'));
}

function beforeCell(before: CheckOutcome[]): string {
  const n = before.length;
  const passed = before.filter((c) => c.status === 'pass').length;
  const errors = before.filter((c) => c.status === 'error').length;
  if (passed) return `VACUOUS ${passed}/${n}`;
  if (errors) return `ERROR ${errors}/${n}`;
  return `fail ${n}/${n}`;
}

function afterCell(obs: StepObservation): string {
  if (obs.solve.timedOut || obs.solve.exitCode === undefined) return 'SOLVE TIMEOUT';
  if (obs.solve.exitCode !== 0) return `SOLVE EXIT ${obs.solve.exitCode}`;
  const after = obs.after ?? [];
  const n = after.length;
  const failed = after.filter((c) => c.status === 'fail').length;
  const errors = after.filter((c) => c.status === 'error').length;
  if (failed) return `FAIL ${failed}/${n}`;
  if (errors) return `ERROR ${errors}/${n}`;
  return `pass ${n}/${n}`;
}

/** A step that was not tested, as the table shows it. */
export function untestedStep(stepId: string, title: string, verdict: 'no-solution' | 'reading' | 'not-run', durationMs = 0, solve?: SolveOutcome): StepReport {
  const cells = {
    'no-solution': ['no solution', 'not tested'],
    reading: ['reading', solve ? 'solved' : '-'],
    'not-run': ['not run', 'earlier step failed'],
  }[verdict];
  return { stepId, title, verdict, before: cells[0]!, after: cells[1]!, durationMs, problems: [], ...(solve ? { solve } : {}) };
}

/** The verdict on a reading step that has a solution (it prepares later steps): it must exit 0 in time. */
export function judgeReadingSolve(stepId: string, title: string, solve: SolveOutcome, timeoutMs: number): StepReport {
  if (!solve.timedOut && solve.exitCode === 0) return untestedStep(stepId, title, 'reading', solve.durationMs, solve);
  const problem: StepProblem =
    solve.timedOut || solve.exitCode === undefined
      ? { kind: 'solve-timeout', timeoutMs, output: solve.output }
      : { kind: 'solve-exit', exitCode: solve.exitCode, output: solve.output };
  return {
    stepId,
    title,
    verdict: 'failed',
    before: 'reading',
    after: problem.kind === 'solve-timeout' ? 'SOLVE TIMEOUT' : `SOLVE EXIT ${solve.exitCode}`,
    durationMs: solve.durationMs,
    problems: [problem],
    solve,
  };
}

/** Whether a lab's report is clean. */
export function labOk(lab: Pick<LabReport, 'steps' | 'errors'>): boolean {
  return lab.errors.length === 0 && lab.steps.every((s) => s.verdict !== 'failed');
}

export function summarize(labs: LabReport[], isolation: IsolationReport, warnings: string[] = []): TestReport {
  const steps = labs.flatMap((l) => l.steps);
  const count = (v: StepVerdict) => steps.filter((s) => s.verdict === v).length;
  const failedLabs = labs.filter((l) => !l.ok).length;
  return {
    ok: failedLabs === 0,
    isolation,
    labs,
    warnings,
    summary: {
      labs: labs.length,
      failedLabs,
      steps: steps.length,
      passed: count('passed'),
      failed: count('failed'),
      noSolution: count('no-solution'),
      reading: count('reading'),
      notRun: count('not-run'),
    },
  };
}

/**
 * The report for a terminal: a caveat when the learner was not confined, the table, then what went wrong, then
 * one summary line.
 */
export function formatReport(report: TestReport): string[] {
  const header = report.isolation.confined ? [] : [unconfinedCaveat(report.isolation), ''];
  const rows: string[][] = [['lab', 'step', 'before', 'after', 'time']];
  for (const lab of report.labs) {
    if (!lab.steps.length) rows.push([lab.labId, '-', '-', lab.errors.length ? 'LAB ERROR' : '-', seconds(lab.durationMs)]);
    for (const s of lab.steps) rows.push([lab.labId, s.stepId, s.before, s.after, seconds(s.durationMs)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));

  const details: string[] = [];
  for (const lab of report.labs) {
    for (const e of lab.errors) details.push(`${lab.labId}: ${e}`);
    for (const s of lab.steps) for (const p of s.problems) details.push(...describeProblem(`${lab.labId}/${s.stepId}`, p));
    for (const w of lab.warnings) details.push(`${lab.labId}: warning: ${w}`);
    for (const s of lab.steps) if (s.verdict === 'no-solution') details.push(`${lab.labId}/${s.stepId}: no solution: not tested (add solve/${s.stepId}.sh)`);
  }
  for (const w of report.warnings) details.push(`warning: ${w}`);
  if (details.length) lines.push('', ...details);

  const sum = report.summary;
  const parts = [`${sum.passed} passed`, `${sum.failed} failed`];
  if (sum.noSolution) parts.push(`${sum.noSolution} without solution`);
  if (sum.notRun) parts.push(`${sum.notRun} not run`);
  if (sum.reading) parts.push(`${sum.reading} reading`);
  const labs = `${sum.labs} ${sum.labs === 1 ? 'lab' : 'labs'}`;
  lines.push('', `${labs}, ${sum.steps} steps: ${parts.join(', ')}${sum.failedLabs ? ` — ${sum.failedLabs} ${sum.failedLabs === 1 ? 'lab' : 'labs'} FAILED` : ''}`);
  return [...header, ...lines];
}

/** What an unconfined run cannot prove: its learner's images live in the machine's shared container engine. */
function unconfinedCaveat(isolation: IsolationReport): string {
  return (
    `Note: the learner was not confined (${isolation.reason ?? 'isolation is off'}). Checks of built images may pass ` +
    "before their step (vacuous) because the learner shares this machine's container engine, where an earlier build " +
    'of the same name may still be.'
  );
}

function describeProblem(where: string, p: StepProblem): string[] {
  switch (p.kind) {
    case 'vacuous':
      return [`${where}: check "${p.check}" already passes before the solution (vacuous): ${p.message}`];
    case 'check-error':
      return [`${where}: check "${p.check}" could not run ${p.phase} the solution (error): ${p.message}`];
    case 'solve-exit':
      return [`${where}: solve/${where.split('/')[1]}.sh exited with ${p.exitCode}`, ...indent(p.output)];
    case 'solve-timeout':
      return [`${where}: solve/${where.split('/')[1]}.sh did not finish within ${seconds(p.timeoutMs)}`, ...indent(p.output)];
    case 'still-failing':
      return [`${where}: check "${p.check}" still fails after the solution: ${p.message}`, ...indent(p.output)];
  }
}

/** The last lines of a script's output, indented under its problem. */
function indent(output: string, maxLines = 15): string[] {
  const lines = output.replace(/\s+$/, '').split('\n');
  if (!lines.some((l) => l.trim())) return [];
  const tail = lines.slice(-maxLines).map((l) => `  | ${l}`);
  return lines.length > maxLines ? ['  | …', ...tail] : tail;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** Environment variable assignments for a solve script: each lab variable under its own name (see docs/lab-format.md). */
export function solveEnvironment(variables: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(variables)) {
    // All-capital names could overwrite the shell's own (PATH, HOME); such variables are not passed.
    if (/^[A-Za-z][A-Za-z0-9_]*$/.test(name) && name !== name.toUpperCase()) env[name] = value;
  }
  return env;
}

/** Quotes a word for bash (single quotes). */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Removes terminal escape sequences and carriage returns from captured terminal output. */
export function plainText(terminal: string): string {
  return terminal
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '') // OSC (window titles)
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '') // CSI
    .replace(/\x1b[@-Z\\-_]/g, '')
    .replace(/\r+\n/g, '\n')
    .replace(/[^\n]*\r(?!\n)/g, '') // a line overwritten after a bare CR: keep what was written last
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}
