import { z } from 'zod';
import { fail, pass, type CheckerDefinition } from '../../server/core/checks.ts';
import { abortSignalOf } from '../lib/deadline.ts';
import { zodParams } from '../lib/params.ts';
import { excerpt } from '../lib/text.ts';
import type { AwsContext } from '../lib/ecr.ts';
import { findTaskAddress } from './task-address.ts';

const Params = z
  .strictObject({
    /** The full URL to GET, e.g. `http://{{taskIp}}/`. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Or a port on this machine (127.0.0.1), where the learner's container publishes. */
    port: z.number().int().min(1).max(65535).optional(),
    /** Or the page of a running ECS task, found as `describe-tasks` shows it (networkBindings / ENI). */
    task: z
      .strictObject({
        cluster: z.string().min(1),
        family: z.string().min(1).optional(),
        containerPort: z.number().int().min(1).max(65535).optional(),
      })
      .optional(),
    /** With `port` (or added to `url`): the path, default `/`. */
    path: z.string().startsWith('/').optional(),
    /** Text the body must contain, e.g. `Hello From ECS`. */
    contains: z.string().min(1).optional(),
    /** The status expected; default any 2xx. */
    status: z.number().int().min(100).max(599).optional(),
    timeoutSeconds: z.number().positive().max(60).default(5),
  })
  .refine((p) => [p.url, p.port, p.task].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of url, port or task' });
type Params = z.output<typeof Params>;

/** Bodies are read up to this size; `contains` looks only here. */
const MAX_BODY = 1 << 20;

/** A web page answers (GET) with the expected status and text. */
export const httpResponds: CheckerDefinition<Params> = {
  id: 'http.responds',
  description: "A URL, a local port or a running ECS task's page answers a GET with the expected status and text",
  params: zodParams(Params),
  async run(p, ctx) {
    let base = p.url;
    let taskNote = '';
    if (p.task !== undefined) {
      const found = await findTaskAddress(ctx as AwsContext, p.task);
      if (!found.ok) return fail(found.message, found.hint, { task: p.task });
      base = found.url;
      taskNote = ` (the task's address)`;
    }
    const target = base !== undefined ? (p.path !== undefined ? new URL(p.path, base).toString() : base) : `http://127.0.0.1:${p.port}${p.path ?? '/'}`;
    const where = p.port !== undefined ? `port ${p.port} (${target})` : `${target}${taskNote}`;
    const signal = AbortSignal.any([abortSignalOf(ctx.signal), AbortSignal.timeout(p.timeoutSeconds * 1000)]);
    let res: Response;
    let body: string;
    try {
      res = await fetch(target, { signal, redirect: 'follow', headers: { 'user-agent': 'labrunner-check' } });
      body = await readBody(res);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      if (signal.aborted) {
        return fail(`The page at ${where} did not answer within ${p.timeoutSeconds} s.`, `Something accepted the connection but sent no page. Is your server stuck, or still starting?`, { url: target });
      }
      const code = causeCode(err);
      const portHint = p.port !== undefined ? ` Is your container running and publishing port ${p.port} (docker ps; docker run -p ${p.port}:<container-port> …)?` : ' Is your task or server running, and is the address right?';
      return fail(`The page at ${where} is not reachable${code ? ` (${code})` : ''}.`, `Nothing answered at ${target}.${portHint}`, { url: target, error: code ?? String(err) });
    }
    const evidence = { url: target, status: res.status, bodyStart: excerpt(body) };
    const statusOk = p.status !== undefined ? res.status === p.status : res.status >= 200 && res.status < 300;
    if (!statusOk) {
      return fail(
        `The page at ${where} answered ${res.status}${p.status !== undefined ? `, not ${p.status}` : ''}.`,
        `It said: "${excerpt(body)}". Check the path and what your server serves there.`,
        evidence,
      );
    }
    if (p.contains !== undefined && !body.includes(p.contains)) {
      return fail(`The page at ${where} does not contain "${p.contains}".`, body.trim() ? `It starts with: "${excerpt(body)}"` : 'The page is empty.', evidence);
    }
    return pass(`The page at ${where} answered ${res.status}${p.contains !== undefined ? ` with "${p.contains}"` : ''}.`, evidence);
  },
};

async function readBody(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_BODY) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, MAX_BODY));
}

/** `ECONNREFUSED` and friends from undici's `fetch failed` error. */
function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown; errors?: { code?: unknown }[] } })?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  const inner = cause?.errors?.find((e) => typeof e.code === 'string')?.code;
  return typeof inner === 'string' ? inner : undefined;
}
