/** Persistence: SQLite via better-sqlite3 under the data dir. */
export { SqliteProgressStore } from './sqlite-progress-store.ts';
