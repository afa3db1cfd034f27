/** {@link IContainerEngine} over the Docker Engine API (Docker, or podman's compatible service) with dockerode. */
import Docker from 'dockerode';
import type { ContainerSpec, ContainerState, IContainerEngine, ListedContainer, PullAuth, PullResult } from './container-engine.ts';
import { EngineError } from './container-engine.ts';

interface ProgressEvent {
  error?: string;
  errorDetail?: { message?: string };
}

/** Talks to the engine on a unix socket. */
export class DockerodeEngine implements IContainerEngine {
  private readonly _docker: Docker;
  readonly dockerHost: string;

  constructor(socketPath: string) {
    this._docker = new Docker({ socketPath });
    this.dockerHost = `unix://${socketPath}`;
  }

  async pull(image: string, auth: PullAuth | undefined): Promise<PullResult> {
    try {
      const stream = await this._docker.pull(image, auth ? { authconfig: auth } : {});
      // Pull failures arrive inside the progress stream (HTTP 200), not as a failed request.
      const events = await new Promise<ProgressEvent[]>((resolve, reject) =>
        this._docker.modem.followProgress(stream, (err: Error | null, out: ProgressEvent[]) => (err ? reject(err) : resolve(out))),
      );
      const failed = events.find((e) => e.error !== undefined || e.errorDetail?.message !== undefined);
      if (failed) return { ok: false, message: failed.errorDetail?.message ?? failed.error ?? 'pull failed' };
      return { ok: true };
    } catch (err) {
      return { ok: false, message: engineMessage(err) };
    }
  }

  async hasImage(image: string): Promise<boolean> {
    try {
      await this._docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  async imageDigest(image: string): Promise<string | undefined> {
    try {
      const info = await this._docker.getImage(image).inspect();
      const repo = image.replace(/(@sha256:[0-9a-f]+|:[^/:]+)$/, '');
      return info.RepoDigests?.find((d) => d.startsWith(`${repo}@`))?.split('@')[1] ?? info.RepoDigests?.[0]?.split('@')[1];
    } catch {
      return undefined;
    }
  }

  async create(spec: ContainerSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const p of spec.ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      exposed[key] = {};
      if (spec.networkMode === 'bridge') (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort === 0 ? '' : String(p.hostPort) });
    }
    try {
      const c = await this._docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Labels: { ...spec.labels },
        ...(spec.entryPoint ? { Entrypoint: [...spec.entryPoint] } : {}),
        ...(spec.command ? { Cmd: [...spec.command] } : {}),
        Env: [...spec.env],
        ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
        ...(spec.user ? { User: spec.user } : {}),
        ...(spec.hostname ? { Hostname: spec.hostname } : {}),
        ExposedPorts: exposed,
        HostConfig: {
          NetworkMode: spec.networkMode,
          PortBindings: bindings,
          ...(spec.memoryBytes ? { Memory: spec.memoryBytes } : {}),
          ...(spec.memoryReservationBytes ? { MemoryReservation: spec.memoryReservationBytes } : {}),
          ...(spec.cpuShares ? { CpuShares: Math.max(2, spec.cpuShares) } : {}),
          ...(spec.nanoCpus ? { NanoCpus: spec.nanoCpus } : {}),
          ...(spec.init ? { Init: true } : {}),
        },
      });
      return c.id;
    } catch (err) {
      throw new EngineError(engineMessage(err), { cause: err });
    }
  }

  async start(id: string): Promise<void> {
    try {
      await this._docker.getContainer(id).start();
    } catch (err) {
      throw new EngineError(engineMessage(err), { cause: err });
    }
  }

  async inspect(id: string): Promise<ContainerState | undefined> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this._docker.getContainer(id).inspect();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
    const s = info.State;
    const status = s.Running ? 'running' : s.Status === 'created' || s.Status === 'configured' ? 'created' : 'exited';
    const ports: ContainerState['ports'][number][] = [];
    for (const [key, binds] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
      const [port, proto] = key.split('/');
      for (const b of binds ?? []) {
        ports.push({ containerPort: Number(port), protocol: proto === 'udp' ? 'udp' : 'tcp', hostIp: b.HostIp || '0.0.0.0', hostPort: Number(b.HostPort) });
      }
    }
    return {
      id: info.Id,
      status,
      ...(status === 'exited' ? { exitCode: s.ExitCode } : {}),
      oomKilled: s.OOMKilled,
      ...(s.Error ? { error: s.Error } : {}),
      ...(validTime(s.StartedAt) ? { startedAt: Date.parse(s.StartedAt) } : {}),
      ...(validTime(s.FinishedAt) ? { finishedAt: Date.parse(s.FinishedAt) } : {}),
      ports,
      imageId: info.Image,
    };
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this._docker.getContainer(id).stop({ t: timeoutSeconds });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 304 || code === 404) return; // already stopped / gone
      throw new EngineError(engineMessage(err), { cause: err });
    }
  }

  async kill(id: string, signal = 'SIGKILL'): Promise<void> {
    try {
      await this._docker.getContainer(id).kill({ signal });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 404 || code === 409) return;
      throw new EngineError(engineMessage(err), { cause: err });
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this._docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
      throw new EngineError(engineMessage(err), { cause: err });
    }
  }

  async list(labels: Readonly<Record<string, string>>): Promise<ListedContainer[]> {
    const filter = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    const found = await this._docker.listContainers({ all: true, filters: { label: filter } });
    return found.map((c) => ({ id: c.Id, labels: c.Labels ?? {}, running: c.State === 'running' }));
  }

  async logs(id: string, tail: number): Promise<string> {
    try {
      const out = (await this._docker.getContainer(id).logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demultiplex(Buffer.isBuffer(out) ? out : Buffer.from(String(out)));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return '';
      throw new EngineError(engineMessage(err), { cause: err });
    }
  }
}

/**
 * Docker's log stream for a non-TTY container is framed: 8-byte header (stream id, 3 zero bytes, big-endian
 * length) then the payload. Anything that does not look framed is returned as text.
 */
export function demultiplex(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const stream = buf[i]!;
    if (stream > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) return buf.toString('utf8');
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  if (i < buf.length && parts.length === 0) return buf.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}

function validTime(t: string | undefined): t is string {
  return !!t && !t.startsWith('0001-01-01') && !Number.isNaN(Date.parse(t));
}

/** The engine's own message (`json.message`), else the error's. */
function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string; cause?: string }; message?: string };
  return e.json?.message ?? e.message ?? String(err);
}
