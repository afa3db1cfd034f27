/**
 * The sandbox's own admin API under `/_sandbox/` (not AWS-shaped; JSON in and out):
 * - `GET  /_sandbox/health`                        → `{status:"ok", ...}` (no token: a liveness probe)
 * - `POST /_sandbox/accounts {"learnerId"}`        → `{learnerId, accountId, accessKeyId, secretAccessKey}`, idempotent
 * - `GET  /_sandbox/clock`                         → `{offsetMs, now}`
 * - `POST /_sandbox/clock {"advanceDays": n}`      → moves sandbox time forward, then applies lifecycle policies
 * - `POST /_sandbox/lifecycle/apply`               → applies every lifecycle policy now, returns what expired
 * Everything but health needs `Authorization: Bearer <adminToken>`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LEARNER_ID_PATTERN, type AccountService, type SandboxClock } from '../accounts/index.ts';
import { readBody } from './body.ts';

/** What the admin routes act on. */
export interface AdminDeps {
  readonly adminToken: string;
  readonly accounts: AccountService;
  readonly clock: SandboxClock;
  /** Applies every lifecycle policy (see ecr/lifecycle-runner); returns what expired. */
  readonly applyLifecyclePolicies: () => Promise<unknown[]>;
  readonly health: () => Record<string, unknown>;
}

class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Creates the `/_sandbox/...` handler. */
export function createAdminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const expected = Buffer.from(`Bearer ${deps.adminToken}`);
  const authorised = (req: IncomingMessage) => {
    const given = Buffer.from(String(req.headers.authorization ?? ''));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  return async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://sandbox').pathname.replace(/\/+$/, '');
      const route = `${req.method} ${path}`;
      if (route === 'GET /_sandbox/health') return json(res, 200, { status: 'ok', ...deps.health() });
      if (!authorised(req)) throw new AdminError(401, 'missing or wrong admin token (Authorization: Bearer <dataDir>/admin-token)');
      const body = await readJson(req);
      switch (route) {
        case 'POST /_sandbox/accounts': {
          const learnerId = body['learnerId'];
          if (typeof learnerId !== 'string' || !LEARNER_ID_PATTERN.test(learnerId)) {
            throw new AdminError(400, `learnerId must match ${LEARNER_ID_PATTERN.source}`);
          }
          return json(res, 200, deps.accounts.provision(learnerId));
        }
        case 'GET /_sandbox/clock':
          return json(res, 200, { offsetMs: deps.clock.offsetMs, now: deps.clock.now() });
        case 'POST /_sandbox/clock': {
          const days = body['advanceDays'];
          if (typeof days !== 'number' || !Number.isFinite(days) || days < 0 || days > 36500) {
            throw new AdminError(400, 'advanceDays must be a number between 0 and 36500');
          }
          deps.clock.advanceDays(days);
          const expired = await deps.applyLifecyclePolicies();
          return json(res, 200, { offsetMs: deps.clock.offsetMs, now: deps.clock.now(), expired });
        }
        case 'POST /_sandbox/lifecycle/apply':
          return json(res, 200, { expired: await deps.applyLifecyclePolicies() });
        default:
          throw new AdminError(404, `no admin route ${route}`);
      }
    } catch (err) {
      if (err instanceof AdminError) return json(res, err.status, { error: err.message });
      console.error('sandbox: admin request failed', err);
      return json(res, 500, { error: 'internal error' });
    }
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, 64 * 1024);
  if (!body.ok) throw new AdminError(413, 'body too large');
  const text = body.bytes.toString('utf8').trim();
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AdminError(400, 'body must be a JSON object');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
