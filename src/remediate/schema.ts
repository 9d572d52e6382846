/**
 * The remediation feature's tables in the shared store (`store.migrate('remediation', ...)`): the
 * remediation log and pending approvals.
 *
 * Version 1 is the schema the first release created on its own with `CREATE TABLE IF NOT EXISTS`
 * (in a file of its own, `remediation.store`). It is written the same way here, so a store that
 * already holds those tables — the old remediation file opened as the shared store — is adopted as
 * is: its log and approvals are kept and read, and the migration only records version 1. A table of
 * that name that lacks trailguard's columns is refused rather than misread.
 */
import { StoreError, type Migration, type Store } from '../store/store.js';

export const REMEDIATION_LOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS remediation_log (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL,
  mode TEXT NOT NULL,
  action_id TEXT NOT NULL,
  rule_id TEXT,
  finding_id TEXT,
  event_id TEXT NOT NULL,
  event_name TEXT NOT NULL,
  event_source TEXT NOT NULL,
  event_time TEXT NOT NULL,
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT,
  message TEXT NOT NULL,
  approval_id TEXT,
  error TEXT,
  decision_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS remediation_log_event ON remediation_log (event_id, action_id);
CREATE INDEX IF NOT EXISTS remediation_log_created ON remediation_log (created_at);
`;

export const REMEDIATION_APPROVALS_SCHEMA = `
CREATE TABLE IF NOT EXISTS remediation_approvals (
  id TEXT PRIMARY KEY,
  decision_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  status TEXT NOT NULL,
  action_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  summary TEXT NOT NULL,
  plan_json TEXT NOT NULL,
  decision_json TEXT NOT NULL,
  decided_by TEXT,
  decided_at TEXT,
  note TEXT
);
CREATE INDEX IF NOT EXISTS remediation_approvals_status ON remediation_approvals (status, expires_at);
`;

const COLUMNS: Record<string, readonly string[]> = {
  remediation_log: ['id', 'created_at', 'status', 'mode', 'action_id', 'rule_id', 'finding_id', 'event_id', 'event_name', 'event_source', 'event_time', 'account', 'region', 'actor', 'reason', 'message', 'approval_id', 'error', 'decision_json'],
  remediation_approvals: ['id', 'decision_id', 'created_at', 'expires_at', 'status', 'action_id', 'event_id', 'summary', 'plan_json', 'decision_json', 'decided_by', 'decided_at', 'note'],
};

function checkColumns(db: Store['db'], table: string): void {
  const present = new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name));
  if (present.size === 0) return; // no such table yet
  const missing = (COLUMNS[table] ?? []).filter((c) => !present.has(c));
  if (missing.length > 0) throw new StoreError(`table ${table} exists but lacks column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: it was not written by trailguard's remediation log`);
}

export const REMEDIATION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'remediation_log and remediation_approvals (adopts the tables of a pre-store remediation file)',
    up: (db) => {
      // An existing table is checked before anything (its indexes included) is created on it.
      for (const table of Object.keys(COLUMNS)) checkColumns(db, table);
      db.exec(REMEDIATION_LOG_SCHEMA);
      db.exec(REMEDIATION_APPROVALS_SCHEMA);
    },
  },
];

/** What the remediation tables need of the store: its database and the migration hook. */
export type RemediationStore = Pick<Store, 'db' | 'migrate'>;

/** Applies the remediation migrations (idempotent: a no-op once applied). */
export function migrateRemediation(store: RemediationStore): void {
  store.migrate('remediation', REMEDIATION_MIGRATIONS);
}
