/**
 * CVSS base scores computed from vector strings, because OSV records carry vectors while ECR
 * findings carry scores (CVSS2_SCORE) and a severity. Formulas from the CVSS v2 guide (§3.2.1)
 * and the CVSS v3.1 specification (§7.1, with its Roundup); v3.0 vectors use the same formulas.
 */

type Metrics = Map<string, string>;

function parseMetrics(vector: string): Metrics {
  const m = new Map<string, string>();
  for (const part of vector.split('/')) {
    const [k, v] = part.split(':');
    if (k && v) m.set(k, v);
  }
  return m;
}

function pick(m: Metrics, key: string, table: Record<string, number>): number | undefined {
  const v = m.get(key);
  return v === undefined ? undefined : table[v];
}

/** A vector with its base score. */
export interface CvssScore {
  readonly vector: string;
  readonly score: number;
}

/**
 * CVSS v2 base score of a vector like `AV:N/AC:L/Au:N/C:P/I:P/A:P` (a `CVSS2#` prefix or
 * parentheses are tolerated). Undefined when a base metric is missing or unknown.
 */
export function cvss2BaseScore(vector: string): CvssScore | undefined {
  const clean = vector.trim().replace(/^\(|\)$/g, '').replace(/^CVSS2#/, '');
  const m = parseMetrics(clean);
  const av = pick(m, 'AV', { L: 0.395, A: 0.646, N: 1.0 });
  const ac = pick(m, 'AC', { H: 0.35, M: 0.61, L: 0.71 });
  const au = pick(m, 'Au', { M: 0.45, S: 0.56, N: 0.704 });
  const cia = { N: 0, P: 0.275, C: 0.66 };
  const c = pick(m, 'C', cia);
  const i = pick(m, 'I', cia);
  const a = pick(m, 'A', cia);
  if (av === undefined || ac === undefined || au === undefined || c === undefined || i === undefined || a === undefined) {
    return undefined;
  }
  const impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
  const exploitability = 20 * av * ac * au;
  const f = impact === 0 ? 0 : 1.176;
  const score = Math.round((0.6 * impact + 0.4 * exploitability - 1.5) * f * 10) / 10;
  const canonical = ['AV', 'AC', 'Au', 'C', 'I', 'A'].map((k) => `${k}:${m.get(k)}`).join('/');
  return { vector: canonical, score: Math.max(0, score) };
}

/** CVSS v3.1 Roundup: the smallest one-decimal number >= x, robust to float noise. */
function roundup(x: number): number {
  const n = Math.round(x * 100000);
  return n % 10000 === 0 ? n / 100000 : (Math.floor(n / 10000) + 1) / 10;
}

/** CVSS v3.x base score of a vector like `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`. */
export function cvss3BaseScore(vector: string): CvssScore | undefined {
  const v = vector.trim();
  if (!/^CVSS:3\.[01]\//.test(v)) return undefined;
  const m = parseMetrics(v);
  const scope = m.get('S');
  if (scope !== 'U' && scope !== 'C') return undefined;
  const av = pick(m, 'AV', { N: 0.85, A: 0.62, L: 0.55, P: 0.2 });
  const ac = pick(m, 'AC', { L: 0.77, H: 0.44 });
  const pr = pick(m, 'PR', scope === 'U' ? { N: 0.85, L: 0.62, H: 0.27 } : { N: 0.85, L: 0.68, H: 0.5 });
  const ui = pick(m, 'UI', { N: 0.85, R: 0.62 });
  const cia = { H: 0.56, L: 0.22, N: 0 };
  const c = pick(m, 'C', cia);
  const i = pick(m, 'I', cia);
  const a = pick(m, 'A', cia);
  if (av === undefined || ac === undefined || pr === undefined || ui === undefined || c === undefined || i === undefined || a === undefined) {
    return undefined;
  }
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15);
  const exploitability = 8.22 * av * ac * pr * ui;
  let score: number;
  if (impact <= 0) score = 0;
  else if (scope === 'U') score = roundup(Math.min(impact + exploitability, 10));
  else score = roundup(Math.min(1.08 * (impact + exploitability), 10));
  return { vector: v, score };
}
