import path from 'node:path';
import { DockerGate } from './gate.ts';
import { BASE_IMAGE_STORE, LearnerEngine } from './learner-engine.ts';
import type { GatePolicy } from './policy.ts';

export { DockerGate } from './gate.ts';
export { BASE_IMAGE_STORE, LearnerEngine, PODMAN } from './learner-engine.ts';
export { checkContainerCreate, decide, registryHost, type GatePolicy } from './policy.ts';

/** Learner engines' run state (tmpfs; podman limits the runroot's length, so not under the data dir). */
const RUN_DIR = '/run/labrunner';

/** Registries a classroom's learners may use: the sandbox's (on its port, any account) and real ECR. */
export class RegistryAllowlist {
  private readonly _sandboxPorts = new Set<string>();

  /** Allows the sandbox registry on this port (`<account>.dkr.ecr.<region>.localhost`, `localhost`, `127.0.0.1`). */
  allowSandboxPort(port: string): void {
    if (/^\d{1,5}$/.test(port)) this._sandboxPorts.add(port);
  }

  allows(host: string): boolean {
    const m = /^(?:\d{12}\.dkr\.ecr\.[a-z0-9-]+\.localhost|localhost|127\.0\.0\.1):(\d{1,5})$/.exec(host);
    if (m) return this._sandboxPorts.has(m[1]!);
    return /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host);
  }
}

export interface DockerGatesOptions {
  /** Where each learner's gate socket folder goes: `<dir>/<learnerId>/docker.sock`. */
  readonly dir: string;
  readonly registries: RegistryAllowlist;
  readonly baseImageStore?: string;
  /** Seconds an idle learner engine keeps running (default 600). */
  readonly idleSeconds?: number;
  readonly log: (msg: string) => void;
}

interface Entry {
  gate: Promise<DockerGate>;
  engine: LearnerEngine;
}

/** Every learner's gate and engine, opened on first use and owned until dispose. */
export class DockerGates {
  private readonly _entries = new Map<string, Entry>();

  constructor(private readonly _options: DockerGatesOptions) {}

  /** The learner's gate (one per learner, shared by all their shells). */
  open(learner: { learnerId: string; uid: number; gid: number; user: string }, engineDir: string, options: { allowContainers?: boolean } = {}): Promise<DockerGate> {
    const known = this._entries.get(learner.learnerId);
    if (known) return known.gate;
    const engine = new LearnerEngine({
      engineDir,
      runDir: path.join(RUN_DIR, learner.user),
      baseImageStore: this._options.baseImageStore ?? BASE_IMAGE_STORE,
      idleSeconds: this._options.idleSeconds ?? 600,
      log: this._options.log,
    });
    const registries = this._options.registries;
    const policy: GatePolicy = { registryAllowed: (host) => registries.allows(host), allowContainers: options.allowContainers ?? false };
    const gate = DockerGate.listen({
      dir: path.join(this._options.dir, learner.learnerId),
      owner: { uid: learner.uid, gid: learner.gid },
      policy,
      upstream: () => engine.ensure(),
      log: this._options.log,
    });
    gate.catch(() => this._entries.delete(learner.learnerId));
    this._entries.set(learner.learnerId, { gate, engine });
    return gate;
  }

  /** The folder a learner's gate socket is in (bound into their sandbox). */
  dirOf(learnerId: string): string {
    return path.join(this._options.dir, learnerId);
  }

  async dispose(): Promise<void> {
    const entries = [...this._entries.values()];
    this._entries.clear();
    await Promise.all(
      entries.map(async (e) => {
        await (await e.gate.catch(() => undefined))?.dispose();
        await e.engine.dispose();
      }),
    );
  }
}
