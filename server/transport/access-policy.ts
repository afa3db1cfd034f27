import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../core/classroom/model.ts';

/** The cookie that carries the access token after the first visit with `?token=`. */
export const TOKEN_COOKIE = 'labrunner_token';

/** The cookie of a classroom session (student or instructor): a bearer token; the server keeps only its digest. */
export const SESSION_COOKIE = 'labrunner_session';

/** Turns a session cookie's token into who holds it; undefined when it is unknown, revoked or its classroom closed. */
export type SessionAuthenticator = (token: string) => Exclude<Principal, { role: 'owner' }> | undefined;

/** Who a request is, once host and origin passed. */
export interface ResolvedAccess {
  /** Undefined: anonymous (only the public routes). */
  principal?: Principal;
  /** Why it is anonymous, for the 401. */
  reason?: string;
  /** The request carried a session cookie that no longer works (revoked, replaced, closed): clear it. */
  deadSession: boolean;
}

/**
 * Who may use this server. `local`: bound to loopback, no token; the Host header must name the loopback
 * address (so a DNS-rebinding page cannot reach it). `token`: every request carries the access token.
 * Either way, browser WebSocket and socket.io connections must come from this server's own origin.
 */
export class AccessPolicy {
  private readonly _tokenDigest: Buffer | undefined;

  constructor(
    readonly mode: 'local' | 'token',
    token: string | undefined,
    /** The port actually bound (known only after listen when asked for port 0). */
    private readonly _port: () => number,
    /** Classroom sessions; without it, session cookies are ignored. */
    private readonly _sessions?: SessionAuthenticator,
  ) {
    if (mode === 'token' && !token) throw new Error('token mode needs a token');
    // Compare digests so the comparison takes the same time whatever the length of the guess.
    this._tokenDigest = token ? digest(token) : undefined;
  }

  /** Whether a token string is the access token. */
  tokenMatches(candidate: string | undefined): boolean {
    if (!this._tokenDigest || !candidate) return false;
    return timingSafeEqual(digest(candidate), this._tokenDigest);
  }

  /** Why this request may not proceed, or undefined when it may. */
  check(req: IncomingMessage, { browserChannel }: { browserChannel: boolean }): string | undefined {
    if (this.mode === 'local' && !this._isLoopbackHost(req.headers.host)) return 'host not allowed';
    if (browserChannel && !this._originAllowed(req)) return 'origin not allowed';
    if (this.mode === 'token' && !this.tokenMatches(requestToken(req))) return 'missing or wrong access token';
    return undefined;
  }

  /**
   * Host (local mode) and origin (browser channels) checks that hold for everyone, students included; undefined
   * when the request may go on to {@link resolve}.
   */
  gate(req: IncomingMessage, { browserChannel }: { browserChannel: boolean }): string | undefined {
    if (this.mode === 'local' && !this._isLoopbackHost(req.headers.host)) return 'host not allowed';
    if (browserChannel && !this._originAllowed(req)) return 'origin not allowed';
    return undefined;
  }

  /**
   * Who the request is: a working session cookie makes a student or instructor (no access token needed, even
   * beyond loopback: the join link is how students get in); else the access token, or loopback in local mode,
   * makes the owner. A session cookie that no longer works never falls back to the owner in local mode, so a
   * replayed cookie after a revocation is refused rather than promoted; the access token (token mode) still wins.
   * Call {@link gate} first.
   */
  resolve(req: IncomingMessage): ResolvedAccess {
    const sessionToken = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (sessionToken && this._sessions) {
      const principal = this._sessions(sessionToken);
      if (principal) return { principal, deadSession: false };
      // The owner's own access token (token mode) still works beside a stale session cookie.
      if (this.mode === 'token' && this.tokenMatches(requestToken(req))) return { principal: { role: 'owner' }, deadSession: true };
      return { reason: 'your session has ended', deadSession: true };
    }
    if (this.mode === 'token' && !this.tokenMatches(requestToken(req))) return { reason: 'missing or wrong access token', deadSession: false };
    return { principal: { role: 'owner' }, deadSession: false };
  }

  private _isLoopbackHost(host: string | undefined): boolean {
    if (!host) return false;
    const port = this._port();
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    return allowed.includes(host.toLowerCase());
  }

  /**
   * Browsers always send Origin on WebSocket handshakes; a page from another site (cross-site WebSocket
   * hijacking) shows its own origin. Clients that are not browsers send none and are judged by token/host alone.
   */
  private _originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
    } catch {
      return false;
    }
  }
}

/** The token a request carries: `Authorization: Bearer`, the cookie, or (first visit) `?token=`. */
export function requestToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const cookie = parseCookies(req.headers.cookie)[TOKEN_COOKIE];
  if (cookie) return cookie;
  return tokenFromUrl(req.url);
}

export function tokenFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, 'http://x').searchParams.get('token') ?? undefined;
  } catch {
    return undefined;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      /* a malformed cookie is ignored, not fatal */
    }
  }
  return out;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
