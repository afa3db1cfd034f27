import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckerDefinition } from '../../server/core/checks.ts';
import { runChecker } from '../lib/run-for-test.ts';
import { fileCheck } from './index.ts';

const checker = fileCheck as CheckerDefinition;
const workspace = mkdtempSync(join(tmpdir(), 'file-check-'));
mkdirSync(join(workspace, 'web'));
writeFileSync(join(workspace, 'web', 'index.html'), 'Hello From ECS\n');
writeFileSync(join(workspace, 'dockerfile'), 'FROM scratch\n');
writeFileSync(join(workspace, 'empty.txt'), '');
symlinkSync('/etc/hostname', join(workspace, 'escape'));
const check = (params: unknown) => runChecker(checker, params, { workspace });

describe('file', () => {
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('passes when the file exists with the text or pattern', async () => {
    expect(await check({ path: 'web/index.html', contains: 'Hello From ECS', matches: '^Hello' })).toMatchObject({ status: 'pass', message: "'web/index.html' has the expected content." });
    expect(await check({ path: 'gone.txt', exists: false })).toMatchObject({ status: 'pass' });
  });

  it('names a near-miss file the learner made instead', async () => {
    expect(await check({ path: 'Dockerfile' })).toMatchObject({ status: 'fail', message: "There is no 'Dockerfile' in your workspace.", hint: "You have 'dockerfile'; the lab asks for 'Dockerfile'." });
    expect(await check({ path: 'site/index.html' })).toMatchObject({ status: 'fail', hint: "The folder 'site' does not exist either." });
  });

  it('quotes the start of a file without the text, and says when it is empty', async () => {
    expect(await check({ path: 'dockerfile', contains: 'EXPOSE 80' })).toMatchObject({ status: 'fail', message: "'dockerfile' does not contain \"EXPOSE 80\".", hint: 'It starts with: "FROM scratch"' });
    expect(await check({ path: 'empty.txt', matches: '\\w' })).toMatchObject({ status: 'fail', hint: 'The file is empty.' });
  });

  it('fails when a file that should be gone is there, or a folder stands where a file should be', async () => {
    expect(await check({ path: 'dockerfile', exists: false })).toMatchObject({ status: 'fail', message: "'dockerfile' still exists.", hint: 'Remove it: rm dockerfile' });
    expect(await check({ path: 'web' })).toMatchObject({ status: 'fail', message: "'web' is a folder, not a file." });
  });

  it('does not follow a link out of the workspace', async () => {
    expect(await check({ path: 'escape', contains: 'x' })).toMatchObject({ status: 'fail', message: "'escape' points outside your workspace." });
  });

  it('rejects absolute paths and .. when the lab loads', () => {
    expect(checker.params.parse({ path: '/etc/passwd' })).toEqual({ ok: false, problems: [{ path: 'path', message: 'must be relative to the workspace' }] });
    expect(checker.params.parse({ path: 'web/../../x' })).toEqual({ ok: false, problems: [{ path: 'path', message: "must not contain '..'" }] });
  });
});
