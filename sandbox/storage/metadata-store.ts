/**
 * The sandbox's metadata: accounts, repositories, images, tags, scans and policies, in SQLite
 * (`<dataDir>/sandbox.db`, WAL). Everything ECR-ish is keyed by (accountId, region). Multi-step writes go
 * through {@link MetadataStore.transaction} so a crash never leaves half an operation behind.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { IDisposable } from '../../server/core/lifecycle.ts';
import { MIGRATIONS } from './metadata-store-schema.ts';
import type { AccountRow } from './metadata-store-rows.ts';
import { RepositoryTable } from './metadata-store-repositories.ts';
import { StatementCache } from './statement-cache.ts';
import { ImageTable } from './metadata-store-images.ts';
import { EcsTables } from './metadata-store-ecs.ts';

export type { AccountRow, RepositoryRow, ImageRow, ImageSummaryRow, ScanStatus, LifecyclePreviewRow } from './metadata-store-rows.ts';
export type { NewRepository } from './metadata-store-repositories.ts';
export type { NewImage, ScanUpdate } from './metadata-store-images.ts';

/** The metadata database; dispose closes it. */
export class MetadataStore implements IDisposable {
  readonly repositories: RepositoryTable;
  readonly images: ImageTable;
  /** ECS clusters, task definitions, tasks and services. */
  readonly ecs: EcsTables;
  private _closed = false;

  private readonly _statements: StatementCache;

  private constructor(private readonly _db: Database.Database) {
    // One cache for every table: a statement is prepared once per database connection.
    this._statements = new StatementCache(_db);
    this.repositories = new RepositoryTable(this._statements);
    this.images = new ImageTable(_db, this._statements);
    this.ecs = new EcsTables(this._statements);
  }

  /** Opens (creating and migrating as needed) `<dataDir>/sandbox.db`. */
  static open(dataDir: string): MetadataStore {
    const db = new Database(join(dataDir, 'sandbox.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return new MetadataStore(db);
  }

  /** Runs fn in one SQLite transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    if (this._db.inTransaction) return fn();
    return this._db.transaction(fn).immediate();
  }

  /** A persisted setting (admin token secret, clock offset, ...). */
  getSetting(key: string): string | undefined {
    const row = this._statements.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setSetting(key: string, value: string): void {
    this._statements
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  findAccountByLearner(learnerId: string): AccountRow | undefined {
    return this._statements.prepare(`${ACCOUNT_SELECT} WHERE learner_id = ?`).get(learnerId) as AccountRow | undefined;
  }

  findAccountByAccessKey(accessKeyId: string): AccountRow | undefined {
    return this._statements.prepare(`${ACCOUNT_SELECT} WHERE access_key_id = ?`).get(accessKeyId) as AccountRow | undefined;
  }

  findAccountById(accountId: string): AccountRow | undefined {
    return this._statements.prepare(`${ACCOUNT_SELECT} WHERE account_id = ?`).get(accountId) as AccountRow | undefined;
  }

  insertAccount(row: AccountRow): void {
    this._statements
      .prepare(
        'INSERT INTO accounts (learner_id, account_id, access_key_id, secret_access_key, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(row.learnerId, row.accountId, row.accessKeyId, row.secretAccessKey, row.createdAt);
  }

  /** The registry's replication configuration (JSON text) for a scope. */
  getReplication(accountId: string, region: string): string | undefined {
    const row = this._statements
      .prepare('SELECT replication FROM registry_settings WHERE account_id = ? AND region = ?')
      .get(accountId, region) as { replication: string | null } | undefined;
    return row?.replication ?? undefined;
  }

  setReplication(accountId: string, region: string, json: string): void {
    this._statements
      .prepare(
        `INSERT INTO registry_settings (account_id, region, replication) VALUES (?, ?, ?)
         ON CONFLICT(account_id, region) DO UPDATE SET replication = excluded.replication`,
      )
      .run(accountId, region, json);
  }

  dispose(): void {
    if (this._closed) return;
    this._closed = true;
    try {
      this._db.close();
    } catch {
      // Closing twice or with a pending statement is not worth failing a teardown over.
    }
  }
}

const ACCOUNT_SELECT = `SELECT learner_id AS learnerId, account_id AS accountId, access_key_id AS accessKeyId,
  secret_access_key AS secretAccessKey, created_at AS createdAt FROM accounts`;

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  let version = row?.version ?? 0;
  if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  if (version > MIGRATIONS.length) {
    throw new Error(`sandbox.db has schema version ${version}, newer than this sandbox (${MIGRATIONS.length})`);
  }
  for (; version < MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version]!;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
    }).immediate();
  }
}
