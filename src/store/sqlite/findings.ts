/**
 * Findings by id. Ids are stable (same rule + same event → same id), so saving a finding that is
 * already there only bumps its last-seen time: re-scanning the same logs never duplicates anything.
 */
import type Database from 'better-sqlite3';
import type { Finding } from '../../findings/types.js';
import type { FindingStore, StoredFinding } from '../types.js';
import type { Migration } from './database.js';

export const FINDINGS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'findings table',
    up: (db) =>
      db.exec(`CREATE TABLE findings (
        id TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        event_time TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,
        finding_json TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        times_seen INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX findings_rule ON findings (rule_id);
      CREATE INDEX findings_last_seen ON findings (last_seen_at);`),
  },
];

interface FindingRow {
  finding_json: string;
  first_seen_at: number;
  last_seen_at: number;
  times_seen: number;
}

export class SqliteFindings implements FindingStore {
  private readonly insert: Database.Statement;
  private readonly touch: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly total: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO findings
      (id, rule_id, severity, account, region, event_time, dedupe_key, finding_json, first_seen_at, last_seen_at)
      VALUES (@id, @ruleId, @severity, @account, @region, @eventTime, @dedupeKey, @json, @now, @now)`);
    this.touch = db.prepare('UPDATE findings SET last_seen_at = ?, times_seen = times_seen + 1 WHERE id = ?');
    this.byId = db.prepare('SELECT finding_json, first_seen_at, last_seen_at, times_seen FROM findings WHERE id = ?');
    this.total = db.prepare('SELECT COUNT(*) AS n FROM findings');
  }

  async save(finding: Finding, now: number): Promise<boolean> {
    return this.saveNow(finding, now);
  }

  /** save(), inside a caller's transaction. */
  saveNow(finding: Finding, now: number): boolean {
    const result = this.insert.run({
      id: finding.id,
      ruleId: finding.ruleId,
      severity: finding.severity,
      account: finding.account,
      region: finding.region,
      eventTime: finding.eventTime,
      dedupeKey: finding.dedupeKey,
      json: JSON.stringify(finding),
      now,
    });
    if (result.changes === 0) this.touch.run(now, finding.id);
    return result.changes > 0;
  }

  async get(id: string): Promise<StoredFinding | undefined> {
    const row = this.byId.get(id) as FindingRow | undefined;
    return row && toStored(row);
  }

  async count(): Promise<number> {
    return (this.total.get() as { n: number }).n;
  }
}

export function toStored(row: FindingRow): StoredFinding {
  return { finding: JSON.parse(row.finding_json) as Finding, firstSeenAt: row.first_seen_at, lastSeenAt: row.last_seen_at, timesSeen: row.times_seen };
}
