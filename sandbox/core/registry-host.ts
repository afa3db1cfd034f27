import type { RegistryHost, Scope } from './scope.ts';

/**
 * How the sandbox names its registry host:
 * - `ecr`: `<account>.dkr.ecr.<region>.localhost:<port>`, shaped like ECR's, used when `*.localhost`
 *   resolves to loopback (nss-myhostname); one port then serves every account and region by Host header.
 * - `fallback`: `localhost:<port>`; the registry credentials decide the account and region.
 */
export type RegistryHostNaming = 'ecr' | 'fallback';

const ECR_HOST = /^([0-9]{12})\.dkr\.ecr\.([0-9a-z-]{2,25})\.localhost\.?$/;

/**
 * Reads a Host header (`name[:port]`) into a {@link RegistryHost}. Any host that is not ECR-shaped
 * (localhost, 127.0.0.1, a LAN name) is the fallback host.
 * @example parseRegistryHost('123456789012.dkr.ecr.us-east-1.localhost:4580')
 *   // { kind: 'ecr', scope: { accountId: '123456789012', region: 'us-east-1' } }
 */
export function parseRegistryHost(hostHeader: string | undefined): RegistryHost {
  if (!hostHeader) return { kind: 'fallback' };
  const name = stripPort(hostHeader.trim().toLowerCase());
  const m = ECR_HOST.exec(name);
  if (!m) return { kind: 'fallback' };
  return { kind: 'ecr', scope: { accountId: m[1]!, region: m[2]! } };
}

/** Formats the registry host (no scheme) for a scope; it is the prefix of every repositoryUri. */
export function formatRegistryHost(scope: Scope, port: number, naming: RegistryHostNaming): string {
  return naming === 'ecr'
    ? `${scope.accountId}.dkr.ecr.${scope.region}.localhost:${port}`
    : `localhost:${port}`;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}
