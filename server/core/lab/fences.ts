/** The two kinds of fenced block a lab gives meaning to: ```check <checker> [title] and ```hint after-…=N. */

/** The info string of a check fence, split up. */
export interface CheckFenceInfo {
  checker?: string;
  title?: string;
}

/** The info string of a hint fence, split up. */
export interface HintFenceInfo {
  afterAttempts?: number;
  afterMinutes?: number;
  problems: string[];
}

/** What a fence is for, by the first word of its info string. */
export function fenceKind(info: string): 'check' | 'hint' | undefined {
  const word = /^\S*/.exec(info.trim())?.[0];
  return word === 'check' || word === 'hint' ? word : undefined;
}

/**
 * `check ecr.repository-exists Repository myrepo exists` → checker and title.
 * @example parseCheckInfo('check ecr.repository-exists Scan on push') // { checker: 'ecr.repository-exists', title: 'Scan on push' }
 */
export function parseCheckInfo(info: string): CheckFenceInfo {
  const m = /^check(?:\s+(\S+))?(?:\s+(.*\S))?\s*$/.exec(info.trim());
  return { ...(m?.[1] ? { checker: m[1] } : {}), ...(m?.[2] ? { title: m[2] } : {}) };
}

/** `hint after-attempts=2 after-minutes=5`. */
export function parseHintInfo(info: string): HintFenceInfo {
  const out: HintFenceInfo = { problems: [] };
  const words = info.trim().split(/\s+/).slice(1);
  for (const word of words) {
    const m = /^(after-attempts|after-minutes)=(.*)$/.exec(word);
    if (!m) {
      out.problems.push(`unknown hint option '${word}' (a hint takes after-attempts=N and/or after-minutes=M)`);
      continue;
    }
    const [, key, value] = m as unknown as [string, string, string];
    const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
    const min = key === 'after-attempts' ? 1 : 0;
    if (!(n >= min)) {
      out.problems.push(`${key} must be a whole number of ${min} or more, not '${value}'`);
      continue;
    }
    if (key === 'after-attempts') out.afterAttempts = n;
    else out.afterMinutes = n;
  }
  if (!words.length) out.problems.push('a hint needs after-attempts=N and/or after-minutes=M, e.g. ```hint after-attempts=2');
  return out;
}
