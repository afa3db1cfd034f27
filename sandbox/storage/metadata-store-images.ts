/** Image rows (one per manifest digest), their tags and scan state. */
import type Database from 'better-sqlite3';
import type { ImageRow, ImageSummaryRow, ScanStatus } from './metadata-store-rows.ts';
import type { StatementCache } from './statement-cache.ts';

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

/** Every column but the manifest, which listings never need and which is the largest. */
const SUMMARY_COLUMNS = `repository_id AS repositoryId, digest, media_type AS mediaType,
  artifact_media_type AS artifactMediaType, size, pushed_at AS pushedAt, scan_status AS scanStatus,
  scan_description AS scanDescription, scan_started_at AS scanStartedAt, scan_completed_at AS scanCompletedAt,
  scan_findings AS scanFindings, vulnerability_source_updated_at AS vulnerabilitySourceUpdatedAt`;
const SELECT = `SELECT ${SUMMARY_COLUMNS}, manifest FROM images`;

/** Which images a listing keeps, by whether they have a tag. */
export type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

const HAS_TAG = 'EXISTS (SELECT 1 FROM image_tags t WHERE t.repository_id = i.repository_id AND t.digest = i.digest)';
const TAG_FILTER: Record<TagStatus, string> = { TAGGED: `AND ${HAS_TAG}`, UNTAGGED: `AND NOT ${HAS_TAG}`, ANY: '' };

/** One page of a listing: images with their tags (sorted), and whether more follow. Shared: never mutate it. */
export interface ImagePage {
  readonly images: readonly { readonly image: ImageSummaryRow; readonly tags: readonly string[] }[];
  readonly more: boolean;
}

/** Pages kept for repeated listings; a page of 100 images is ~50 KB. */
const PAGES_KEPT = 64;

/** Access to `images` and `image_tags`. */
export class ImageTable {
  /**
   * Listings are read far more often than images change (checkers poll DescribeImages every few seconds for
   * every learner), so the last pages served are kept, each stamped with its repository's change count. Every
   * change to a repository's images or tags goes through this class and bumps the count; the sandbox process
   * is the only writer of these tables; a deleted repository's id is never reused (AUTOINCREMENT).
   */
  private readonly _changes = new Map<number, number>();
  private readonly _pages = new Map<string, { changes: number; page: ImagePage }>();

  constructor(
    private readonly _db: Database.Database,
    private readonly _statements: StatementCache,
  ) {}

  /**
   * One page of a repository's images in {@link list}'s order, without manifests, each with its tags: rows
   * `offset` to `offset + limit - 1` of those `tagStatus` keeps. One query, on the push-order index, so a page
   * of 100 costs the same in a repository of 10 images or 10,000; or none, when the repository has not changed
   * since the same page was read.
   */
  page(repositoryId: number, tagStatus: TagStatus, offset: number, limit: number): ImagePage {
    // Inside a transaction a page may show changes that are then rolled back: read it, but do not keep it.
    if (this._db.inTransaction) return this._readPage(repositoryId, tagStatus, offset, limit);
    const key = `${repositoryId}/${tagStatus}/${offset}/${limit}`;
    const changes = this._changes.get(repositoryId) ?? 0;
    const kept = this._pages.get(key);
    if (kept !== undefined && kept.changes === changes) return kept.page;
    const page = this._readPage(repositoryId, tagStatus, offset, limit);
    this._pages.delete(key);
    if (this._pages.size >= PAGES_KEPT) this._pages.delete(this._pages.keys().next().value!); // the oldest
    this._pages.set(key, { changes, page });
    return page;
  }

  private _readPage(repositoryId: number, tagStatus: TagStatus, offset: number, limit: number): ImagePage {
    // Tags cannot contain spaces (ECR and the OCI spec both allow only [A-Za-z0-9_.-]), so a space joins them.
    const rows = this._statements.prepare(
      `SELECT ${SUMMARY_COLUMNS}, (SELECT group_concat(tag, ' ') FROM image_tags t WHERE t.repository_id = i.repository_id AND t.digest = i.digest) AS tagList
       FROM images i WHERE repository_id = ? ${TAG_FILTER[tagStatus]} ORDER BY pushed_at DESC, digest LIMIT ? OFFSET ?`,
    ).all(repositoryId, limit + 1, offset) as (ImageSummaryRow & { tagList: string | null })[];
    const more = rows.length > limit;
    if (more) rows.pop();
    return { images: rows.map((image) => ({ image, tags: image.tagList === null ? [] : image.tagList.split(' ').sort(byCodeUnits) })), more };
  }

  /** Called by every method that changes a repository's images or tags: its kept pages are stale. */
  private _changed(repositoryId: number): void {
    this._changes.set(repositoryId, (this._changes.get(repositoryId) ?? 0) + 1);
  }

  get(repositoryId: number, digest: string): ImageRow | undefined {
    return this._statements.prepare(`${SELECT} WHERE repository_id = ? AND digest = ?`).get(repositoryId, digest) as
      | ImageRow
      | undefined;
  }

  /** Images of a repository, newest push first (ties by digest, for stable pages). */
  list(repositoryId: number): ImageRow[] {
    return this._statements
      .prepare(`${SELECT} WHERE repository_id = ? ORDER BY pushed_at DESC, digest`)
      .all(repositoryId) as ImageRow[];
  }

  count(repositoryId: number): number {
    return (this._statements.prepare('SELECT COUNT(*) AS n FROM images WHERE repository_id = ?').get(repositoryId) as { n: number }).n;
  }

  /** Images left in IN_PROGRESS (a restart interrupted their scan). */
  listScansInProgress(): ImageRow[] {
    return this._statements.prepare(`${SELECT} WHERE scan_status = 'IN_PROGRESS'`).all() as ImageRow[];
  }

  insert(i: NewImage): void {
    this._changed(i.repositoryId);
    this._statements
      .prepare(
        `INSERT INTO images (repository_id, digest, media_type, artifact_media_type, manifest, size, pushed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(i.repositoryId, i.digest, i.mediaType, i.artifactMediaType, Buffer.from(i.manifest), i.size, i.pushedAt);
  }

  /** Deletes an image; its tags go with it (foreign key cascade). */
  delete(repositoryId: number, digest: string): boolean {
    this._changed(repositoryId);
    return this._statements.prepare('DELETE FROM images WHERE repository_id = ? AND digest = ?').run(repositoryId, digest).changes > 0;
  }

  /** Moves pushedAt (a re-push of an existing manifest under a new tag counts as a push on ECR). */
  touchPushedAt(repositoryId: number, digest: string, at: number): void {
    this._changed(repositoryId);
    this._statements.prepare('UPDATE images SET pushed_at = ? WHERE repository_id = ? AND digest = ?').run(at, repositoryId, digest);
  }

  updateScan(repositoryId: number, digest: string, u: ScanUpdate): void {
    this._changed(repositoryId);
    this._statements
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
    const row = this._statements.prepare('SELECT digest FROM image_tags WHERE repository_id = ? AND tag = ?').get(repositoryId, tag) as
      | { digest: string }
      | undefined;
    return row?.digest;
  }

  /** Tags of one image, sorted. */
  tagsOf(repositoryId: number, digest: string): string[] {
    return (
      // No ORDER BY: with one, SQLite walks the primary key (repository_id, tag) over every tag of the repository
      // to skip a sort, instead of the (repository_id, digest) index; an image has few tags, sorted here.
      this._statements.prepare('SELECT tag FROM image_tags WHERE repository_id = ? AND digest = ?').all(repositoryId, digest) as {
        tag: string;
      }[]
    )
      .map((r) => r.tag)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** All tags of a repository, sorted, with their digests. */
  allTags(repositoryId: number): { tag: string; digest: string }[] {
    return this._statements
      .prepare('SELECT tag, digest FROM image_tags WHERE repository_id = ? ORDER BY tag')
      .all(repositoryId) as { tag: string; digest: string }[];
  }

  /** Points a tag at a digest (moving it if it pointed elsewhere). */
  setTag(repositoryId: number, tag: string, digest: string): void {
    this._changed(repositoryId);
    this._statements
      .prepare(
        `INSERT INTO image_tags (repository_id, tag, digest) VALUES (?, ?, ?)
         ON CONFLICT(repository_id, tag) DO UPDATE SET digest = excluded.digest`,
      )
      .run(repositoryId, tag, digest);
  }

  deleteTag(repositoryId: number, tag: string): void {
    this._changed(repositoryId);
    this._statements.prepare('DELETE FROM image_tags WHERE repository_id = ? AND tag = ?').run(repositoryId, tag);
  }
}

/** Sorts strings by UTF-16 code units, as ECR lists tags (not by locale). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
