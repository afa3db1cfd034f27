import express, { type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { gradebookCsv } from '../core/classroom/gradebook.ts';
import type { Principal } from '../core/classroom/model.ts';
import { HttpError } from '../core/errors.ts';
import type { ClassroomCreatedView, GradebookView, SessionInfo } from '../core/protocol.ts';
import type { ClassroomService, NewSession } from '../classroom/index.ts';
import { SESSION_COOKIE } from './access-policy.ts';
import { requireOwner, requireSignedIn, requireStaffOf } from './authorize.ts';

export interface ClassroomRouteOptions {
  classrooms: ClassroomService;
  /** Failed joins and failed instructor keys allowed per client address and window. */
  limits?: { failures: number; windowMs: number };
}

const DEFAULT_LIMITS = { failures: 20, windowMs: 15 * 60_000 };

/** The origin links are made for: the one the asking browser used (its Host header). */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

function setSessionCookie(req: Request, res: Response, session: NewSession): void {
  // Lax, not Strict: a join link opened from an LMS or a mail is a cross-site top-level navigation.
  res.cookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'lax', path: '/', secure: req.secure, maxAge: 180 * 24 * 3600_000 });
}

/** Routes anonymous browsers reach: joining, and the instructor link. Failures are rate-limited per address. */
export function publicClassroomRoutes(options: ClassroomRouteOptions): express.Router {
  const { classrooms } = options;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const router = express.Router();
  const limiter = (onLimit: (res: Response) => void) =>
    rateLimit({
      windowMs: limits.windowMs,
      limit: limits.failures,
      // Only failures count: a class of 100 joining from one NAT address must not be locked out.
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      validate: false,
      handler: (_req, res) => onLimit(res),
    });

  router.post(
    '/api/join',
    limiter((res) => void res.status(429).json({ error: { code: 'TooManyRequests', message: 'Too many failed attempts. Wait a few minutes and try again.' } })),
    (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const session = classrooms.join({ code: body.code, displayName: body.displayName, rosterId: body.rosterId });
      setSessionCookie(req, res, session);
      res.json({ redirect: '/' });
    },
  );

  router.get(
    '/instructor/:classroomId',
    limiter((res) => void res.status(429).type('text/plain').send('labrunner: too many wrong instructor links from this address. Wait a few minutes.')),
    (req, res) => {
      const session = classrooms.instructorLogin(req.params.classroomId, req.query.key);
      if (!session) {
        res.status(401).type('text/plain').send('labrunner: this instructor link is wrong, or it was replaced by a newer one. Ask whoever runs the server for the current link.');
        return;
      }
      setSessionCookie(req, res, session);
      res.redirect(303, `/classroom/${encodeURIComponent(session.principal.classroomId)}`);
    },
  );
  return router;
}

/** Routes for signed-in browsers: who am I, the owner's classroom admin, the instructor's exports, logout. */
export function classroomRoutes(options: { classrooms: ClassroomService; mode: 'local' | 'token'; authorMode: boolean }): express.Router {
  const { classrooms } = options;
  const router = express.Router();
  const who = (res: Response) => res.locals.principal as Principal | undefined;

  router.get('/api/me', (_req, res) => {
    const p = requireSignedIn(who(res));
    const info: SessionInfo = { role: p.role, mode: options.mode, authorMode: options.authorMode };
    if (p.role !== 'owner') {
      const c = classrooms.get(p.classroomId);
      info.classroom = { id: c.id, name: c.name, labIds: c.labIds };
    }
    if (p.role === 'student') {
      const announcement = classrooms.latestAnnouncement(p.classroomId);
      Object.assign(info, { learnerId: p.learnerId, displayName: p.displayName, recordingCommands: true, ...(announcement ? { announcement } : {}) });
    }
    res.json(info);
  });

  router.post('/api/logout', (_req, res) => {
    const p = requireSignedIn(who(res));
    if (p.role !== 'owner') classrooms.endSession(p.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });

  router.get('/api/classrooms', (req, res) => {
    requireOwner(who(res));
    res.json(classrooms.list().map((c) => classrooms.summary(c, requestOrigin(req))));
  });

  router.post('/api/classrooms', async (req, res) => {
    requireOwner(who(res));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { classroom, instructorKey } = await classrooms.create({
      name: body.name,
      labIds: body.labIds,
      roster: body.roster,
      stuckMinutes: body.stuckMinutes,
      stuckFailures: body.stuckFailures,
    });
    const origin = requestOrigin(req);
    const view: ClassroomCreatedView = { classroom: classrooms.summary(classroom, origin), instructorUrl: classrooms.instructorUrl(classroom.id, instructorKey, origin) };
    res.status(201).json(view);
  });

  router.get('/api/classrooms/:id', (req, res) => {
    requireStaffOf(who(res), req.params.id);
    res.json(classrooms.summary(classrooms.get(req.params.id), requestOrigin(req)));
  });

  router.post('/api/classrooms/:id/instructor-link', (req, res) => {
    requireOwner(who(res));
    const key = classrooms.rotateInstructorKey(req.params.id);
    const origin = requestOrigin(req);
    const view: ClassroomCreatedView = { classroom: classrooms.summary(classrooms.get(req.params.id), origin), instructorUrl: classrooms.instructorUrl(req.params.id, key, origin) };
    res.json(view);
  });

  router.post('/api/classrooms/:id/close', (req, res) => {
    requireStaffOf(who(res), req.params.id);
    classrooms.close(req.params.id);
    res.json(classrooms.summary(classrooms.get(req.params.id), requestOrigin(req)));
  });

  router.get('/api/classrooms/:id/gradebook.:format', async (req, res) => {
    requireStaffOf(who(res), req.params.id);
    const classroom = classrooms.get(req.params.id);
    const rows = await classrooms.gradebook(classroom.id);
    const file = `gradebook-${classroom.id}`;
    if (req.params.format === 'csv') {
      res.attachment(`${file}.csv`).type('text/csv; charset=utf-8').send(gradebookCsv(rows));
    } else if (req.params.format === 'json') {
      const view: GradebookView = { classroom: { id: classroom.id, name: classroom.name }, exportedAt: new Date().toISOString(), rows };
      res.attachment(`${file}.json`).json(view);
    } else {
      throw new HttpError(404, 'The gradebook comes as .csv or .json.', { code: 'NotFound' });
    }
  });
  return router;
}
