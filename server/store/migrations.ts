/**
 * Schema migrations, applied in order inside one transaction each. Never edit a migration that has
 * shipped: add a new one. `user_version` records how many have been applied.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE step_progress (
     learner_id TEXT NOT NULL,
     lab_id TEXT NOT NULL,
     step_id TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL,
     failed_attempts INTEGER NOT NULL,
     points_awarded INTEGER NOT NULL,
     first_seen_at INTEGER NOT NULL,
     first_passed_at INTEGER,
     last_checked_at INTEGER,
     last_results TEXT NOT NULL,
     revealed_hints TEXT NOT NULL,
     PRIMARY KEY (learner_id, lab_id, step_id)
   );
   CREATE TABLE check_attempts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     learner_id TEXT NOT NULL,
     lab_id TEXT NOT NULL,
     step_id TEXT NOT NULL,
     trigger TEXT NOT NULL,
     at INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     results TEXT NOT NULL
   );
   CREATE INDEX check_attempts_by_learner ON check_attempts (learner_id, lab_id, at);
   CREATE TABLE learner_variables (
     learner_id TEXT NOT NULL,
     lab_id TEXT NOT NULL,
     values_json TEXT NOT NULL,
     PRIMARY KEY (learner_id, lab_id)
   );`,
];
