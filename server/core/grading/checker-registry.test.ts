import { describe, expect, it } from 'vitest';
import { fail, pass, type AbortSignalLike, type CheckerDefinition, type ParamProblem, type ParamSchema } from '../checks.ts';
import { BugIndicatingError } from '../errors.ts';
import { CheckerRegistry, type DeadlineFactory } from './checker-registry.ts';

/** What main.ts passes in (the JSDoc example of DeadlineFactory). */
const nodeDeadlines: DeadlineFactory = (ms, parent) => {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(new Error(`timed out after ${ms} ms`)), ms);
  parent?.addEventListener('abort', () => c.abort(parent.reason), { once: true });
  return { signal: c.signal, dispose: () => clearTimeout(t) };
};

/** `{ n: integer }` and nothing else. */
const nParams: ParamSchema<{ n: number }> = {
  parse(raw) {
    const problems: ParamProblem[] = [];
    const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (!Number.isInteger(obj['n'])) problems.push({ path: 'n', message: 'Expected an integer' });
    const extra = Object.keys(obj).filter((k) => k !== 'n');
    if (extra.length > 0) problems.push({ path: '(params)', message: `Unrecognized keys: ${extra.join(', ')}` });
    return problems.length === 0 ? { ok: true, value: { n: obj['n'] as number } } : { ok: false, problems };
  },
};

const ctx = { learnerId: 'l', variables: {}, aws: undefined, workspace: '/tmp' };

function checker(id: string, run: CheckerDefinition<{ n: number }>['run']): CheckerDefinition<{ n: number }> {
  return { id, description: id, params: nParams, run };
}

describe('CheckerRegistry', () => {
  it('registers checkers and finds them by id', () => {
    const r = new CheckerRegistry(nodeDeadlines);
    const a = checker('a.one', async () => pass('ok'));
    r.registerAll([a, checker('b.two', async () => pass('ok'))]);
    expect(r.get('a.one')).toBe(a);
    expect(r.get('nope')).toBeUndefined();
    expect(r.ids()).toEqual(['a.one', 'b.two']);
  });

  it('throws a bug on a duplicate id', () => {
    const r = new CheckerRegistry(nodeDeadlines);
    r.register(checker('a.one', async () => pass('ok')));
    expect(() => r.register(checker('a.one', async () => pass('ok')))).toThrow(BugIndicatingError);
    expect(() => r.register(checker('a.one', async () => pass('ok')))).toThrow("two checkers have the id 'a.one'");
  });

  it('validates a check as values: unknown checker, every parameter problem', () => {
    const r = new CheckerRegistry(nodeDeadlines);
    r.register(checker('a.one', async () => pass('ok')));
    expect(r.validate('a.two', {})).toEqual([{ path: 'checker', message: "unknown checker 'a.two' (known: a.one)" }]);
    expect(r.validate('a.one', { n: 1 })).toEqual([]);
    const problems = r.validate('a.one', { n: 1.5, extra: true });
    expect(problems.map((p) => p.path).sort()).toEqual(['(params)', 'n']);
  });

  it('returns the checker outcome, pass or fail, as it is', async () => {
    const r = new CheckerRegistry(nodeDeadlines);
    const f = checker('a.fail', async (p) => fail(`n=${p.n}`, 'try again'));
    expect(await r.runCheck(f, { n: 3 }, ctx, { timeoutMs: 1000 })).toEqual({ status: 'fail', message: 'n=3', hint: 'try again', evidence: undefined });
  });

  it('reports invalid parameters as error without running the checker', async () => {
    const r = new CheckerRegistry(nodeDeadlines);
    let ran = false;
    const c = checker('a.one', async () => ((ran = true), pass('ok')));
    const res = await r.runCheck(c, { n: 'x' }, ctx, { timeoutMs: 1000 });
    expect(res.status).toBe('error');
    expect(res.message).toMatch(/^The check 'a\.one' has invalid parameters \(n: /);
    expect(ran).toBe(false);
  });

  it('turns a thrown exception into error, never fail', async () => {
    const r = new CheckerRegistry(nodeDeadlines);
    const boom = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const res = await r.runCheck(checker('a.throws', async () => { throw boom; }), { n: 1 }, ctx, { timeoutMs: 1000 });
    expect(res).toEqual({
      status: 'error',
      message: "The check 'a.throws' could not run: CredentialsProviderError: Could not load credentials from any providers",
      evidence: { error: 'CredentialsProviderError' },
    });
  });

  it('aborts the signal it hands the checker at the timeout and reports error', async () => {
    const r = new CheckerRegistry(nodeDeadlines);
    let seen: AbortSignalLike | undefined;
    const slow = checker('a.slow', (_p, c) => {
      seen = c.signal;
      return new Promise((_resolve, reject) => c.signal.addEventListener('abort', () => reject(c.signal.reason), { once: true }));
    });
    const res = await r.runCheck(slow, { n: 1 }, ctx, { timeoutMs: 50 });
    expect(res).toEqual({ status: 'error', message: "The check 'a.slow' did not finish within 50 ms.", evidence: { timeoutMs: 50 } });
    expect(seen?.aborted).toBe(true);
  });

  it('does not wait for a checker that ignores its signal', async () => {
    const r = new CheckerRegistry(nodeDeadlines);
    const stuck = checker('a.stuck', () => new Promise(() => undefined));
    const started = Date.now();
    const res = await r.runCheck(stuck, { n: 1 }, ctx, { timeoutMs: 1000 });
    expect(res.message).toBe("The check 'a.stuck' did not finish within 1 s.");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a check cancelled by the caller as cancelled', async () => {
    const r = new CheckerRegistry(nodeDeadlines);
    const parent = new AbortController();
    const slow = checker('a.slow', () => new Promise(() => undefined));
    const running = r.runCheck(slow, { n: 1 }, { ...ctx, signal: parent.signal }, { timeoutMs: 10_000 });
    parent.abort();
    expect(await running).toEqual({ status: 'error', message: "The check 'a.slow' was cancelled." });
  });
});
