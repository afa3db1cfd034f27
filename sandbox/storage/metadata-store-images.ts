/** Image rows (one per manifest digest), their tags and scan state. */
import type Database from 'better-sqlite3';
import type { ImageRow, ScanStatus } from './metadata-store-rows.ts';

/** What a push inserts. */
export interface NewImage {
  repositoryId: number;
  digest: string;
  mediaType: string;
  artifactMediaType: string | null;
  manifest: Uint8Array;
  size: number;
  pushedAt: number;
}

/** A change of scan state. */
export interface ScanUpdate {
  status: ScanStatus;
  description: string | null;
  startedAt?: number;
  completedAt: number | null;
  findings: string | null;
  vulnerabilitySourceUpdatedAt: number | null;
}

const SELECT = `SELECT repository_id AS repositoryId, digest, media_type AS mediaType,
  artifact_media_type AS artifactMediaType, manifest, size, pushed_at AS pushedAt, scan_status AS scanStatus,
  scan_description AS scanDescription, scan_started_at AS scanStartedAt, scan_completed_at AS scanCompletedAt,
  scan_findings AS scanFindings, vulnerability_source_updated_at AS vulnerabilitySourceUpdatedAt FROM images`;

/** Access to `images` and `image_tags`. */
export class ImageTable {
  /** Prepared once per SQL text: preparing costs more than running these small queries. */
  private readonly _statements = new Map<string, Database.Statement>();

  constructor(private readonly _db: Database.Database) {}

  private _q(sql: string): Database.Statement {
    let st = this._statements.get(sql);
    if (st === undefined) {
      st = this._db.prepare(sql);
      this._statements.set(sql, st);
    }
    return st;
  }

  /** Digests of a repository in {@link list}'s order, without reading whole rows. */
  listDigests(repositoryId: number): string[] {
    return (this._q('SELECT digest FROM images WHERE repository_id = ? ORDER BY pushed_at DESC, digest').pluck().all(repositoryId) as string[]);
  }

  /** Rows of the given digests (in no particular order), read with one query. */
  getMany(repositoryId: number, digests: readonly string[]): ImageRow[] {
    if (digests.length === 0) return [];
    return this._q(`${SELECT} WHERE repository_id = ? AND digest IN (SELECT value FROM json_each(?))`).all(repositoryId, JSON.stringify(digests)) as ImageRow[];
  }

  /** Tags of the given digests, each list sorted, read with one query. */
  tagsOfMany(repositoryId: number, digests: readonly string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (digests.length === 0) return out;
    const rows = this._q('SELECT digest, tag FROM image_tags WHERE repository_id = ? AND digest IN (SELECT value FROM json_each(?))').all(repositoryId, JSON.stringify(digests)) as { digest: string; tag: string }[];
    for (const r of rows) {
      const list = out.get(r.digest);
      if (list === undefined) out.set(r.digest, [r.tag]);
      else list.push(r.tag);
    }
    for (const list of out.values()) list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return out;
  }

  /** Digests of a repository's images that have at least one tag. */
  taggedDigests(repositoryId: number): Set<string> {
    return new Set(this._q('SELECT DISTINCT digest FROM image_tags WHERE repository_id = ?').pluck().all(repositoryId) as string[]);
  }

  get(repositoryId: number, digest: string): ImageRow | undefined {
    return this._q(`${SELECT} WHERE repository_id = ? AND digest = ?`).get(repositoryId, digest) as
      | ImageRow
      | undefined;
  }

  /** Images of a repository, newest push first (ties by digest, for stable pages). */
  list(repositoryId: number): ImageRow[] {
    return this._db
      .prepare(`${SELECT} WHERE repository_id = ? ORDER BY pushed_at DESC, digest`)
      .all(repositoryId) as ImageRow[];
  }

  count(repositoryId: number): number {
    return (this._db.prepare('SELECT COUNT(*) AS n FROM images WHERE repository_id = ?').get(repositoryId) as { n: number }).n;
  }

  /** Images left in IN_PROGRESS (a restart interrupted their scan). */
  listScansInProgress(): ImageRow[] {
    return this._db.prepare(`${SELECT} WHERE scan_status = 'IN_PROGRESS'`).all() as ImageRow[];
  }

  insert(i: NewImage): void {
    this._db
      .prepare(
        `INSERT INTO images (repository_id, digest, media_type, artifact_media_type, manifest, size, pushed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(i.repositoryId, i.digest, i.mediaType, i.artifactMediaType, Buffer.from(i.manifest), i.size, i.pushedAt);
  }

  /** Deletes an image; its tags go with it (foreign key cascade). */
  delete(repositoryId: number, digest: string): boolean {
    return this._db.prepare('DELETE FROM images WHERE repository_id = ? AND digest = ?').run(repositoryId, digest).changes > 0;
  }

  /** Moves pushedAt (a re-push of an existing manifest under a new tag counts as a push on ECR). */
  touchPushedAt(repositoryId: number, digest: string, at: number): void {
    this._db.prepare('UPDATE images SET pushed_at = ? WHERE repository_id = ? AND digest = ?').run(at, repositoryId, digest);
  }

  updateScan(repositoryId: number, digest: string, u: ScanUpdate): void {
    this._db
      .prepare(
        `UPDATE images SET scan_status = ?, scan_description = ?, scan_started_at = COALESCE(?, scan_started_at),
         scan_completed_at = ?, scan_findings = ?, vulnerability_source_updated_at = ? WHERE repository_id = ? AND digest = ?`,
      )
      .run(
        u.status,
        u.description,
        u.startedAt ?? null,
        u.completedAt,
        u.findings,
        u.vulnerabilitySourceUpdatedAt,
        repositoryId,
        digest,
      );
  }

  /** Digest a tag points at. */
  digestOfTag(repositoryId: number, tag: string): string | undefined {
    const row = this._db.prepare('SELECT digest FROM image_tags WHERE repository_id = ? AND tag = ?').get(repositoryId, tag) as
      | { digest: string }
      | undefined;
    return row?.digest;
  }

  /** Tags of one image, sorted. */
  tagsOf(repositoryId: number, digest: string): string[] {
    return (
      // No ORDER BY: with one, SQLite walks the primary key (repository_id, tag) over every tag of the repository
      // to skip a sort, instead of the (repository_id, digest) index; an image has few tags, sorted here.
      this._q('SELECT tag FROM image_tags WHERE repository_id = ? AND digest = ?').all(repositoryId, digest) as {
        tag: string;
      }[]
    )
      .map((r) => r.tag)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** All tags of a repository, sorted, with their digests. */
  allTags(repositoryId: number): { tag: string; digest: string }[] {
    return this._db
      .prepare('SELECT tag, digest FROM image_tags WHERE repository_id = ? ORDER BY tag')
      .all(repositoryId) as { tag: string; digest: string }[];
  }

  /** Points a tag at a digest (moving it if it pointed elsewhere). */
  setTag(repositoryId: number, tag: string, digest: string): void {
    this._db
      .prepare(
        `INSERT INTO image_tags (repository_id, tag, digest) VALUES (?, ?, ?)
         ON CONFLICT(repository_id, tag) DO UPDATE SET digest = excluded.digest`,
      )
      .run(repositoryId, tag, digest);
  }

  deleteTag(repositoryId: number, tag: string): void {
    this._db.prepare('DELETE FROM image_tags WHERE repository_id = ? AND tag = ?').run(repositoryId, tag);
  }
}
