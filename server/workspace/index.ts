import { cp, mkdir, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShellSpec } from '../pty/index.ts';

/** Where a learner's files for a lab live: `<dataDir>/workspaces/<learner>/<lab>`. */
export function workspacePath(dataDir: string, learnerId: string, labId: string): string {
  return path.join(dataDir, 'workspaces', learnerId, labId);
}

const BASHRC = `# labrunner: this folder is your workspace (HOME) for this lab.
[ -f /etc/bash.bashrc ] && . /etc/bash.bashrc
PS1='\\[\\e[1;32m\\]learner\\[\\e[0m\\]:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]\\$ '
alias ls='ls --color=auto'
alias grep='grep --color=auto'
`;

/**
 * Creates the workspace on first use: the lab's `files/` are copied in (never over the learner's own edits)
 * and a `.bashrc` with a readable prompt is added.
 */
export async function prepareWorkspace(dir: string, labDir: string | undefined): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (labDir) {
    const files = path.join(labDir, 'files');
    if (await exists(files)) await cp(files, dir, { recursive: true, force: false, errorOnExist: false });
  }
  const rc = path.join(dir, '.bashrc');
  // O_EXCL: never through a link the learner planted (the server may run as root; the link may point anywhere).
  await writeFile(rc, BASHRC, { mode: 0o644, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
}

/**
 * The shell's environment is built, not inherited: the server's own variables (its access token among them)
 * never reach a learner's shell.
 */
export function shellEnvironment(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    USER: process.env.USER ?? 'learner',
    SHELL: '/bin/bash',
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    LABRUNNER: '1',
    ...extra,
  };
}

/**
 * The rc file of a recorded shell: it reads the workspace's .bashrc as bash would, then installs the prompt
 * hook that reports each command (server/core/shell-events.ts). Kept beside this module, outside every
 * workspace, so a learner editing their .bashrc does not remove it by accident.
 */
export const RECORD_COMMANDS_RC = fileURLToPath(new URL('./record-commands.bash', import.meta.url));

export interface BashOptions {
  /** Report every command and its exit status (classroom students: the instructor's command timeline). */
  recordCommands?: boolean;
}

/** How to start bash in a workspace. */
export function bashSpec(
  home: string,
  size: { cols: number; rows: number },
  env: Record<string, string>,
  options: BashOptions = {},
): ShellSpec {
  const spec: ShellSpec = { file: '/bin/bash', args: ['-i'], cwd: home, env, cols: size.cols, rows: size.rows };
  if (options.recordCommands) {
    spec.args = ['--rcfile', RECORD_COMMANDS_RC, '-i'];
    spec.recordCommands = true;
    spec.readablePaths = [RECORD_COMMANDS_RC];
  }
  return spec;
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}


