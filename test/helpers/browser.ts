import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../cli/paths.ts';

/** Debian's Chromium: `npx playwright install` cannot download browsers on these machines. */
export const CHROMIUM = '/usr/bin/chromium';

export const ARTIFACTS_DIR = path.join(PROJECT_ROOT, 'test-artifacts');

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** Headless Chromium with the flags that keep it off the (closed) network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

/** What the terminal shows, read from xterm's buffer (the WebGL renderer draws text on a canvas, not in the DOM). */
export function terminalText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const buffer = (globalThis as unknown as { labrunnerTerminal: { term: { buffer: { active: { length: number; getLine(i: number): { translateToString(trim: boolean): string } | undefined } } } } })
      .labrunnerTerminal.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  });
}

/** A page whose context lets axe-core be injected despite the server's CSP. Close it with `page.context().close()`. */
export async function newAxePage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ bypassCSP: true, viewport });
  return context.newPage();
}

/**
 * The page's globals, for code that runs in the page (`page.evaluate`): this project's tsconfig for Node code
 * has no DOM library, so they are untyped here. Use as `const { document } = globalThis as unknown as PageGlobals`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PageGlobals = Record<'document' | 'window' | 'localStorage' | 'getComputedStyle', any>;

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core in the page (injected from node_modules: no network) and returns its violations. The server's
 * Content-Security-Policy refuses inline scripts, so the page must come from a context made with
 * `bypassCSP: true` (see `newAxePage`).
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async () => {
    const { axe, document } = globalThis as unknown as PageGlobals & { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  });
}

/** Violations as text a failing assertion can show: rule, impact, and each offending element. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => [`[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`, ...v.nodes.map((n) => `    ${JSON.stringify(n.target)} ${n.html.slice(0, 200)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)].join('\n'))
    .join('\n');
}
