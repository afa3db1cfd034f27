import type { AbortSignalLike, CheckContext, CheckerDefinition, CheckResult, ParamProblem } from '../checks.ts';
import { BugIndicatingError } from '../errors.ts';
import type { IDisposable } from '../lifecycle.ts';

/**
 * The checkers a server knows, by id, and the one way to run them. Registration is explicit
 * (`registry.registerAll(builtInCheckers)` in main.ts); a duplicate id is a startup bug.
 */

/** A signal that aborts after a time (or when its parent aborts); dispose clears the timer. */
export interface Deadline extends IDisposable {
  readonly signal: AbortSignalLike;
}

/**
 * Makes deadlines. The core has no timers or AbortController of its own (no Node or DOM types), so the
 * composition root passes one in.
 * @example
 * const deadlines: DeadlineFactory = (ms, parent) => {
 *   const c = new AbortController();
 *   const t = setTimeout(() => c.abort(new Error(`timed out after ${ms} ms`)), ms);
 *   parent?.addEventListener('abort', () => c.abort(parent.reason), { once: true });
 *   return { signal: c.signal, dispose: () => clearTimeout(t) };
 * };
 */
export type DeadlineFactory = (timeoutMs: number, parent?: AbortSignalLike) => Deadline;

/** How one check runs. */
export interface RunCheckOptions {
  readonly timeoutMs: number;
}

/** The context a caller hands to {@link CheckerRegistry.runCheck}: the check's own signal is made there. */
export type RunCheckContext<C> = Omit<CheckContext<C>, 'signal'> & {
  /** Aborts the check early (the learner left, the server is stopping). */
  readonly signal?: AbortSignalLike;
};

export class CheckerRegistry<C = unknown> {
  private readonly _checkers = new Map<string, CheckerDefinition<unknown, C>>();

  constructor(private readonly _deadlines: DeadlineFactory) {}

  /** Adds a checker; throws {@link BugIndicatingError} when its id is taken. */
  register(checker: CheckerDefinition<unknown, C>): void {
    if (this._checkers.has(checker.id)) throw new BugIndicatingError(`two checkers have the id '${checker.id}'`);
    this._checkers.set(checker.id, checker);
  }

  registerAll(checkers: readonly CheckerDefinition<unknown, C>[]): void {
    for (const c of checkers) this.register(c);
  }

  get(id: string): CheckerDefinition<unknown, C> | undefined {
    return this._checkers.get(id);
  }

  /** Ids, sorted (for lint output and docs). */
  ids(): string[] {
    return [...this._checkers.keys()].sort();
  }

  /**
   * Every problem with one check of a lab: an unknown checker id, or each parameter problem. Called when a
   * lab loads, so the author sees all problems at once.
   */
  validate(checkerId: string, rawParams: unknown): ParamProblem[] {
    const checker = this._checkers.get(checkerId);
    if (!checker) {
      const known = this.ids();
      return [{ path: 'checker', message: `unknown checker '${checkerId}' (known: ${known.join(', ') || 'none'})` }];
    }
    const parsed = checker.params.parse(rawParams);
    return parsed.ok ? [] : parsed.problems;
  }

  /**
   * Validates the parameters, runs the checker with a signal that aborts after `timeoutMs`, and always
   * resolves: a thrown exception or a timeout is an `error` result (the checker could not run), never a
   * `fail` (which would blame the learner).
   */
  async runCheck(checker: CheckerDefinition<unknown, C>, rawParams: unknown, ctx: RunCheckContext<C>, options: RunCheckOptions): Promise<CheckResult> {
    const parsed = checker.params.parse(rawParams);
    if (!parsed.ok) {
      const problems = parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
      return { status: 'error', message: `The check '${checker.id}' has invalid parameters (${problems}).`, evidence: { problems: parsed.problems } };
    }
    const deadline = this._deadlines(options.timeoutMs, ctx.signal);
    const signal = deadline.signal;
    let onAbort: (() => void) | undefined;
    // A checker that ignores its signal must not hold the step up: the abort wins the race.
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      if (signal.aborted) resolve('aborted');
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([checker.run(parsed.value, { ...ctx, signal }), aborted]);
      if (outcome === 'aborted') return abortedResult(checker.id, options.timeoutMs, ctx.signal);
      return outcome;
    } catch (err) {
      if (signal.aborted) return abortedResult(checker.id, options.timeoutMs, ctx.signal);
      return { status: 'error', message: `The check '${checker.id}' could not run: ${describeError(err)}`, evidence: { error: errorName(err) } };
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      deadline.dispose();
    }
  }
}

function abortedResult(id: string, timeoutMs: number, parent: AbortSignalLike | undefined): CheckResult {
  if (parent?.aborted) return { status: 'error', message: `The check '${id}' was cancelled.` };
  return { status: 'error', message: `The check '${id}' did not finish within ${formatMs(timeoutMs)}.`, evidence: { timeoutMs } };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string' ? (err as { name: string }).name : typeof err;
}

function describeError(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { name, message } = err as { name?: unknown; message?: unknown };
    if (typeof message === 'string' && message) return typeof name === 'string' && name !== 'Error' ? `${name}: ${message}` : message;
  }
  return String(err);
}
