/** Persistence: SQLite via better-sqlite3 under the data dir (one file, labrunner.db, WAL). */
export { SqliteProgressStore } from './sqlite-progress-store.ts';
export { SqliteClassroomStore } from './sqlite-classroom-store.ts';
export { openDatabase } from './database.ts';
