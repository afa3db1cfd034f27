/**
 * Basic image scanning: scan on push, StartImageScan and DescribeImageScanFindings. Scans run in the
 * background (status IN_PROGRESS until the scanner answers), one per image per 24 hours as on AWS; the
 * quota counts scans on push too. A scan interrupted by a restart is run again at start.
 */
import type { IImageScanner, ScanOutcome } from '../contracts.ts';
import { ecrErrors } from '../core/ecr-errors.ts';
import { MANIFEST_MEDIA_TYPES } from '../core/manifest.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import type { ImageRow } from '../storage/metadata-store.ts';
import { paginate, readRepositoryRef, requireRepository, seconds, targetScope, type EcrDeps } from './context.ts';
import { resolveImageId, type ImageId } from './image-ids.ts';
import type { ImagePushedEvent } from './image-service.ts';
import { scanSummaryJson, severityCounts, storedFindings } from './scan-json.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const INDEX_TYPES: readonly string[] = [MANIFEST_MEDIA_TYPES.dockerList, MANIFEST_MEDIA_TYPES.ociIndex];

/** Runs scans and records their outcome. */
export class ScanCoordinator {
  private readonly _running = new Set<Promise<void>>();

  constructor(
    private readonly _deps: EcrDeps,
    private readonly _scanner: IImageScanner | undefined,
  ) {}

  /** Scan on push: new images in a repository with scanOnPush. */
  onImagePushed(e: ImagePushedEvent): void {
    if (!e.newImage) return;
    const repo = this._deps.store.repositories.get(e.scope.accountId, e.scope.region, e.repositoryName);
    const img = repo && this._deps.store.images.get(repo.id, e.digest);
    if (repo?.scanOnPush && img && !INDEX_TYPES.includes(img.mediaType)) this.start(img);
  }

  /** Marks the image IN_PROGRESS and scans it in the background. */
  start(img: ImageRow): void {
    this._deps.store.images.updateScan(img.repositoryId, img.digest, {
      status: 'IN_PROGRESS',
      description: null,
      startedAt: this._deps.now(),
      completedAt: null,
      findings: null,
      vulnerabilitySourceUpdatedAt: null,
    });
    this._run(img);
  }

  /** Re-runs scans a restart left IN_PROGRESS. */
  resumeInterrupted(): void {
    for (const img of this._deps.store.images.listScansInProgress()) this._run(img);
  }

  /** Resolves when no scan is running. */
  async idle(): Promise<void> {
    while (this._running.size > 0) await Promise.allSettled([...this._running]);
  }

  private _run(img: ImageRow): void {
    const repo = this._deps.store.repositories.getById(img.repositoryId);
    if (!repo) return;
    const manifest = { digest: img.digest, mediaType: img.mediaType, bytes: new Uint8Array(img.manifest) };
    const work = (async () => {
      let outcome: ScanOutcome;
      try {
        outcome = this._scanner
          ? await this._scanner.scan(repo.accountId, manifest)
          : { status: 'FAILED', description: 'The sandbox has no vulnerability scanner configured.' };
      } catch (err) {
        outcome = { status: 'FAILED', description: `Scan failed: ${err instanceof Error ? err.message : String(err)}` };
      }
      // The image (or repository) may have been deleted while the scan ran.
      if (!this._deps.store.images.get(img.repositoryId, img.digest)) return;
      const completedAt = this._deps.now();
      this._deps.store.images.updateScan(img.repositoryId, img.digest,
        outcome.status === 'COMPLETE'
          ? {
              status: 'COMPLETE',
              description: 'The scan was completed successfully.',
              completedAt,
              findings: JSON.stringify(outcome.findings),
              vulnerabilitySourceUpdatedAt: outcome.vulnerabilitySourceUpdatedAt ?? completedAt,
            }
          : { status: outcome.status, description: outcome.description, completedAt, findings: null, vulnerabilitySourceUpdatedAt: null },
      );
    })();
    const tracked = work.catch((err: unknown) => console.error('sandbox: recording a scan failed', err)).finally(() => this._running.delete(tracked));
    this._running.add(tracked);
  }
}

/** StartImageScan and DescribeImageScanFindings. */
export function scanningOperations(deps: EcrDeps, scans: ScanCoordinator): Record<string, Operation> {
  const locate = (input: unknown, ctx: Parameters<Operation>[1], extra?: (r: RequestReader) => void) => {
    const r = RequestReader.of(input);
    const { registryId, repositoryName } = readRepositoryRef(r);
    const imageId = r.requiredObject('imageId', (i): ImageId => {
      const id: ImageId = {};
      const d = i.string('imageDigest');
      const t = i.string('imageTag', { min: 1, max: 300 });
      if (d !== undefined) id.imageDigest = d;
      if (t !== undefined) id.imageTag = t;
      return id;
    });
    extra?.(r);
    r.done();
    const repo = requireRepository(deps, ctx, targetScope(ctx, registryId), repositoryName);
    const found = resolveImageId(deps.store, repo.id, imageId!);
    if ('failure' in found) throw ecrErrors.imageNotFound(imageId!, repo.name, repo.accountId);
    return { repo, imageId: imageId!, img: deps.store.images.get(repo.id, found.digest)! };
  };
  const idJson = (img: ImageRow, id: ImageId) => ({ imageDigest: img.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) });

  return {
    StartImageScan(input, ctx) {
      const { repo, imageId, img } = locate(input, ctx);
      if (INDEX_TYPES.includes(img.mediaType)) throw ecrErrors.unsupportedImageType();
      if (img.scanStartedAt !== null && deps.now() - img.scanStartedAt < DAY_MS) throw ecrErrors.scanLimitExceeded();
      scans.start(img);
      return {
        registryId: repo.accountId,
        repositoryName: repo.name,
        imageId: idJson(img, imageId),
        imageScanStatus: { status: 'IN_PROGRESS' },
      };
    },
    DescribeImageScanFindings(input, ctx) {
      let maxResults: number | undefined;
      let nextToken: string | undefined;
      const { repo, imageId, img } = locate(input, ctx, (r) => {
        maxResults = r.integer('maxResults', 1, 1000);
        nextToken = r.string('nextToken');
      });
      if (!img.scanStatus) throw ecrErrors.scanNotFound(imageId, repo.name, repo.accountId);
      const head = { registryId: repo.accountId, repositoryName: repo.name, imageId: idJson(img, imageId) };
      const status = scanSummaryJson(img)['imageScanStatus'];
      if (img.scanStatus !== 'COMPLETE') return { ...head, imageScanStatus: status };
      const findings = storedFindings(img);
      const { page, nextToken: next } = paginate(findings, maxResults, nextToken, 100);
      return {
        ...head,
        imageScanStatus: status,
        imageScanFindings: {
          ...(img.scanCompletedAt !== null ? { imageScanCompletedAt: seconds(img.scanCompletedAt) } : {}),
          ...(img.vulnerabilitySourceUpdatedAt !== null ? { vulnerabilitySourceUpdatedAt: seconds(img.vulnerabilitySourceUpdatedAt) } : {}),
          findingSeverityCounts: severityCounts(findings),
          findings: page,
        },
        ...(next ? { nextToken: next } : {}),
      };
    },
  };
}
