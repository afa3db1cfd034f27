/**
 * Alpine package version ordering, as apk-tools' version.c defines it (Gentoo-style):
 * `digits{.digits}[letter]{_suffix[digits]}[-r<digits>]`, where `_alpha < _beta < _pre < _rc`
 * sort before the bare release and `_cvs < _svn < _git < _hg < _p` after it.
 * This is a port of apk-tools 2.x's tokenizer and comparison, not a re-interpretation, so that
 * edge cases (leading zeros, `1.0_p1` vs `1.0-r1`) agree with `apk version -t`.
 */

// Token kinds, in apk-tools' order: the comparison uses this order to decide which of two
// versions with equal leading parts is greater.
const T = {
  INVALID: -1,
  DIGIT_OR_ZERO: 0,
  DIGIT: 1,
  LETTER: 2,
  SUFFIX: 3,
  SUFFIX_NO: 4,
  REVISION_NO: 5,
  END: 6,
} as const;
type Token = (typeof T)[keyof typeof T];

const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'] as const;
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'] as const;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';

/** A cursor over the version string plus the kind of the token at the cursor. */
interface Cursor {
  s: string;
  pos: number;
  type: Token;
}

/** Classifies the separator at the cursor and steps over it (apk-tools' next_token). */
function nextToken(c: Cursor): void {
  let n: Token = T.INVALID;
  const ch = c.s[c.pos];
  if (c.pos >= c.s.length) {
    n = T.END;
  } else if ((c.type === T.DIGIT || c.type === T.DIGIT_OR_ZERO) && isLower(ch)) {
    n = T.LETTER;
  } else if (c.type === T.LETTER && isDigit(ch)) {
    n = T.DIGIT;
  } else if (c.type === T.SUFFIX && isDigit(ch)) {
    n = T.SUFFIX_NO;
  } else {
    if (ch === '.') n = T.DIGIT_OR_ZERO;
    else if (ch === '_') n = T.SUFFIX;
    else if (ch === '-') {
      if (c.s[c.pos + 1] === 'r') {
        n = T.REVISION_NO;
        c.pos++;
      } else n = T.INVALID;
    }
    c.pos++;
  }
  if (n < c.type) {
    const allowed =
      (n === T.DIGIT_OR_ZERO && c.type === T.DIGIT) ||
      (n === T.SUFFIX && c.type === T.SUFFIX_NO) ||
      (n === T.DIGIT && c.type === T.LETTER);
    if (!allowed) n = T.INVALID;
  }
  c.type = n;
}

/** Reads the value of the token at the cursor and advances (apk-tools' get_token). */
function getToken(c: Cursor): number {
  if (c.pos >= c.s.length) {
    c.type = T.END;
    return 0;
  }
  let v = 0;
  let i = c.pos;
  let nt: Token = T.INVALID;
  // After a dot, leading zeros make a component sort as a fraction (1.01 < 1.1): apk gives
  // them the negated count of zeros as value.
  const leadingZeros = c.type === T.DIGIT_OR_ZERO && c.s[i] === '0';
  switch (leadingZeros ? T.DIGIT_OR_ZERO : c.type === T.DIGIT_OR_ZERO ? T.DIGIT : c.type) {
    case T.DIGIT_OR_ZERO:
      while (c.s[i] === '0') i++;
      nt = T.DIGIT;
      v = -(i - c.pos);
      break;
    case T.DIGIT:
    case T.SUFFIX_NO:
    case T.REVISION_NO:
      while (isDigit(c.s[i])) v = v * 10 + (c.s.charCodeAt(i++) - 48);
      break;
    case T.LETTER:
      v = c.s.charCodeAt(i++);
      break;
    case T.SUFFIX: {
      const rest = c.s.slice(i);
      const pre = PRE_SUFFIXES.findIndex((p) => rest.startsWith(p));
      if (pre >= 0) {
        v = pre - PRE_SUFFIXES.length;
        i += PRE_SUFFIXES[pre]!.length;
        break;
      }
      const post = POST_SUFFIXES.findIndex((p) => rest.startsWith(p));
      if (post >= 0) {
        v = post;
        i += POST_SUFFIXES[post]!.length;
        break;
      }
      c.type = T.INVALID;
      return -1;
    }
    default:
      c.type = T.INVALID;
      return -1;
  }
  c.pos = i;
  if (c.pos >= c.s.length) c.type = T.END;
  else if (nt !== T.INVALID) c.type = nt;
  else nextToken(c);
  return v;
}

/** True when apk would accept the string as a version. */
export function isValidApkVersion(version: string): boolean {
  const c: Cursor = { s: version, pos: 0, type: T.DIGIT };
  while (c.type !== T.END && c.type !== T.INVALID) getToken(c);
  return c.type === T.END;
}

/**
 * Compares two Alpine versions: -1, 0 or 1 (as `apk version -t a b` prints <, =, >).
 * @example compareApkVersions('1.36.1-r5', '1.36.1-r15') // -1
 * @throws {RangeError} when either string is not a valid apk version
 */
export function compareApkVersions(a: string, b: string): -1 | 0 | 1 {
  if (!isValidApkVersion(a) || !isValidApkVersion(b)) {
    throw new RangeError(`not an Alpine version: '${isValidApkVersion(a) ? b : a}'`);
  }
  const ca: Cursor = { s: a, pos: 0, type: T.DIGIT };
  const cb: Cursor = { s: b, pos: 0, type: T.DIGIT };
  let av = 0;
  let bv = 0;
  while (ca.type === cb.type && ca.type !== T.END && ca.type !== T.INVALID && av === bv) {
    av = getToken(ca);
    bv = getToken(cb);
  }
  if (av < bv) return -1;
  if (av > bv) return 1;
  if (ca.type === cb.type) return 0;
  // Equal so far and one version has more: longer is greater unless what follows is a
  // pre-release suffix (1.0_rc1 < 1.0).
  if (ca.type === T.SUFFIX && getToken({ ...ca }) < 0) return -1;
  if (cb.type === T.SUFFIX && getToken({ ...cb }) < 0) return 1;
  if (ca.type > cb.type) return -1;
  if (cb.type > ca.type) return 1;
  return 0;
}
