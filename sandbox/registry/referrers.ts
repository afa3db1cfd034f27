/**
 * The referrers API (`GET /v2/<name>/referrers/<digest>`, distribution-spec 1.1). The image model
 * has no "manifests with this subject" query, so the registry keeps its own small index on disk:
 * `<dataDir>/referrers/<accountId>/<region>/<sha256 of repository name>/<subject hex>.json`, a list of
 * descriptors appended on push. Reads drop entries whose manifest is gone (deleted through
 * BatchDeleteImage or the registry), so the index never shows what the repository no longer has.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Scope } from '../contracts.ts';
import { digestHex, isAccountId } from '../core/registry/index.ts';
import type { Descriptor } from '../core/registry/index.ts';

/** Where referrer descriptors are recorded and listed. */
export interface ReferrersIndex {
  /** Records that `referrer` (a manifest in `repository`) has `subject` as its subject. */
  add(scope: Scope, repository: string, subject: string, referrer: Descriptor): Promise<void>;
  /** Descriptors recorded for `subject`, oldest first. */
  list(scope: Scope, repository: string, subject: string): Promise<Descriptor[]>;
}

const REGION = /^[a-z0-9-]{1,32}$/;

/** Creates the on-disk referrers index under `<dataDir>/referrers`. */
export function createReferrersIndex(options: { readonly dataDir: string }): ReferrersIndex {
  const root = join(options.dataDir, 'referrers');
  const locks = new Map<string, Promise<unknown>>();

  /** Every path part is validated or hashed, so the file is always under `root`. */
  function fileOf(scope: Scope, repository: string, subject: string): string | undefined {
    const hex = digestHex(subject);
    if (hex === undefined || !isAccountId(scope.accountId) || !REGION.test(scope.region)) return undefined;
    const repoKey = createHash('sha256').update(repository).digest('hex');
    return join(root, scope.accountId, scope.region, repoKey, `${hex}.json`);
  }

  async function read(file: string): Promise<Descriptor[]> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Descriptor[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  return {
    async add(scope, repository, subject, referrer) {
      const file = fileOf(scope, repository, subject);
      if (file === undefined) return;
      // Read-modify-write under a per-file lock; the rename makes each version appear whole.
      const run = (locks.get(file) ?? Promise.resolve()).catch(() => undefined).then(async () => {
        const entries = (await read(file)).filter((d) => d.digest !== referrer.digest);
        entries.push(referrer);
        await mkdir(join(file, '..'), { recursive: true });
        await writeFile(`${file}.tmp`, JSON.stringify(entries));
        await rename(`${file}.tmp`, file);
      });
      locks.set(file, run);
      try {
        await run;
      } finally {
        if (locks.get(file) === run) locks.delete(file);
      }
    },
    async list(scope, repository, subject) {
      const file = fileOf(scope, repository, subject);
      return file === undefined ? [] : read(file);
    },
  };
}
