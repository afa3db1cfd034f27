/**
 * "Did you mean" matching for names learners type: `my-repo`, `MyRepo`, `myrepo1`, `myrpeo` all near
 * `myrepo`. Used to name what the learner created in the hint instead of only saying what is missing.
 */

/** Lowercase with separators (`-`, `_`, `.`, `/`, spaces) removed. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_./\s]/g, '');
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * How far `candidate` is from `wanted`, or undefined when it is not a near miss. Case and separator
 * differences cost nothing beyond 0.5 (so they rank first); then up to 1 edit for names of up to 4
 * characters, 2 for longer ones, measured on the normalized names.
 */
export function nearMissDistance(wanted: string, candidate: string): number | undefined {
  if (candidate === wanted) return undefined;
  const a = normalizeName(wanted);
  const b = normalizeName(candidate);
  if (a === b) return 0.5;
  const allowed = Math.min(a.length, b.length) <= 4 ? 1 : 2;
  const d = editDistance(a, b);
  return d <= allowed ? d : undefined;
}

/** The near misses of `wanted` among `candidates`, closest first (ties keep the candidates' order). */
export function nearMisses(wanted: string, candidates: Iterable<string>): string[] {
  const scored: { name: string; d: number; i: number }[] = [];
  let i = 0;
  for (const name of candidates) {
    const d = nearMissDistance(wanted, name);
    if (d !== undefined) scored.push({ name, d, i });
    i++;
  }
  return scored.sort((x, y) => x.d - y.d || x.i - y.i).map((s) => s.name);
}
