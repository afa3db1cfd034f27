/**
 * Every bundled lab with solution scripts, solved as a learner would, against the embedded sandbox: for each
 * graded step its checks run through the server (socket.io `check:run`) and must fail, then
 * `bash <lab>/solve/<step>.sh` is typed into the learner's own terminal (their workspace, AWS variables,
 * `aws` wrapper and DOCKER_HOST), and the checks must pass.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInCheckers } from '../../checkers/index.ts';
import { BIN, LABS_DIR } from '../../cli/paths.ts';
import { EmbeddedSandbox } from '../../server/aws/index.ts';
import type { Answer, ClientToServerEvents, LabProgressView, LabStepView, ServerToClientEvents } from '../../server/core/protocol.ts';
import { createLintRegistry, FileLabCatalog } from '../../server/labs/index.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const BASE_IMAGES = ['localhost/labrunner/apache:bookworm', 'localhost/labrunner/busybox-httpd:latest'];
const hasDocker = ['/usr/local/bin/docker', '/usr/bin/docker'].some((p) => existsSync(p));
const hasBase = existsSync('/usr/bin/podman') && spawnSync('/usr/bin/podman', ['image', 'exists', BASE_IMAGES[0]!]).status === 0;
const skipReason = !existsSync('/usr/bin/podman')
  ? 'podman is missing (run scripts/setup-system)'
  : !existsSync('/usr/bin/aws')
    ? 'the AWS CLI (/usr/bin/aws) is missing (run scripts/setup-system)'
    : !hasDocker
      ? 'the docker client is missing'
      : !hasBase
        ? `the base image ${BASE_IMAGES[0]} is missing (run scripts/build-base-images)`
        : undefined;
if (skipReason) console.warn(`skipping the bundled labs' solution tests: ${skipReason}`);

/** Labs under labs/ that ship solution scripts. */
const labIds = readdirSync(LABS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(LABS_DIR, d.name, 'lab.md')) && existsSync(path.join(LABS_DIR, d.name, 'solve')))
  .map((d) => d.name)
  .sort();

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

describe.skipIf(skipReason !== undefined)("bundled labs, solved with their solve/ scripts", () => {
  let sandboxDir: string;
  let sandbox: EmbeddedSandbox;
  let server: TestServer;
  const catalog = new FileLabCatalog(LABS_DIR, { checkers: createLintRegistry(builtInCheckers) });
  const runId = Date.now().toString(36);

  beforeAll(async () => {
    sandboxDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-solve-'));
    sandbox = await EmbeddedSandbox.start({ bin: BIN, dataDir: sandboxDir, port: 0, lifecycleIntervalSeconds: 2, log: () => undefined });
    server = await startTestServer({ aws: sandbox });
  });
  afterAll(async () => {
    await server?.dispose();
    await sandbox?.dispose();
    if (sandboxDir) rmSync(sandboxDir, { recursive: true, force: true });
  });

  it('finds labs with solutions', () => {
    expect(labIds.length).toBeGreaterThan(0);
  });

  for (const labId of labIds) {
    it(`${labId}: every graded step fails before its solution and passes after`, async () => {
      const view = await catalog.view(labId);
      expect(view?.available, JSON.stringify(view?.problems)).toBe(true);
      const graded = view!.steps.filter((s) => s.checks.length > 0);
      for (const step of graded) expect(existsSync(solveScript(labId, step)), `solve/${step.id}.sh`).toBe(true);

      // A learner of their own: a fresh sandbox account and workspace.
      const learnerId = `solve-${labId}-${runId}`.slice(0, 64);
      const term = await TerminalClient.connect(server.url, { learner: learnerId, lab: labId, cols: 200, rows: 50 });
      const socket: Client = io(server.url, { auth: { learnerId }, transports: ['websocket'], reconnection: false });
      try {
        await term.waitForMessage('attached');
        if (!socket.connected) {
          await new Promise<void>((resolve, reject) => {
            socket.once('connect', () => resolve());
            socket.once('connect_error', reject);
          });
        }
        await ask(socket, 'lab:open', { labId });

        for (const step of graded) {
          log(`${labId}/${step.id}: checking before its solution`);
          const before = await checkStep(socket, labId, step);
          expect(before.status, `${labId}/${step.id} passed before its solution:\n${explain(before)}`).not.toBe('passed');
          expect(before.results.filter((r) => r.status === 'error'), `${labId}/${step.id} checks errored:\n${explain(before)}`).toEqual([]);

          log(`${labId}/${step.id}: solve/${step.id}.sh`);
          await solve(term, labId, step);

          let after = await checkStep(socket, labId, step);
          // Some outcomes settle a moment after the command returns (a scan, a replica, a service's count).
          for (let i = 0; i < 5 && after.status !== 'passed'; i++) {
            await new Promise((r) => setTimeout(r, 2000));
            after = await checkStep(socket, labId, step);
          }
          expect(after.status, `${labId}/${step.id} did not pass after solve/${step.id}.sh:\n${explain(after)}\n--- terminal ---\n${term.text.slice(-3000)}`).toBe('passed');
        }
      } finally {
        await cleanUp(term, labId);
        socket.close();
        await term.close();
      }
    }, 900_000);
  }
});

/** Progress on stderr (LABRUNNER_TEST_VERBOSE=1): these runs take minutes. */
function log(message: string): void {
  if (process.env.LABRUNNER_TEST_VERBOSE) process.stderr.write(`[solve] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

function solveScript(labId: string, step: LabStepView): string {
  return path.join(LABS_DIR, labId, 'solve', `${step.id}.sh`);
}

async function ask<E extends 'lab:open' | 'check:run'>(socket: Client, event: E, request: Parameters<ClientToServerEvents[E]>[0]): Promise<LabProgressView> {
  const answer = await new Promise<Answer<LabProgressView>>((resolve) => {
    (socket.emit as (e: string, r: unknown, cb: (a: Answer<LabProgressView>) => void) => void)(event, request, resolve);
  });
  if (!answer.ok) throw new Error(`${event} failed: ${answer.error.code}: ${answer.error.message}`);
  return answer.value;
}

async function checkStep(socket: Client, labId: string, step: LabStepView) {
  const progress = await ask(socket, 'check:run', { labId, stepId: step.id });
  const result = progress.steps[step.id];
  if (!result) throw new Error(`no progress for step ${step.id}`);
  return result;
}

function explain(step: { status: string; results: { title: string; status: string; message: string; hint?: string }[] }): string {
  return [`status ${step.status}`, ...step.results.map((r) => `  [${r.status}] ${r.title}: ${r.message}${r.hint ? ` (hint: ${r.hint})` : ''}`)].join('\n');
}

let marker = 0;

/** Types `bash <solve script>` into the learner's terminal and waits for it to finish; its exit code must be 0. */
async function solve(term: TerminalClient, labId: string, step: LabStepView): Promise<void> {
  const id = `${++marker}`;
  // The typed line shows `$?` literally, so only the finished command's echo matches the pattern.
  term.type(`bash '${solveScript(labId, step)}'; echo "__solved_${id}_rc=$?__"\r`);
  const done = new RegExp(`__solved_${id}_rc=(\\d+)__`);
  await term.waitFor(done, 300_000);
  const rc = done.exec(term.text)![1];
  expect(rc, `solve/${step.id}.sh exited with ${rc}:\n${term.text.slice(-3000)}`).toBe('0');
}

/**
 * Stops what the learner's account runs (ECS services and tasks, through the API) and removes the images the
 * scripts built in the shared podman store: everything tagged for this learner's registry. Plain local names
 * such as `myrepo:latest` stay: the store is shared, and another run may be using the same name right now.
 */
async function cleanUp(term: TerminalClient, labId: string): Promise<void> {
  const script = [
    'for c in $(aws ecs list-clusters --query "clusterArns[]" --output text 2>/dev/null); do',
    '  for s in $(aws ecs list-services --cluster "$c" --query "serviceArns[]" --output text); do aws ecs delete-service --cluster "$c" --service "$s" --force >/dev/null; done',
    '  for t in $(aws ecs list-tasks --cluster "$c" --query "taskArns[]" --output text); do aws ecs stop-task --cluster "$c" --task "$t" >/dev/null; done',
    '  t=$(aws ecs list-tasks --cluster "$c" --desired-status STOPPED --query "taskArns[]" --output text); [ -n "$t" ] && aws ecs wait tasks-stopped --cluster "$c" --tasks $t',
    'done',
    'reg=$(aws ecr describe-registry --query registryId --output text).dkr.ecr',
    'docker images --format "{{.Repository}}:{{.Tag}}" | grep -F "$reg" | xargs -r docker rmi -f >/dev/null 2>&1',
  ].join('\n');
  const id = `${++marker}`;
  term.type(`bash -c '${script.replace(/'/g, `'\\''`)}'; echo "__cleaned_${id}__"\r`);
  await term.waitFor(new RegExp(`__cleaned_${id}__\\r?\\n`), 180_000).catch((err) => console.warn(`clean-up of ${labId} did not finish: ${String(err)}`));
}
