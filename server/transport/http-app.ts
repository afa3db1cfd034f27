import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { HttpError } from '../core/errors.ts';
import { LAB_ID_PATTERN, LEARNER_ID_PATTERN } from '../core/protocol.ts';
import type { ILabCatalog, LearnerContext } from '../labs/index.ts';
import { AccessPolicy, TOKEN_COOKIE, tokenFromUrl } from './access-policy.ts';

export interface HttpAppDeps {
  policy: AccessPolicy;
  labs: ILabCatalog;
  /** Who a learner is to their labs: account, region and registry for `{{variables}}`. */
  learnerContext(learnerId: string, labId: string): Promise<LearnerContext>;
  labsDir: string;
  clientDir: string;
  log: (msg: string, err?: unknown) => void;
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
    const refused = deps.policy.check(req, { browserChannel: false });
    if (!refused) return next();
    res.status(deps.policy.mode === 'local' ? 403 : 401);
    if (req.path.startsWith('/api/')) res.json({ error: { code: 'Unauthorized', message: refused } });
    else res.type('text/plain').send(`labrunner: ${refused}. Open the link the server printed at start (it carries ?token=…).`);
  });

  app.get('/healthz', (_req, res) => void res.json({ ok: true }));

  app.get('/api/labs', async (_req, res) => void res.json(await deps.labs.list()));
  app.get('/api/labs/:id', async (req, res) => {
    // The lab page for one learner (`?learner=`), with their own values in place of `{{variables}}`.
    const learner = typeof req.query.learner === 'string' && LEARNER_ID_PATTERN.test(req.query.learner) ? req.query.learner : undefined;
    const view = await deps.labs.view(req.params.id, learner ? await deps.learnerContext(learner, req.params.id) : undefined);
    if (!view) throw new HttpError(404, `There is no lab '${req.params.id}'.`, { code: 'LabNotFound' });
    res.json(view);
  });

  app.get('/labs/:id/*rest', (req, res, next) => {
    const id = req.params.id;
    const rest = (req.params as unknown as { rest: string[] }).rest;
    if (!LAB_ID_PATTERN.test(id) || !rest.length || !PUBLIC_LAB_FOLDERS.has(rest[0]!)) return next();
    const root = path.resolve(deps.labsDir, id);
    const file = path.resolve(root, ...rest);
    // Belt and braces: express already decodes and splits, but a path must never leave the lab folder.
    if (!file.startsWith(root + path.sep) || rest.some((s) => s === '..' || s.startsWith('.'))) return next();
    res.sendFile(file, { dotfiles: 'deny' }, (err) => err && next());
  });

  app.use(express.static(deps.clientDir, { index: false, dotfiles: 'deny', fallthrough: true }));
  const indexHtml = path.join(deps.clientDir, 'index.html');
  // The browser app routes `/` and `/lab/<id>` itself.
  app.get(['/', '/lab/:id'], (_req, res) => {
    if (!existsSync(indexHtml)) throw new HttpError(503, 'The browser app has not been built yet (npm run build).');
    res.sendFile(indexHtml);
  });

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
