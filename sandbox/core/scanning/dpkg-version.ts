/**
 * Debian package version ordering, as `dpkg --compare-versions` defines it (deb-version(7)):
 * `[epoch:]upstream[-revision]`, epochs compared as numbers, then upstream, then revision, each
 * with dpkg's "verrevcmp": alternate non-digit runs (letters sort before non-letters, `~` before
 * everything, even the end of the string) and digit runs (compared as numbers).
 */

/** A version split into dpkg's three parts. */
export interface DpkgVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

/**
 * Splits a version string. The revision is what follows the LAST hyphen (upstream may contain
 * hyphens); a missing revision is "", which dpkg orders equal to "0".
 * Returns undefined for a version dpkg would reject (bad epoch, empty upstream).
 */
export function parseDpkgVersion(version: string): DpkgVersion | undefined {
  const v = version.trim();
  let epoch = 0;
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (!/^\d+$/.test(e)) return undefined;
    epoch = Number(e);
    rest = v.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  // dpkg only warns when upstream does not start with a digit and still compares it, so do we.
  if (upstream === '') return undefined;
  return { epoch, upstream, revision };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** dpkg's character weight: end/digit 0, `~` -1, letters their code, anything else code + 256. */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: negative, zero or positive. */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/**
 * Compares two Debian versions: -1, 0 or 1.
 * @example compareDpkgVersions('1.0~rc1', '1.0') // -1
 * @throws {RangeError} when either string is not a dpkg version (callers decide what that means)
 */
export function compareDpkgVersions(a: string, b: string): -1 | 0 | 1 {
  const va = parseDpkgVersion(a);
  const vb = parseDpkgVersion(b);
  if (!va || !vb) throw new RangeError(`not a Debian version: '${!va ? a : b}'`);
  if (va.epoch !== vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  const up = verrevcmp(va.upstream, vb.upstream);
  if (up !== 0) return up < 0 ? -1 : 1;
  const rev = verrevcmp(va.revision, vb.revision);
  return rev === 0 ? 0 : rev < 0 ? -1 : 1;
}
