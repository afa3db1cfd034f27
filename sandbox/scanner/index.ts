/**
 * ECR basic scanning for the sandbox: `createImageScanner` implements the contract's
 * `IImageScanner` over the blob store and an OSV advisory feed loaded with `loadAdvisoryFeed`.
 * Version ordering, matching and finding shapes live in `sandbox/core/scanning/`.
 */
import type { IImageScanner } from '../contracts.ts';
import { createImageScanner as create } from './image-scanner.ts';
import type { ImageScannerOptions } from './image-scanner.ts';

export { SCAN_COMPLETE_DESCRIPTION, UNSUPPORTED_IMAGE_DESCRIPTION } from './image-scanner.ts';
export type { ImageScannerOptions } from './image-scanner.ts';
export { createAdvisoryFeed, loadAdvisoryFeed } from './advisory-feed.ts';
export type { AdvisoryFeed } from './advisory-feed.ts';
export { findingSeverityCounts, isIndexMediaType } from '../core/scanning/index.ts';

/** Creates the sandbox's {@link IImageScanner}. */
export function createImageScanner(options: ImageScannerOptions): IImageScanner {
  return create(options);
}
