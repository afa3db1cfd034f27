/**
 * A classroom in Chromium, with three browsers as three people: the owner creates a classroom on the
 * classrooms page; a student joins through the join page and does the grading fixture's first step in their
 * terminal; the instructor, signed in by the instructor link, watches the dashboard turn that step passed
 * without a reload, sends an announcement that appears on the student's page, and watches the student's
 * terminal live. The join page asks for a roster id when the classroom has a roster and shows the server's
 * refusal beside the field.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import { CliServer } from '../helpers/cli-server.ts';
import { artifactPath, hasChromium, launchChromium, terminalText, type PageGlobals } from '../helpers/browser.ts';
import { createClassroomInPage, joinInPage, shadowText, type CreatedClassroom } from '../helpers/classroom-pages.ts';

const skip = !hasChromium();
if (skip) console.warn('skipping classroom browser tests: /usr/bin/chromium is missing (run scripts/setup-system)');

const VIEWPORT = { width: 1280, height: 900 };

const createClassroom = createClassroomInPage;

describe.skipIf(skip)('a classroom in the browser: owner, student and instructor', () => {
  let server: CliServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let owner: Page;
  let student: Page;
  let instructor: Page;
  let classroom: CreatedClassroom;

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    contexts.push(context);
    return context.newPage();
  }

  beforeAll(async () => {
    [server, browser] = await Promise.all([CliServer.start(['--labs-dir', path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs'), '--no-sandbox']), launchChromium()]);
    owner = await newPage();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('the owner creates a classroom and sees its join link, its code and the instructor link, once', async () => {
    classroom = await createClassroom(owner, server.url, 'E2E class');
    expect(classroom.joinUrl).toMatch(new RegExp(`^${server.url}/join/`));
    expect(classroom.joinUrl.endsWith(classroom.joinCode)).toBe(true);
    expect(classroom.instructorUrl).toMatch(new RegExp(`^${server.url}/instructor/[^?]+\\?key=.+`));
    await expect.poll(() => owner.locator('section.created').textContent()).toContain('Shown only once');
    await owner.screenshot({ path: artifactPath('classroom-created.png') });
    // The list shows it, with its students (none yet) and a link to its dashboard.
    const row = owner.locator('table.classroom-list tr', { hasText: 'E2E class' });
    await expect.poll(() => row.textContent()).toContain('0 students');
    expect(await row.getByRole('link', { name: 'E2E class' }).getAttribute('href')).toMatch(/^\/classroom\//);
  });

  it('a student joins through the join page, sees their classroom’s labs, and opens the lab with the recording notice', async () => {
    student = await newPage();
    await student.goto(classroom.joinUrl);
    await student.getByRole('heading', { name: 'Join the classroom' }).waitFor();
    // The name field has the focus: a student can type at once.
    expect(await student.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id)).toBe('join-name');
    await student.keyboard.type('Ada Lovelace');
    await student.keyboard.press('Enter');
    await student.waitForURL(`${server.url}/`);
    await student.getByText('Joined E2E class as Ada Lovelace').waitFor();
    await student.getByRole('link', { name: /Grading fixture/ }).click();
    await student.waitForURL(/\/lab\/graded$/);
    await expect.poll(() => student.locator('.topbar .status').textContent(), { timeout: 20_000 }).toBe('connected');
    expect(await student.locator('.recording-notice').textContent()).toContain('Your commands in this terminal are recorded for your instructor');
  });

  it('the instructor link opens the dashboard, where the student’s step turns passed without a reload', async () => {
    instructor = await newPage();
    await instructor.goto(classroom.instructorUrl);
    await instructor.waitForURL(/\/classroom\/[^/?]+$/);
    const row = instructor.locator('tr[data-learner]', { hasText: 'Ada Lovelace' });
    await row.waitFor({ timeout: 15_000 });
    const answerCell = row.locator('td[data-step="answer"]');
    expect(await answerCell.getAttribute('data-status')).not.toBe('passed');
    await expect.poll(() => row.locator('.presence').textContent(), { timeout: 10_000 }).toContain('online');

    // The student solves the first step in their own terminal and presses Check.
    await student.locator('.xterm').click();
    await student.keyboard.type('echo 42 > answer.txt\n');
    await expect.poll(() => terminalText(student), { timeout: 10_000 }).toMatch(/echo 42 > answer\.txt\n[^\n]*[#$] *$/m);
    await student.locator('section[data-step="answer"]').getByRole('button', { name: /^Check/ }).click();
    await expect.poll(() => student.locator('section[data-step="answer"]').getAttribute('data-status'), { timeout: 15_000 }).toBe('passed');

    // The dashboard, never reloaded, shows it: in words and icon, not colour alone.
    await expect.poll(() => answerCell.getAttribute('data-status'), { timeout: 10_000 }).toBe('passed');
    expect(await answerCell.textContent()).toContain('Passed');
    await expect.poll(() => instructor.locator('.funnel').textContent()).toContain('Write the answer file: 1 of 1');
    await instructor.screenshot({ path: artifactPath('classroom-dashboard-passed.png'), fullPage: true });
  });

  it('an announcement sent from the dashboard appears on the student’s lab page', async () => {
    const text = 'Break in 5 minutes: push your image first.';
    await instructor.getByLabel('Message to every student’s lab page').fill(text);
    await instructor.getByRole('button', { name: 'Send to all students' }).click();
    await expect.poll(() => instructor.locator('.sent-announcements').textContent(), { timeout: 10_000 }).toContain(text);
    await expect.poll(() => student.locator('.announcement').textContent(), { timeout: 10_000 }).toContain(text);
    await student.screenshot({ path: artifactPath('classroom-student-announcement.png') });
    await student.getByRole('button', { name: 'Dismiss the announcement' }).click();
    expect(await student.locator('.announcement-box').isHidden()).toBe(true);
  });

  it('the student’s detail shows their check history, and the shadow terminal shows what they type', async () => {
    const row = instructor.locator('tr[data-learner]', { hasText: 'Ada Lovelace' });
    // Keyboard: the row's button takes Enter.
    await row.getByRole('button', { name: /Ada Lovelace/ }).focus();
    await instructor.keyboard.press('Enter');
    const detail = instructor.locator('section.student-detail');
    await detail.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await expect.poll(() => detail.locator('.timeline').textContent(), { timeout: 10_000 }).toContain('Passed: Write the answer file');
    await expect.poll(() => shadowText(instructor), { timeout: 15_000 }).toContain('echo 42 > answer.txt');

    await student.locator('.xterm').click();
    await student.keyboard.type('echo shadow-$((6 * 7))\n');
    await expect.poll(() => shadowText(instructor), { timeout: 10_000 }).toContain('shadow-42');
    expect(await detail.locator('.write-state').textContent()).toContain('Read-only');
    await instructor.screenshot({ path: artifactPath('classroom-dashboard-shadow.png'), fullPage: true });
  });

  it('the instructor types in the student’s terminal only after the student allows it, until they press Stop', async () => {
    const detail = instructor.locator('section.student-detail');
    await detail.getByRole('button', { name: 'Request to type' }).click();
    const prompt = student.locator('.write-access');
    await expect.poll(() => prompt.textContent(), { timeout: 10_000 }).toContain('asks to type in your terminal');
    // Not granted yet: the view stays read-only.
    expect(await detail.locator('.write-state').textContent()).not.toContain('lets you type');
    await prompt.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => detail.locator('.write-state').textContent(), { timeout: 10_000 }).toContain('The student lets you type');
    await expect.poll(() => prompt.textContent()).toContain('can type in your terminal');

    await detail.locator('.shadow-host .xterm').click();
    await instructor.keyboard.type('echo from-instructor-$((2 + 3))\n');
    await expect.poll(() => terminalText(student), { timeout: 10_000 }).toContain('from-instructor-5');
    await student.screenshot({ path: artifactPath('classroom-student-write-granted.png') });

    await prompt.getByRole('button', { name: /^Stop/ }).click();
    await expect.poll(() => detail.locator('.write-state').textContent(), { timeout: 10_000 }).toContain('Read-only');
  });

  it('the join page asks for the student id when the classroom has a roster, and shows the server’s refusal beside it', async () => {
    const rostered = await createClassroom(owner, server.url, 'Roster class', { roster: ['s-1001', 's-1002'] });
    const page = await newPage();
    await page.goto(rostered.joinUrl);
    await page.getByLabel('Your name').fill('Grace');
    await page.getByRole('button', { name: 'Join' }).click();
    // The server says an id is needed: the field appears, with the focus.
    const rosterField = page.getByLabel('Your student ID');
    await rosterField.waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id)).toBe('join-roster');
    await rosterField.fill('s-9999');
    await page.getByRole('button', { name: 'Join' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not on the class list');
    expect(await rosterField.getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: artifactPath('classroom-join-refused.png') });

    await rosterField.fill('S-1002');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByText('Joined Roster class as Grace').waitFor();

    // Leave ends the session on the server and says so.
    await page.getByRole('button', { name: 'Leave' }).click();
    await page.getByRole('heading', { name: 'You left the classroom' }).waitFor();
    expect(await page.evaluate(() => fetch('/api/me').then((r) => r.json() as Promise<{ role: string }>))).not.toMatchObject({ role: 'student' });
  });

  it('a classroom with two labs has a lab selector on its dashboard, which switches the grid’s steps', async () => {
    await createClassroom(owner, server.url, 'Two labs', { labTitles: [/Grading fixture/, /Push your first image/] });
    // The owner may open any classroom's dashboard.
    await owner.locator('section.created').getByRole('link', { name: 'Open the dashboard' }).click();
    const select = owner.getByLabel('Lab', { exact: true });
    await select.waitFor();
    const headers = () => owner.locator('table.dashboard-grid thead').textContent();
    // The classroom's first lab (the form lists labs in catalog order) is shown first.
    expect(await select.inputValue()).toBe('complete');
    await expect.poll(headers).toContain('Create the repository');
    await select.selectOption({ label: 'Grading fixture' });
    await expect.poll(headers).toContain('Write the answer file');
    expect(await headers()).not.toContain('Create the repository');
  });

  it('revoking the student’s session from their detail ends their page with a clear message', async () => {
    instructor.once('dialog', (dialog) => void dialog.accept());
    await instructor.locator('section.student-detail').getByRole('button', { name: 'Revoke session' }).click();
    await expect.poll(() => instructor.locator('section.student-detail').getByRole('alert').textContent(), { timeout: 10_000 }).toContain('was revoked');
    await student.getByRole('heading', { name: 'Your session has ended' }).waitFor({ timeout: 10_000 });
    // The terminal is gone with the page: nothing keeps reconnecting.
    expect(await student.locator('.xterm').count()).toBe(0);
    await student.screenshot({ path: artifactPath('classroom-student-session-ended.png') });
  });
});

describe.skipIf(skip)('a classroom student on a real-AWS lab', () => {
  let server: CliServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([CliServer.start(['--labs-dir', path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs-aws'), '--no-sandbox']), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('gives their own credentials in a form that never shows the secret again', async () => {
    const owner = await browser.newPage({ viewport: VIEWPORT });
    const created = await createClassroomInPage(owner, server.url, 'AWS class', { labTitles: [/A lab on real AWS/] });
    await owner.close();
    const context = await browser.newContext({ viewport: VIEWPORT });
    const student = await context.newPage();
    await joinInPage(student, created.joinUrl, 'Linus');
    await student.getByRole('link', { name: /A lab on real AWS/ }).click();
    const form = student.getByRole('form', { name: 'Your AWS account' });
    await form.waitFor();
    await form.getByLabel('Access key ID').fill('AKIAIOSFODNN7EXAMPLE');
    await form.getByLabel('Secret access key').fill('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    await form.getByLabel('Region').fill('eu-west-1');
    await form.getByRole('button', { name: 'Use these credentials' }).click();
    // Whatever the server answers (this one has no way to check them), the secret is gone from the page.
    expect(await form.getByLabel('Secret access key').inputValue()).toBe('');
    await expect.poll(() => form.getByRole('status').textContent(), { timeout: 15_000 }).not.toMatch(/^(|Checking your credentials…)$/);
    expect(await student.content()).not.toContain('wJalrXUtnFEMI');
    await student.screenshot({ path: artifactPath('classroom-aws-credentials.png') });
    await context.close();
  });
});
