import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../cli/paths.ts';

/** `labrunner serve` as a separate process, as a user runs it: for RSS measurements and end-to-end tests. */
export class CliServer {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly dataDir: string,
    private readonly _ownDataDir: boolean,
  ) {}

  /** Starts `labrunner serve`; without sandbox flags in `args` it runs with `--no-sandbox` (tests run side by side), and without `--isolation` with `--isolation off`. */
  static async start(args: string[] = [], opts: { dataDir?: string; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<CliServer> {
    const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'labrunner-cli-'));
    if (!args.some((a) => a.includes('sandbox'))) args = [...args, '--no-sandbox'];
    // Learner isolation (users, disks, mounts) only where a test asks for it: test/isolation/.
    if (!args.includes('--isolation')) args = [...args, '--isolation', 'off'];
    const child = spawn(
      process.execPath,
      [...(opts.nodeArgs ?? []), path.join(PROJECT_ROOT, 'bin', 'labrunner.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--no-setup', ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        const m = /labrunner ready at (http:\/\/\S+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
    });
    return new CliServer(child, url, dataDir, !opts.dataDir);
  }

  /** Resident memory now and at its peak, in bytes (from /proc). */
  memory(): { rss: number; peakRss: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  }

  /** Resets the kernel's peak-RSS counter, so the next peak is measured from now. */
  resetPeak(): void {
    try {
      // Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0).
      writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
    } catch {
      /* not permitted here: the peak then includes start-up */
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null) return resolve(this.child.exitCode);
      this.child.once('exit', (code) => resolve(code));
    });
    this.child.kill(signal);
    const code = await exited;
    if (this._ownDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    return code;
  }
}
