import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { SETUP_SCRIPT } from './paths.ts';

/** System tools the labs use, and the Debian package each comes from. */
const TOOLS: ReadonlyArray<{ bin: string; pkg: string; why: string }> = [
  { bin: '/usr/bin/podman', pkg: 'podman', why: 'builds images and runs ECS tasks' },
  { bin: '/usr/bin/skopeo', pkg: 'skopeo', why: 'copies images' },
  { bin: '/usr/bin/aws', pkg: 'awscli', why: 'the AWS CLI the labs teach' },
  { bin: '/bin/busybox', pkg: 'busybox-static', why: 'a base for images built offline' },
  { bin: '/usr/bin/chromium', pkg: 'chromium', why: 'browser tests' },
];

/**
 * Finds missing system tools. As root it runs scripts/setup-system to install them; otherwise it prints the
 * exact command. A missing tool never stops the server: the terminal works without them.
 */
export function preflight(log: (msg: string) => void, { install }: { install: boolean }): string[] {
  let missing = TOOLS.filter((t) => !isExecutable(t.bin));
  if (missing.length === 0) return [];
  const isRoot = process.getuid?.() === 0;
  if (install && isRoot) {
    log(`installing missing system tools: ${missing.map((t) => t.pkg).join(' ')} (scripts/setup-system)`);
    spawnSync(SETUP_SCRIPT, { stdio: 'inherit' });
    missing = TOOLS.filter((t) => !isExecutable(t.bin));
  }
  for (const t of missing) {
    log(`missing ${t.bin} (${t.why}); install it with: sudo ${SETUP_SCRIPT}   (or: sudo apt-get install -y ${t.pkg})`);
  }
  return missing.map((t) => t.pkg);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
