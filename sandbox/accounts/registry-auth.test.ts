import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataStore } from '../storage/metadata-store.ts';
import { RegistryTokenService, REGISTRY_TOKEN_TTL_MS } from './registry-auth.ts';

describe('RegistryTokenService', () => {
  let dir: string;
  let store: MetadataStore;
  let now = 1_700_000_000_000;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sbx-auth-'));
    store = MetadataStore.open(dir);
  });
  afterEach(() => {
    store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

  it('issues a colon-free password that verifies to its account and region', () => {
    const svc = new RegistryTokenService(store, () => now);
    const t = svc.issue({ accountId: '123456789012', region: 'eu-west-1' });
    expect(t.password).not.toContain(':');
    expect(Buffer.from(t.authorizationToken, 'base64').toString()).toBe(`AWS:${t.password}`);
    expect(svc.verifyBasic(basic('AWS', t.password))).toEqual({ ok: true, accountId: '123456789012', region: 'eu-west-1' });
  });

  it('reports missing, invalid and expired credentials', () => {
    const svc = new RegistryTokenService(store, () => now);
    const t = svc.issue({ accountId: '123456789012', region: 'us-east-1' });
    expect(svc.verifyBasic(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(svc.verifyBasic('Bearer x')).toEqual({ ok: false, reason: 'missing' });
    expect(svc.verifyBasic(basic('bob', t.password))).toEqual({ ok: false, reason: 'invalid' });
    expect(svc.verifyBasic(basic('AWS', t.password.slice(0, -2) + 'xx'))).toEqual({ ok: false, reason: 'invalid' });
    // Tampering with the payload (another account) breaks the MAC.
    const [v, , mac] = t.password.split('.');
    const forged = Buffer.from(`999999999999.us-east-1.${now + REGISTRY_TOKEN_TTL_MS}`).toString('base64url');
    expect(svc.verifyBasic(basic('AWS', `${v}.${forged}.${mac}`))).toEqual({ ok: false, reason: 'invalid' });
    now += REGISTRY_TOKEN_TTL_MS;
    expect(svc.verifyBasic(basic('AWS', t.password))).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps passwords valid across a restart (secret persisted)', () => {
    const t = new RegistryTokenService(store, () => now).issue({ accountId: '123456789012', region: 'us-east-1' });
    store.dispose();
    store = MetadataStore.open(dir);
    expect(new RegistryTokenService(store, () => now).verifyPassword(t.password).ok).toBe(true);
  });
});
