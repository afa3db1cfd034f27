/**
 * Matches an inventory against OSV advisories and shapes the result as ECR basic-scanning
 * findings: one finding per (vulnerability name, source package, version), named by CVE when
 * the advisory names one, with ECR's attributes (package_version, package_name, CVSS2_*).
 */
import { cvss2BaseScore, cvss3BaseScore } from './cvss.ts';
import type { CvssScore } from './cvss.ts';
import { supportedOs } from './ecosystem.ts';
import type { SupportedOs } from './ecosystem.ts';
import { SEVERITY_ORDER } from './findings.ts';
import type { Finding, FindingSeverity } from './findings.ts';
import type { InstalledPackage, Inventory } from './inventory.ts';
import type { OsvAdvisory, OsvAffected, OsvEvent, OsvSeverity } from './osv.ts';

/** Advisories grouped by `ecosystem` then package `name`, for lookup per installed package. */
export type AdvisoryIndex = ReadonlyMap<string, ReadonlyMap<string, ReadonlyArray<{ advisory: OsvAdvisory; affected: OsvAffected }>>>;

/** Builds the lookup index once per feed. */
export function indexAdvisories(advisories: readonly OsvAdvisory[]): AdvisoryIndex {
  const index = new Map<string, Map<string, Array<{ advisory: OsvAdvisory; affected: OsvAffected }>>>();
  for (const advisory of advisories) {
    for (const affected of advisory.affected ?? []) {
      if (!affected.package) continue;
      const byName = index.get(affected.package.ecosystem) ?? new Map();
      index.set(affected.package.ecosystem, byName);
      const list = byName.get(affected.package.name) ?? [];
      byName.set(affected.package.name, list);
      list.push({ advisory, affected });
    }
  }
  return index;
}

/** The scan's verdict on an inventory. */
export type MatchResult =
  | { readonly supported: true; readonly os: SupportedOs; readonly findings: Finding[] }
  | { readonly supported: false; readonly reason: string };

/** Matches every installed package of the image's OS against the index. */
export function matchInventory(inventory: Inventory, index: AdvisoryIndex): MatchResult {
  const os = supportedOs(inventory.os);
  if (!os) {
    const id = inventory.os ? `'${inventory.os.id}'` : 'unknown (no /etc/os-release)';
    return { supported: false, reason: `operating system ${id} is not supported` };
  }
  const byKey = new Map<string, Finding>();
  for (const pkg of inventory.packages) {
    if (pkg.manager !== os.manager) continue;
    for (const ecosystem of os.ecosystems) {
      for (const { advisory, affected } of index.get(ecosystem)?.get(pkg.sourceName) ?? []) {
        if (!isAffected(pkg.sourceVersion, affected, os.compare)) continue;
        for (const finding of toFindings(advisory, affected, pkg, os)) {
          const key = `${finding.name}\u0000${pkg.sourceName}\u0000${pkg.sourceVersion}`;
          const seen = byKey.get(key);
          byKey.set(key, seen ? mergeFindings(seen, finding) : finding);
        }
      }
    }
  }
  const findings = [...byKey.values()].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      a.name.localeCompare(b.name) ||
      attr(a, 'package_name').localeCompare(attr(b, 'package_name')),
  );
  return { supported: true, os, findings };
}

const attr = (f: Finding, key: string): string => f.attributes.find((a) => a.key === key)?.value ?? '';

/**
 * OSV's evaluation algorithm (schema "Evaluation" section): affected if listed in `versions` or
 * inside any ECOSYSTEM range, walking the range's events in version order. Events whose version
 * the ecosystem cannot parse are skipped rather than guessed at.
 */
export function isAffected(version: string, affected: OsvAffected, compare: SupportedOs['compare']): boolean {
  const cmp = (a: string, b: string): number | undefined => {
    try {
      return compare(a, b);
    } catch {
      return undefined;
    }
  };
  if (affected.versions?.some((v) => v === version || cmp(version, v) === 0)) return true;
  for (const range of affected.ranges ?? []) {
    if (range.type !== 'ECOSYSTEM') continue; // GIT/SEMVER ranges do not describe distro packages
    const events = range.events.filter((e) => eventVersion(e) === '0' || cmp(eventVersion(e), eventVersion(e)) === 0);
    const limits = events.filter((e) => e.limit !== undefined);
    if (limits.length > 0 && !limits.some((e) => (cmp(version, e.limit!) ?? 1) < 0)) continue;
    const sorted = [...events].sort((a, b) => compareEventVersions(eventVersion(a), eventVersion(b), cmp));
    let vulnerable = false;
    for (const e of sorted) {
      if (e.introduced !== undefined) {
        if (e.introduced === '0' || (cmp(version, e.introduced) ?? -1) >= 0) vulnerable = true;
      } else if (e.fixed !== undefined) {
        if ((cmp(version, e.fixed) ?? -1) >= 0) vulnerable = false;
      } else if (e.last_affected !== undefined) {
        if ((cmp(version, e.last_affected) ?? -1) > 0) vulnerable = false;
      }
    }
    if (vulnerable) return true;
  }
  return false;
}

const eventVersion = (e: OsvEvent): string => e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '';

// "0" in `introduced` means "before every version", below anything the ecosystem can spell.
function compareEventVersions(a: string, b: string, cmp: (a: string, b: string) => number | undefined): number {
  if (a === '0' || b === '0') return a === b ? 0 : a === '0' ? -1 : 1;
  return cmp(a, b) ?? 0;
}

/** The names ECR would list: the CVE ids an advisory stands for, else its own id. */
export function findingNames(advisory: OsvAdvisory): string[] {
  if (advisory.id.startsWith('CVE-')) return [advisory.id];
  const cves = [...(advisory.aliases ?? []), ...(advisory.upstream ?? [])].filter((id) => /^CVE-\d{4}-\d+$/.test(id));
  return cves.length > 0 ? [...new Set(cves)] : [advisory.id];
}

function toFindings(advisory: OsvAdvisory, affected: OsvAffected, pkg: InstalledPackage, os: SupportedOs): Finding[] {
  const vectors = [...(affected.severity ?? []), ...(advisory.severity ?? [])];
  const v2 = firstScore(vectors, 'CVSS_V2', cvss2BaseScore);
  const v3 = firstScore(vectors, 'CVSS_V3', cvss3BaseScore);
  const severity = severityOf(advisory, affected, v3, v2);
  const description = advisory.details?.trim() || advisory.summary?.trim() || undefined;
  return findingNames(advisory).map((name) => {
    const attributes = [
      { key: 'package_version', value: pkg.sourceVersion },
      { key: 'package_name', value: pkg.sourceName },
      ...(v2 ? [{ key: 'CVSS2_VECTOR', value: v2.vector }, { key: 'CVSS2_SCORE', value: String(v2.score) }] : []),
      ...(v3 ? [{ key: 'CVSS3_VECTOR', value: v3.vector }, { key: 'CVSS3_SCORE', value: String(v3.score) }] : []),
    ];
    const uri = uriFor(name, advisory, os);
    return { name, severity, attributes, ...(description && { description }), ...(uri && { uri }) };
  });
}

function firstScore(list: readonly OsvSeverity[], type: string, score: (v: string) => CvssScore | undefined): CvssScore | undefined {
  for (const s of list) {
    if (s.type !== type) continue;
    const r = score(s.score);
    if (r) return r;
  }
  return undefined;
}

/**
 * Severity, in order of preference: the database's own rating (`database_specific.severity`,
 * e.g. GitHub's MODERATE), the CVSS v3 rating, the CVSS v2 rating (NVD's bands), the distro's
 * urgency (Debian's `ecosystem_specific.urgency`), else UNDEFINED.
 */
export function severityOf(advisory: OsvAdvisory, affected: OsvAffected, v3?: CvssScore, v2?: CvssScore): FindingSeverity {
  const named = ratingFromWord(affected.database_specific?.['severity']) ?? ratingFromWord(advisory.database_specific?.['severity']);
  if (named) return named;
  if (v3) return v3.score === 0 ? 'INFORMATIONAL' : v3.score >= 9 ? 'CRITICAL' : v3.score >= 7 ? 'HIGH' : v3.score >= 4 ? 'MEDIUM' : 'LOW';
  if (v2) return v2.score >= 7 ? 'HIGH' : v2.score >= 4 ? 'MEDIUM' : 'LOW';
  return ratingFromWord(affected.ecosystem_specific?.['urgency']) ?? 'UNDEFINED';
}

function ratingFromWord(word: unknown): FindingSeverity | undefined {
  if (typeof word !== 'string') return undefined;
  const w = word.trim().toLowerCase().replace(/\*+$/, ''); // Debian marks some urgencies "low**"
  switch (w) {
    case 'critical':
      return 'CRITICAL';
    case 'high':
    case 'important':
      return 'HIGH';
    case 'medium':
    case 'moderate':
      return 'MEDIUM';
    case 'low':
      return 'LOW';
    case 'unimportant':
    case 'negligible':
    case 'none':
      return 'INFORMATIONAL';
    default:
      return undefined; // e.g. Debian's "not yet assigned"
  }
}

/** ECR's links: Debian's tracker for Debian CVEs, Ubuntu's CVE pages, MITRE otherwise. */
function uriFor(name: string, advisory: OsvAdvisory, os: SupportedOs): string | undefined {
  if (name.startsWith('CVE-')) {
    if (os.family === 'Debian') return `https://security-tracker.debian.org/tracker/${name}`;
    if (os.family === 'Ubuntu') return `https://ubuntu.com/security/${name}`;
    return `https://cve.mitre.org/cgi-bin/cvename.cgi?name=${name}`;
  }
  const refs = advisory.references ?? [];
  return (refs.find((r) => r.type === 'ADVISORY') ?? refs[0])?.url;
}

/** Two advisories for the same CVE and package (a DSA and Debian's per-CVE record): keep the richer data. */
function mergeFindings(a: Finding, b: Finding): Finding {
  const keys = new Set(a.attributes.map((x) => x.key));
  const attributes = [...a.attributes, ...b.attributes.filter((x) => !keys.has(x.key))];
  const severity = a.severity === 'UNDEFINED' ? b.severity : a.severity;
  const description = a.description ?? b.description;
  const uri = a.uri ?? b.uri;
  return { name: a.name, severity, attributes, ...(description && { description }), ...(uri && { uri }) };
}
