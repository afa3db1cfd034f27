import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations.ts';

/**
 * Opens (creating and migrating as needed) `<dataDir>/labrunner.db`. Each store opens its own connection to
 * the one file: WAL lets the server's stores and a `labrunner classroom` command in another process read and
 * write it side by side.
 */
export function openDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'labrunner.db'));
  db.pragma('journal_mode = WAL');
  // WAL with NORMAL: a committed check result is in the WAL (the OS has it) before the call returns, so a
  // kill -9 of the server loses nothing; only a power cut could drop the last commits. FULL would add an
  // fsync to every check run (docs/benchmarks.md, Checks).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Another process (the CLI) may hold the write lock for a moment: wait for it rather than fail.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Database.Database): void {
  // IMMEDIATE: two connections opening a fresh file at once must not both apply the same migration.
  db.transaction(() => {
    const applied = db.pragma('user_version', { simple: true }) as number;
    if (applied > MIGRATIONS.length) {
      throw new Error(`labrunner.db is from a newer labrunner (schema ${applied}, this one knows ${MIGRATIONS.length})`);
    }
    for (let v = applied; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
}
