/**
 * The sandbox's ECR basic scanner: reads an image's layers from the blob store, works out the
 * final content of its package databases, and matches them against the advisory feed.
 */
import type { IBlobStore, ScanFinding, ScanOutcome, Severity, StoredManifest } from '../contracts.ts';
import { buildInventory, matchInventory, OverlayView, parseImageManifest } from '../core/scanning/index.ts';
import type { Finding, FindingSeverity } from '../core/scanning/index.ts';
import type { AdvisoryFeed } from './advisory-feed.ts';
import { LayerReadError, readLayerEntries } from './layer-reader.ts';

// The core restates ECR's finding shape (it cannot import the contract); keep them identical.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const findingShapeMatchesContract: Same<Finding, ScanFinding> & Same<FindingSeverity, Severity> = true;
void findingShapeMatchesContract;

/**
 * What ECR basic scanning reports for an image without a supported OS package database
 * (e.g. FROM scratch + busybox), word for word. Real ECR reports it with status FAILED — see
 * aws-otel-collector#2193 for the raw DescribeImageScanFindings output; UNSUPPORTED_IMAGE is
 * what enhanced (Inspector) scanning uses. {@link ImageScannerOptions.unsupportedStatus} switches.
 */
export const UNSUPPORTED_IMAGE_DESCRIPTION = 'UnsupportedImageError: The operating system and/or package manager are not supported.';

/** Description ECR gives a COMPLETE scan (the integrator adds it to imageScanStatus). */
export const SCAN_COMPLETE_DESCRIPTION = 'The scan was completed successfully.';

/** Dependencies and options of {@link createImageScanner}. */
export interface ImageScannerOptions {
  readonly blobs: IBlobStore;
  readonly feed: AdvisoryFeed;
  /** Status for images with no supported OS; default FAILED, as real ECR basic scanning reports. */
  readonly unsupportedStatus?: 'FAILED' | 'UNSUPPORTED_IMAGE';
}

/**
 * Creates the scanner. Scans are independent; each streams its layers one after another.
 * @example
 * const scanner = createImageScanner({ blobs, feed: await loadAdvisoryFeed(advisoriesDir) });
 * const outcome = await scanner.scan(accountId, manifest); // { status: 'COMPLETE', findings }
 */
export function createImageScanner(options: ImageScannerOptions): { scan(accountId: string, manifest: StoredManifest): Promise<ScanOutcome> } {
  const unsupported: ScanOutcome = { status: options.unsupportedStatus ?? 'FAILED', description: UNSUPPORTED_IMAGE_DESCRIPTION };
  const failed = (description: string): ScanOutcome => ({ status: 'FAILED', description });

  return {
    async scan(accountId, manifest) {
      const parsed = parseImageManifest(manifest.mediaType, new TextDecoder().decode(manifest.bytes));
      if (parsed.kind === 'index') {
        // An index's platform manifests are images of their own (pushed before the index);
        // the blob store does not hold manifests, so they are scanned as themselves.
        return failed('The image is a manifest list or image index. Scan the image manifest of each platform instead.');
      }
      if (parsed.kind === 'invalid') return failed(`The image manifest cannot be read: ${parsed.reason}.`);

      const view = new OverlayView();
      try {
        for (const layer of parsed.layers) view.applyLayer(await readLayerEntries(options.blobs, accountId, layer));
      } catch (err) {
        if (err instanceof LayerReadError) return failed(`The image layers cannot be read: ${err.message}.`);
        throw err;
      }

      const inventory = buildInventory({
        osRelease: view.readFile('etc/os-release') ?? view.readFile('usr/lib/os-release'),
        dpkgStatus: view.readFile('var/lib/dpkg/status'),
        apkInstalled: view.readFile('lib/apk/db/installed') ?? view.readFile('usr/lib/apk/db/installed'),
      });
      if (!inventory) return unsupported;
      const result = matchInventory(inventory, options.feed.index);
      if (!result.supported) return unsupported;
      const updatedAt = options.feed.updatedAt;
      return { status: 'COMPLETE', findings: result.findings, ...(updatedAt !== undefined && { vulnerabilitySourceUpdatedAt: updatedAt }) };
    },
  };
}
