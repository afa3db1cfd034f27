import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LearnerIdentity } from './identities.ts';

const run = promisify(execFile);

/** Where a learner's capped disk is mounted, and its two parts. */
export interface LearnerDisk {
  /** The image's mount point (root-only). */
  readonly mountDir: string;
  /** The learner's files (owned by them, 0700): bound onto `<data>/workspaces/<learner>`. */
  readonly homeDir: string;
  /** The learner's container engine storage and build scratch (root-only, never in their view). */
  readonly engineDir: string;
}

/**
 * A hard cap on each learner's disk: a sparse ext4 image per learner, loop-mounted (nodev, nosuid) under
 * `<isolationDir>/mnt/<user>`. Why an image: the data dir's filesystem here is ext4 mounted without quota
 * support (and the root filesystem cannot be remounted with it), and a size-capped tmpfs would live in RAM and
 * vanish on restart. The image holds both the workspace and the learner's container engine storage, so
 * `docker build` contexts and images count against the same cap. Images are sparse: they take only what is used.
 */
export class LearnerDisks {
  constructor(
    private readonly _isolationDir: string,
    private readonly _workspacesDir: string,
    private readonly _sizeBytes: number,
  ) {}

  /** Creates (first time) and mounts the learner's disk, and binds their files onto their workspace folder. */
  async mount(id: LearnerIdentity): Promise<LearnerDisk> {
    const image = path.join(this._isolationDir, 'disks', `${id.user}.img`);
    const mountDir = path.join(this._isolationDir, 'mnt', id.user);
    await mkdir(path.dirname(image), { recursive: true, mode: 0o700 });
    await mkdir(mountDir, { recursive: true, mode: 0o700 });
    if (!(await isMountPoint(mountDir))) {
      if (!(await exists(image))) await createImage(image, this._sizeBytes);
      await run('mount', ['-o', 'loop,nodev,nosuid', image, mountDir]);
    }
    const homeDir = path.join(mountDir, 'home');
    const engineDir = path.join(mountDir, 'engine');
    await mkdir(homeDir, { recursive: true });
    await chown(homeDir, id.uid, id.gid);
    await chmod(homeDir, 0o700);
    await mkdir(engineDir, { recursive: true, mode: 0o700 });
    const workspace = path.join(this._workspacesDir, id.learnerId);
    await mkdir(workspace, { recursive: true, mode: 0o700 });
    if (!(await isMountPoint(workspace))) await run('mount', ['--bind', homeDir, workspace]);
    return { mountDir, homeDir, engineDir };
  }

  /** Unmounts a learner's workspace and disk (lazily: a process still inside keeps it until it exits). */
  async unmount(id: LearnerIdentity): Promise<void> {
    for (const dir of [path.join(this._workspacesDir, id.learnerId), path.join(this._isolationDir, 'mnt', id.user)]) {
      if (await isMountPoint(dir)) await run('umount', ['--recursive', '--lazy', dir]).catch(() => undefined);
    }
  }

  /** Deletes a learner's disk image (after unmount): for tests and retiring a data dir. */
  async remove(id: LearnerIdentity): Promise<void> {
    await rm(path.join(this._isolationDir, 'disks', `${id.user}.img`), { force: true });
  }
}

async function createImage(image: string, sizeBytes: number): Promise<void> {
  const tmp = `${image}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.truncate(sizeBytes); // sparse
  } finally {
    await file.close();
  }
  // -m 0: no blocks reserved for root (the learner should get the whole cap); -q: quiet.
  await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-L', 'labrunner', tmp]);
  await rename(tmp, image);
}

async function isMountPoint(dir: string): Promise<boolean> {
  return run('mountpoint', ['-q', dir]).then(() => true, () => false);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}
