/**
 * GetAuthorizationToken. The proxyEndpoint is `http://<registry host>`: the sandbox serves plain HTTP
 * (docker treats *.localhost/127.0.0.0/8 registries as insecure-allowed; podman/skopeo need the
 * registries.conf drop-in from machine-notes.md). AWS's is https; we'd switch only if we served TLS.
 */
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import { seconds, type EcrDeps } from './context.ts';

/** The authorization operation. */
export function authorizationOperations(deps: EcrDeps): Record<string, Operation> {
  return {
    GetAuthorizationToken(input, ctx) {
      const r = RequestReader.of(input);
      const registryIds = r.stringList('registryIds', { minItems: 1, maxItems: 10, pattern: /^[0-9]{12}$/ });
      r.done();
      // The token always authenticates the caller's own account (as on AWS); registryIds only shape the list.
      const ids = registryIds ?? [ctx.scope.accountId];
      const token = deps.tokens.issue(ctx.scope);
      return {
        authorizationData: ids.map((accountId) => ({
          authorizationToken: token.authorizationToken,
          expiresAt: seconds(token.expiresAt),
          proxyEndpoint: `http://${deps.registryHost({ accountId, region: ctx.scope.region })}`,
        })),
      };
    },
  };
}
