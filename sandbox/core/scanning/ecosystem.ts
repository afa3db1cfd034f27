/**
 * Which OSV ecosystem strings describe an image's OS, and how that ecosystem orders versions.
 * Scope is what ECR basic scanning supports among the package databases we read: Debian and
 * Ubuntu (dpkg), Alpine (apk).
 */
import { compareApkVersions } from './apk-version.ts';
import { compareDpkgVersions } from './dpkg-version.ts';
import type { OsRelease, PackageManager } from './inventory.ts';

/** An OS release the scanner can match advisories for. */
export interface SupportedOs {
  /** OSV ecosystem strings that apply, most specific first (e.g. `Debian:12`, `Debian`). */
  readonly ecosystems: readonly string[];
  /** The family's name in OSV (`Debian`, `Ubuntu`, `Alpine`): selects URIs for findings. */
  readonly family: 'Debian' | 'Ubuntu' | 'Alpine';
  readonly manager: PackageManager;
  /** Total order on the family's versions; throws RangeError on an unparsable version. */
  readonly compare: (a: string, b: string) => -1 | 0 | 1;
}

/** Maps os-release to the OSV ecosystems, or undefined when the OS is not supported. */
export function supportedOs(os: OsRelease | undefined): SupportedOs | undefined {
  if (!os) return undefined;
  const v = os.versionId;
  switch (os.id) {
    case 'debian':
      // OSV uses the numeric release ("Debian:12"); a bare "Debian" applies to every release.
      // testing/sid have no VERSION_ID: only release-less advisories can apply to them.
      return {
        ecosystems: v ? [`Debian:${v.split('.')[0]}`, 'Debian'] : ['Debian'],
        family: 'Debian',
        manager: 'dpkg',
        compare: compareDpkgVersions,
      };
    case 'ubuntu':
      return {
        ecosystems: v ? [`Ubuntu:${v}`, `Ubuntu:${v}:LTS`, 'Ubuntu'] : ['Ubuntu'],
        family: 'Ubuntu',
        manager: 'dpkg',
        compare: compareDpkgVersions,
      };
    case 'alpine': {
      // "3.19.1" → "Alpine:v3.19" (OSV scopes Alpine by release branch, with the v).
      const branch = v?.split('.').slice(0, 2).join('.');
      return {
        ecosystems: branch ? [`Alpine:v${branch}`, 'Alpine'] : ['Alpine'],
        family: 'Alpine',
        manager: 'apk',
        compare: compareApkVersions,
      };
    }
    default:
      return undefined;
  }
}
