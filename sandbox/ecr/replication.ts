/**
 * PutReplicationConfiguration / DescribeRegistry, and replicating pushes: after a push to a repository that
 * a rule's PREFIX_MATCH filters select (no filters: every repository), the image is copied to each
 * destination (region, registryId), creating the repository there with default settings on first use.
 * Replicas do not replicate again. Across accounts the blobs are copied too (blob stores are per account).
 */
import type { Readable } from 'node:stream';
import type { Scope } from '../contracts.ts';
import { invalidParameter } from '../core/aws-error.ts';
import { readManifest } from '../core/manifest.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import type { EcrDeps } from './context.ts';
import type { ImagePushedEvent } from './image-service.ts';

interface ReplicationConfiguration {
  rules: { destinations: { region: string; registryId: string }[]; repositoryFilters?: { filter: string; filterType: 'PREFIX_MATCH' }[] }[];
}

/** A blob store that can also write (the registry's BlobStore has putBlob). */
interface WritableBlobs {
  putBlob(accountId: string, repository: string, digest: string, body: Readable, length?: number): Promise<unknown>;
}

const FILTER_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/;

/** Copies pushed images to replication destinations. */
export class Replicator {
  private readonly _running = new Set<Promise<void>>();
  constructor(private readonly _deps: EcrDeps) {}

  onImagePushed(e: ImagePushedEvent): void {
    if (e.replicated) return;
    const json = this._deps.store.getReplication(e.scope.accountId, e.scope.region);
    if (!json) return;
    const config = JSON.parse(json) as ReplicationConfiguration;
    const targets = new Map<string, Scope>();
    for (const rule of config.rules) {
      const filters = rule.repositoryFilters ?? [];
      if (filters.length > 0 && !filters.some((f) => e.repositoryName.startsWith(f.filter))) continue;
      for (const d of rule.destinations) targets.set(`${d.registryId}/${d.region}`, { accountId: d.registryId, region: d.region });
    }
    for (const target of targets.values()) {
      const work = this._replicate(e, target)
        .catch((err: unknown) => console.error(`sandbox: replication of ${e.repositoryName}@${e.digest} to ${target.accountId}/${target.region} failed:`, err instanceof Error ? err.message : err))
        .finally(() => this._running.delete(work));
      this._running.add(work);
    }
  }

  /** Resolves when no replication is running. */
  async idle(): Promise<void> {
    while (this._running.size > 0) await Promise.allSettled([...this._running]);
  }

  private async _replicate(e: ImagePushedEvent, target: Scope): Promise<void> {
    const { store, images, blobs } = this._deps;
    const manifest = images.getManifest(e.scope, e.repositoryName, e.digest);
    if (!manifest) return;
    if (target.accountId !== e.scope.accountId && blobs && 'putBlob' in blobs) {
      const read = readManifest(new TextDecoder().decode(manifest.bytes), manifest.mediaType);
      for (const d of read.ok ? read.facts.blobDigests : []) {
        if (await blobs.has(target.accountId, d)) continue;
        const size = await blobs.size(e.scope.accountId, d);
        if (size === undefined) continue;
        await (blobs as unknown as WritableBlobs).putBlob(target.accountId, e.repositoryName, d, blobs.open(e.scope.accountId, d), size);
      }
    }
    const source = store.repositories.get(e.scope.accountId, e.scope.region, e.repositoryName);
    store.transaction(() => {
      if (!store.repositories.get(target.accountId, target.region, e.repositoryName)) {
        store.repositories.insert({
          ...target,
          name: e.repositoryName,
          createdAt: this._deps.now(),
          tagMutability: 'MUTABLE',
          scanOnPush: false,
          encryptionType: source?.encryptionType ?? 'AES256',
          kmsKey: null,
        });
      }
    });
    images.put(target, e.repositoryName, manifest, e.tag, { replicated: true });
  }
}

/** PutReplicationConfiguration and DescribeRegistry. */
export function replicationOperations(deps: EcrDeps): Record<string, Operation> {
  return {
    PutReplicationConfiguration(input, ctx) {
      const r = RequestReader.of(input);
      const config = r.requiredObject('replicationConfiguration', (c) => ({
        rules:
          c.objectList(
            'rules',
            (rule) => ({
              destinations:
                rule.objectList(
                  'destinations',
                  (d) => ({ region: d.requiredString('region', { min: 2, max: 25, pattern: /^[0-9a-z-]{2,25}$/ }), registryId: d.requiredString('registryId', { pattern: /^[0-9]{12}$/ }) }),
                  { min: 1, max: 25 },
                ) ?? (rule.requiredString('destinations'), []),
              repositoryFilters: rule.objectList(
                'repositoryFilters',
                (f) => ({ filter: f.requiredString('filter', { min: 2, max: 256, pattern: FILTER_PATTERN }), filterType: f.requiredString('filterType', { values: ['PREFIX_MATCH'] }) as 'PREFIX_MATCH' }),
                { min: 1, max: 100 },
              ),
            }),
            { min: 0, max: 10 },
          ) ?? (c.requiredString('rules'), []),
      }));
      r.done();
      for (const rule of config!.rules) {
        for (const d of rule.destinations) {
          if (d.region === ctx.scope.region && d.registryId === ctx.scope.accountId) {
            throw invalidParameter("Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Replication destination cannot be the same as the source registry'");
          }
        }
      }
      const clean: ReplicationConfiguration = {
        rules: config!.rules.map((rule) => ({ destinations: rule.destinations, ...(rule.repositoryFilters ? { repositoryFilters: rule.repositoryFilters } : {}) })),
      };
      deps.store.setReplication(ctx.scope.accountId, ctx.scope.region, JSON.stringify(clean));
      return { replicationConfiguration: clean };
    },
    DescribeRegistry(input, ctx) {
      RequestReader.of(input).done();
      const json = deps.store.getReplication(ctx.scope.accountId, ctx.scope.region);
      return { registryId: ctx.scope.accountId, replicationConfiguration: json ? JSON.parse(json) : { rules: [] } };
    },
  };
}
