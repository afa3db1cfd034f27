/** Repository rows, their resource tags, policies and lifecycle previews. */
import type { LifecyclePreviewRow, RepositoryRow } from './metadata-store-rows.ts';
import type { StatementCache } from './statement-cache.ts';

/** What CreateRepository (or replication) inserts. */
export interface NewRepository {
  accountId: string;
  region: string;
  name: string;
  createdAt: number;
  tagMutability: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush: boolean;
  encryptionType: 'AES256' | 'KMS';
  kmsKey: string | null;
}

const SELECT = `SELECT id, account_id AS accountId, region, name, created_at AS createdAt,
  tag_mutability AS tagMutability, scan_on_push AS scanOnPush, encryption_type AS encryptionType,
  kms_key AS kmsKey, policy_text AS policyText, lifecycle_policy_text AS lifecyclePolicyText,
  lifecycle_evaluated_at AS lifecycleEvaluatedAt FROM repositories`;

type RawRow = Omit<RepositoryRow, 'scanOnPush'> & { scanOnPush: number };
const toRow = (r: RawRow | undefined): RepositoryRow | undefined => (r ? { ...r, scanOnPush: r.scanOnPush === 1 } : undefined);

/** Access to the `repositories` table and what hangs off it. */
export class RepositoryTable {
  constructor(private readonly _statements: StatementCache) {}

  get(accountId: string, region: string, name: string): RepositoryRow | undefined {
    return toRow(
      this._statements.prepare(`${SELECT} WHERE account_id = ? AND region = ? AND name = ?`).get(accountId, region, name) as
        | RawRow
        | undefined,
    );
  }

  /** Repositories of a scope, ordered by name (stable pagination). */
  list(accountId: string, region: string): RepositoryRow[] {
    const rows = this._statements.prepare(`${SELECT} WHERE account_id = ? AND region = ? ORDER BY name`).all(accountId, region) as RawRow[];
    return rows.map((r) => toRow(r)!);
  }

  /** Every repository with a lifecycle policy, across scopes (for applying policies). */
  listWithLifecyclePolicy(): RepositoryRow[] {
    const rows = this._statements.prepare(`${SELECT} WHERE lifecycle_policy_text IS NOT NULL ORDER BY id`).all() as RawRow[];
    return rows.map((r) => toRow(r)!);
  }

  getById(id: number): RepositoryRow | undefined {
    return toRow(this._statements.prepare(`${SELECT} WHERE id = ?`).get(id) as RawRow | undefined);
  }

  insert(r: NewRepository): RepositoryRow {
    const info = this._statements
      .prepare(
        `INSERT INTO repositories (account_id, region, name, created_at, tag_mutability, scan_on_push, encryption_type, kms_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.accountId, r.region, r.name, r.createdAt, r.tagMutability, r.scanOnPush ? 1 : 0, r.encryptionType, r.kmsKey);
    return this.getById(Number(info.lastInsertRowid))!;
  }

  delete(id: number): void {
    this._statements.prepare('DELETE FROM repositories WHERE id = ?').run(id);
  }

  setTagMutability(id: number, value: 'MUTABLE' | 'IMMUTABLE'): void {
    this._statements.prepare('UPDATE repositories SET tag_mutability = ? WHERE id = ?').run(value, id);
  }

  setScanOnPush(id: number, value: boolean): void {
    this._statements.prepare('UPDATE repositories SET scan_on_push = ? WHERE id = ?').run(value ? 1 : 0, id);
  }

  setPolicy(id: number, text: string | null): void {
    this._statements.prepare('UPDATE repositories SET policy_text = ? WHERE id = ?').run(text, id);
  }

  setLifecyclePolicy(id: number, text: string | null): void {
    this._statements
      .prepare('UPDATE repositories SET lifecycle_policy_text = ?, lifecycle_evaluated_at = NULL WHERE id = ?')
      .run(text, id);
  }

  setLifecycleEvaluatedAt(id: number, at: number): void {
    this._statements.prepare('UPDATE repositories SET lifecycle_evaluated_at = ? WHERE id = ?').run(at, id);
  }

  /** Resource tags (`{Key, Value}`), ordered by key. */
  tags(id: number): { Key: string; Value: string }[] {
    return this._statements
      .prepare('SELECT key AS Key, value AS Value FROM repository_tags WHERE repository_id = ? ORDER BY key')
      .all(id) as { Key: string; Value: string }[];
  }

  putTag(id: number, key: string, value: string): void {
    this._statements
      .prepare(
        `INSERT INTO repository_tags (repository_id, key, value) VALUES (?, ?, ?)
         ON CONFLICT(repository_id, key) DO UPDATE SET value = excluded.value`,
      )
      .run(id, key, value);
  }

  deleteTag(id: number, key: string): void {
    this._statements.prepare('DELETE FROM repository_tags WHERE repository_id = ? AND key = ?').run(id, key);
  }

  getPreview(id: number): LifecyclePreviewRow | undefined {
    return this._statements
      .prepare(
        'SELECT repository_id AS repositoryId, policy_text AS policyText, status, results FROM lifecycle_previews WHERE repository_id = ?',
      )
      .get(id) as LifecyclePreviewRow | undefined;
  }

  putPreview(row: LifecyclePreviewRow): void {
    this._statements
      .prepare(
        `INSERT INTO lifecycle_previews (repository_id, policy_text, status, results) VALUES (?, ?, ?, ?)
         ON CONFLICT(repository_id) DO UPDATE SET policy_text = excluded.policy_text, status = excluded.status, results = excluded.results`,
      )
      .run(row.repositoryId, row.policyText, row.status, row.results);
  }
}
