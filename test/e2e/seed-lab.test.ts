/**
 * The seed lab, ecr-hello-ecs, played by a student in Chromium against `labrunner serve` with its embedded
 * sandbox: from the catalog, every step's commands go in through its "Run in terminal" buttons (the one file
 * edit is typed into the terminal), each step's Check turns it green, and the running task's page, found with
 * the lab's own task-url.sh, opens in a new tab and says "Hello From ECS". The lab's clean-up block runs at
 * the end, then whatever is left of the learner's ECS work is stopped and the images the run made are removed.
 * Slow: podman builds, pushes and runs containers (minutes).
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliServer } from '../helpers/cli-server.ts';
import { artifactPath, hasChromium, launchChromium, terminalText, type PageGlobals } from '../helpers/browser.ts';

const LAB = 'ecr-hello-ecs';
const skipReason = !hasChromium()
  ? '/usr/bin/chromium is missing (run scripts/setup-system)'
  : !existsSync('/usr/bin/podman')
    ? 'podman is missing (run scripts/setup-system)'
    : undefined;
if (skipReason) console.warn(`skipping the seed lab browser test: ${skipReason}`);

const COMMAND_TIMEOUT = 300_000;

/** Progress on stderr (LABRUNNER_TEST_VERBOSE=1): this run takes minutes. */
function log(message: string): void {
  if (process.env.LABRUNNER_TEST_VERBOSE) process.stderr.write(`[seed-lab] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

describe.skipIf(skipReason !== undefined)(`a student plays ${LAB} in the browser`, () => {
  let server: CliServer;
  let browser: Browser;
  let page: Page | undefined;
  const runId = Date.now().toString(36);
  const learner = `e2e-student-${runId}`;
  let marker = 0;
  let cleaned = false;

  beforeAll(async () => {
    [server, browser] = await Promise.all([CliServer.start(['--sandbox-port', '0']), launchChromium()]);
  }, 180_000);

  afterAll(async () => {
    if (page && !cleaned) await cleanUp(page).catch((err) => console.warn(`clean-up after ${LAB} failed: ${String(err)}`));
    await browser?.close();
    await server?.stop();
  }, 300_000);

  /**
   * Waits until the shell has finished what it was given and returns its exit status: types a marker command
   * (the shell reads it once the running command is done). The typed line shows `$?` literally, so only the
   * marker's output matches.
   */
  async function finished(p: Page, timeout = COMMAND_TIMEOUT): Promise<number> {
    const id = `${++marker}`;
    await p.keyboard.type(`echo "__done_${id}__ rc=$?"\n`);
    const done = new RegExp(`__done_${id}__ rc=(\\d+)`);
    return Number((await waitForText(p, done, timeout))[1]);
  }

  /** Polls the terminal's text until it matches (usable in afterAll, unlike expect.poll). */
  async function waitForText(p: Page, pattern: RegExp, timeout: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const text = await terminalText(p);
      const match = pattern.exec(text);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`the terminal did not show ${pattern} within ${timeout / 1000} s:\n${text.slice(-3000)}`);
      await p.waitForTimeout(500);
    }
  }

  /** Clicks each "Run in terminal" button of a step, in order, and waits for each command to finish. */
  async function runStep(p: Page, step: string, opts: { skip?: (command: string) => boolean } = {}): Promise<void> {
    const buttons = p.locator(`section[data-step="${step}"] button.run-button`);
    const count = await buttons.count();
    expect(count, `"Run in terminal" buttons in step ${step}`).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) {
      const button = buttons.nth(i);
      const name = (await button.getAttribute('aria-label')) ?? '';
      if (opts.skip?.(name)) continue;
      log(`${step}: ${name}`);
      await button.click();
      const rc = await finished(p);
      expect(rc, `${name} exited with ${rc}:\n${(await terminalText(p)).slice(-3000)}`).toBe(0);
    }
  }

  /** Clicks the step's Check until it passes (some outcomes settle a moment after the command returns). */
  async function check(p: Page, step: string): Promise<void> {
    const section = p.locator(`section[data-step="${step}"]`);
    const button = section.locator('button.check-button');
    const attempts = async () => Number(/(\d+) attempts?$/.exec((await section.locator('.check-result').textContent()) ?? '')?.[1] ?? 0);
    for (let attempt = 1; ; attempt++) {
      const before = await attempts();
      await button.click();
      await expect.poll(attempts, { timeout: 60_000 }).toBe(before + 1);
      await expect.poll(() => button.getAttribute('aria-busy'), { timeout: 60_000 }).toBeNull();
      const status = await section.getAttribute('data-status');
      log(`${step}: check ${attempt}: ${status}`);
      if (status === 'passed') return;
      if (attempt >= 6) {
        const results = await section.locator('.check-list').innerText();
        throw new Error(`step ${step} is ${status} after ${attempt} checks:\n${results}\n--- terminal ---\n${(await terminalText(p)).slice(-3000)}`);
      }
      await p.waitForTimeout(3000);
    }
  }

  /**
   * Stops what the learner's account still runs (ECS services and tasks, through the API from their shell) and
   * removes the images this run made: every tag in the learner's registry, and the local `myrepo:latest` when it
   * is still the image this run built (the podman store is shared with other tests that use the same name).
   */
  async function cleanUp(p: Page): Promise<number> {
    const script = [
      'for c in $(aws ecs list-clusters --query "clusterArns[]" --output text 2>/dev/null); do',
      '  for s in $(aws ecs list-services --cluster "$c" --query "serviceArns[]" --output text); do aws ecs delete-service --cluster "$c" --service "$s" --force >/dev/null; done',
      '  for t in $(aws ecs list-tasks --cluster "$c" --query "taskArns[]" --output text); do aws ecs stop-task --cluster "$c" --task "$t" >/dev/null; done',
      '  t=$(aws ecs list-tasks --cluster "$c" --desired-status STOPPED --query "taskArns[]" --output text); [ -n "$t" ] && aws ecs wait tasks-stopped --cluster "$c" --tasks $t',
      'done',
      'reg=$(aws ecr describe-registry --query registryId --output text).dkr.ecr',
      'ours=$(docker images --format "{{.Repository}}:{{.Tag}}" | grep -F "$reg")',
      'ids=$(for i in $ours; do docker image inspect --format "{{.Id}}" "$i"; done | sort -u)',
      'local=$(docker image inspect --format "{{.Id}}" myrepo:latest 2>/dev/null)',
      'echo "$ours" | xargs -r docker rmi >/dev/null 2>&1',
      'if [ -n "$local" ] && echo "$ids" | grep -qxF "$local"; then docker rmi myrepo:latest >/dev/null 2>&1; fi',
      'echo "__images_left__ $(docker images --format "{{.Repository}}" | grep -cF "$reg")"',
    ].join('\n');
    await p.evaluate((text) => {
      (globalThis as unknown as PageGlobals & { labrunnerTerminal: { type(t: string): void } }).labrunnerTerminal.type(text);
    }, `bash -c '${script.replace(/'/g, `'\\''`)}'\r`);
    await finished(p, 180_000);
    const left = /__images_left__ (\d+)/.exec(await terminalText(p));
    cleaned = true;
    return left ? Number(left[1]) : NaN;
  }

  it('every step passes through the page, and the task serves "Hello From ECS" in a new tab', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = (page = await context.newPage());
    await p.goto(`${server.url}/?learner=${learner}`);
    await p.getByRole('link', { name: /From ECR to ECS/ }).click();
    await p.waitForURL(new RegExp(`/lab/${LAB}`));
    await expect.poll(() => p.locator('.status').textContent(), { timeout: 30_000 }).toBe('connected');
    await expect.poll(() => terminalText(p), { timeout: 20_000 }).toMatch(/[#$] *$/m);
    const graded = await p.locator('section.lab-step:has(button.check-button)').evaluateAll((s) => s.map((e) => e.getAttribute('data-step')!));
    expect(graded).toEqual(['create-repo', 'docker-login', 'build-image', 'push-image', 'create-cluster', 'task-definition', 'run-task', 'open-page', 'service']);
    await p.screenshot({ path: artifactPath('seed-lab-start.png') });

    // A step checked before it is done is not passed.
    await p.locator('section[data-step="create-repo"] button.check-button').click();
    await expect.poll(() => p.locator('section[data-step="create-repo"]').getAttribute('data-status'), { timeout: 30_000 }).toBe('failed');

    await runStep(p, 'create-repo');
    await check(p, 'create-repo');

    await runStep(p, 'docker-login');
    await check(p, 'docker-login');

    // The learner writes the page: an edit typed into the terminal instead of the lab's heredoc block.
    const signature = `e2e run ${runId}`;
    await runStep(p, 'build-image', { skip: (c) => c.startsWith('Run in terminal: docker build') || c.startsWith('Run in terminal: cat > index.html') });
    await p.keyboard.type(
      `sed -i -e 's|<title>My page</title>|<title>Hello From ECS</title>|' -e 's|<h1>Nothing to see here yet</h1>|<h1>Hello From ECS</h1><p>${signature}</p>|' index.html && grep -c 'Hello From ECS' index.html\n`,
    );
    expect(await finished(p)).toBe(0);
    await runStep(p, 'build-image', { skip: (c) => !c.startsWith('Run in terminal: docker build') });
    await check(p, 'build-image');

    await runStep(p, 'push-image');
    await check(p, 'push-image');
    await p.screenshot({ path: artifactPath('seed-lab-midway.png') });

    await runStep(p, 'create-cluster');
    await check(p, 'create-cluster');

    await runStep(p, 'task-definition');
    await check(p, 'task-definition');

    await runStep(p, 'run-task');
    await check(p, 'run-task');

    await runStep(p, 'open-page');
    await check(p, 'open-page');

    await runStep(p, 'service');
    await check(p, 'service');

    for (const step of graded) expect(await p.locator(`section[data-step="${step}"]`).getAttribute('data-status'), step).toBe('passed');
    await expect.poll(() => p.getByLabel('Your score').textContent()).toBe('105 / 105 points');

    // The task's address, as the lab finds it: its own script prints the URL.
    const id = `${++marker}`;
    await p.locator('.xterm').click();
    await p.keyboard.type(`echo "__url_${id}__ $(bash task-url.sh)"\n`);
    const urlPattern = new RegExp(`__url_${id}__ (http://\\S+)`);
    const url = (await waitForText(p, urlPattern, 60_000))[1]!;
    log(`task page at ${url}`);
    const tab = await context.newPage();
    await tab.goto(url);
    await expect.poll(() => tab.locator('h1').textContent(), { timeout: 30_000 }).toBe('Hello From ECS');
    expect(await tab.locator('body').textContent()).toContain(signature);
    await tab.screenshot({ path: artifactPath('seed-lab-task-page.png') });
    await tab.close();

    await p.locator('section[data-step="service"]').scrollIntoViewIfNeeded();
    await p.screenshot({ path: artifactPath('seed-lab-end.png') });

    // The lab's own clean-up block. It deletes the cluster right after asking the tasks to stop, which ECS refuses
    // while they are still stopping (ClusterContainsTasksException), so a learner may have to delete it again.
    await p.locator('section[data-step="clean-up"] button.run-button').first().click();
    const labCleanUp = await finished(p);
    log(`the lab's clean-up block exited with ${labCleanUp}`);
    if (labCleanUp !== 0) {
      await p.keyboard.type(
        `t=$(aws ecs list-tasks --cluster hello-cluster --desired-status STOPPED --query 'taskArns[]' --output text); [ -z "$t" ] || aws ecs wait tasks-stopped --cluster hello-cluster --tasks $t; aws ecs delete-cluster --cluster hello-cluster >/dev/null\n`,
      );
      const rc = await finished(p);
      expect(rc, `deleting the cluster after its tasks stopped exited with ${rc}:\n${(await terminalText(p)).slice(-3000)}`).toBe(0);
    }
    const id2 = `${++marker}`;
    await p.keyboard.type(`echo "__state_${id2}__ $(aws ecs describe-clusters --clusters hello-cluster --query 'clusters[0].status' --output text)"\n`);
    const state = await waitForText(p, new RegExp(`__state_${id2}__ ([A-Z]+)\\s*$`, 'm'), 60_000);
    expect(state[1], 'the cluster after clean-up').toBe('INACTIVE');

    // What is left, and the images this run made.
    expect(await cleanUp(p), 'images left in the learner\'s registry').toBe(0);
  }, 1_500_000);
});
