/**
 * GetAuthorizationToken. The proxyEndpoint is `https://<account>.dkr.ecr.<region>.localhost:<port>` when
 * the sandbox serves TLS for ECR-shaped hosts (as AWS's is https), else `http://localhost:<port>`: the
 * one host podman's Docker-compatible login accepts over plain HTTP (see sandbox/http/listen-dual.ts).
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
          proxyEndpoint: `${deps.registryScheme}://${deps.registryHost({ accountId, region: ctx.scope.region })}`,
        })),
      };
    },
  };
}
