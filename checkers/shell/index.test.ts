import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckerDefinition } from '../../server/core/checks.ts';
import { runChecker } from '../lib/run-for-test.ts';
import { shellCheck } from './index.ts';

const checker = shellCheck as CheckerDefinition;
const workspace = mkdtempSync(join(tmpdir(), 'shell-check-'));
writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');

describe('shell', () => {
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('runs bash in the workspace with the learner environment', async () => {
    const r = await runChecker(checker, { command: 'test -f Dockerfile && echo "region=$AWS_REGION"', stdoutMatches: '^region=eu-west-1$' }, { workspace, env: { PATH: '/usr/bin:/bin', AWS_REGION: 'eu-west-1' } });
    expect(r).toMatchObject({ status: 'pass', message: '`test -f Dockerfile && echo "region=$AWS_REGION"` ran as expected.' });
  });

  it('runs the command the way the server says a confined learner runs it', async () => {
    // The server hands confined learners' checks a wrapper (bubblewrap + setpriv); here a visible stand-in.
    const runAsLearner = async (c: { file: string; args: readonly string[]; cwd: string; env: Readonly<Record<string, string>> }) => ({
      ...c,
      file: '/usr/bin/env',
      args: ['RUN_AS=learner', c.file, ...c.args],
    });
    const r = await runChecker(checker, { command: 'echo "as=$RUN_AS"', stdoutMatches: '^as=learner$' }, { workspace, env: { PATH: '/usr/bin:/bin' }, runAsLearner });
    expect(r.status).toBe('pass');
  });

  it('fails on the wrong exit code, quoting what the command said', async () => {
    const r = await runChecker(checker, { command: 'ls nothing-here' }, { workspace });
    expect(r.message).toBe('`ls nothing-here` exited with 2 (expected 0).');
    expect(r.status === 'fail' && r.hint).toMatch(/^It said: "ls: cannot access 'nothing-here': No such file or directory"$/);
    expect((await runChecker(checker, { command: 'exit 3', exitCode: 3 }, { workspace })).status).toBe('pass');
  });

  it('fails when stdout or stderr does not match, quoting the output', async () => {
    const out = await runChecker(checker, { command: 'echo Hello From Docker', stdoutMatches: 'Hello From ECS' }, { workspace });
    expect(out).toMatchObject({ status: 'fail', message: 'The output of `echo Hello From Docker` does not match /Hello From ECS/.', hint: 'It printed: "Hello From Docker"' });
    const err = await runChecker(checker, { command: 'echo warn >&2', stderrMatches: 'error' }, { workspace });
    expect(err.message).toBe('The error output of `echo warn >&2` does not match /error/.');
  });

  it('kills a command that runs past its timeout (and what it started) and fails', async () => {
    const started = Date.now();
    const r = await runChecker(checker, { command: 'echo waiting; sleep 30 & wait', timeoutSeconds: 0.5 }, { workspace });
    expect(r).toMatchObject({ status: 'fail', message: '`echo waiting; sleep 30 & wait` did not finish within 0.5 s.' });
    expect(r.status === 'fail' && r.hint).toContain('So far it printed: "waiting"');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects a pattern that is not a regular expression when the lab loads', () => {
    expect(checker.params.parse({ command: 'true', stdoutMatches: '(' })).toEqual({ ok: false, problems: [{ path: 'stdoutMatches', message: 'not a valid regular expression' }] });
  });
});
