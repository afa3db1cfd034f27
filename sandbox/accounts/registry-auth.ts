/**
 * Registry passwords (what GetAuthorizationToken hands out and `docker login` sends back).
 * A password is `v1.<payload>.<mac>`, both base64url (so it never contains ':', which
 * `aws ecr get-login-password` splits on): payload = `<accountId>.<region>.<expiresAtMs>`, mac = HMAC-SHA256
 * under a secret kept in the metadata store. Stateless to verify, bound to account and region, and it
 * survives restarts. Expiry is judged by sandbox time, so advancing the clock ages tokens too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IRegistryAuth, RegistryAuthResult, Scope } from '../contracts.ts';
import type { MetadataStore } from '../storage/metadata-store.ts';

const SECRET_KEY = 'registry-token-secret';
/** ECR authorization tokens are valid for 12 hours. */
export const REGISTRY_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

/** An issued registry credential. */
export interface IssuedRegistryToken {
  readonly password: string;
  /** base64(`AWS:<password>`), GetAuthorizationToken's authorizationToken. */
  readonly authorizationToken: string;
  readonly expiresAt: number; // epoch ms
}

/** Issues and verifies registry passwords. */
export class RegistryTokenService implements IRegistryAuth {
  private readonly _secret: Buffer;

  constructor(
    store: MetadataStore,
    private readonly _now: () => number,
  ) {
    let secret = store.getSetting(SECRET_KEY);
    if (!secret) {
      secret = randomBytes(32).toString('hex');
      store.setSetting(SECRET_KEY, secret);
    }
    this._secret = Buffer.from(secret, 'hex');
  }

  /** A password for `scope`, valid for 12 hours of sandbox time. */
  issue(scope: Scope): IssuedRegistryToken {
    const expiresAt = this._now() + REGISTRY_TOKEN_TTL_MS;
    const payload = Buffer.from(`${scope.accountId}.${scope.region}.${expiresAt}`).toString('base64url');
    const password = `v1.${payload}.${this._mac(payload)}`;
    return { password, expiresAt, authorizationToken: Buffer.from(`AWS:${password}`).toString('base64') };
  }

  /** Checks an `Authorization: Basic base64(AWS:<password>)` header. */
  verifyBasic(authorizationHeader: string | undefined): RegistryAuthResult {
    if (!authorizationHeader) return { ok: false, reason: 'missing' };
    const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorizationHeader);
    if (!m) return { ok: false, reason: 'missing' };
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(0, colon) !== 'AWS') return { ok: false, reason: 'invalid' };
    return this.verifyPassword(decoded.slice(colon + 1));
  }

  /** Checks a bare password. */
  verifyPassword(password: string): RegistryAuthResult {
    const parts = password.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') return { ok: false, reason: 'invalid' };
    const [, payload, mac] = parts as [string, string, string];
    const expected = Buffer.from(this._mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
    const fields = Buffer.from(payload, 'base64url').toString('utf8').split('.');
    if (fields.length !== 3) return { ok: false, reason: 'invalid' };
    const [accountId, region, expires] = fields as [string, string, string];
    if (this._now() >= Number(expires)) return { ok: false, reason: 'expired' };
    return { ok: true, accountId, region };
  }

  private _mac(payload: string): string {
    return createHmac('sha256', this._secret).update(payload).digest('base64url');
  }
}
