/** How scan state appears in DescribeImages and DescribeImageScanFindings. */
import type { ScanFinding, Severity } from '../contracts.ts';
import type { ImageSummaryRow } from '../storage/metadata-store.ts';
import { seconds } from './context.ts';

/** Severity → count over findings (only severities that occur, as ECR reports them). */
export function severityCounts(findings: readonly ScanFinding[]): Partial<Record<Severity, number>> {
  const counts: Partial<Record<Severity, number>> = {};
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

/** Stored findings of a COMPLETE scan. */
export function storedFindings(img: ImageSummaryRow): ScanFinding[] {
  return img.scanFindings ? (JSON.parse(img.scanFindings) as ScanFinding[]) : [];
}

/** `imageScanStatus` (+ `imageScanFindingsSummary` when complete) for DescribeImages; empty if never scanned. */
export function scanSummaryJson(img: ImageSummaryRow): Record<string, unknown> {
  if (!img.scanStatus) return {};
  const status = { status: img.scanStatus, description: img.scanDescription ?? describe(img.scanStatus) };
  if (img.scanStatus !== 'COMPLETE') return { imageScanStatus: status };
  return {
    imageScanStatus: status,
    imageScanFindingsSummary: {
      ...(img.scanCompletedAt !== null ? { imageScanCompletedAt: seconds(img.scanCompletedAt) } : {}),
      ...(img.vulnerabilitySourceUpdatedAt !== null ? { vulnerabilitySourceUpdatedAt: seconds(img.vulnerabilitySourceUpdatedAt) } : {}),
      findingSeverityCounts: severityCounts(storedFindings(img)),
    },
  };
}

function describe(status: string): string {
  return status === 'COMPLETE' ? 'The scan was completed successfully.' : status === 'IN_PROGRESS' ? 'The scan is in progress.' : '';
}
