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
  // 2: classrooms (issue #6). Secrets are stored as SHA-256 digests only; roster ids are kept as typed.
  `CREATE TABLE classrooms (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     lab_ids TEXT NOT NULL,
     join_code TEXT NOT NULL UNIQUE,
     roster TEXT,
     stuck_minutes INTEGER NOT NULL,
     stuck_failures INTEGER NOT NULL,
     instructor_key_digest TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     closed_at INTEGER
   );
   CREATE TABLE classroom_students (
     learner_id TEXT PRIMARY KEY,
     classroom_id TEXT NOT NULL REFERENCES classrooms (id),
     display_name TEXT NOT NULL,
     roster_id TEXT,
     roster_key TEXT,
     joined_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   CREATE INDEX classroom_students_by_classroom ON classroom_students (classroom_id, joined_at);
   CREATE UNIQUE INDEX classroom_students_by_roster ON classroom_students (classroom_id, roster_key) WHERE roster_key IS NOT NULL;
   CREATE TABLE classroom_sessions (
     id TEXT PRIMARY KEY,
     token_digest TEXT NOT NULL UNIQUE,
     role TEXT NOT NULL,
     classroom_id TEXT NOT NULL REFERENCES classrooms (id),
     learner_id TEXT,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   CREATE INDEX classroom_sessions_by_learner ON classroom_sessions (learner_id);
   CREATE INDEX classroom_sessions_by_classroom ON classroom_sessions (classroom_id, role);
   CREATE TABLE command_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     learner_id TEXT NOT NULL,
     lab_id TEXT NOT NULL,
     at INTEGER NOT NULL,
     command TEXT NOT NULL,
     exit_code INTEGER NOT NULL
   );
   CREATE INDEX command_events_by_learner ON command_events (learner_id, id);
   CREATE TABLE announcements (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     classroom_id TEXT NOT NULL REFERENCES classrooms (id),
     at INTEGER NOT NULL,
     text TEXT NOT NULL
   );
   CREATE INDEX announcements_by_classroom ON announcements (classroom_id, id);`,
];
