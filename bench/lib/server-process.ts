import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureClientBuilt } from '../../cli/client-bundle.ts';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import { CliServer } from '../../test/helpers/cli-server.ts';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run on). */
const USER_HZ = 100;

/**
 * `labrunner serve` as a child process on loopback, as `npm start` runs it, plus the /proc readings a
 * benchmark needs. Serves the terminal alone: the embedded AWS sandbox is left out when serve can do without it.
 */
export async function startServeProcess(): Promise<CliServer> {
  // Built here, not by serve: a Vite build inside the server would leave ~190 MB in its RSS.
  await ensureClientBuilt(() => undefined);
  const help = execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'labrunner.js'), 'serve', '--help'], { encoding: 'utf8' });
  const { env, nodeArgs } = npmStart();
  return CliServer.start(help.includes('--no-sandbox') ? ['--no-sandbox'] : [], { env, nodeArgs });
}

/**
 * The environment and node flags of `npm start` (package.json), so a benchmark measures the server as users run
 * it: e.g. `MALLOC_ARENA_MAX=2 node --max-semi-space-size=1 bin/labrunner.js serve`.
 */
export function npmStart(): { env: Record<string, string>; nodeArgs: string[] } {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0]?.includes('=')) {
    const [name, value] = words.shift()!.split('=') as [string, string];
    env[name] = value;
  }
  if (words.shift() !== 'node') throw new Error(`npm start is not 'node …': ${pkg.scripts.start}`);
  const nodeArgs: string[] = [];
  while (words[0]?.startsWith('--')) nodeArgs.push(words.shift()!);
  return { env, nodeArgs };
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself contain spaces: utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

export const MB = 1_000_000;
export const MiB = 1024 * 1024;
