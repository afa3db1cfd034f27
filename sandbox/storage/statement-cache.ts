/** Prepared statements, one per SQL text. */
import type Database from 'better-sqlite3';

/**
 * Prepares each SQL text once. Preparing a statement costs more than running the small queries the sandbox
 * makes (it showed up in DescribeImages profiles at ~50 µs a call), and the texts are all constants, so the
 * cache stays as small as the code.
 */
export class StatementCache {
  private readonly _byText = new Map<string, Database.Statement>();

  constructor(private readonly _db: Database.Database) {}

  prepare(sql: string): Database.Statement {
    let statement = this._byText.get(sql);
    if (statement === undefined) {
      statement = this._db.prepare(sql);
      this._byText.set(sql, statement);
    }
    return statement;
  }
}
