/**
 * Which images a rule's `selection` picks out, before any counting
 * (AWS "Lifecycle policy evaluation rules").
 */
import type { LifecycleSelection } from './types.ts';

/**
 * True when a tag matches a tagPatternList entry: `*` stands for any run of characters,
 * including none (`prod*` matches `prod`), everything else must match exactly, case included.
 */
export function matchesPattern(tag: string, pattern: string): boolean {
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (parts.length === 1) return tag === pattern;
  if (tag.length < first.length + last.length || !tag.startsWith(first) || !tag.endsWith(last)) return false;
  // Literal pieces between wildcards must appear in order; taking the earliest fit is always safe.
  let at = first.length;
  const end = tag.length - last.length;
  for (const piece of parts.slice(1, -1)) {
    const found = tag.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/**
 * True when a rule's selection picks the image out. With several prefixes or patterns,
 * every one of them must be matched by at least one of the image's tags (not necessarily the same tag).
 */
export function selects(selection: LifecycleSelection, imageTags: readonly string[]): boolean {
  switch (selection.tagStatus) {
    case 'any':
      return true;
    case 'untagged':
      return imageTags.length === 0;
    case 'tagged': {
      if (imageTags.length === 0) return false;
      const prefixes = selection.tagPrefixList;
      if (prefixes !== undefined) return prefixes.every((p) => imageTags.some((tag) => tag.startsWith(p)));
      const patterns = selection.tagPatternList ?? [];
      return patterns.every((p) => imageTags.some((tag) => matchesPattern(tag, p)));
    }
  }
}
