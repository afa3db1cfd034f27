/**
 * Who may do what: Basic credentials (GetAuthorizationToken passwords) decide the caller's account and
 * region; the Host header (`<account>.dkr.ecr.<region>.localhost`) decides the registry addressed.
 * Messages follow ECR: an expired token is DENIED "Your authorization token has expired...", and ECR
 * answers a token of another region the same way; a token of another account gets an IAM-style denial.
 */
import type { IRegistryAuth, RegistryHost, Scope } from '../contracts.ts';
import { EcrMessages, RegistryError } from '../core/registry/index.ts';
import type { RegistryRoute } from '../core/registry/index.ts';

/** The ECR API action a registry request stands for (named in denials, as ECR names them). */
export function actionOf(route: RegistryRoute, method: string): string {
  switch (route.kind) {
    case 'manifest':
      return method === 'PUT' ? 'ecr:PutImage' : method === 'DELETE' ? 'ecr:BatchDeleteImage' : 'ecr:BatchGetImage';
    case 'blob':
      return method === 'HEAD' ? 'ecr:BatchCheckLayerAvailability' : 'ecr:GetDownloadUrlForLayer';
    case 'uploads':
      return 'ecr:InitiateLayerUpload';
    case 'upload':
      return method === 'PUT' ? 'ecr:CompleteLayerUpload' : 'ecr:UploadLayerPart';
    case 'tags':
      return 'ecr:ListImages';
    case 'referrers':
      return 'ecr:BatchGetImage';
    case 'base':
    case 'catalog':
      return 'ecr:GetAuthorizationToken';
  }
}

/** 401 with the challenge ECR sends, so clients know to retry with Basic credentials. */
export function unauthorized(host: string): RegistryError {
  return new RegistryError('UNAUTHORIZED', EcrMessages.notAuthorized, undefined, {
    headers: { 'Www-Authenticate': `Basic realm="https://${host}/",service="ecr.amazonaws.com"` },
  });
}

/**
 * Checks the credentials against the addressed registry and returns the scope the request works in.
 * Throws UNAUTHORIZED (401) or DENIED (403) as {@link RegistryError}s.
 */
export function authorize(
  auth: IRegistryAuth,
  authorizationHeader: string | undefined,
  registryHost: RegistryHost,
  requestHost: string,
  route: RegistryRoute,
  method: string,
): Scope {
  const result = auth.verifyBasic(authorizationHeader);
  if (!result.ok) {
    if (result.reason === 'expired') throw new RegistryError('DENIED', EcrMessages.tokenExpired);
    throw unauthorized(requestHost);
  }
  if (registryHost.kind === 'fallback') return { accountId: result.accountId, region: result.region };
  const { scope } = registryHost;
  // Real ECR reports a token issued for another region as expired; learners meet exactly this message.
  if (result.region !== scope.region) throw new RegistryError('DENIED', EcrMessages.tokenExpired);
  if (result.accountId !== scope.accountId) {
    const resource =
      'name' in route
        ? `arn:aws:ecr:${scope.region}:${scope.accountId}:repository/${route.name}`
        : `arn:aws:ecr:${scope.region}:${scope.accountId}:registry`;
    throw new RegistryError('DENIED', EcrMessages.accessDenied(result.accountId, actionOf(route, method), resource));
  }
  return scope;
}
