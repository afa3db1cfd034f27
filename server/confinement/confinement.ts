import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ShellSpec } from '../pty/index.ts';
import { DockerGates, RegistryAllowlist } from '../docker-gate/index.ts';
import { BWRAP, confinedShellSpec } from './bwrap-spec.ts';
import { LearnerDisks, type LearnerDisk } from './disk.ts';
import { LearnerIdentities, removeIdentities, type LearnerIdentity } from './identities.ts';
import { Cgroups, DEFAULT_LIMITS, type LearnerCgroup, type LearnerLimits } from './limits.ts';

const run = promisify(execFile);

export interface ConfinementOptions {
  /** The server's data dir: workspaces are `<dataDir>/workspaces/<learner>`; isolation state goes beside them. */
  readonly dataDir: string;
  readonly limits?: Partial<LearnerLimits>;
  /** The read-only store of base images learners build FROM (default /var/lib/labrunner/base-images). */
  readonly baseImageStore?: string;
  readonly log: (msg: string) => void;
}

/** Whether the lab a shell or check is for declares containers (`containers: true` in its front matter). */
export interface LabContainers {
  readonly containers?: boolean;
}

/** What a learner has once prepared: identity, mounted disk, cgroup, and their view of /etc/passwd. */
interface LearnerCell {
  readonly identity: LearnerIdentity;
  readonly disk: LearnerDisk;
  readonly cgroup: LearnerCgroup | undefined;
  readonly passwdFile: string;
  readonly groupFile: string;
  readonly workspaceRoot: string;
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const TOOLS = [BWRAP, '/usr/bin/setpriv', '/usr/bin/prlimit', '/usr/sbin/mkfs.ext4', '/usr/sbin/useradd'];

/**
 * Confined shells for a shared server: each learner is their own OS user, with a capped disk, a cgroup and a
 * bubblewrap sandbox that shows them only their own files and processes, and a Docker API gate in front of a
 * container engine of their own. See docs/security.md.
 *
 * Use: `prepare(learner)` before the workspace is filled (it mounts the learner's disk there), `environment()`
 * for every environment built for that learner (shells and checks: DOCKER_HOST becomes their gate), and
 * `wrap()` on the shell spec. Pass `{ containers: true }` to `environment()` for a lab that declares containers:
 * its DOCKER_HOST is then the learner's gate that allows them (`wrap` and `wrapCommand` keep the gate the
 * environment names).
 */
export class Confinement {
  private readonly _cells = new Map<string, Promise<LearnerCell>>();
  private readonly _registries = new RegistryAllowlist();
  private readonly _gates: DockerGates;
  private readonly _isolationDir: string;
  private readonly _gatesDir: string;

  private constructor(
    private readonly _options: ConfinementOptions,
    private readonly _identities: LearnerIdentities,
    private readonly _disks: LearnerDisks,
    private readonly _cgroups: Cgroups | undefined,
    private readonly _limits: LearnerLimits,
    private readonly _rootEntries: { name: string; symlinkTo?: string }[],
  ) {
    this._isolationDir = path.join(_options.dataDir, 'isolation');
    this._gatesDir = path.join(_options.dataDir, 'docker-gate');
    this._gates = new DockerGates({
      dir: this._gatesDir,
      registries: this._registries,
      ...(_options.baseImageStore ? { baseImageStore: _options.baseImageStore } : {}),
      log: _options.log,
    });
  }

  /** Why this machine cannot confine learners (not root, a tool missing), or undefined when it can. */
  static unavailable(): string | undefined {
    if (process.getuid?.() !== 0) return 'learner isolation needs the server to run as root (it creates a user per learner)';
    const missing = TOOLS.filter((t) => !existsSync(t));
    return missing.length ? `learner isolation needs ${missing.join(', ')}: run scripts/setup-system` : undefined;
  }

  /** Checks that this machine can confine (root, bubblewrap, util-linux, e2fsprogs) and opens the records. */
  static async start(options: ConfinementOptions): Promise<Confinement> {
    const why = Confinement.unavailable();
    if (why) throw new Error(why);
    const dataDir = path.resolve(options.dataDir);
    const isolationDir = path.join(dataDir, 'isolation');
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const identities = await LearnerIdentities.open(isolationDir);
    const disks = new LearnerDisks(isolationDir, path.join(dataDir, 'workspaces'), limits.diskBytes);
    const cgroups = await Cgroups.detect();
    options.log(
      cgroups
        ? `learner isolation: ${cgroups.description} limits per learner`
        : 'learner isolation: no writable cgroups here; processes are limited per uid (RLIMIT_NPROC) and memory per process (RLIMIT_AS)',
    );
    return new Confinement({ ...options, dataDir }, identities, disks, cgroups, limits, await rootEntries());
  }

  /** The learner's OS identity, disk, cgroup and gate: ready before their workspace is filled. */
  async prepare(learnerId: string): Promise<LearnerIdentity> {
    return (await this._cell(learnerId)).identity;
  }

  /**
   * The environment a confined learner's shell and checks use: DOCKER_HOST is their own gate (the same path
   * inside the sandbox and out, so checkers see exactly the images the learner sees).
   */
  environment(learnerId: string, env: Readonly<Record<string, string>>, options: LabContainers = {}): Record<string, string> {
    const out = { ...env };
    const endpoint = env['AWS_ENDPOINT_URL'];
    if (endpoint) {
      const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
      if (url && (url.hostname === '127.0.0.1' || url.hostname === 'localhost')) this._registries.allowSandboxPort(url.port);
    }
    if (out['DOCKER_HOST']) out['DOCKER_HOST'] = this._dockerHost(learnerId, this._allowsContainers(learnerId, env, options));
    return out;
  }

  private _dockerHost(learnerId: string, allowContainers: boolean): string {
    return `unix://${path.join(this._gates.dirOf(learnerId, { allowContainers }), 'docker.sock')}`;
  }

  /** What the caller says, or else what the environment (built by {@link environment}) already chose. */
  private _allowsContainers(learnerId: string, env: Readonly<Record<string, string>>, options: LabContainers): boolean {
    return options.containers ?? env['DOCKER_HOST'] === this._dockerHost(learnerId, true);
  }

  /** The shell, run as the learner inside their sandbox. Call after the workspace is prepared. */
  async wrap(learnerId: string, spec: ShellSpec, options: LabContainers = {}): Promise<ShellSpec> {
    const cell = await this._cell(learnerId);
    const { identity } = cell;
    // The server fills workspaces as root; hand what it made to the learner. GNU chown -R -P -h never follows
    // a symlink the learner may have planted (it works through directory file descriptors), and --from
    // touches only files root owns.
    await run('chown', ['-R', '-P', '-h', `--from=0:0`, `${identity.uid}:${identity.gid}`, cell.workspaceRoot]);
    return this._confine(learnerId, cell, spec, options);
  }

  /**
   * A command of the server's (a `shell` check) run as the learner, in the same sandbox as their shell: a check
   * reads the learner's files and config (`~/.aws/config`, `~/.docker/config.json`), which must never be
   * interpreted with root's rights.
   */
  async wrapCommand(learnerId: string, spec: ShellSpec, options: LabContainers = {}): Promise<ShellSpec> {
    return this._confine(learnerId, await this._cell(learnerId), spec, options);
  }

  private async _confine(learnerId: string, cell: LearnerCell, spec: ShellSpec, options: LabContainers): Promise<ShellSpec> {
    const { identity } = cell;
    const allowContainers = this._allowsContainers(learnerId, spec.env, options);
    const env = this.environment(learnerId, spec.env, { containers: allowContainers });
    const dataDir = this._options.dataDir;
    // Only PATH folders that are system folders or the server's own (the aws wrapper); those get bound read-only.
    const ownPath = (spec.env['PATH'] ?? '').split(':').filter((p) => p.startsWith(dataDir + path.sep) && existsSync(p));
    // Files the shell itself must read, e.g. the command-capture rcfile of classroom shells (ShellSpec.readablePaths).
    const readOnlyBinds = [...ownPath, ...(spec.readablePaths ?? []).filter((p) => existsSync(p))];
    if (env['DOCKER_HOST']) {
      // Only this lab's gate is in the sandbox: a shell of a lab without containers cannot reach the other one.
      await this._gates.open(identity, cell.disk.engineDir, { allowContainers });
      readOnlyBinds.push(this._gates.dirOf(learnerId, { allowContainers }));
    }
    return confinedShellSpec(spec, {
      identity,
      workspaceRoot: cell.workspaceRoot,
      readOnlyBinds,
      passwdFile: cell.passwdFile,
      groupFile: cell.groupFile,
      cgroupProcs: cell.cgroup?.procsFiles ?? [],
      cgroupBoundsMemory: cell.cgroup?.boundsMemory ?? false,
      limits: this._limits,
      rootEntries: this._rootEntries,
      env: { ...env, PATH: [...ownPath, SYSTEM_PATH].join(':'), USER: identity.user, LOGNAME: identity.user },
    });
  }

  /** Stops the gates and engines, unmounts disks and removes empty cgroups. Call after the shells have ended. */
  async dispose(): Promise<void> {
    await this._gates.dispose();
    const cells = await Promise.all([...this._cells.values()].map((c) => c.catch(() => undefined)));
    this._cells.clear();
    for (const cell of cells) {
      if (!cell) continue;
      await this._disks.unmount(cell.identity);
      await cell.cgroup?.remove();
    }
  }

  /** Deletes every OS user and disk image this data dir made (tests; retiring a data dir). After dispose. */
  async forgetEveryone(): Promise<void> {
    const all = this._identities.all();
    for (const id of all) await this._disks.remove(id);
    await removeIdentities(all);
  }

  private _cell(learnerId: string): Promise<LearnerCell> {
    let cell = this._cells.get(learnerId);
    if (!cell) {
      cell = this._makeCell(learnerId);
      cell.catch(() => this._cells.delete(learnerId));
      this._cells.set(learnerId, cell);
    }
    return cell;
  }

  private async _makeCell(learnerId: string): Promise<LearnerCell> {
    const identity = await this._identities.identityOf(learnerId);
    const disk = await this._disks.mount(identity);
    const cgroup = await this._cgroups?.forLearner(identity.user, this._limits);
    const workspaceRoot = path.join(this._options.dataDir, 'workspaces', learnerId);
    const etc = path.join(this._isolationDir, 'etc', identity.user);
    await mkdir(etc, { recursive: true, mode: 0o755 });
    const passwdFile = path.join(etc, 'passwd');
    const groupFile = path.join(etc, 'group');
    // The learner's /etc/passwd names only themselves: not the other learners on this machine.
    await writeFile(
      passwdFile,
      [
        'root:x:0:0:root:/root:/usr/sbin/nologin',
        `${identity.user}:x:${identity.uid}:${identity.gid}:labrunner learner:${workspaceRoot}:/bin/bash`,
        'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    await writeFile(groupFile, ['root:x:0:', `${identity.user}:x:${identity.gid}:`, 'nogroup:x:65534:', ''].join('\n'), { mode: 0o644 });
    return { identity, disk, cgroup, passwdFile, groupFile, workspaceRoot };
  }
}

/** `/bin`, `/lib`… as this machine has them: links into /usr (merged /usr, Debian 12) or real folders. */
async function rootEntries(): Promise<{ name: string; symlinkTo?: string }[]> {
  const out: { name: string; symlinkTo?: string }[] = [];
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const st = await lstat(`/${name}`).catch(() => undefined);
    if (!st) continue;
    if (st.isSymbolicLink()) out.push({ name, symlinkTo: await readlink(`/${name}`) });
    else if (st.isDirectory()) out.push({ name });
  }
  return out;
}
