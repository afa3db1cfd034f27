/**
 * Lifecycle policies: Put/Get/Delete, the dry run (Start/GetLifecyclePolicyPreview) and applying them.
 *
 * When policies apply: AWS evaluates within 24 hours of a change, never at push time. The sandbox applies
 * them (a) on `POST /_sandbox/lifecycle/apply` and (b) after every `POST /_sandbox/clock` advance, which is
 * how a lab simulates "a day later". It does not apply on push or on PutLifecyclePolicy, so a learner can
 * push several images and inspect them (or preview) before anything expires — as on AWS.
 */
import { ecrErrors } from '../core/ecr-errors.ts';
import { invalidParameter } from '../core/aws-error.ts';
import {
  evaluateLifecyclePolicy,
  parseLifecyclePolicy,
  toPreviewResults,
  type LifecycleExpiry,
  type LifecyclePolicy,
} from '../core/lifecycle-policy/index.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import type { RepositoryRow } from '../storage/metadata-store.ts';
import { paginate, readRepositoryRef, requireRepository, seconds, targetScope, type EcrDeps } from './context.ts';
import { readImageIds } from './image-ids.ts';

/** An image a policy expired, as the admin API reports it. */
export interface ExpiredImage extends LifecycleExpiry {
  readonly accountId: string;
  readonly region: string;
  readonly repositoryName: string;
}

const POLICY_TEXT_RULE = { min: 100, max: 30720 };

function parseOrThrow(text: string): LifecyclePolicy {
  const parsed = parseLifecyclePolicy(text);
  if (!parsed.ok) throw invalidParameter(parsed.message);
  return parsed.policy;
}

/** Evaluates a policy against a repository's current images. */
function evaluate(deps: EcrDeps, repo: RepositoryRow, policy: LifecyclePolicy): LifecycleExpiry[] {
  const images = deps.store.images.list(repo.id).map((img) => ({
    imageDigest: img.digest,
    imageTags: deps.store.images.tagsOf(repo.id, img.digest),
    imagePushedAt: img.pushedAt,
  }));
  return evaluateLifecyclePolicy(policy, images, deps.now());
}

/** Applies every stored lifecycle policy now and deletes what they expire. */
export function applyLifecyclePolicies(deps: EcrDeps): ExpiredImage[] {
  const expired: ExpiredImage[] = [];
  for (const repo of deps.store.repositories.listWithLifecyclePolicy()) {
    const parsed = parseLifecyclePolicy(repo.lifecyclePolicyText!);
    if (!parsed.ok) continue; // stored policies were validated; a rule change in a newer sandbox must not crash this
    deps.store.transaction(() => {
      for (const e of evaluate(deps, repo, parsed.policy)) {
        deps.store.images.delete(repo.id, e.imageDigest);
        expired.push({ ...e, accountId: repo.accountId, region: repo.region, repositoryName: repo.name });
      }
      deps.store.repositories.setLifecycleEvaluatedAt(repo.id, deps.now());
    });
  }
  return expired;
}

/** The lifecycle-policy operations. */
export function lifecycleOperations(deps: EcrDeps): Record<string, Operation> {
  const head = (repo: RepositoryRow) => ({ registryId: repo.accountId, repositoryName: repo.name });
  const requirePolicy = (repo: RepositoryRow): string => {
    if (repo.lifecyclePolicyText === null) throw ecrErrors.lifecyclePolicyNotFound(repo.name, repo.accountId);
    return repo.lifecyclePolicyText;
  };
  const evaluatedAt = (repo: RepositoryRow) => (repo.lifecycleEvaluatedAt !== null ? { lastEvaluatedAt: seconds(repo.lifecycleEvaluatedAt) } : {});
  return {
    PutLifecyclePolicy(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const text = r.requiredString('lifecyclePolicyText', POLICY_TEXT_RULE);
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      parseOrThrow(text);
      deps.store.repositories.setLifecyclePolicy(repo.id, text);
      return { ...head(repo), lifecyclePolicyText: text };
    },
    GetLifecyclePolicy(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      return { ...head(repo), lifecyclePolicyText: requirePolicy(repo), ...evaluatedAt(repo) };
    },
    DeleteLifecyclePolicy(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      const text = requirePolicy(repo);
      deps.store.repositories.setLifecyclePolicy(repo.id, null);
      return { ...head(repo), lifecyclePolicyText: text, ...evaluatedAt(repo) };
    },
    StartLifecyclePolicyPreview(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const given = r.string('lifecyclePolicyText', POLICY_TEXT_RULE);
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      const text = given ?? requirePolicy(repo);
      const expiries = evaluate(deps, repo, parseOrThrow(text));
      // Computed at once; Start still answers IN_PROGRESS as AWS does, Get then reports COMPLETE.
      deps.store.repositories.putPreview({ repositoryId: repo.id, policyText: text, status: 'COMPLETE', results: JSON.stringify(expiries) });
      return { ...head(repo), lifecyclePolicyText: text, status: 'IN_PROGRESS' };
    },
    GetLifecyclePolicyPreview(input, ctx) {
      const r = RequestReader.of(input);
      const { registryId, repositoryName } = readRepositoryRef(r);
      const imageIds = readImageIds(r, 'imageIds');
      const maxResults = r.integer('maxResults', 1, 100);
      const nextToken = r.string('nextToken');
      const tagStatus = r.object('filter', (f) => f.enumOf('tagStatus', ['TAGGED', 'UNTAGGED', 'ANY'] as const)) ?? 'ANY';
      r.done();
      const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
      const preview = deps.store.repositories.getPreview(repo.id);
      if (!preview) throw ecrErrors.lifecyclePolicyPreviewNotFound();
      let expiries = JSON.parse(preview.results) as LifecycleExpiry[];
      if (tagStatus !== 'ANY') expiries = expiries.filter((e) => (e.imageTags.length > 0) === (tagStatus === 'TAGGED'));
      if (imageIds) {
        expiries = expiries.filter((e) =>
          imageIds.some((id) => (id.imageDigest === undefined || id.imageDigest === e.imageDigest) && (id.imageTag === undefined || e.imageTags.includes(id.imageTag))),
        );
      }
      const { summary } = toPreviewResults(expiries);
      const { page, nextToken: next } = paginate(expiries, maxResults, nextToken, 100);
      return {
        ...head(repo),
        lifecyclePolicyText: preview.policyText,
        status: preview.status,
        previewResults: toPreviewResults(page).previewResults,
        summary,
        ...(next ? { nextToken: next } : {}),
      };
    },
  };
}
