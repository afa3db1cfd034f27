import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../cli/paths.ts';

/**
 * The contract of a benchmark suite: `bench/<name>.ts` default-exports one, and `labrunner bench <name>` runs it.
 * A suite measures and reports; it never fails on a missed target (benchmarks are not tests).
 */
export interface BenchSuite {
  description: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}

export interface BenchContext {
  /** Repetitions of each timed measurement (the suite reports medians). */
  runs: number;
  /** Suite-specific settings from `--set key=value`. */
  settings: Record<string, string>;
  log(msg: string): void;
}

/** One line of the result table. */
export interface BenchFigure {
  metric: string;
  value: number;
  unit: string;
  /** The bound this figure must meet, if there is one. */
  target?: { max: number } | { min: number };
  /** What the reference implementations measured (../../docs/benchmarks.md). */
  reference?: string;
}

export interface BenchReport {
  figures: BenchFigure[];
  /** How the figures were measured (rates, sizes, run counts), written to the JSON beside them. */
  method: Record<string, unknown>;
  /** Every sample behind the figures. */
  samples: Record<string, unknown>;
}

/** True, false, or undefined when the figure has no target. */
export function meetsTarget(f: BenchFigure): boolean | undefined {
  if (!f.target) return undefined;
  return 'max' in f.target ? f.value <= f.target.max : f.value >= f.target.min;
}

/** The machine a run happened on, including how busy it was: the figures mean little without it. */
export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The figures as an aligned text table. */
export function formatTable(figures: readonly BenchFigure[]): string {
  const rows = figures.map((f) => {
    const met = meetsTarget(f);
    const target = f.target ? ('max' in f.target ? `≤ ${f.target.max}` : `≥ ${f.target.min}`) : '';
    return [f.metric, `${f.value} ${f.unit}`, target, met === undefined ? '' : met ? 'met' : 'NOT met', f.reference ?? ''];
  });
  const header = ['metric', 'value', 'target', '', 'reference'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Writes `bench/results/<suite>-<yyyy-mm-dd>.json` (a later run the same day replaces it) and returns its path. */
export function writeResults(dir: string, suite: string, report: BenchReport, startedAt: Date): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${suite}-${startedAt.toISOString().slice(0, 10)}.json`);
  const json = {
    suite,
    startedAt: startedAt.toISOString(),
    commit: gitHead(),
    machine: machineInfo(),
    method: report.method,
    figures: report.figures.map((f) => ({ ...f, met: meetsTarget(f) })),
    samples: report.samples,
  };
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  return file;
}

function gitHead(): string | undefined {
  try {
    const root = PROJECT_ROOT;
    const head = readFileSync(path.join(root, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    return readFileSync(path.join(root, '.git', head.slice(5)), 'utf8').trim();
  } catch {
    return undefined;
  }
}
