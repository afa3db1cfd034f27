import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliServer } from '../helpers/cli-server.ts';
import { artifactPath, hasChromium, launchChromium } from '../helpers/browser.ts';

const skip = !hasChromium();
if (skip) console.warn('skipping browser tests: /usr/bin/chromium is missing (run scripts/setup-system)');

/** What the terminal shows, read from xterm's buffer (the WebGL renderer draws text on a canvas, not in the DOM). */
function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const buffer = (globalThis as unknown as { labrunnerTerminal: { term: { buffer: { active: { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } } } } })
      .labrunnerTerminal.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  });
}

describe.skipIf(skip)('the lab page in Chromium', () => {
  let server: CliServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await CliServer.start();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openLab(learner: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/?learner=${learner}`);
    await page.getByRole('link', { name: /Welcome to labrunner/ }).click();
    await page.waitForURL(/\/lab\/welcome/);
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 20_000 }).toBe('connected');
    return page;
  }

  it('shows the lab beside a live shell; typing a command changes the workspace', async () => {
    const page = await openLab('e2e-typist');
    await expect.poll(() => page.locator('.instructions h1').textContent()).toBe('Welcome');
    await page.locator('.xterm').click();
    await page.keyboard.type('echo typed-in-browser > from-browser.txt && cat hello.txt\n');
    await expect.poll(() => terminalText(page), { timeout: 10_000 }).toContain('Hello from your labrunner workspace.');
    const file = path.join(server.dataDir, 'workspaces', 'e2e-typist', 'welcome', 'from-browser.txt');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('typed-in-browser\n');
    await page.screenshot({ path: artifactPath('lab-page.png') });
    await page.close();
  });

  it('shows UTF-8 text and 256-colour output as the shell printed them', async () => {
    const page = await openLab('e2e-colours');
    await page.locator('.xterm').click();
    await page.keyboard.type("printf 'h\\u00e9llo \\u2713 \\u65e5\\u672c \\033[38;5;208mORANGE\\033[0m\\n'\n");
    await expect.poll(() => terminalText(page), { timeout: 10_000 }).toContain('héllo ✓ 日本 ORANGE');
    const colour = await page.evaluate(() => {
      type Cell = { getChars(): string; getFgColor(): number; isFgPalette(): boolean };
      type Line = { translateToString(t: boolean): string; getCell(x: number): Cell | undefined };
      const term = (globalThis as unknown as { labrunnerTerminal: { term: { cols: number; buffer: { active: { length: number; getLine(i: number): Line | undefined } } } } })
        .labrunnerTerminal.term;
      const buffer = term.buffer.active;
      for (let i = buffer.length - 1; i >= 0; i--) {
        const line = buffer.getLine(i);
        const text = line?.translateToString(true) ?? '';
        if (!text.includes('ORANGE') || text.includes('printf')) continue;
        // Cells, not string indexes: 日本 are two characters but four cells.
        for (let x = 0; x < term.cols; x++) {
          const cell = line!.getCell(x);
          if (cell?.getChars() === 'O' && line!.getCell(x + 1)?.getChars() === 'R') return { palette: cell.isFgPalette(), colour: cell.getFgColor() };
        }
      }
      return undefined;
    });
    expect(colour).toEqual({ palette: true, colour: 208 });
    await page.close();
  });

  it('"Run in terminal" types the command into the shell', async () => {
    const page = await openLab('e2e-runner');
    await page.getByRole('button', { name: /^Run in terminal/ }).first().click();
    await expect.poll(() => terminalText(page), { timeout: 10_000 }).toContain('hello.txt');
    await page.close();
  });

  it('after a reload the same shell comes back with its screen', async () => {
    const page = await openLab('e2e-reloader');
    await page.locator('.xterm').click();
    await page.keyboard.type('echo marker-$((40+2)); sleep 3; echo "fin""ished"\n');
    await expect.poll(() => terminalText(page)).toContain('marker-42');
    await page.reload();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 20_000 }).toBe('connected');
    await expect.poll(() => terminalText(page)).toContain('marker-42');
    await expect.poll(() => terminalText(page), { timeout: 10_000 }).toContain('finished');
    await page.screenshot({ path: artifactPath('lab-page-after-reload.png') });
    await page.close();
  });

  it('stacks the terminal below the text on a narrow window', async () => {
    const page = await openLab('e2e-narrow');
    await page.setViewportSize({ width: 600, height: 900 });
    const text = await page.locator('.instructions').boundingBox();
    const term = await page.locator('.terminal-pane').boundingBox();
    expect(term!.y).toBeGreaterThan(text!.y + text!.height - 1);
    await page.screenshot({ path: artifactPath('lab-page-narrow.png') });
    await page.close();
  });
});
