/** The advisory feed shipped in sandbox/advisories/ loads cleanly and matches as its README says. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { matchInventory } from '../../sandbox/core/scanning/index.ts';
import type { InstalledPackage } from '../../sandbox/core/scanning/index.ts';
import { loadAdvisoryFeed } from '../../sandbox/scanner/index.ts';

const dir = fileURLToPath(new URL('../../sandbox/advisories/', import.meta.url));
const pkg = (name: string, sourceName: string, version: string): InstalledPackage => ({ manager: 'dpkg', name, version, sourceName, sourceVersion: version });
const bookworm = { id: 'debian', versionId: '12', versionCodename: 'bookworm' };

describe('shipped advisory feed', () => {
  it('parses without problems', async () => {
    const feed = await loadAdvisoryFeed(dir);
    expect(feed.problems).toEqual([]);
    expect(feed.advisories).toHaveLength(7);
  });

  it('finds only the unimportant apt and tar issues on up-to-date bookworm packages', async () => {
    const feed = await loadAdvisoryFeed(dir);
    const result = matchInventory(
      {
        os: bookworm,
        packages: [
          pkg('apt', 'apt', '2.6.1'),
          pkg('tar', 'tar', '1.34+dfsg-1.2+deb12u1'),
          pkg('apache2-bin', 'apache2', '2.4.62-1~deb12u2'),
          pkg('libc6', 'glibc', '2.36-9+deb12u10'),
          pkg('openssh-client', 'openssh', '1:9.2p1-2+deb12u6'),
        ],
      },
      feed.index,
    );
    expect(result.supported && result.findings.map((f) => [f.name, f.severity])).toEqual([
      ['CVE-2005-2541', 'INFORMATIONAL'],
      ['CVE-2011-3374', 'INFORMATIONAL'],
    ]);
  });

  it('finds the DSA fixes missing from bookworm release versions', async () => {
    const feed = await loadAdvisoryFeed(dir);
    const result = matchInventory(
      { os: bookworm, packages: [pkg('apache2-bin', 'apache2', '2.4.57-2'), pkg('libc6', 'glibc', '2.36-9+deb12u1'), pkg('openssh-server', 'openssh', '1:9.2p1-2')] },
      feed.index,
    );
    if (!result.supported) throw new Error('bookworm must be supported');
    expect(result.findings.filter((f) => f.severity === 'HIGH').map((f) => f.name)).toEqual(['CVE-2023-4911', 'CVE-2024-6387']);
    expect(result.findings.filter((f) => f.attributes.some((a) => a.value === 'apache2'))).toHaveLength(6);
  });
});
