/**
 * `GET /_sandbox/tasks/<taskId or ARN>/logs[?tail=N]` (admin token required): the last lines of each
 * container of a task, as text/plain — learners have no CloudWatch here. With several containers each
 * block starts with `==> <name> <==`, as `tail` prints several files. JSON with `?format=json`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EcsRuntime } from './runtime.ts';

/** The path prefix this handler serves. */
export const TASK_LOGS_PATH = /^\/_sandbox\/tasks\/([^/]+)\/logs\/?$/;

/** True when a request is for task logs. */
export function isTaskLogsRequest(req: IncomingMessage): boolean {
  return TASK_LOGS_PATH.test(new URL(req.url ?? '/', 'http://sandbox').pathname);
}

/** Creates the handler; without a runtime (no engine) it answers 503 saying so. */
export function createTaskLogsHandler(deps: {
  adminToken: string;
  runtime: Pick<EcsRuntime, 'logs'> | undefined;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const expected = Buffer.from(`Bearer ${deps.adminToken}`);
  return async (req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const given = Buffer.from(String(req.headers.authorization ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return send(res, 401, { error: 'missing or wrong admin token (Authorization: Bearer <dataDir>/admin-token)' });
    }
    if (req.method !== 'GET') return send(res, 405, { error: 'use GET' });
    if (!deps.runtime) return send(res, 503, { error: 'the sandbox has no container engine: no tasks run, so there are no logs' });
    const ref = decodeURIComponent(TASK_LOGS_PATH.exec(url.pathname)![1]!);
    const tailParam = Number(url.searchParams.get('tail') ?? '100');
    const tail = Number.isInteger(tailParam) && tailParam > 0 ? Math.min(tailParam, 10_000) : 100;
    const logs = await deps.runtime.logs(ref, tail);
    if (!logs) return send(res, 404, { error: `no task ${ref}` });
    if (url.searchParams.get('format') === 'json') return send(res, 200, logs);
    const text =
      logs.containers.length === 1
        ? logs.containers[0]!.text
        : logs.containers.map((c) => `==> ${c.name} <==\n${c.text}`).join('\n');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
