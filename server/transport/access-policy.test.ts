import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AccessPolicy } from './access-policy.ts';

const req = (headers: Record<string, string>, url = '/') => ({ headers, url }) as unknown as IncomingMessage;

describe('AccessPolicy', () => {
  it('in local mode refuses a request whose Host is not the loopback address (DNS rebinding)', () => {
    const p = new AccessPolicy('local', undefined, () => 3000);
    expect(p.check(req({ host: '127.0.0.1:3000' }), { browserChannel: false })).toBeUndefined();
    expect(p.check(req({ host: 'localhost:3000' }), { browserChannel: false })).toBeUndefined();
    expect(p.check(req({ host: 'evil.example:3000' }), { browserChannel: false })).toBe('host not allowed');
  });

  it('refuses a browser channel opened from another origin', () => {
    const p = new AccessPolicy('local', undefined, () => 3000);
    const h = { host: '127.0.0.1:3000' };
    expect(p.check(req({ ...h, origin: 'http://127.0.0.1:3000' }), { browserChannel: true })).toBeUndefined();
    expect(p.check(req({ ...h, origin: 'http://evil.example' }), { browserChannel: true })).toBe('origin not allowed');
    expect(p.check(req({ ...h, origin: 'null' }), { browserChannel: true })).toBe('origin not allowed');
  });

  it('in token mode needs the token from a header, cookie or URL', () => {
    const p = new AccessPolicy('token', 's3cret', () => 3000);
    const h = { host: '10.0.0.5:3000' };
    expect(p.check(req(h), { browserChannel: false })).toBe('missing or wrong access token');
    expect(p.check(req({ ...h, authorization: 'Bearer wrong' }), { browserChannel: false })).toBe('missing or wrong access token');
    expect(p.check(req({ ...h, authorization: 'Bearer s3cret' }), { browserChannel: false })).toBeUndefined();
    expect(p.check(req({ ...h, cookie: 'a=b; labrunner_token=s3cret' }), { browserChannel: false })).toBeUndefined();
    expect(p.check(req(h, '/?token=s3cret'), { browserChannel: false })).toBeUndefined();
  });
});
