import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pingDockerApi } from '../../common/docker-ping.ts';

/** A Docker Engine API endpoint: an existing engine's socket, or podman's compatible service started for us. */
export interface DockerApiSocket {
  /** For DOCKER_HOST, e.g. `unix:///data/sandbox/podman.sock`. */
  readonly dockerHost: string;
  readonly socketPath: string;
  /** True when this process started the service (and will stop it on dispose). */
  readonly started: boolean;
  dispose(): Promise<void>;
}

const PODMAN = '/usr/bin/podman';
const DOCKER_SOCK = '/var/run/docker.sock';

/**
 * Finds a Docker Engine API to use, in this order: `DOCKER_HOST` (unix socket) if it answers, the Docker
 * engine's own socket if it answers, else `podman system service` on `<dataDir>/podman.sock`, which this
 * machine has (machine-notes: no Docker engine, but podman's compatible API). Undefined when there is none:
 * the caller then reports that containers cannot run, instead of pretending.
 */
export async function ensureDockerApiSocket(opts: {
  dataDir: string;
  log?: (msg: string) => void;
  env?: NodeJS.ProcessEnv;
}): Promise<DockerApiSocket | undefined> {
  const env = opts.env ?? process.env;
  const fromEnv = env.DOCKER_HOST?.startsWith('unix://') ? env.DOCKER_HOST.slice('unix://'.length) : undefined;
  for (const candidate of [fromEnv, DOCKER_SOCK]) {
    if (candidate && existsSync(candidate) && (await pingDockerApi(candidate))) return external(candidate);
  }
  if (!existsSync(PODMAN)) return undefined;

  mkdirSync(opts.dataDir, { recursive: true });
  const socketPath = path.join(path.resolve(opts.dataDir), 'podman.sock');
  if (existsSync(socketPath) && (await pingDockerApi(socketPath))) return external(socketPath); // another sandbox's
  rmSync(socketPath, { force: true });
  const child = spawn(PODMAN, ['system', 'service', '--time=0', `unix://${socketPath}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: false,
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 20_000;
  while (!(await pingDockerApi(socketPath))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      opts.log?.(`podman system service did not start: ${stderr.trim() || `exit ${child.exitCode}`}`);
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    dockerHost: `unix://${socketPath}`,
    socketPath,
    started: true,
    dispose: () => stop(child, socketPath),
  };
}

function external(socketPath: string): DockerApiSocket {
  return { dockerHost: `unix://${socketPath}`, socketPath, started: false, dispose: async () => undefined };
}


async function stop(child: ChildProcess, socketPath: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(socketPath, { force: true });
}
