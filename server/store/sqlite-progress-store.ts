import type Database from 'better-sqlite3';
import type { CheckAttemptRecord, IProgressStore } from '../core/grading/store.ts';
import type { StepProgress, StepStatus } from '../core/grading/progress.ts';
import { openDatabase } from './database.ts';

interface ProgressRow {
  step_id: string;
  status: string;
  attempts: number;
  failed_attempts: number;
  points_awarded: number;
  first_seen_at: number;
  first_passed_at: number | null;
  last_checked_at: number | null;
  last_results: string;
  revealed_hints: string;
}

/** Progress in SQLite (better-sqlite3): one file under the data dir, WAL, migrations by `user_version`. */
export class SqliteProgressStore implements IProgressStore {
  private readonly _db: Database.Database;
  private readonly _upsert: Database.Statement;
  private readonly _insertAttempt: Database.Statement;

  private constructor(db: Database.Database) {
    this._db = db;
    this._upsert = db.prepare(`
      INSERT INTO step_progress (learner_id, lab_id, step_id, status, attempts, failed_attempts, points_awarded,
        first_seen_at, first_passed_at, last_checked_at, last_results, revealed_hints)
      VALUES (@learnerId, @labId, @stepId, @status, @attempts, @failedAttempts, @pointsAwarded,
        @firstSeenAt, @firstPassedAt, @lastCheckedAt, @lastResults, @revealedHints)
      ON CONFLICT (learner_id, lab_id, step_id) DO UPDATE SET
        status = excluded.status, attempts = excluded.attempts, failed_attempts = excluded.failed_attempts,
        points_awarded = excluded.points_awarded, first_seen_at = excluded.first_seen_at,
        first_passed_at = excluded.first_passed_at, last_checked_at = excluded.last_checked_at,
        last_results = excluded.last_results, revealed_hints = excluded.revealed_hints`);
    this._insertAttempt = db.prepare(`
      INSERT INTO check_attempts (learner_id, lab_id, step_id, trigger, at, duration_ms, results)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Opens (creating and migrating as needed) `<dataDir>/labrunner.db`. */
  static open(dataDir: string): SqliteProgressStore {
    return new SqliteProgressStore(openDatabase(dataDir));
  }

  loadProgress(learnerId: string, labId: string): Map<string, StepProgress> {
    const rows = this._db
      .prepare('SELECT * FROM step_progress WHERE learner_id = ? AND lab_id = ?')
      .all(learnerId, labId) as ProgressRow[];
    return new Map(rows.map((r) => [r.step_id, fromRow(r)]));
  }

  recordAttempt(attempt: CheckAttemptRecord, progress: StepProgress): void {
    this._db.transaction(() => {
      this._insertAttempt.run(
        attempt.learnerId,
        attempt.labId,
        attempt.stepId,
        attempt.trigger,
        attempt.at,
        Math.round(attempt.durationMs),
        JSON.stringify(attempt.results),
      );
      this._save(attempt.learnerId, attempt.labId, attempt.stepId, progress);
    })();
  }

  saveProgress(learnerId: string, labId: string, stepId: string, progress: StepProgress): void {
    this._save(learnerId, labId, stepId, progress);
  }

  loadVariables(learnerId: string, labId: string): Record<string, string> | undefined {
    const row = this._db.prepare('SELECT values_json FROM learner_variables WHERE learner_id = ? AND lab_id = ?').get(learnerId, labId) as
      | { values_json: string }
      | undefined;
    return row ? (JSON.parse(row.values_json) as Record<string, string>) : undefined;
  }

  saveVariablesOnce(learnerId: string, labId: string, values: Record<string, string>): Record<string, string> {
    this._db
      .prepare('INSERT INTO learner_variables (learner_id, lab_id, values_json) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(learnerId, labId, JSON.stringify(values));
    return this.loadVariables(learnerId, labId) ?? values;
  }

  recentAttempts(learnerId: string, labId: string, limit: number): CheckAttemptRecord[] {
    const rows = this._db
      .prepare('SELECT * FROM check_attempts WHERE learner_id = ? AND lab_id = ? ORDER BY id DESC LIMIT ?')
      .all(learnerId, labId, limit) as Array<{ learner_id: string; lab_id: string; step_id: string; trigger: string; at: number; duration_ms: number; results: string }>;
    return rows.map((r) => ({
      learnerId: r.learner_id,
      labId: r.lab_id,
      stepId: r.step_id,
      trigger: r.trigger === 'auto' ? 'auto' : 'button',
      at: r.at,
      durationMs: r.duration_ms,
      results: JSON.parse(r.results),
    }));
  }

  dispose(): void {
    if (this._db.open) this._db.close();
  }

  private _save(learnerId: string, labId: string, stepId: string, p: StepProgress): void {
    this._upsert.run({
      learnerId,
      labId,
      stepId,
      status: p.status,
      attempts: p.attempts,
      failedAttempts: p.failedAttempts,
      pointsAwarded: p.pointsAwarded,
      firstSeenAt: p.firstSeenAt,
      firstPassedAt: p.firstPassedAt ?? null,
      lastCheckedAt: p.lastCheckedAt ?? null,
      lastResults: JSON.stringify(p.lastResults),
      revealedHints: JSON.stringify(p.revealedHints),
    });
  }
}

const STATUSES: readonly StepStatus[] = ['not-started', 'failed', 'passed', 'broken'];

function fromRow(r: ProgressRow): StepProgress {
  return {
    status: (STATUSES as readonly string[]).includes(r.status) ? (r.status as StepStatus) : 'not-started',
    attempts: r.attempts,
    failedAttempts: r.failed_attempts,
    pointsAwarded: r.points_awarded,
    firstSeenAt: r.first_seen_at,
    firstPassedAt: r.first_passed_at ?? undefined,
    lastCheckedAt: r.last_checked_at ?? undefined,
    lastResults: JSON.parse(r.last_results),
    revealedHints: JSON.parse(r.revealed_hints),
  };
}
