import type { Page } from 'playwright-core';

/** What the classrooms page shows once a classroom is created. */
export interface CreatedClassroom {
  joinUrl: string;
  joinCode: string;
  instructorUrl: string;
}

/** Creates a classroom through the owner's classrooms page (the owner: a browser with no session, on loopback). */
export async function createClassroomInPage(owner: Page, serverUrl: string, name: string, opts: { labTitles?: RegExp[]; roster?: string[] } = {}): Promise<CreatedClassroom> {
  await owner.goto(`${serverUrl}/classrooms`);
  await owner.getByRole('heading', { name: 'New classroom' }).waitFor();
  await owner.getByLabel('Name').fill(name);
  for (const title of opts.labTitles ?? [/Grading fixture/]) await owner.getByLabel(title).check();
  if (opts.roster) await owner.getByLabel('Roster (optional)').fill(opts.roster.join('\n'));
  await owner.getByRole('button', { name: 'Create classroom' }).click();
  const created = owner.locator('section.created');
  await created.getByRole('heading', { name: `“${name}” is ready` }).waitFor();
  return {
    joinUrl: (await created.locator('.join-url').textContent())!,
    joinCode: (await created.locator('.join-code').textContent())!,
    instructorUrl: await created.getByRole('textbox', { name: 'Instructor link' }).inputValue(),
  };
}

/** Joins through the join page with a display name; resolves once the student's catalog shows. */
export async function joinInPage(page: Page, joinUrl: string, displayName: string): Promise<void> {
  await page.goto(joinUrl);
  await page.getByLabel('Your name').fill(displayName);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByText(new RegExp(`as ${displayName}$`)).waitFor();
}

/** What the instructor's shadow view of a student's terminal shows, from xterm's buffer. */
export function shadowText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const shadow = (globalThis as unknown as { labrunnerShadowTerminal?: { term: { buffer: { active: { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } } } } })
      .labrunnerShadowTerminal;
    if (!shadow) return '';
    const buffer = shadow.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  });
}
