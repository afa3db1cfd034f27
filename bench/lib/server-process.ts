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
  return CliServer.start(help.includes('--no-sandbox') ? ['--no-sandbox'] : []);
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
