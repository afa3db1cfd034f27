import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { HttpError } from '../core/errors.ts';
import { LAB_ID_PATTERN, LEARNER_ID_PATTERN } from '../core/protocol.ts';
import type { Principal } from '../core/classroom/model.ts';
import type { ClassroomService } from '../classroom/index.ts';
import type { ILabCatalog, LearnerContext } from '../labs/index.ts';
import { AccessPolicy, SESSION_COOKIE, TOKEN_COOKIE, tokenFromUrl } from './access-policy.ts';
import { forbidden } from './authorize.ts';
import { classroomRoutes, publicClassroomRoutes, type ClassroomRouteOptions } from './classroom-routes.ts';

export interface HttpAppDeps {
  policy: AccessPolicy;
  labs: ILabCatalog;
  /** Who a learner is to their labs: account, region and registry for `{{variables}}`. */
  learnerContext(learnerId: string, labId: string): Promise<LearnerContext>;
  labsDir: string;
  clientDir: string;
  classrooms: ClassroomService;
  authorMode: boolean;
  /** Rate limits of failed joins and instructor keys (tests lower them). */
  limits?: ClassroomRouteOptions['limits'];
  log: (msg: string, err?: unknown) => void;
}

/** Who made this request (set by the access middleware); undefined: anonymous. */
export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

/** Lab folders whose files a browser may fetch; `solve/` (the answers) and `lab.md` itself are not among them. */
const PUBLIC_LAB_FOLDERS = new Set(['assets', 'files']);

/** The HTTP side: the client bundle, the lab API and lab assets — nothing else on disk is reachable. */
export function createHttpApp(deps: HttpAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.use(securityHeaders);
  app.use(tokenLogin(deps.policy));
  app.use((req, res, next) => {
    // Host (local mode) holds for everyone, students and instructors included.
    const refused = deps.policy.gate(req, { browserChannel: false });
    if (refused) return void sendRefusal(req, res, deps.policy.mode === 'local' ? 403 : 401, refused);
    const access = deps.policy.resolve(req);
    res.locals.principal = access.principal;
    res.locals.refusal = access.reason;
    if (access.deadSession) res.clearCookie(SESSION_COOKIE, { path: '/' });
    next();
  });
  app.use(sameOriginJsonPosts);
  app.use(express.json({ limit: '200kb' }));

  // Anonymous requests reach only these, and the client's static files.
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  const indexHtml = path.join(deps.clientDir, 'index.html');
  const sendApp = (_req: Request, res: Response) => {
    if (!existsSync(indexHtml)) throw new HttpError(503, 'The browser app has not been built yet (npm run build).');
    res.sendFile(indexHtml);
  };
  app.get('/join/:code', sendApp);
  app.use(publicClassroomRoutes({ classrooms: deps.classrooms, ...(deps.limits ? { limits: deps.limits } : {}) }));
  app.use(express.static(deps.clientDir, { index: false, dotfiles: 'deny', fallthrough: true }));

  app.use((req, res, next) => {
    if (principalOf(res)) return next();
    sendRefusal(req, res, deps.policy.mode === 'local' && !res.locals.refusal ? 403 : 401, (res.locals.refusal as string | undefined) ?? 'not signed in');
  });

  app.use(classroomRoutes({ classrooms: deps.classrooms, mode: deps.policy.mode, authorMode: deps.authorMode }));

  app.get('/api/labs', async (_req, res) => {
    const labs = await deps.labs.list();
    const allowed = allowedLabs(principalOf(res), deps.classrooms);
    res.json(allowed ? labs.filter((l) => allowed.includes(l.id)) : labs);
  });
  app.get('/api/labs/:id', async (req, res) => {
    const who = principalOf(res);
    const allowed = allowedLabs(who, deps.classrooms);
    if (allowed && !allowed.includes(req.params.id)) throw forbidden('This lab is not part of your classroom.');
    // The lab page for one learner (`?learner=`), with their own values in place of `{{variables}}`; a
    // student always sees their own, whatever the URL says, and an instructor sees the lab as written.
    const asked = typeof req.query.learner === 'string' && LEARNER_ID_PATTERN.test(req.query.learner) ? req.query.learner : undefined;
    const learner = who?.role === 'student' ? who.learnerId : who?.role === 'owner' ? asked : undefined;
    const view = await deps.labs.view(req.params.id, learner ? await deps.learnerContext(learner, req.params.id) : undefined);
    if (!view) throw new HttpError(404, `There is no lab '${req.params.id}'.`, { code: 'LabNotFound' });
    res.json(view);
  });

  app.get('/labs/:id/*rest', (req, res, next) => {
    const id = req.params.id;
    const rest = (req.params as unknown as { rest: string[] }).rest;
    if (!LAB_ID_PATTERN.test(id) || !rest.length || !PUBLIC_LAB_FOLDERS.has(rest[0]!)) return next();
    const allowed = allowedLabs(principalOf(res), deps.classrooms);
    if (allowed && !allowed.includes(id)) return next();
    const root = path.resolve(deps.labsDir, id);
    const file = path.resolve(root, ...rest);
    // Belt and braces: express already decodes and splits, but a path must never leave the lab folder.
    if (!file.startsWith(root + path.sep) || rest.some((s) => s === '..' || s.startsWith('.'))) return next();
    res.sendFile(file, { dotfiles: 'deny' }, (err) => err && next());
  });

  // The browser app routes these itself.
  app.get(['/', '/lab/:id', '/classroom/:id', '/classrooms'], sendApp);

  app.use((_req, res) => void res.status(404).json({ error: { code: 'NotFound', message: 'Not found' } }));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) return void res.status(err.status).json({ error: { code: err.code, message: err.message } });
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return void res.status(status).json({ error: { code: 'BadRequest', message: 'Bad request' } });
    }
    deps.log('request failed', err);
    res.status(500).json({ error: { code: 'InternalError', message: 'Internal error' } });
  });
  return app;
}

/** The labs a classroom member may open; undefined for the owner (all of them). */
function allowedLabs(who: Principal | undefined, classrooms: ClassroomService): string[] | undefined {
  if (!who || who.role === 'owner') return undefined;
  return classrooms.get(who.classroomId).labIds;
}

function sendRefusal(req: Request, res: Response, status: number, reason: string): void {
  res.status(status);
  if (req.path.startsWith('/api/')) res.json({ error: { code: 'Unauthorized', message: reason } });
  else res.type('text/plain').send(`labrunner: ${reason}. Open the link the server printed at start (it carries ?token=…), or your classroom's link.`);
}

/**
 * CSRF: a state-changing request must be JSON (an HTML form or a no-CORS fetch from another site cannot send
 * `Content-Type: application/json`) and, when the browser says where it comes from, come from this server.
 */
function sameOriginJsonPosts(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(origin).host.toLowerCase();
    } catch {
      host = undefined;
    }
    if (host !== (req.headers.host ?? '').toLowerCase()) {
      return void res.status(403).json({ error: { code: 'CrossOrigin', message: 'Requests from another site are refused.' } });
    }
  }
  if (!req.is('application/json')) {
    return void res.status(415).json({ error: { code: 'UnsupportedMediaType', message: 'Send a JSON body (Content-Type: application/json).' } });
  }
  next();
}

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The token may be in the first URL; never leak it to another site.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}

/** First visit with `?token=`: remember it in an httpOnly cookie and drop it from the address bar. */
function tokenLogin(policy: AccessPolicy) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = tokenFromUrl(req.originalUrl);
    if (req.method !== 'GET' || policy.mode !== 'token' || !token || !policy.tokenMatches(token)) return next();
    res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/' });
    const url = new URL(req.originalUrl, 'http://x');
    url.searchParams.delete('token');
    res.redirect(303, url.pathname + url.search);
  };
}
