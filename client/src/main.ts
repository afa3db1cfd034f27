import { showCatalog } from './catalog.ts';
import { showClassroomsPage, showDashboard, showJoinPage } from './classroom/index.ts';
import { errorMessage, showMessage } from './dom.ts';
import { showLab } from './lab/index.ts';
import { NO_PAGE, type AppContext, type PageHandle } from './page.ts';
import { connectEvents, fetchSession, type EventsSocket, type PageSession } from './session.ts';
import './style.css';

const app = document.getElementById('app')!;

/**
 * The app's routes. The server serves index.html for each of them; who may see what is decided on the
 * server (every API and socket event checks it), so a page here only avoids showing what would be refused.
 */
const ROUTES: { pattern: RegExp; show: (ctx: AppContext, param: string) => Promise<PageHandle> }[] = [
  { pattern: /^\/lab\/([a-z0-9-]+)\/?$/, show: showLab },
  { pattern: /^\/classroom\/([A-Za-z0-9_-]+)\/?$/, show: showDashboard },
  {
    pattern: /^\/classrooms\/?$/,
    show: async (ctx) => {
      if (ctx.session.role === 'owner') return showClassroomsPage(ctx);
      showMessage(ctx.app, 'Only whoever runs this server manages its classrooms.', { title: 'Classrooms' });
      return NO_PAGE;
    },
  },
];

const JOIN_ROUTE = /^\/join\/([A-Za-z0-9_-]+)\/?$/;

let page: PageHandle = NO_PAGE;

async function route(ctx: AppContext): Promise<void> {
  page.dispose();
  page = NO_PAGE;
  const path = location.pathname;
  const join = JOIN_ROUTE.exec(path);
  if (join) return showJoinPage(app, join[1]!);
  try {
    for (const { pattern, show } of ROUTES) {
      const match = pattern.exec(path);
      if (match) {
        page = await show(ctx, match[1]!);
        return;
      }
    }
    // An instructor's home is their classroom's dashboard.
    if (ctx.session.role === 'instructor' && ctx.session.classroom) return ctx.navigate(`/classroom/${encodeURIComponent(ctx.session.classroom.id)}`);
    page = await showCatalog(ctx);
  } catch (err) {
    showMessage(app, errorMessage(err));
  }
}

/** The server ended this browser's session (revoked, classroom closed): say so, and stop every connection. */
function sessionEnded(events: EventsSocket, reason: string): void {
  page.dispose();
  page = NO_PAGE;
  events.disconnect();
  showMessage(app, `${reason} Your work is saved. To continue, open the join link again.`, { title: 'Your session has ended' });
}

/** The page waits (briefly) for the server's `session` event, so an author's page is drawn as one from the start. */
function sessionEvent(events: EventsSocket, session: PageSession): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1500);
    events.on('session', (info) => {
      // The server's word on author mode; who this browser is came from /api/me (the same cookie).
      session.authorMode = info.authorMode;
      document.body.classList.toggle('author-mode', info.authorMode);
      clearTimeout(timer);
      resolve();
    });
  });
}

async function start(): Promise<void> {
  let session: PageSession | undefined;
  try {
    session = await fetchSession();
  } catch (err) {
    return showMessage(app, errorMessage(err));
  }
  if (!session) {
    const join = JOIN_ROUTE.exec(location.pathname);
    if (join) return showJoinPage(app, join[1]!);
    return showMessage(app, 'This server needs an access token. Open the link the server printed at start (it carries ?token=…), or your classroom’s join link.', {
      title: 'Sign in',
    });
  }
  document.body.classList.toggle('author-mode', session.authorMode);
  const events = connectEvents(session);
  events.on('session:ended', ({ reason }) => sessionEnded(events, reason));
  // A refused connection (the cookie was revoked while the page was away) is not retried by socket.io: ask
  // the server who we are; if it no longer knows us, say so instead of showing a page that cannot work.
  events.on('connect_error', () => {
    if (events.active) return;
    void fetchSession().then(
      (now) => (now ? undefined : sessionEnded(events, 'The server no longer knows this browser.')),
      () => undefined,
    );
  });
  const ctx: AppContext = {
    app,
    session,
    events,
    navigate(path) {
      history.pushState(null, '', path);
      void route(ctx);
    },
  };
  window.addEventListener('popstate', () => void route(ctx));
  await sessionEvent(events, session);
  await route(ctx);
}

void start();
