import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pingDockerApi } from '../../common/docker-ping.ts';

const run = promisify(execFile);

export const PODMAN = '/usr/bin/podman';

/** Where the shared, read-only base images live (scripts/setup-system fills it from the main store). */
export const BASE_IMAGE_STORE = '/var/lib/labrunner/base-images';

export interface LearnerEngineOptions {
  /** Root-only folder on the learner's disk: storage, run state, build scratch and the API socket. */
  readonly engineDir: string;
  /** Run state (locks, the engine's own sockets): podman wants its runroot under 50 characters, so /run/labrunner/<user>. */
  readonly runDir: string;
  /** A read-only overlay image store with the base images labs build FROM (skipped when absent). */
  readonly baseImageStore?: string;
  /** Seconds without API calls after which podman exits on its own (the next call starts it again). */
  readonly idleSeconds: number;
  readonly log: (msg: string) => void;
}

/**
 * The learner's own container engine: `podman system service` (Docker-compatible API) over storage of their
 * own, so one learner's `docker images` never lists another's and two `docker build -t myrepo .` never clash.
 * Base images come from one shared read-only store (overlay `imagestore`), so the 185 MB Apache base is not
 * copied per learner; the store's own files, build contexts (TMPDIR) and images are on the learner's capped disk.
 * The API socket is in a root-only folder: only the gate talks to it.
 */
export class LearnerEngine {
  private _child: ChildProcess | undefined;
  private _starting: Promise<string> | undefined;
  /** Whether the service ever ran: then the learner may have containers, which outlive it (conmon runs them). */
  private _started = false;
  readonly socketPath: string;

  constructor(private readonly _options: LearnerEngineOptions) {
    this.socketPath = path.join(_options.engineDir, 'podman.sock');
  }

  /** The engine's socket, starting the service when it is not running (or exited after being idle). */
  ensure(): Promise<string> {
    if (this._child && this._child.exitCode === null && this._child.signalCode === null && !this._starting) return Promise.resolve(this.socketPath);
    this._starting ??= this._start().finally(() => (this._starting = undefined));
    return this._starting;
  }

  /** podman's options for this learner's storage (the service and the cleanup on dispose use the same). */
  private _storageArgs(): string[] {
    const dir = this._options.engineDir;
    const args = [
      '--root', path.join(dir, 'storage'),
      '--runroot', this._options.runDir,
      '--tmpdir', path.join(this._options.runDir, 'libpod'),
      '--storage-driver', 'overlay',
    ];
    const base = this._options.baseImageStore;
    if (base && existsSync(base)) args.push('--storage-opt', `overlay.imagestore=${base}`);
    return args;
  }

  private _env(): Record<string, string> {
    // Build contexts are unpacked under TMPDIR: on the learner's disk, within their cap.
    const dir = this._options.engineDir;
    return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TMPDIR: path.join(dir, 'tmp'), HOME: dir };
  }

  private async _start(): Promise<string> {
    const dir = this._options.engineDir;
    for (const sub of ['storage', 'tmp']) await mkdir(path.join(dir, sub), { recursive: true, mode: 0o700 });
    await mkdir(path.join(this._options.runDir, 'libpod'), { recursive: true, mode: 0o700 });
    await rm(this.socketPath, { force: true });
    const args = [...this._storageArgs(), 'system', 'service', `--time=${this._options.idleSeconds}`, `unix://${this.socketPath}`];
    const child = spawn(PODMAN, args, { stdio: ['ignore', 'ignore', 'pipe'], env: this._env() });
    this._started = true;
    this._child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const deadline = Date.now() + 30_000;
    while (!(await pingDockerApi(this.socketPath))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        this._options.log(`a learner's container engine did not start: ${stderr.trim() || `exit ${child.exitCode}`}`);
        throw new Error('the container engine did not start');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return this.socketPath;
  }

  /** Removes the learner's containers and stops the service (waiting for it), if it ever ran. */
  async dispose(): Promise<void> {
    // Containers keep running without the service (and keep their mounts): the learner's go with the engine.
    if (this._started) {
      await run(PODMAN, [...this._storageArgs(), 'rm', '--all', '--force', '--time', '0'], { env: this._env(), timeout: 60_000 }).catch((err: Error) =>
        this._options.log(`a learner's containers were not removed: ${err.message}`),
      );
    }
    const child = this._child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    // containers/storage bind-mounts its overlay folder onto itself and leaves it mounted when it exits (the
    // service, or the `podman rm` above after the service went idle).
    if (this._started) await run('umount', ['--lazy', path.join(this._options.engineDir, 'storage', 'overlay')]).catch(() => undefined);
    // The run state (events log, locks) goes too: OS users and their names are reused once a learner is removed,
    // and the next owner of this name must not find the last one's.
    await rm(this._options.runDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
