import type { EventsSocket, PageSession } from './session.ts';

/** What every page gets: where to draw, who this browser is, and the socket.io connection. */
export interface AppContext {
  app: HTMLElement;
  /** Kept current: the server's `session` event updates it (e.g. author mode). */
  session: PageSession;
  events: EventsSocket;
  /** Goes to another page of the app without reloading (history.pushState, then route). */
  navigate(path: string): void;
}

/** A drawn page: disposing it stops its timers, sockets and terminals (another page replaces it, or the session ended). */
export interface PageHandle {
  dispose(): void;
}

export const NO_PAGE: PageHandle = { dispose: () => undefined };
