/**
 * Accessibility of the catalog and the lab page in Chromium: axe-core finds no serious or critical problem
 * (catalog, the seed lab, the grading fixture after a failed check, the terminal in screen-reader mode); the
 * page works from the keyboard alone (Tab reaches every button of the instructions in order, with a visible
 * focus ring; Enter and Space activate; F6 leaves the terminal, where Tab belongs to the shell; a skip link);
 * the screen-reader toggle switches xterm's mode live and is remembered; at 200% zoom nothing scrolls sideways
 * and no control is cut off. The classroom pages too: axe finds nothing serious on the join page and the
 * instructor's dashboard (with a student's detail and shadow terminal open); the dashboard's grid works from
 * the keyboard (Tab to a row, ↑/↓ between rows, Enter opens the student, Escape closes and returns the focus);
 * at 200% zoom the dashboard does not scroll sideways as a page.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import { CliServer } from '../helpers/cli-server.ts';
import { artifactPath, describeViolations, hasChromium, launchChromium, newAxePage, runAxe, terminalText, type AxeViolation, type PageGlobals } from '../helpers/browser.ts';
import { createClassroomInPage, joinInPage } from '../helpers/classroom-pages.ts';

const skip = !hasChromium();
if (skip) console.warn('skipping accessibility tests: /usr/bin/chromium is missing (run scripts/setup-system)');

const SEED_LAB = 'ecr-hello-ecs';

const seriousOnes = (violations: AxeViolation[]) => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

/** A short description of the focused element, for comparing Tab order with DOM order. */
type Focused = { tag: string; name: string; inInstructions: boolean; isTerminal: boolean; outline: string; outlineWidth: number };

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
    const el = document.activeElement;
    if (!el) return { tag: '', name: '', inInstructions: false, isTerminal: false, outline: 'none', outlineWidth: 0 };
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 80) ?? '',
      inInstructions: !!el.closest('.instructions') && !el.classList.contains('instructions'),
      isTerminal: !!el.closest('.xterm'),
      outline: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth) || 0,
    };
  });
}

describe.skipIf(skip)('accessibility of the catalog and the lab page', () => {
  let fixtures: CliServer;
  let bundled: CliServer;
  let browser: Browser;

  beforeAll(async () => {
    [fixtures, bundled, browser] = await Promise.all([
      CliServer.start(['--labs-dir', path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs'), '--no-sandbox']),
      CliServer.start(['--no-sandbox']),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await fixtures?.stop();
    await bundled?.stop();
  });

  async function connected(page: Page): Promise<void> {
    await expect.poll(() => page.locator('.status').textContent(), { timeout: 20_000 }).toBe('connected');
  }

  async function expectNoSeriousViolations(page: Page, what: string): Promise<void> {
    const violations = await runAxe(page);
    if (violations.length) console.log(`axe, ${what} (minor and moderate findings are reported, not failed):\n${describeViolations(violations)}`);
    const serious = seriousOnes(violations);
    expect(serious, `axe found serious or critical problems on ${what}:\n${describeViolations(serious)}`).toEqual([]);
  }

  it('axe: the catalog (with an unavailable lab) has no serious or critical violations', async () => {
    const page = await newAxePage(browser);
    await page.goto(`${fixtures.url}/?learner=a11y-catalog`);
    await page.getByRole('heading', { name: 'Labs' }).waitFor();
    await expect.poll(() => page.locator('.lab-card.unavailable').count()).toBeGreaterThan(0);
    await expectNoSeriousViolations(page, 'the catalog');
    await page.context().close();
  });

  it('axe: the seed lab page has no serious or critical violations, also with the terminal in screen-reader mode', async () => {
    const page = await newAxePage(browser);
    await page.goto(`${bundled.url}/lab/${SEED_LAB}?learner=a11y-lab`);
    await connected(page);
    await expectNoSeriousViolations(page, `the ${SEED_LAB} lab page`);

    await page.getByLabel('Screen reader mode').check();
    await page.locator('.xterm-accessibility-tree').waitFor({ state: 'attached' });
    await expectNoSeriousViolations(page, `the ${SEED_LAB} lab page in screen-reader mode`);
    await page.context().close();
  });

  it('axe: the grading fixture page, after a failed check shows results and hints, has no serious or critical violations', async () => {
    const page = await newAxePage(browser);
    await page.goto(`${fixtures.url}/lab/graded?learner=a11y-grader`);
    await connected(page);
    const step = page.locator('section[data-step="answer"]');
    // Twice: the hint appears after the second attempt.
    for (let attempt = 1; attempt <= 2; attempt++) {
      await step.getByRole('button', { name: /^Check/ }).click();
      await expect.poll(() => step.locator('.check-result').textContent(), { timeout: 15_000 }).toContain(`${attempt} attempt`);
    }
    expect(await step.getAttribute('data-status')).toBe('failed');
    await step.locator('.step-hints').waitFor();
    await page.screenshot({ path: artifactPath('a11y-grading-failed.png') });
    await expectNoSeriousViolations(page, 'the grading fixture page');
    await page.context().close();
  });

  it('keyboard only: Tab reaches every button of the instructions in order, each with a visible focus ring; F6 leaves the terminal', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${bundled.url}/lab/${SEED_LAB}?learner=a11y-keys`);
    await connected(page);
    // The page opens with the terminal focused, where Tab completes in the shell.
    expect((await focused(page)).isTerminal).toBe(true);
    await page.keyboard.press('Tab');
    expect((await focused(page)).isTerminal, 'Tab must stay in the terminal (shell completion)').toBe(true);

    // F6 leaves it, to the instructions.
    await page.keyboard.press('F6');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.classList.contains('instructions'))).toBe(true);

    const expected = await page.locator('.instructions button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? b.textContent ?? ''));
    // Nine graded steps in the seed lab, each with its Check button.
    expect(expected.filter((n) => n.startsWith('Check: ')).length).toBe(9);
    expect(expected.filter((n) => n.startsWith('Run in terminal')).length).toBeGreaterThan(10);

    const reached: string[] = [];
    let screenshotTaken = false;
    for (let i = 0; i < 400; i++) {
      await page.keyboard.press('Tab');
      const now = await focused(page);
      if (now.isTerminal) break;
      if (!now.inInstructions || now.tag !== 'button') continue;
      reached.push(now.name);
      expect(now.outline, `no focus ring on ${now.name}`).not.toBe('none');
      expect(now.outlineWidth, `focus ring of ${now.name}`).toBeGreaterThanOrEqual(2);
      if (!screenshotTaken && now.name.startsWith('Check')) {
        await page.screenshot({ path: artifactPath('a11y-keyboard-focus.png') });
        screenshotTaken = true;
      }
    }
    expect(reached).toEqual(expected);
    // Tabbing on past the instructions and the divider lands in the terminal.
    expect((await focused(page)).isTerminal).toBe(true);
    await page.close();
  });

  it('keyboard only: Enter runs a command in the terminal, Space runs a check and keeps the focus on its button', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${fixtures.url}/lab/graded?learner=a11y-space`);
    await connected(page);
    await page.keyboard.press('F6');
    let name = '';
    for (let i = 0; i < 50 && !name.startsWith('Check: Write the answer file'); i++) {
      await page.keyboard.press('Tab');
      name = (await focused(page)).name;
    }
    expect(name).toBe('Check: Write the answer file');
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('section[data-step="answer"]').getAttribute('data-status'), { timeout: 15_000 }).toBe('failed');
    expect((await focused(page)).name).toBe('Check: Write the answer file');
    await page.close();

    const lab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await lab.goto(`${bundled.url}/lab/${SEED_LAB}?learner=a11y-enter`);
    await connected(lab);
    await lab.keyboard.press('F6');
    for (let i = 0; i < 50 && !name.startsWith('Run in terminal'); i++) {
      await lab.keyboard.press('Tab');
      name = (await focused(lab)).name;
    }
    expect(name).toBe('Run in terminal: aws ecr create-repository --repository-name myrepo');
    await lab.keyboard.press('Enter');
    await expect.poll(() => terminalText(lab), { timeout: 10_000 }).toContain('--image-scanning-configuration scanOnPush=true');
    await lab.close();
  });

  it('keyboard only: the skip link jumps to the terminal, Shift+F6 reaches the screen-reader toggle, which applies at once and is remembered', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${bundled.url}/lab/${SEED_LAB}?learner=a11y-toggle`);
    await connected(page);
    const mode = () => page.evaluate(() => (globalThis as unknown as { labrunnerTerminal: { term: { options: { screenReaderMode: boolean } } } }).labrunnerTerminal.term.options.screenReaderMode);
    expect(await mode()).toBe(false);

    await page.keyboard.press('Shift+F6');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id)).toBe('screen-reader-mode');
    await page.keyboard.press('Space');
    expect(await mode()).toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('labrunner.screenReader'))).toBe('1');
    await page.locator('.xterm-accessibility-tree').waitFor({ state: 'attached' });

    // Back to the top of the page: brand link, then the skip link, which shows itself when focused.
    for (let i = 0; i < 5 && (await page.evaluate(() => !(globalThis as unknown as PageGlobals).document.activeElement?.classList.contains('skip-link'))); i++) await page.keyboard.press('Shift+Tab');
    const skipBox = await page.locator('.skip-link').boundingBox();
    expect(skipBox!.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect((await focused(page)).isTerminal).toBe(true);

    // Remembered: a reload starts in screen-reader mode; turning it off applies at once.
    await page.reload();
    await connected(page);
    expect(await mode()).toBe(true);
    expect(await page.getByLabel('Screen reader mode').isChecked()).toBe(true);
    await page.getByLabel('Screen reader mode').uncheck();
    expect(await mode()).toBe(false);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('labrunner.screenReader'))).toBe('0');
    await page.close();
  });

  it('at 200% zoom nothing scrolls sideways, no control is cut off, and the terminal sits below the text', async () => {
    // 200% zoom of a 1280×800 window: a 640×400 CSS viewport at twice the pixel density.
    const context = await browser.newContext({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(`${bundled.url}/lab/${SEED_LAB}?learner=a11y-zoom`);
    await connected(page);
    await expect.poll(() => terminalText(page), { timeout: 10_000 }).toMatch(/[#$] *$/m);
    const layout = await page.evaluate(() => {
      const { document, window } = globalThis as unknown as PageGlobals;
      type Box = { left: number; right: number; width: number; height: number };
      type El = { getBoundingClientRect(): Box; scrollWidth: number; clientWidth: number; classList: { contains(c: string): boolean }; tagName: string; textContent: string | null; getAttribute(n: string): string | null };
      const instructions = document.querySelector('.instructions') as El & { contains(e: El): boolean; querySelectorAll(s: string): Iterable<El> };
      const box = instructions.getBoundingClientRect();
      const clipped: string[] = [];
      const controls = [...(document.querySelectorAll('button, a, input, label, .status, .score:not([hidden]), .who') as Iterable<El>)];
      for (const c of controls) {
        const r = c.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue; // hidden (the skip link off-screen above, a hidden score)
        if (c.classList.contains('skip-link')) continue;
        const inInstructions = instructions.contains(c);
        const right = inInstructions ? box.right : window.innerWidth;
        const left = inInstructions ? box.left : 0;
        if (r.left < left - 0.5 || r.right > right + 0.5 || c.scrollWidth > c.clientWidth + 1)
          clipped.push(`${c.tagName.toLowerCase()} "${(c.getAttribute('aria-label') ?? c.textContent ?? '').slice(0, 50)}" ${Math.round(r.left)}–${Math.round(r.right)}`);
      }
      const scrollingCode = [...instructions.querySelectorAll('pre')].filter((pre) => pre.scrollWidth > pre.clientWidth + 1).map((pre) => (pre.textContent ?? '').slice(0, 50));
      return {
        scrollingCode,
        pageScrolls: document.documentElement.scrollWidth > window.innerWidth,
        instructionsScroll: instructions.scrollWidth > instructions.clientWidth,
        clipped,
      };
    });
    await page.screenshot({ path: artifactPath('a11y-zoom-200.png') });
    await page.locator('section[data-step="task-definition"] pre').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('a11y-zoom-200-code.png') });
    expect(layout.pageScrolls, 'the page scrolls sideways').toBe(false);
    expect(layout.instructionsScroll, 'the instructions scroll sideways').toBe(false);
    expect(layout.clipped, 'controls cut off').toEqual([]);
    expect(layout.scrollingCode, 'code blocks that must be scrolled sideways to be read').toEqual([]);
    const text = await page.locator('.instructions').boundingBox();
    const term = await page.locator('.terminal-pane').boundingBox();
    expect(term!.y).toBeGreaterThan(text!.y + text!.height - 1);
    expect(term!.height, 'the terminal keeps some rows').toBeGreaterThan(80);
    await context.close();
  });
  describe('the classroom pages', () => {
    let instructorUrl: string;
    let joinUrl: string;

    beforeAll(async () => {
      const owner = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      ({ instructorUrl, joinUrl } = await createClassroomInPage(owner, fixtures.url, 'A11y class'));
      await owner.close();
      // Two students, one of them with a failed check (a failed cell, an attempt count, a hint).
      for (const name of ['Alan', 'Barbara']) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const student = await context.newPage();
        await joinInPage(student, joinUrl, name);
        if (name === 'Barbara') {
          // (Playwright's own waits: expect.poll belongs to tests, not to hooks.)
          await student.getByRole('link', { name: /Grading fixture/ }).click();
          await student.locator('.topbar .status[data-state="connected"]').waitFor({ timeout: 20_000 });
          await student.locator('section[data-step="answer"]').getByRole('button', { name: /^Check/ }).click();
          await student.locator('section[data-step="answer"][data-status="failed"]').waitFor({ timeout: 15_000 });
        }
        await context.close();
      }
    });

    it('axe: the join page has no serious or critical violations, also showing an error', async () => {
      const page = await newAxePage(browser);
      await page.goto(joinUrl);
      await page.getByRole('heading', { name: 'Join the classroom' }).waitFor();
      await expectNoSeriousViolations(page, 'the join page');
      await page.getByRole('button', { name: 'Join' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toBe('Enter your name.');
      await expectNoSeriousViolations(page, 'the join page with an error');
      await page.context().close();
    });

    it('axe: the dashboard has no serious or critical violations, also with a student’s detail and terminal open', async () => {
      const page = await newAxePage(browser);
      await page.goto(instructorUrl);
      const row = page.locator('tr[data-learner]', { hasText: 'Barbara' });
      await row.waitFor({ timeout: 15_000 });
      await expect.poll(() => row.locator('td[data-step="answer"]').getAttribute('data-status')).toBe('failed');
      await expectNoSeriousViolations(page, 'the dashboard');
      await row.getByRole('button', { name: /Barbara/ }).click();
      await page.locator('section.student-detail').getByRole('heading', { name: 'Barbara' }).waitFor();
      await page.locator('section.student-detail .shadow-host .xterm').waitFor();
      await expect.poll(() => page.locator('section.student-detail .timeline').textContent(), { timeout: 10_000 }).toContain('Not passed');
      await page.screenshot({ path: artifactPath('a11y-dashboard-detail.png'), fullPage: true });
      await expectNoSeriousViolations(page, 'the dashboard with a student’s detail');
      await page.context().close();
    });

    it('keyboard only: Tab reaches the grid’s rows, arrows move between them, Enter opens a student, Escape closes and returns the focus', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(instructorUrl);
      await page.locator('tr[data-learner]', { hasText: 'Barbara' }).waitFor({ timeout: 15_000 });
      let now = await focused(page);
      for (let i = 0; i < 30 && !now.name.endsWith(': open details'); i++) {
        await page.keyboard.press('Tab');
        now = await focused(page);
      }
      // Sorted by name: Alan first.
      expect(now.name).toBe('Alan: open details');
      expect(now.outline, 'no focus ring on the row').not.toBe('none');
      expect(now.outlineWidth).toBeGreaterThanOrEqual(2);
      await page.keyboard.press('ArrowDown');
      expect((await focused(page)).name).toBe('Barbara: open details');
      await page.keyboard.press('Enter');
      const heading = page.locator('section.student-detail').getByRole('heading', { name: 'Barbara' });
      await heading.waitFor();
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id)).toBe('detail-title');
      await page.keyboard.press('Escape');
      expect(await page.locator('section.student-detail').isHidden()).toBe(true);
      expect((await focused(page)).name).toBe('Barbara: open details');
      await page.close();
    });

    it('at 200% zoom the dashboard does not scroll sideways and its grid stays reachable', async () => {
      const context = await browser.newContext({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
      const page = await context.newPage();
      await page.goto(instructorUrl);
      await page.locator('tr[data-learner]', { hasText: 'Barbara' }).waitFor({ timeout: 15_000 });
      const layout = await page.evaluate(() => {
        const { document, window } = globalThis as unknown as PageGlobals;
        return { pageScrolls: document.documentElement.scrollWidth > window.innerWidth, mainScrolls: document.querySelector('main.dashboard').scrollWidth > window.innerWidth };
      });
      await page.screenshot({ path: artifactPath('a11y-dashboard-zoom-200.png') });
      expect(layout.pageScrolls, 'the page scrolls sideways').toBe(false);
      expect(layout.mainScrolls, 'the dashboard scrolls sideways').toBe(false);
      await context.close();
    });
  });
});
