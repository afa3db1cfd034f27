import type { ShellSpec } from '../pty/index.ts';
import type { LearnerIdentity } from './identities.ts';
import type { LearnerLimits } from './limits.ts';

/** Everything a confined shell is built from. */
export interface ConfinedShellPlan {
  readonly identity: LearnerIdentity;
  /** The learner's own files (all their labs), bound read-write at the same path. */
  readonly workspaceRoot: string;
  /** Folders bound read-only at the same path: the `aws` wrapper's folder, the docker gate's socket folder. */
  readonly readOnlyBinds: readonly string[];
  /** The /etc/passwd and /etc/group the learner sees (only root, nobody and themselves). */
  readonly passwdFile: string;
  readonly groupFile: string;
  /** `cgroup.procs` files the shell joins before anything else runs (empty: no cgroups here). */
  readonly cgroupProcs: readonly string[];
  /** False when no memory cgroup bounds the learner: each process then gets RLIMIT_AS instead. */
  readonly cgroupBoundsMemory: boolean;
  readonly limits: LearnerLimits;
  /** How the top-level folders look on this machine (merged /usr: `/bin` is a link to `usr/bin`). */
  readonly rootEntries: readonly { name: string; symlinkTo?: string }[];
  /** Environment overrides (USER, DOCKER_HOST, PATH, …). */
  readonly env: Readonly<Record<string, string>>;
}

export const BWRAP = '/usr/bin/bwrap';
const PRLIMIT = '/usr/bin/prlimit';
const SETPRIV = '/usr/bin/setpriv';

/**
 * Joins the cgroups named before `--`, then execs the rest. node-pty spawns the shell itself, so nothing else
 * can place the process in a cgroup before it runs; systemd-run/cgexec are not available on every machine.
 */
const JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

/**
 * The shell, confined. bubblewrap runs as root (no user namespace, so the kernel's attack surface is the usual
 * one) and builds a fresh mount, PID, IPC, UTS and cgroup namespace: a tmpfs root with /usr and /etc read-only,
 * the learner's own workspace read-write, a private /tmp, its own /proc (only the learner's processes) and
 * /dev; no /root, /home, /var, /sys, nor the server's data dir. Inside, prlimit sets the per-uid process
 * limit, and setpriv becomes the learner (uid and gid, no supplementary groups, every capability dropped,
 * no_new_privs so no setuid program can give root back) before bash starts.
 *
 * Not `--new-session`: it would call setsid() and take the terminal away from bash, ending job control
 * (Ctrl-Z, fg). Its purpose is to stop TIOCSTI from pushing keystrokes into a terminal outside the sandbox;
 * here the terminal's other end is the server's pty master, which never reads input from it.
 */
export function confinedShellSpec(spec: ShellSpec, plan: ConfinedShellPlan): ShellSpec {
  const { identity: id, limits } = plan;
  const bwrap: string[] = [
    '--die-with-parent',
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    '--hostname', 'lab',
    '--ro-bind', '/usr', '/usr',
  ];
  for (const entry of plan.rootEntries) {
    if (entry.symlinkTo) bwrap.push('--symlink', entry.symlinkTo, `/${entry.name}`);
    else bwrap.push('--ro-bind', `/${entry.name}`, `/${entry.name}`);
  }
  bwrap.push(
    '--ro-bind', '/etc', '/etc',
    '--ro-bind', plan.passwdFile, '/etc/passwd',
    '--ro-bind', plan.groupFile, '/etc/group',
    '--proc', '/proc',
    '--dev', '/dev',
    '--perms', '1777', '--size', String(limits.tmpBytes), '--tmpfs', '/tmp',
    '--perms', '1777', '--size', String(limits.tmpBytes), '--tmpfs', '/dev/shm',
    '--dir', '/var', '--symlink', '../tmp', '/var/tmp',
  );
  // bubblewrap would give the folders it makes above a bind the host's modes (the data dir is 0700): make
  // them traversable but not listable, so the learner reaches their own folders and cannot list the rest.
  const made = new Set(['/', '/tmp', '/var', '/usr', '/etc', '/proc', '/dev']);
  const parents = (dir: string) => {
    const parts = dir.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const p = `/${parts.slice(0, i).join('/')}`;
      if (made.has(p)) continue;
      made.add(p);
      bwrap.push('--perms', '0711', '--dir', p);
    }
  };
  parents(plan.workspaceRoot);
  bwrap.push('--bind', plan.workspaceRoot, plan.workspaceRoot);
  for (const dir of plan.readOnlyBinds) {
    parents(dir);
    bwrap.push('--ro-bind', dir, dir);
  }
  bwrap.push('--chdir', spec.cwd);

  const prlimit = [`--nproc=${limits.processes}:${limits.processes}`, '--core=0:0'];
  if (!plan.cgroupBoundsMemory) prlimit.push(`--as=${limits.memoryBytes}:${limits.memoryBytes}`);
  const setpriv = [
    `--reuid=${id.uid}`, `--regid=${id.gid}`, '--clear-groups',
    '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs',
  ];
  const inner = [BWRAP, ...bwrap, '--', PRLIMIT, ...prlimit, '--', SETPRIV, ...setpriv, '--', spec.file, ...spec.args];
  const env = { ...spec.env, ...plan.env };
  if (plan.cgroupProcs.length === 0) return { ...spec, file: inner[0]!, args: inner.slice(1), env };
  return { ...spec, file: '/bin/sh', args: ['-c', JOIN_CGROUPS, 'labrunner-confine', ...plan.cgroupProcs, '--', ...inner], env };
}
