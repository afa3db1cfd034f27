import path from 'node:path';
import { DockerGate } from './gate.ts';
import { BASE_IMAGE_STORE, LearnerEngine } from './learner-engine.ts';
import type { GatePolicy } from './policy.ts';

export { DockerGate } from './gate.ts';
export { BASE_IMAGE_STORE, LearnerEngine, PODMAN } from './learner-engine.ts';
export { MAX_CONTAINERS_PER_LEARNER, checkContainerCreate, decide, registryHost, type GatePolicy } from './policy.ts';

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
  engine: LearnerEngine;
  /** The learner's gates by whether they allow containers; each opened on first use. */
  gates: Map<boolean, Promise<DockerGate>>;
}

/**
 * Every learner's engine and gates, opened on first use and owned until dispose. A learner has one engine and up
 * to two gates in front of it: one for the shells of labs that declare containers (`containers: true`), one for
 * every other lab. Which gate a shell gets is decided when it starts, so a lab's declaration holds exactly for
 * that lab's shells and checks, with no state to track as shells come and go; images are the same through both.
 */
export class DockerGates {
  private readonly _entries = new Map<string, Entry>();

  constructor(private readonly _options: DockerGatesOptions) {}

  /** The learner's gate for labs with or without containers (shared by all their shells of such labs). */
  open(learner: { learnerId: string; uid: number; gid: number; user: string }, engineDir: string, options: { allowContainers?: boolean } = {}): Promise<DockerGate> {
    const allowContainers = options.allowContainers ?? false;
    let entry = this._entries.get(learner.learnerId);
    if (!entry) {
      const engine = new LearnerEngine({
        engineDir,
        runDir: path.join(RUN_DIR, learner.user),
        baseImageStore: this._options.baseImageStore ?? BASE_IMAGE_STORE,
        idleSeconds: this._options.idleSeconds ?? 600,
        log: this._options.log,
      });
      entry = { engine, gates: new Map() };
      this._entries.set(learner.learnerId, entry);
    }
    const known = entry.gates.get(allowContainers);
    if (known) return known;
    const { engine, gates } = entry;
    const registries = this._options.registries;
    const policy: GatePolicy = { registryAllowed: (host) => registries.allows(host), allowContainers };
    const gate = DockerGate.listen({
      dir: this.dirOf(learner.learnerId, { allowContainers }),
      owner: { uid: learner.uid, gid: learner.gid },
      policy,
      upstream: () => engine.ensure(),
      log: this._options.log,
    });
    gate.catch(() => gates.delete(allowContainers));
    gates.set(allowContainers, gate);
    return gate;
  }

  /**
   * The folder a learner's gate socket is in (bound into their sandbox). The two gates' folders are siblings,
   * so a sandbox that shows one does not show the other (`.` is not in learner ids, so no id can name the second).
   */
  dirOf(learnerId: string, options: { allowContainers?: boolean } = {}): string {
    return path.join(this._options.dir, options.allowContainers ? `${learnerId}.containers` : learnerId);
  }

  async dispose(): Promise<void> {
    const entries = [...this._entries.values()];
    this._entries.clear();
    await Promise.all(
      entries.map(async (e) => {
        for (const gate of e.gates.values()) await (await gate.catch(() => undefined))?.dispose();
        await e.engine.dispose();
      }),
    );
  }
}
