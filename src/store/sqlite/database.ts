/**
 * The SQLite file under the local store (better-sqlite3): WAL mode, and schema migrations per feature.
 *
 * Each feature owns its tables and its own version sequence in `schema_migrations` (feature, version), so
 * features evolve independently and a migration never runs twice. A database written by a newer trailguard
 * (a version this code does not know) is refused rather than silently misread.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { resolveStorePath } from '../location.js';

export type SqliteDatabase = Database.Database;

export interface Migration {
  /** 1, 2, 3 ... per feature; applied in order, each exactly once. */
  version: number;
  name: string;
  up(db: SqliteDatabase): void;
}

export interface OpenDatabaseOptions {
  /** How long a writer waits for another process's write lock before SQLITE_BUSY (ms). */
  busyTimeoutMs?: number;
}

export interface SqliteHandle {
  readonly db: SqliteDatabase;
  readonly path: string;
  /** Runs fn in a write transaction taken up front (BEGIN IMMEDIATE), so concurrent processes serialise cleanly; nested calls are savepoints. */
  transaction<T>(fn: () => T): T;
  /** Applies a feature's pending migrations (idempotent). */
  migrate(feature: string, migrations: readonly Migration[]): void;
  /** Applied migration versions per feature. */
  versions(): Record<string, number>;
  close(): void;
}

/** Opens (creating the file and its directory if needed) an SQLite database with the migrations table. */
export function openDatabase(file: string | undefined, options: OpenDatabaseOptions = {}): SqliteHandle {
  const resolved = resolveStorePath(file);
  let db: SqliteDatabase;
  try {
    if (resolved !== ':memory:') mkdirSync(path.dirname(resolved), { recursive: true });
    db = new Database(resolved, { timeout: options.busyTimeoutMs ?? 10_000 });
  } catch (error) {
    throw new StoreError(`cannot open store ${resolved}: ${(error as Error).message}`, { code: 'store-open', cause: error });
  }
  try {
    if (resolved !== ':memory:') db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      feature TEXT NOT NULL,
      version INTEGER NOT NULL,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL,
      PRIMARY KEY (feature, version)
    )`);
  } catch (error) {
    db.close();
    // "file is not a database", a read-only file, a locked one: the same kind of failure as not opening it.
    throw new StoreError(`cannot open store ${resolved}: ${(error as Error).message}`, { code: 'store-open', cause: error });
  }
  return {
    db,
    path: resolved,
    transaction: <T>(fn: () => T): T => (db.inTransaction ? db.transaction(fn)() : db.transaction(fn).immediate()),
    migrate: (feature, migrations) => applyMigrations(db, resolved, feature, migrations),
    versions: () => Object.fromEntries((db.prepare('SELECT feature, MAX(version) AS v FROM schema_migrations GROUP BY feature').all() as { feature: string; v: number }[]).map((r) => [r.feature, r.v])),
    close: () => {
      if (db.open) db.close();
    },
  };
}

function applyMigrations(db: SqliteDatabase, file: string, feature: string, migrations: readonly Migration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new StoreError(`migrations of "${feature}" must be numbered 1, 2, 3 ... (found ${m.version} at position ${i + 1})`);
  });
  const run = db.transaction(() => {
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations WHERE feature = ?').get(feature) as { v: number | null };
    const current = row.v ?? 0;
    if (current > sorted.length) {
      throw new StoreError(`store ${file} has "${feature}" schema version ${current}, newer than this trailguard knows (${sorted.length}); upgrade trailguard`, { code: 'store-version' });
    }
    const insert = db.prepare('INSERT INTO schema_migrations (feature, version, name, applied_at) VALUES (?, ?, ?, ?)');
    for (const m of sorted.slice(current)) {
      m.up(db);
      insert.run(feature, m.version, m.name, new Date().toISOString());
    }
  });
  run.immediate();
}
