/**
 * ECR basic scanning, the pure part: package inventories from dpkg/apk databases, Debian and
 * Alpine version ordering, OSV advisory matching, and ECR-shaped findings.
 * The adapter that reads image layers lives in `sandbox/scanner/`.
 */
export { compareDpkgVersions, parseDpkgVersion } from './dpkg-version.ts';
export type { DpkgVersion } from './dpkg-version.ts';
export { compareApkVersions, isValidApkVersion } from './apk-version.ts';
export { buildInventory, parseApkInstalled, parseDpkgStatus, parseOsRelease } from './inventory.ts';
export type { InstalledPackage, Inventory, OsRelease, PackageDatabaseFiles, PackageManager } from './inventory.ts';
export { supportedOs } from './ecosystem.ts';
export type { SupportedOs } from './ecosystem.ts';
export { parseOsvDocument } from './osv.ts';
export type { FeedProblem, OsvAdvisory, OsvAffected, ParsedOsvDocument } from './osv.ts';
export { cvss2BaseScore, cvss3BaseScore } from './cvss.ts';
export type { CvssScore } from './cvss.ts';
export { findingNames, indexAdvisories, isAffected, matchInventory, severityOf } from './match.ts';
export type { AdvisoryIndex, MatchResult } from './match.ts';
export { findingSeverityCounts, SEVERITY_ORDER } from './findings.ts';
export type { Finding, FindingSeverity } from './findings.ts';
export { classifyEntry, isTrackedPath, isWantedPath, normalizeEntryPath, OverlayView, WANTED_PATHS } from './overlay.ts';
export type { LayerEntry } from './overlay.ts';
export { isIndexMediaType, layerCompression, MEDIA_TYPES, parseImageManifest } from './image-manifest.ts';
export type { LayerCompression, LayerRef, ParsedManifest } from './image-manifest.ts';
