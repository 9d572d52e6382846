/**
 * The local store: one SQLite file (WAL) holding findings, the notification outbox and the remediation log,
 * approvals and claims. Every write that must be atomic is one SQLite transaction (BEGIN IMMEDIATE), so
 * concurrent trailguard processes on one machine serialise cleanly.
 */
import { defaultOwner } from '../location.js';
import type { Store } from '../types.js';
import { openDatabase, type OpenDatabaseOptions, type SqliteHandle } from './database.js';
import { FINDINGS_MIGRATIONS, SqliteFindings } from './findings.js';
import { OUTBOX_MIGRATIONS, SqliteOutbox } from './outbox.js';
import { REMEDIATION_MIGRATIONS, SqliteRemediation } from './remediation.js';
import { SqliteWatchState, WATCH_MIGRATIONS } from './watch.js';

export { REMEDIATION_MIGRATIONS } from './remediation.js';
export { FINDINGS_MIGRATIONS } from './findings.js';
export { OUTBOX_MIGRATIONS } from './outbox.js';
export { WATCH_MIGRATIONS } from './watch.js';
export type { Migration, SqliteDatabase, SqliteHandle } from './database.js';

export interface OpenSqliteStoreOptions extends OpenDatabaseOptions {
  /** Identifies this process in claimed rows (default host:pid), so a restart can tell its own dead claims. */
  owner?: string;
}

/** The SQLite store, with its raw handle (tests, migrations of a future feature). */
export interface SqliteStore extends Store {
  readonly kind: 'sqlite';
  readonly sqlite: SqliteHandle;
  readonly watch: SqliteWatchState;
}

/** Opens (creating if needed) the store at `file` (default .trailguard/trailguard.db; ":memory:" for none) and applies the migrations. */
export function openSqliteStore(file?: string, options: OpenSqliteStoreOptions = {}): SqliteStore {
  const sqlite = openDatabase(file, options);
  try {
    sqlite.migrate('findings', FINDINGS_MIGRATIONS);
    sqlite.migrate('outbox', OUTBOX_MIGRATIONS);
    sqlite.migrate('remediation', REMEDIATION_MIGRATIONS);
    sqlite.migrate('watch', WATCH_MIGRATIONS);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const findings = new SqliteFindings(sqlite.db);
  const outbox = new SqliteOutbox(sqlite.db, sqlite.transaction, findings);
  return {
    kind: 'sqlite',
    location: sqlite.path,
    owner: options.owner ?? defaultOwner(),
    sqlite,
    findings,
    outbox,
    remediation: new SqliteRemediation(sqlite.db, sqlite.transaction, outbox),
    watch: new SqliteWatchState(sqlite.db, sqlite.transaction),
    close: async () => sqlite.close(),
  };
}
