/**
 * SetRepositoryPolicy, GetRepositoryPolicy, DeleteRepositoryPolicy. Policies are validated for shape (JSON
 * with Version and Statement) and stored verbatim; the sandbox does not evaluate IAM policies.
 */
import { invalidParameter } from '../core/aws-error.ts';
import { ecrErrors } from '../core/ecr-errors.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import { readRepositoryRef, requireRepository, targetScope, type EcrDeps } from './context.ts';

const INVALID_POLICY = "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'";

/** Checks that text is a policy document; throws InvalidParameterException otherwise. */
export function assertPolicyDocument(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidParameter(INVALID_POLICY);
  }
  const d = doc as { Version?: unknown; Statement?: unknown };
  const statements = Array.isArray(d?.Statement) ? d.Statement : d?.Statement !== undefined ? [d.Statement] : [];
  const valid =
    typeof doc === 'object' && doc !== null && !Array.isArray(doc) &&
    (d.Version === '2012-10-17' || d.Version === '2008-10-17') &&
    statements.length > 0 &&
    statements.every((s: unknown) => {
      const st = s as { Effect?: unknown; Action?: unknown };
      return typeof s === 'object' && s !== null && (st.Effect === 'Allow' || st.Effect === 'Deny') && st.Action !== undefined;
    });
  if (!valid) throw invalidParameter(INVALID_POLICY);
}

/** The repository-policy operations. */
export function repositoryPolicyOperations(deps: EcrDeps): Record<string, Operation> {
  const load = (input: unknown, ctx: Parameters<Operation>[1], extra?: (r: RequestReader) => void) => {
    const r = RequestReader.of(input);
    const { registryId, repositoryName } = readRepositoryRef(r);
    extra?.(r);
    r.done();
    return requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
  };
  return {
    SetRepositoryPolicy(input, ctx) {
      let policyText = '';
      const repo = load(input, ctx, (r) => {
        policyText = r.requiredString('policyText', { max: 10240 });
        r.boolean('force');
      });
      assertPolicyDocument(policyText);
      deps.store.repositories.setPolicy(repo.id, policyText);
      return { registryId: repo.accountId, repositoryName: repo.name, policyText };
    },
    GetRepositoryPolicy(input, ctx) {
      const repo = load(input, ctx);
      if (repo.policyText === null) throw ecrErrors.repositoryPolicyNotFound(repo.name, repo.accountId);
      return { registryId: repo.accountId, repositoryName: repo.name, policyText: repo.policyText };
    },
    DeleteRepositoryPolicy(input, ctx) {
      const repo = load(input, ctx);
      if (repo.policyText === null) throw ecrErrors.repositoryPolicyNotFound(repo.name, repo.accountId);
      deps.store.repositories.setPolicy(repo.id, null);
      return { registryId: repo.accountId, repositoryName: repo.name, policyText: repo.policyText };
    },
  };
}
