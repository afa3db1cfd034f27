import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import { CliServer } from '../helpers/cli-server.ts';
import { artifactPath, hasChromium, launchChromium } from '../helpers/browser.ts';

const skip = !hasChromium();
if (skip) console.warn('skipping browser tests: /usr/bin/chromium is missing (run scripts/setup-system)');

/** `labrunner dev` runs `serve --author-mode` on the lab's folder. */
describe.skipIf(skip)('author mode (labrunner dev)', () => {
  let labsDir: string;
  let server: CliServer;
  let browser: Browser;

  beforeAll(async () => {
    labsDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-author-'));
    cpSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs', 'graded'), path.join(labsDir, 'graded'), { recursive: true });
    server = await CliServer.start(['--labs-dir', labsDir, '--author-mode']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(labsDir, { recursive: true, force: true });
  });

  it('re-renders the page when lab.md is saved, keeps the terminal, and shows evidence and lint problems', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/lab/graded?learner=author`);
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 20_000 }).toBe('connected');

    // A check's raw result sits beside the learner's message.
    await page.locator('section[data-step="answer"] button.check-button').click();
    await expect.poll(() => page.locator('section[data-step="answer"] .check-evidence summary').textContent(), { timeout: 15_000 }).toBe('file · evidence');
    await expect.poll(() => page.locator('section[data-step="answer"] .check-result').textContent()).toMatch(/checked in \d+ ms/);

    await page.locator('.xterm').click();
    await page.keyboard.type('echo "before-""edit"\n');
    const terminalText = () =>
      page.evaluate(() => {
        const b = (globalThis as unknown as { labrunnerTerminal: { term: { buffer: { active: { length: number; getLine(i: number): { translateToString(t: boolean): string } | undefined } } } } })
          .labrunnerTerminal.term.buffer.active;
        return Array.from({ length: b.length }, (_, i) => b.getLine(i)?.translateToString(true) ?? '').join('\n');
      });
    await expect.poll(terminalText, { timeout: 10_000 }).toContain('before-edit');

    // Save an edit: new text, and a variable nobody uses (a lint warning).
    const file = path.join(labsDir, 'graded', 'lab.md');
    const text = readFileSync(file, 'utf8')
      .replace('A fixture for test/server/grading.test.ts.', 'Edited while the page was open.')
      .replace('variables:\n', 'variables:\n  unused:\n    kind: fixed\n    value: x\n');
    writeFileSync(file, text);

    await expect.poll(() => page.locator('.instructions').textContent(), { timeout: 15_000 }).toContain('Edited while the page was open.');
    await expect.poll(() => page.locator('.lab-problems').textContent(), { timeout: 15_000 }).toContain('graded/lab.md');
    expect(await terminalText()).toContain('before-edit'); // the terminal was not touched
    await page.screenshot({ path: artifactPath('author-mode.png') });
    await page.close();
  });

  it('gives learners on a normal server neither evidence nor live reload', async () => {
    const plain = await CliServer.start(['--labs-dir', labsDir]);
    try {
      const page = await browser.newPage();
      await page.goto(`${plain.url}/lab/graded?learner=plain`);
      await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 20_000 }).toBe('connected');
      await page.locator('section[data-step="answer"] button.check-button').click();
      await expect.poll(() => page.locator('section[data-step="answer"]').getAttribute('data-status'), { timeout: 15_000 }).toBe('failed');
      expect(await page.locator('.check-evidence').count()).toBe(0);
      expect(await page.locator('.lab-problems').count()).toBe(0);
      await page.close();
    } finally {
      await plain.stop();
    }
  });
});
