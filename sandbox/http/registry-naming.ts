/**
 * Decides the registry host naming once at start: ECR-shaped `<account>.dkr.ecr.<region>.localhost:<port>`
 * when such a name resolves to loopback here (nss-myhostname), else `localhost:<port>`.
 */
import { lookup } from 'node:dns/promises';
import type { RegistryHostNaming } from '../core/registry-host.ts';

/** Probes name resolution of an ECR-shaped `*.localhost` name (2 s timeout). */
export async function detectRegistryHostNaming(): Promise<RegistryHostNaming> {
  const probe = lookup('123456789012.dkr.ecr.us-east-1.localhost', { all: true })
    .then((addrs) => (addrs.length > 0 && addrs.every((a) => a.address === '::1' || a.address.startsWith('127.')) ? 'ecr' : 'fallback'))
    .catch(() => 'fallback' as const);
  const timeout = new Promise<'fallback'>((resolve) => setTimeout(() => resolve('fallback'), 2000).unref());
  return Promise.race([probe, timeout]);
}
