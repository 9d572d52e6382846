/**
 * The embedded SQLite store (better-sqlite3): one file, WAL mode, schema migrations per feature.
 *
 * Extension model — how another feature (e.g. the remediation log) adds its tables:
 *
 *   import { openStore, type Migration } from '../store/index.js';
 *   const REMEDIATION_MIGRATIONS: Migration[] = [
 *     { version: 1, name: 'remediation log', up: (db) => db.exec('CREATE TABLE remediation_log (...)') },
 *   ];
 *   const store = openStore(path);
 *   store.migrate('remediation', REMEDIATION_MIGRATIONS);   // idempotent, transactional, versioned
 *   store.db.prepare('INSERT INTO remediation_log ...').run(...);
 *
 * Each feature owns its tables and its own version sequence in `schema_migrations` (feature, version),
 * so features evolve independently and a migration never runs twice. A database written by a newer
 * trailguard (a version this code does not know) is refused rather than silently misread.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FindingsTable, FINDINGS_MIGRATIONS } from './findings.js';
import { Outbox, OUTBOX_MIGRATIONS } from './outbox.js';

export type SqliteDatabase = Database.Database;

export interface Migration {
  /** 1, 2, 3 ... per feature; applied in order, each exactly once. */
  version: number;
  name: string;
  up(db: SqliteDatabase): void;
}

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** Where the store lives when nothing says otherwise: under the working directory. */
export const DEFAULT_STORE_PATH = path.join('.trailguard', 'trailguard.db');

export interface OpenStoreOptions {
  /** How long a writer waits for another process's write lock before SQLITE_BUSY (ms). */
  busyTimeoutMs?: number;
  /** Identifies this process in claimed outbox rows (default host:pid), so a restart can tell its own dead claims. */
  owner?: string;
}

export interface Store {
  /** The raw handle, for features that own their own tables (see the module comment). */
  readonly db: SqliteDatabase;
  readonly path: string;
  readonly owner: string;
  readonly findings: FindingsTable;
  readonly outbox: Outbox;
  /** Applies a feature's pending migrations (idempotent). */
  migrate(feature: string, migrations: readonly Migration[]): void;
  /** Runs fn in a write transaction taken up front (BEGIN IMMEDIATE), so concurrent processes serialise cleanly. */
  transaction<T>(fn: () => T): T;
  /** Applied migration versions per feature. */
  versions(): Record<string, number>;
  close(): void;
}

/** The store path: explicit, else `.trailguard/trailguard.db` under cwd. ":memory:" is kept as is. */
export function resolveStorePath(explicit?: string, cwd = process.cwd()): string {
  if (explicit === ':memory:') return explicit;
  return path.resolve(cwd, explicit ?? DEFAULT_STORE_PATH);
}

export function defaultOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/** Opens (creating if needed) the store and applies the built-in features' migrations. */
export function openStore(file?: string, options: OpenStoreOptions = {}): Store {
  const resolved = resolveStorePath(file);
  if (resolved !== ':memory:') mkdirSync(path.dirname(resolved), { recursive: true });
  let db: SqliteDatabase;
  try {
    db = new Database(resolved, { timeout: options.busyTimeoutMs ?? 10_000 });
  } catch (error) {
    throw new StoreError(`cannot open store ${resolved}: ${(error as Error).message}`);
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
    const migrate = (feature: string, migrations: readonly Migration[]): void => applyMigrations(db, resolved, feature, migrations);
    migrate('findings', FINDINGS_MIGRATIONS);
    migrate('outbox', OUTBOX_MIGRATIONS);
    const owner = options.owner ?? defaultOwner();
    const immediate = <T>(fn: () => T): T => db.transaction(fn).immediate();
    return {
      db,
      path: resolved,
      owner,
      findings: new FindingsTable(db),
      outbox: new Outbox(db, immediate),
      migrate,
      transaction: immediate,
      versions: () => Object.fromEntries((db.prepare('SELECT feature, MAX(version) AS v FROM schema_migrations GROUP BY feature').all() as { feature: string; v: number }[]).map((r) => [r.feature, r.v])),
      close: () => {
        if (db.open) db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
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
      throw new StoreError(`store ${file} has "${feature}" schema version ${current}, newer than this trailguard knows (${sorted.length}); upgrade trailguard`);
    }
    const insert = db.prepare('INSERT INTO schema_migrations (feature, version, name, applied_at) VALUES (?, ?, ?, ?)');
    for (const m of sorted.slice(current)) {
      m.up(db);
      insert.run(feature, m.version, m.name, new Date().toISOString());
    }
  });
  run.immediate();
}
