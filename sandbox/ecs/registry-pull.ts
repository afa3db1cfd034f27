/** Which images come from the sandbox's own registry, and the credentials a task pulls them with. */
import type { Scope } from '../contracts.ts';
import { parseRegistryHost } from '../core/registry-host.ts';
import type { PullAuth } from '../engine/index.ts';

/**
 * Credentials for pulling `image` as the task's account when the image names this sandbox's registry
 * (`<acct>.dkr.ecr.<region>.localhost:<port>/…`, or `localhost|127.0.0.1:<port>/…`); undefined otherwise.
 * The password is the task account's own: another account's private repository is denied by the registry,
 * as ECR denies it.
 */
export function ownRegistryPullAuth(image: string, scope: Scope, port: number, password: (scope: Scope) => string): PullAuth | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const host = image.slice(0, slash).toLowerCase();
  const m = /^(.+):(\d+)$/.exec(host);
  if (!m || Number(m[2]) !== port) return undefined;
  const name = m[1]!;
  if (name !== 'localhost' && name !== '127.0.0.1' && parseRegistryHost(host).kind !== 'ecr') return undefined;
  return { username: 'AWS', password: password(scope), serveraddress: host };
}
