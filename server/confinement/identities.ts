import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A learner's own OS identity: a Debian user and group of the same number, made with useradd. */
export interface LearnerIdentity {
  readonly learnerId: string;
  readonly uid: number;
  readonly gid: number;
  readonly user: string;
}

/**
 * Learner uids come from 70000–99999: above Debian's globally allocated 60000–64999 and 65534 (nobody),
 * and below 100000, where shadow's default /etc/subuid ranges (for rootless containers) begin.
 */
export const LEARNER_UID_RANGE = { first: 70_000, last: 99_999 } as const;

/**
 * Gives each learner a separate OS user, recorded in `<dir>/identities.json` so the same learner gets the
 * same uid after a restart (their workspace files stay theirs). Users are created with Debian's own
 * groupadd/useradd (which lock /etc/passwd): /etc/passwd is the machine-wide record of which uids are taken,
 * so two servers with different data dirs never hand out the same uid.
 */
export class LearnerIdentities {
  private _known = new Map<string, LearnerIdentity>();
  private _queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly _file: string) {}

  static async open(dir: string): Promise<LearnerIdentities> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const ids = new LearnerIdentities(path.join(dir, 'identities.json'));
    const text = await readFile(ids._file, 'utf8').catch(() => undefined);
    if (text) for (const id of JSON.parse(text) as LearnerIdentity[]) ids._known.set(id.learnerId, id);
    return ids;
  }

  /** Everyone this data dir has a user for. */
  all(): LearnerIdentity[] {
    return [...this._known.values()];
  }

  /** The learner's identity, creating the OS user on first use (and again if the machine lost it). */
  identityOf(learnerId: string): Promise<LearnerIdentity> {
    // One at a time: allocation reads and writes the record and /etc/passwd.
    const next = this._queue.then(() => this._ensure(learnerId));
    this._queue = next.catch(() => undefined);
    return next;
  }

  private async _ensure(learnerId: string): Promise<LearnerIdentity> {
    const known = this._known.get(learnerId);
    if (known) {
      if ((await userOf(known.uid)) !== known.user) await createUser(known, learnerId);
      return known;
    }
    for (let uid = LEARNER_UID_RANGE.first; uid <= LEARNER_UID_RANGE.last; uid++) {
      if (this._isRecorded(uid) || (await userOf(uid)) !== undefined || (await groupOf(uid)) !== undefined) continue;
      const identity: LearnerIdentity = { learnerId, uid, gid: uid, user: `lr${uid}` };
      // Another server may take the same uid between our look-up and useradd: useradd then fails; try the next.
      if (!(await createUser(identity, learnerId).then(() => true, () => false))) continue;
      this._known.set(learnerId, identity);
      await this._save();
      return identity;
    }
    throw new Error(`no free learner uid left in ${LEARNER_UID_RANGE.first}–${LEARNER_UID_RANGE.last}`);
  }

  private _isRecorded(uid: number): boolean {
    for (const id of this._known.values()) if (id.uid === uid) return true;
    return false;
  }

  private async _save(): Promise<void> {
    const tmp = `${this._file}.tmp`;
    await writeFile(tmp, JSON.stringify(this.all(), null, 2), { mode: 0o600 });
    await rename(tmp, this._file);
  }
}

async function createUser(id: LearnerIdentity, learnerId: string): Promise<void> {
  if ((await groupOf(id.gid)) === undefined) await run('groupadd', ['--gid', String(id.gid), id.user]);
  // No home directory is made here: the workspace is prepared (and mounted) by the confinement.
  await run('useradd', [
    '--uid', String(id.uid), '--gid', String(id.gid), '--no-create-home', '--home-dir', '/nonexistent',
    '--shell', '/usr/sbin/nologin', '--comment', `labrunner learner ${learnerId}`, id.user,
  ]);
}

async function userOf(uid: number): Promise<string | undefined> {
  return getent('passwd', uid);
}

async function groupOf(gid: number): Promise<string | undefined> {
  return getent('group', gid);
}

async function getent(db: 'passwd' | 'group', id: number): Promise<string | undefined> {
  try {
    const { stdout } = await run('getent', [db, String(id)]);
    return stdout.split(':')[0] || undefined;
  } catch {
    return undefined; // exit 2: no such entry
  }
}

/** Removes the OS users a data dir made (for tests and for an admin retiring a data dir). */
export async function removeIdentities(identities: readonly LearnerIdentity[]): Promise<void> {
  for (const id of identities) {
    await run('userdel', [id.user]).catch(() => undefined);
    await run('groupdel', [id.user]).catch(() => undefined);
  }
}
