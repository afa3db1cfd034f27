import type { Command } from 'commander';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTable, machineInfo, writeResults, type BenchSuite } from '../../bench/lib/suite.ts';
import { PROJECT_ROOT } from '../paths.ts';

const BENCH_DIR = path.join(PROJECT_ROOT, 'bench');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

interface BenchOptions {
  runs: string;
  set: string[];
}

/**
 * `labrunner bench <suite>` (`npm run bench -- terminal`): runs `bench/<suite>.ts`, prints its table and writes
 * `bench/results/<suite>-<date>.json`. Suites are found by file name, so adding one needs no change here.
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(`run a benchmark suite from bench/ (${listSuites().join(', ') || 'none yet'})`)
    .argument('<suite>', 'which suite: the name of a file in bench/')
    .option('--runs <n>', 'repetitions of each timed measurement (medians are reported)', '5')
    .option('--set <key=value>', 'a suite setting, e.g. --set parseMBps=50 (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .action(async (suiteName: string, opts: BenchOptions) => {
      const runs = Number(opts.runs);
      if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be a positive integer, not '${opts.runs}'`);
      if (!listSuites().includes(suiteName)) fail(`no benchmark '${suiteName}'; there are: ${listSuites().join(', ')}`);
      const settings: Record<string, string> = {};
      for (const pair of opts.set) {
        const eq = pair.indexOf('=');
        if (eq < 1) fail(`--set takes key=value, not '${pair}'`);
        settings[pair.slice(0, eq)] = pair.slice(eq + 1);
      }

      const suite = (await import(pathToFileURL(path.join(BENCH_DIR, `${suiteName}.ts`)).href)).default as BenchSuite;
      const log = (msg: string) => console.log(`bench ${suiteName}: ${msg}`);
      const startedAt = new Date();
      log(`${suite.description}; machine ${JSON.stringify(machineInfo())}`);
      const report = await suite.run({ runs, settings, log });
      console.log('\n' + formatTable(report.figures) + '\n');
      console.log(`load average after the run: ${JSON.stringify(machineInfo().loadAverage)}`);
      console.log(`results: ${path.relative(process.cwd(), writeResults(RESULTS_DIR, suiteName, report, startedAt))}`);
    });
}

/** Suite names: the .ts files directly in bench/ (helpers live in bench/lib/). */
function listSuites(): string[] {
  try {
    return readdirSync(BENCH_DIR)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -3))
      .sort();
  } catch {
    return [];
  }
}

function fail(message: string): never {
  console.error(`labrunner bench: ${message}`);
  process.exit(2);
}
