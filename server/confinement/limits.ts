import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What one learner may use, all their shells and processes together. */
export interface LearnerLimits {
  /** Processes and threads (cgroup pids.max, and RLIMIT_NPROC for their uid). */
  readonly processes: number;
  /** Memory in bytes (cgroup memory limit; without a memory cgroup, RLIMIT_AS per process). */
  readonly memoryBytes: number;
  /** The learner's disk (workspace + container images): the size of their ext4 image. */
  readonly diskBytes: number;
  /** Their private /tmp (a tmpfs, charged to their memory cgroup too). */
  readonly tmpBytes: number;
}

export const DEFAULT_LIMITS: LearnerLimits = {
  processes: 256,
  memoryBytes: 1024 * 1024 * 1024,
  diskBytes: 4 * 1024 * 1024 * 1024,
  tmpBytes: 256 * 1024 * 1024,
};

/** A learner's cgroup: the `cgroup.procs` files a shell joins before it becomes the learner. */
export interface LearnerCgroup {
  readonly procsFiles: readonly string[];
  /** True when memory is bounded for the learner as a whole (else only per process, by RLIMIT_AS). */
  readonly boundsMemory: boolean;
  remove(): Promise<void>;
}

/**
 * Per-learner cgroups, on whichever layout the machine has. These machines run cgroup v1 (podman needs
 * `cgroup_manager = "cgroupfs"` here) with writable `pids` and `memory` hierarchies; a pure cgroup v2 machine
 * has `/sys/fs/cgroup/cgroup.controllers`. Without either (a container that hides cgroupfs), `detect`
 * returns undefined and the per-uid RLIMIT_NPROC and per-process RLIMIT_AS are all there is.
 */
export class Cgroups {
  private constructor(
    private readonly _layout: { kind: 'v2'; root: string } | { kind: 'v1'; pids: string; memory: string | undefined },
  ) {}

  static async detect(root = '/sys/fs/cgroup'): Promise<Cgroups | undefined> {
    try {
      if (await exists(path.join(root, 'cgroup.controllers'))) {
        const controllers = await readFile(path.join(root, 'cgroup.controllers'), 'utf8');
        if (!/\bpids\b/.test(controllers)) return undefined;
        const mine = path.join(root, 'labrunner');
        await mkdir(mine, { recursive: true });
        // Children can only use controllers their parents enable for them.
        const wanted = ['pids', ...(/\bmemory\b/.test(controllers) ? ['memory'] : [])];
        await writeFile(path.join(root, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' '));
        await writeFile(path.join(mine, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' '));
        return new Cgroups({ kind: 'v2', root: mine });
      }
      if (!(await exists(path.join(root, 'pids', 'cgroup.procs')))) return undefined;
      const pids = path.join(root, 'pids', 'labrunner');
      await mkdir(pids, { recursive: true });
      let memory: string | undefined = path.join(root, 'memory', 'labrunner');
      if (await exists(path.join(root, 'memory', 'cgroup.procs'))) await mkdir(memory, { recursive: true });
      else memory = undefined;
      return new Cgroups({ kind: 'v1', pids, memory });
    } catch {
      return undefined; // read-only cgroupfs, no permission: fall back to rlimits
    }
  }

  get description(): string {
    return this._layout.kind === 'v2' ? 'cgroup v2 (pids, memory)' : `cgroup v1 (pids${this._layout.memory ? ', memory' : ''})`;
  }

  /** Creates (or updates) the learner's cgroup with the limits. */
  async forLearner(name: string, limits: LearnerLimits): Promise<LearnerCgroup> {
    const layout = this._layout;
    if (layout.kind === 'v2') {
      const dir = path.join(layout.root, name);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'pids.max'), String(limits.processes));
      const memory = await writeFile(path.join(dir, 'memory.max'), String(limits.memoryBytes)).then(() => true, () => false);
      // No swap: a learner's memory stays within the cap instead of pushing others' pages out.
      if (memory) await writeFile(path.join(dir, 'memory.swap.max'), '0').catch(() => undefined);
      return { procsFiles: [path.join(dir, 'cgroup.procs')], boundsMemory: memory, remove: () => removeDirs([dir]) };
    }
    const pidsDir = path.join(layout.pids, name);
    await mkdir(pidsDir, { recursive: true });
    await writeFile(path.join(pidsDir, 'pids.max'), String(limits.processes));
    const dirs = [pidsDir];
    let boundsMemory = false;
    if (layout.memory) {
      const memDir = path.join(layout.memory, name);
      await mkdir(memDir, { recursive: true });
      await writeFile(path.join(memDir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      // memory+swap at the same figure: no swap beyond the cap (the file is absent when swap accounting is off).
      await writeFile(path.join(memDir, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(() => undefined);
      dirs.push(memDir);
      boundsMemory = true;
    }
    return { procsFiles: dirs.map((d) => path.join(d, 'cgroup.procs')), boundsMemory, remove: () => removeDirs(dirs) };
  }
}

/** A cgroup can be removed only once it is empty; one still in use stays (and is reused on the next start). */
async function removeDirs(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) await rmdir(dir).catch(() => undefined);
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}
