/** Text helpers for hints that quote what the learner's thing actually said. */

/** The first `max` characters of `text` on one line, with an ellipsis when cut. */
export function excerpt(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The last `max` characters of `text` (where errors usually are), on one line. */
export function tail(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `…${flat.slice(-max)}` : flat;
}

/** True when `source` compiles as a JavaScript regular expression. */
export function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
