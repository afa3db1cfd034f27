/**
 * ECR's finding shapes, restated here because the pure core cannot import `sandbox/contracts.ts`
 * (it pulls in node:http types). They are structurally identical; `sandbox/scanner/` asserts at
 * compile time that they stay assignable to the contract's `ScanFinding` and `Severity`.
 */

/** ECR's finding severities (basic scanning). */
export type FindingSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNDEFINED';

/** One finding, shaped as DescribeImageScanFindings returns it. */
export interface Finding {
  readonly name: string;
  readonly description?: string;
  readonly uri?: string;
  readonly severity: FindingSeverity;
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: string }>;
}

/** Severities from most to least severe; also the order findings are listed in. */
export const SEVERITY_ORDER: readonly FindingSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];

/**
 * `findingSeverityCounts` as ECR returns it: a map with only the severities that occur.
 * @example findingSeverityCounts(findings) // { HIGH: 2, LOW: 1 }
 */
export function findingSeverityCounts(findings: readonly Pick<Finding, 'severity'>[]): Partial<Record<FindingSeverity, number>> {
  const counts: Partial<Record<FindingSeverity, number>> = {};
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}
