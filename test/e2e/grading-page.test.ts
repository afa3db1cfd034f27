import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import { CliServer } from '../helpers/cli-server.ts';
import { artifactPath, hasChromium, launchChromium } from '../helpers/browser.ts';

const skip = !hasChromium();
if (skip) console.warn('skipping browser tests: /usr/bin/chromium is missing (run scripts/setup-system)');

describe.skipIf(skip)('checking a step in the lab page', () => {
  let server: CliServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await CliServer.start(['--labs-dir', path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs'), '--no-sandbox']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const stepStatus = (page: Page, step: string) => page.locator(`section[data-step="${step}"]`).getAttribute('data-status');

  it('shows the hint when the step is not done, and turns the step green once it is', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/lab/graded?learner=e2e-grader`);
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 20_000 }).toBe('connected');

    const step = page.locator('section[data-step="answer"]');
    await step.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => stepStatus(page, 'answer'), { timeout: 15_000 }).toBe('failed');
    await expect.poll(() => step.locator('.check-list').textContent()).toContain('answer.txt');
    await page.screenshot({ path: artifactPath('grading-step-failed.png') });

    await page.locator('.xterm').click();
    await page.keyboard.type('echo 42 > answer.txt\n');
    await page.waitForTimeout(300);
    await step.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => stepStatus(page, 'answer'), { timeout: 15_000 }).toBe('passed');
    await expect.poll(() => page.getByLabel('Your score').textContent()).toBe('5 / 15 points');
    await page.screenshot({ path: artifactPath('grading-step-passed.png') });

    // After a reload the page resumes where the learner left off.
    await page.reload();
    await expect.poll(() => stepStatus(page, 'answer'), { timeout: 15_000 }).toBe('passed');
    await page.close();
  });

  it('checks every step at once, leaving the steps not done yet as they were', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/lab/graded?learner=e2e-all-steps`);
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 20_000 }).toBe('connected');
    await page.locator('.xterm').click();
    await page.keyboard.type('echo 42 > answer.txt\n');
    await page.waitForTimeout(300);
    await page.getByRole('button', { name: 'Check all steps' }).click();
    await expect.poll(() => page.locator('.check-all-result').textContent(), { timeout: 15_000 }).toBe('1 of 2 steps passed.');
    expect(await stepStatus(page, 'answer')).toBe('passed');
    // The repository step could not be checked (no sandbox here) and was not tried: no failed attempt, no hint.
    expect(await stepStatus(page, 'repo')).toBe('not-started');
    await page.close();
  });
});
