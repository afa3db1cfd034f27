/**
 * What an image has installed, read from the package databases its package manager keeps:
 * dpkg's `/var/lib/dpkg/status`, apk's `/lib/apk/db/installed`, and `/etc/os-release`.
 * Pure text in, values out: the adapter finds the files in the layers.
 */

/** The parts of os-release(5) the scanner needs. */
export interface OsRelease {
  readonly id: string; // e.g. debian, alpine, ubuntu (lowercase, as the file says)
  readonly versionId?: string; // e.g. 12, 3.19.1, 22.04
  readonly versionCodename?: string; // e.g. bookworm
}

/** The package manager whose database an installed package came from. */
export type PackageManager = 'dpkg' | 'apk';

/** One installed package. */
export interface InstalledPackage {
  readonly manager: PackageManager;
  readonly name: string; // binary package name (dpkg Package:, apk P:)
  readonly version: string; // installed version (dpkg Version:, apk V:)
  /** Source package (dpkg Source:, apk o:); advisories are keyed by it. Falls back to name. */
  readonly sourceName: string;
  /** Source version: dpkg's `Source: name (version)` for binNMUs, otherwise the binary version. */
  readonly sourceVersion: string;
}

/** An image's OS and packages. */
export interface Inventory {
  readonly os: OsRelease | undefined;
  readonly packages: readonly InstalledPackage[];
}

/**
 * Parses os-release: `KEY=value` lines, values optionally quoted with shell-style escapes.
 * Returns undefined when there is no ID.
 */
export function parseOsRelease(text: string): OsRelease | undefined {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    fields.set(line.slice(0, eq), unquote(line.slice(eq + 1)));
  }
  const id = fields.get('ID');
  if (!id) return undefined;
  const versionId = fields.get('VERSION_ID') || undefined;
  const versionCodename = fields.get('VERSION_CODENAME') || undefined;
  return {
    id: id.toLowerCase(),
    ...(versionId !== undefined && { versionId }),
    ...(versionCodename !== undefined && { versionCodename }),
  };
}

function unquote(value: string): string {
  const v = value.trim();
  const q = v[0];
  if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) {
    const inner = v.slice(1, -1);
    return q === '"' ? inner.replace(/\\(["\\`$])/g, '$1') : inner;
  }
  return v;
}

/**
 * Parses dpkg's status file (deb822 stanzas separated by blank lines, continuation lines start
 * with whitespace). Keeps only packages whose Status is `... installed` (dpkg also lists
 * removed-but-configured and half-installed packages there, which are not on disk).
 */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const stanza of text.split(/\n[ \t]*\n/)) {
    const f = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line === '' || line[0] === ' ' || line[0] === '\t') continue; // continuation lines
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      f.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const name = f.get('package');
    const version = f.get('version');
    const status = f.get('status');
    if (!name || !version || !status) continue;
    // Status is "want flag state"; only the state "installed" means the files are there.
    if (status.split(/\s+/)[2] !== 'installed') continue;
    let sourceName = name;
    let sourceVersion = version;
    const source = f.get('source');
    if (source) {
      // "Source: glibc" or, for binNMUs and some others, "Source: glibc (2.36-9)".
      const m = /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(source);
      if (m) {
        sourceName = m[1]!;
        if (m[2]) sourceVersion = m[2].trim();
      }
    }
    out.push({ manager: 'dpkg', name, version, sourceName, sourceVersion });
  }
  return out;
}

/**
 * Parses apk's installed database: one `X:value` line per field, packages separated by blank
 * lines. P: name, V: version, o: origin (the source package, which Alpine advisories name).
 */
export function parseApkInstalled(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    let name: string | undefined;
    let version: string | undefined;
    let origin: string | undefined;
    for (const line of block.split('\n')) {
      if (line.length < 2 || line[1] !== ':') continue;
      const value = line.slice(2).trim();
      if (line[0] === 'P') name = value;
      else if (line[0] === 'V') version = value;
      else if (line[0] === 'o') origin = value;
    }
    if (!name || !version) continue;
    out.push({ manager: 'apk', name, version, sourceName: origin || name, sourceVersion: version });
  }
  return out;
}

/** The raw database files an image holds (undefined when absent). */
export interface PackageDatabaseFiles {
  readonly osRelease?: string;
  readonly dpkgStatus?: string;
  readonly apkInstalled?: string;
}

/**
 * Builds the inventory, or undefined when the image has no package database the scanner
 * understands (which ECR reports as UnsupportedImageError). An empty database still counts:
 * the OS is supported, it just has nothing installed.
 */
export function buildInventory(files: PackageDatabaseFiles): Inventory | undefined {
  if (files.dpkgStatus === undefined && files.apkInstalled === undefined) return undefined;
  const os = files.osRelease === undefined ? undefined : parseOsRelease(files.osRelease);
  const packages = [
    ...(files.dpkgStatus === undefined ? [] : parseDpkgStatus(files.dpkgStatus)),
    ...(files.apkInstalled === undefined ? [] : parseApkInstalled(files.apkInstalled)),
  ];
  return { os, packages };
}
