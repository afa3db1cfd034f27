import { describe, expect, it } from 'vitest';
import { compareDpkgVersions } from './dpkg-version.ts';
import { findingSeverityCounts } from './findings.ts';
import type { InstalledPackage, Inventory } from './inventory.ts';
import { findingNames, indexAdvisories, isAffected, matchInventory } from './match.ts';
import type { OsvAdvisory, OsvAffected, OsvEvent } from './osv.ts';
import { parseOsvDocument } from './osv.ts';

const bookworm = { id: 'debian', versionId: '12', versionCodename: 'bookworm' };
const deb = (name: string, version: string, sourceName = name, sourceVersion = version): InstalledPackage => ({
  manager: 'dpkg',
  name,
  version,
  sourceName,
  sourceVersion,
});
const range = (...events: OsvEvent[]): OsvAffected => ({
  package: { ecosystem: 'Debian:12', name: 'x' },
  ranges: [{ type: 'ECOSYSTEM', events }],
});

describe('isAffected', () => {
  const cmp = compareDpkgVersions;
  it('is affected from "0" up to, not including, the fixed version', () => {
    const a = range({ introduced: '0' }, { fixed: '2.36-9+deb12u3' });
    expect(isAffected('2.36-9+deb12u1', a, cmp)).toBe(true);
    expect(isAffected('2.36-9+deb12u3', a, cmp)).toBe(false);
    expect(isAffected('2.36-9+deb12u10', a, cmp)).toBe(false);
  });

  it('includes last_affected itself and nothing after it', () => {
    const a = range({ introduced: '1.0-1' }, { last_affected: '1.2-1' });
    expect(isAffected('0.9-1', a, cmp)).toBe(false);
    expect(isAffected('1.2-1', a, cmp)).toBe(true);
    expect(isAffected('1.2-1+b1', a, cmp)).toBe(false);
  });

  it('evaluates several introduced/fixed pairs in version order, whatever the listed order', () => {
    const a = range({ fixed: '3.0-2' }, { introduced: '3.0-1' }, { fixed: '1.5-1' }, { introduced: '1.0-1' });
    expect(isAffected('1.2-1', a, cmp)).toBe(true);
    expect(isAffected('2.0-1', a, cmp)).toBe(false);
    expect(isAffected('3.0-1', a, cmp)).toBe(true);
    expect(isAffected('3.0-2', a, cmp)).toBe(false);
  });

  it('matches the enumerated versions list and an unfixed range', () => {
    expect(isAffected('2.3.9-1', { versions: ['2.3.9-1', '2.3.9-1+deb12u1'] }, cmp)).toBe(true);
    expect(isAffected('2.3.8-1', { versions: ['2.3.9-1'] }, cmp)).toBe(false);
    expect(isAffected('99-1', range({ introduced: '0' }), cmp)).toBe(true);
  });

  it('ignores non-ECOSYSTEM ranges and unparsable event versions', () => {
    expect(isAffected('1.0-1', { ranges: [{ type: 'GIT', events: [{ introduced: '0' }] }] }, cmp)).toBe(false);
    expect(isAffected('1.0-1', range({ introduced: 'x:bad' }), cmp)).toBe(false);
  });
});

const advisory = (over: Partial<OsvAdvisory>): OsvAdvisory => ({ id: 'TEST-1', ...over });
const glibcDsa = advisory({
  id: 'DSA-5514-1',
  summary: 'glibc - security update',
  upstream: ['CVE-2023-4911', 'DEBIAN-CVE-2023-4911'],
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    { package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }] },
  ],
});

describe('matchInventory', () => {
  const inventory = (packages: InstalledPackage[], os = bookworm): Inventory => ({ os, packages });

  it('reports a vulnerable source package once, named by CVE, shaped like ECR', () => {
    const inv = inventory([deb('libc6', '2.36-9+deb12u1', 'glibc'), deb('libc-bin', '2.36-9+deb12u1', 'glibc')]);
    const result = matchInventory(inv, indexAdvisories([glibcDsa]));
    expect(result).toMatchObject({ supported: true });
    if (!result.supported) return;
    expect(result.findings).toEqual([
      {
        name: 'CVE-2023-4911',
        description: 'glibc - security update',
        uri: 'https://security-tracker.debian.org/tracker/CVE-2023-4911',
        severity: 'HIGH',
        attributes: [
          { key: 'package_version', value: '2.36-9+deb12u1' },
          { key: 'package_name', value: 'glibc' },
          { key: 'CVSS3_VECTOR', value: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' },
          { key: 'CVSS3_SCORE', value: '7.8' },
        ],
      },
    ]);
  });

  it('reports nothing for the fixed version, another release, or an unrelated package', () => {
    const index = indexAdvisories([glibcDsa]);
    const fixed = matchInventory(inventory([deb('libc6', '2.36-9+deb12u3', 'glibc')]), index);
    const bullseye = matchInventory(inventory([deb('libc6', '2.31-13', 'glibc')], { id: 'debian', versionId: '11', versionCodename: 'bullseye' }), index);
    // Matching is by source package: a binary that happens to be named like nothing in the feed is not affected.
    const other = matchInventory(inventory([deb('glibc-doc-reference', '2.36-1', 'glibc-doc-reference')]), index);
    for (const r of [fixed, bullseye, other]) expect(r).toMatchObject({ supported: true, findings: [] });
  });

  it('matches by the source version of a binNMU, not the binary version', () => {
    // libc6 2.36-9+deb12u3+b1 is built from glibc 2.36-9+deb12u3, which is fixed.
    const r = matchInventory(inventory([deb('libc6', '2.36-9+deb12u3+b1', 'glibc', '2.36-9+deb12u3')]), indexAdvisories([glibcDsa]));
    expect(r).toMatchObject({ findings: [] });
  });

  it('merges a DSA and the per-CVE record for the same CVE, keeping the known severity', () => {
    const perCve = advisory({
      id: 'DEBIAN-CVE-2023-4911',
      upstream: ['CVE-2023-4911'],
      details: 'A buffer overflow in the dynamic loader (GLIBC_TUNABLES).',
      affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }] }],
    });
    const noSeverityDsa = { ...glibcDsa, severity: undefined };
    const r = matchInventory(inventory([deb('libc6', '2.36-9', 'glibc')]), indexAdvisories([noSeverityDsa, { ...perCve, severity: glibcDsa.severity }]));
    if (!r.supported) throw new Error('expected supported');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ name: 'CVE-2023-4911', severity: 'HIGH' });
  });

  it('uses Alpine ecosystems, origins and apk ordering for Alpine images', () => {
    const a = advisory({
      id: 'ALPINE-CVE-2023-5363',
      upstream: ['CVE-2023-5363'],
      affected: [{ package: { ecosystem: 'Alpine:v3.18', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.4-r0' }] }] }],
    });
    const apk = (name: string, version: string): InstalledPackage => ({ manager: 'apk', name, version, sourceName: 'openssl', sourceVersion: version });
    const os = { id: 'alpine', versionId: '3.18.4' };
    const vulnerable = matchInventory({ os, packages: [apk('libcrypto3', '3.1.3-r0')] }, indexAdvisories([a]));
    const fixed = matchInventory({ os, packages: [apk('libcrypto3', '3.1.4-r0')] }, indexAdvisories([a]));
    expect(vulnerable).toMatchObject({ findings: [{ name: 'CVE-2023-5363', uri: 'https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2023-5363', severity: 'UNDEFINED' }] });
    expect(fixed).toMatchObject({ findings: [] });
  });

  it('takes severity from database_specific, then CVSS, then the Debian urgency', () => {
    const mk = (id: string, over: Partial<OsvAdvisory>, affectedOver: Partial<OsvAffected> = {}) =>
      advisory({
        id,
        ...over,
        affected: [{ package: { ecosystem: 'Debian:12', name: 'tar' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], ...affectedOver }],
      });
    const feed = [
      mk('CVE-2000-0001', { database_specific: { severity: 'MODERATE' }, severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' }] }),
      mk('CVE-2000-0002', { severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' }] }),
      mk('CVE-2000-0003', {}, { ecosystem_specific: { urgency: 'unimportant' } }),
      mk('CVE-2000-0004', {}, { ecosystem_specific: { urgency: 'not yet assigned' } }),
    ];
    const r = matchInventory(inventory([deb('tar', '1.34+dfsg-1.2')]), indexAdvisories(feed));
    if (!r.supported) throw new Error('expected supported');
    expect(r.findings.map((f) => [f.name, f.severity])).toEqual([
      ['CVE-2000-0002', 'HIGH'],
      ['CVE-2000-0001', 'MEDIUM'],
      ['CVE-2000-0003', 'INFORMATIONAL'],
      ['CVE-2000-0004', 'UNDEFINED'],
    ]);
    expect(r.findings[0]?.attributes).toContainEqual({ key: 'CVSS2_SCORE', value: '10' });
    expect(findingSeverityCounts(r.findings)).toEqual({ HIGH: 1, MEDIUM: 1, INFORMATIONAL: 1, UNDEFINED: 1 });
  });

  it('reports an OS it cannot match advisories for as unsupported', () => {
    expect(matchInventory(inventory([], { id: 'fedora', versionId: '39' } as never), indexAdvisories([]))).toMatchObject({ supported: false });
    expect(matchInventory({ os: undefined, packages: [deb('bash', '5.2-1')] }, indexAdvisories([]))).toMatchObject({ supported: false });
  });
});

describe('findingNames', () => {
  it('prefers the CVE ids an advisory stands for, one finding each', () => {
    expect(findingNames({ id: 'DSA-5662-1', upstream: ['CVE-2024-27316', 'CVE-2023-31122'] })).toEqual(['CVE-2024-27316', 'CVE-2023-31122']);
    expect(findingNames({ id: 'CVE-2024-6387', aliases: ['GHSA-xxxx'] })).toEqual(['CVE-2024-6387']);
    expect(findingNames({ id: 'DSA-9999-1' })).toEqual(['DSA-9999-1']);
  });
});

describe('parseOsvDocument', () => {
  it('accepts one record or an array, drops withdrawn records and reports malformed ones', () => {
    const text = JSON.stringify([glibcDsa, { id: 'X', withdrawn: '2024-01-01T00:00:00Z' }, { summary: 'no id' }, { id: 'Y', affected: 'nope' }]);
    const parsed = parseOsvDocument(text, 'feed.json');
    expect(parsed.advisories.map((a) => a.id)).toEqual(['DSA-5514-1']);
    expect(parsed.problems.map((p) => p.source)).toEqual(['feed.json[2]', 'feed.json[3]']);
    expect(parseOsvDocument('{"id":', 'broken.json').problems[0]?.message).toMatch(/^not JSON/);
  });
});
