/**
 * The delivery outbox: one row per notification to send on one channel, linked to the findings it
 * covers (one finding, a de-duplicated group with a count, or a storm summary).
 *
 * Life of a row:  pending ──claim──► sending ──► delivered
 *                    ▲                  │
 *                    └── retry (backoff)┤
 *                                       └──► failed (attempts exhausted or permanent error; kept, with the last error)
 *
 * A claim is a lease: a row left in `sending` by a process that died (kill -9, power loss) becomes
 * claimable again when its lease expires, or at once when the dead claimant was a process on this
 * host (see recoverAbandoned). Every row carries an idempotency key that stays the same across
 * retries, so a re-sent notification can be recognised as the same one by the receiver.
 *
 * A finding is attached at most once per channel (UNIQUE (channel, finding_id)): enqueueing the same
 * finding again — a re-scan, a restart — never notifies twice.
 *
 * A remediation notice (kind `remediation`) covers no finding rows: it carries a snapshot of the
 * remediation decision in `outbox_remediation`, written in the same transaction as the row, at most
 * once per (channel, decision id) — so the notice can be rendered, retried and re-driven without the
 * remediation feature's own tables.
 */
import type Database from 'better-sqlite3';
import type { Finding } from '../../findings/types.js';
import {
  NOTIFICATION_KINDS,
  type ChannelTarget,
  type ClaimOptions,
  type DeliveryState,
  type EnqueueResult,
  type NewNotification,
  type NewRemediationNotice,
  type NotificationKind,
  type NotificationStats,
  type OutboxRow,
  type OutboxStore,
  type RemediationNoticeRow,
  type StateCount,
} from '../types.js';
import type { Migration } from './database.js';
import type { SqliteFindings } from './findings.js';

/** Version 1's columns in order (what version 2 copies). */
const OUTBOX_COLUMN_NAMES = [
  'id', 'channel', 'kind', 'group_key', 'idempotency_key', 'state', 'finding_count', 'attempts', 'max_attempts', 'next_attempt_at',
  'lease_until', 'claimed_by', 'window_start', 'window_end', 'last_error', 'last_status', 'created_at', 'updated_at', 'delivered_at',
].join(', ');

const OUTBOX_COLUMNS_V2 = `
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('finding', 'repeat', 'storm', 'remediation')),
        group_key TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
        finding_count INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        lease_until INTEGER,
        claimed_by TEXT,
        window_start INTEGER NOT NULL,
        window_end INTEGER NOT NULL,
        last_error TEXT,
        last_status INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        delivered_at INTEGER,
        UNIQUE (channel, idempotency_key)`;

const OUTBOX_INDEXES = `CREATE INDEX outbox_due ON outbox (channel, state, next_attempt_at);
        CREATE INDEX outbox_group ON outbox (channel, group_key, created_at);
        CREATE INDEX outbox_created ON outbox (channel, kind, created_at);`;

const OUTBOX_FINDINGS_TABLE = `CREATE TABLE outbox_findings (
        outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
        channel TEXT NOT NULL,
        finding_id TEXT NOT NULL REFERENCES findings (id),
        attached_at INTEGER NOT NULL,
        PRIMARY KEY (outbox_id, finding_id),
        UNIQUE (channel, finding_id)
      );`;

export const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'outbox and outbox_findings',
    up: (db) =>
      db.exec(`CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('finding', 'repeat', 'storm')),
        group_key TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
        finding_count INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        lease_until INTEGER,
        claimed_by TEXT,
        window_start INTEGER NOT NULL,
        window_end INTEGER NOT NULL,
        last_error TEXT,
        last_status INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        delivered_at INTEGER,
        UNIQUE (channel, idempotency_key)
      );
      CREATE INDEX outbox_due ON outbox (channel, state, next_attempt_at);
      CREATE INDEX outbox_group ON outbox (channel, group_key, created_at);
      CREATE INDEX outbox_created ON outbox (channel, kind, created_at);
      CREATE TABLE outbox_findings (
        outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
        channel TEXT NOT NULL,
        finding_id TEXT NOT NULL REFERENCES findings (id),
        attached_at INTEGER NOT NULL,
        PRIMARY KEY (outbox_id, finding_id),
        UNIQUE (channel, finding_id)
      );`),
  },
  {
    version: 2,
    name: 'remediation notices (kind remediation, outbox_remediation)',
    up: (db) => {
      // SQLite cannot change a CHECK constraint in place: rebuild outbox with the same rows, ids and
      // sequence. outbox_findings references outbox with ON DELETE CASCADE, so its rows are set aside
      // first (dropping outbox would otherwise delete them) and put back after.
      const seq = (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get() as { seq: number } | undefined)?.seq ?? 0;
      db.exec(`CREATE TEMP TABLE outbox_findings_v1 AS SELECT * FROM outbox_findings;
        DROP TABLE outbox_findings;
        CREATE TABLE outbox_v2 (${OUTBOX_COLUMNS_V2});
        INSERT INTO outbox_v2 (${OUTBOX_COLUMN_NAMES}) SELECT ${OUTBOX_COLUMN_NAMES} FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_v2 RENAME TO outbox;
        ${OUTBOX_INDEXES}
        ${OUTBOX_FINDINGS_TABLE}
        INSERT INTO outbox_findings (outbox_id, channel, finding_id, attached_at) SELECT outbox_id, channel, finding_id, attached_at FROM temp.outbox_findings_v1;
        DROP TABLE temp.outbox_findings_v1;
        CREATE TABLE outbox_remediation (
          outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
          channel TEXT NOT NULL,
          decision_id TEXT NOT NULL,
          status TEXT NOT NULL,
          action_id TEXT NOT NULL,
          rule_id TEXT,
          finding_id TEXT,
          decision_json TEXT NOT NULL,
          UNIQUE (channel, decision_id)
        );`);
      db.prepare("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'outbox'").run(seq);
    },
  },
  {
    version: 3,
    name: 'storm clock and severities (rate_at, severity, severity_counts)',
    up: (db) =>
      // rate_at: a finding/repeat row's time on the storm clock (its creation time, or its first finding's event
      // time in a replay); severity: the severity of the finding that opened it; severity_counts: a storm's
      // findings by severity (JSON). Rows written before are counted at their creation, with their first finding's
      // severity.
      db.exec(`ALTER TABLE outbox ADD COLUMN rate_at INTEGER;
        ALTER TABLE outbox ADD COLUMN severity TEXT;
        ALTER TABLE outbox ADD COLUMN severity_counts TEXT;
        UPDATE outbox SET rate_at = created_at WHERE kind IN ('finding', 'repeat');
        UPDATE outbox SET severity = (SELECT f.severity FROM outbox_findings o JOIN findings f ON f.id = o.finding_id
          WHERE o.outbox_id = outbox.id ORDER BY o.attached_at, o.rowid LIMIT 1) WHERE kind IN ('finding', 'repeat');
        UPDATE outbox SET severity_counts = (SELECT json_group_object(severity, n) FROM (SELECT f.severity AS severity, COUNT(*) AS n
          FROM outbox_findings o JOIN findings f ON f.id = o.finding_id WHERE o.outbox_id = outbox.id GROUP BY f.severity)) WHERE kind = 'storm';
        CREATE INDEX outbox_rate ON outbox (channel, kind, rate_at);`),
  },
];

interface RawRow {
  id: number;
  channel: string;
  kind: NotificationKind;
  group_key: string;
  idempotency_key: string;
  state: DeliveryState;
  finding_count: number;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  claimed_by: string | null;
  window_start: number;
  window_end: number;
  last_error: string | null;
  last_status: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
  severity_counts?: string | null;
}

function toRow(r: RawRow): OutboxRow {
  return {
    id: String(r.id),
    channel: r.channel,
    kind: r.kind,
    groupKey: r.group_key,
    idempotencyKey: r.idempotency_key,
    state: r.state,
    count: r.finding_count,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    nextAttemptAt: r.next_attempt_at,
    leaseUntil: r.lease_until ?? undefined,
    claimedBy: r.claimed_by ?? undefined,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    lastError: r.last_error ?? undefined,
    lastStatus: r.last_status ?? undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deliveredAt: r.delivered_at ?? undefined,
  };
}

/** A storm's severity_counts column ({"high": 3}); {} when empty or unreadable. */
function severityCountsOf(json: string | null | undefined): Record<string, number> {
  if (!json) return {};
  try {
    const parsed = JSON.parse(json) as unknown;
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    return {};
  }
}

/** A row id as the table keys it; ids that are not ours (another store's, a typo) match no row. */
function rowId(id: string): number {
  return /^[1-9]\d{0,15}$/.test(id) ? Number(id) : -1;
}

/** Due rows of one channel (`?`), claimable at @now, oldest first; `kindClause` narrows by kind ("" for all). */
function dueSql(kindClause: string): string {
  return `SELECT * FROM outbox WHERE channel = ? ${kindClause}
        AND ((state = 'pending' AND next_attempt_at <= @now) OR (state = 'sending' AND lease_until <= @now))
        ORDER BY next_attempt_at, id LIMIT @limit`;
}

/** When the next outstanding row becomes due (pending time or lease expiry), of one channel (`?`) or of all. */
function nextDueSql(ofChannel: boolean, kindClause: string): string {
  return `SELECT MIN(CASE state WHEN 'pending' THEN next_attempt_at ELSE lease_until END) AS t FROM outbox WHERE ${ofChannel ? 'channel = ?' : '1'} ${kindClause} AND state IN ('pending', 'sending')`;
}

const SEVERITY_ORDER = "CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END";

export class SqliteOutbox implements OutboxStore {
  private readonly s: Record<string, Database.Statement>;

  constructor(
    private readonly db: Database.Database,
    private readonly transaction: <T>(fn: () => T) => T,
    private readonly findings: SqliteFindings,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert: p(`INSERT OR IGNORE INTO outbox
        (channel, kind, group_key, idempotency_key, max_attempts, next_attempt_at, window_start, window_end, created_at, updated_at, rate_at, severity)
        VALUES (@channel, @kind, @groupKey, @idempotencyKey, @maxAttempts, @nextAttemptAt, @windowStart, @windowEnd, @now, @now, @rateAt, @severity)`),
      byKey: p('SELECT * FROM outbox WHERE channel = ? AND idempotency_key = ?'),
      byId: p('SELECT * FROM outbox WHERE id = ?'),
      attach: p('INSERT OR IGNORE INTO outbox_findings (outbox_id, channel, finding_id, attached_at) VALUES (?, ?, ?, ?)'),
      bumpCount: p('UPDATE outbox SET finding_count = finding_count + 1, updated_at = ? WHERE id = ?'),
      bumpSeverity: p(`UPDATE outbox SET severity_counts = json_set(COALESCE(severity_counts, '{}'), '$.' || @severity,
        COALESCE(json_extract(severity_counts, '$.' || @severity), 0) + 1) WHERE id = @id`),
      isAttached: p('SELECT outbox_id FROM outbox_findings WHERE channel = ? AND finding_id = ?'),
      latestInGroup: p(`SELECT * FROM outbox WHERE channel = ? AND group_key = ? AND kind IN ('finding', 'repeat') AND window_end > ?
        ORDER BY id DESC LIMIT 1`),
      openStorm: p(`SELECT * FROM outbox WHERE channel = @channel AND kind = 'storm' AND state = 'pending' AND window_start <= @at AND window_end > @at
        ORDER BY id DESC LIMIT 1`),
      createdSince: p(`SELECT severity, COUNT(*) AS n FROM outbox WHERE channel = @channel AND kind IN ('finding', 'repeat') AND rate_at > @since AND rate_at <= @at
        GROUP BY severity`),
      due: p(dueSql('')),
      claim: p(`UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?, claimed_by = ?, updated_at = ? WHERE id = ?`),
      delivered: p(`UPDATE outbox SET state = 'delivered', delivered_at = @now, updated_at = @now, lease_until = NULL, last_status = @status WHERE id = @id`),
      retry: p(`UPDATE outbox SET state = 'pending', next_attempt_at = @next, last_error = @error, last_status = @status, lease_until = NULL, updated_at = @now WHERE id = @id`),
      failed: p(`UPDATE outbox SET state = 'failed', last_error = @error, last_status = @status, lease_until = NULL, updated_at = @now WHERE id = @id`),
      release: p(`UPDATE outbox SET state = 'pending', attempts = MAX(attempts - 1, 0), lease_until = NULL, next_attempt_at = @next, updated_at = @now WHERE id = @id AND state = 'sending'`),
      sendingRows: p(`SELECT * FROM outbox WHERE state = 'sending'`),
      nextDue: p(nextDueSql(false, '')),
      nextDueOf: p(nextDueSql(true, '')),
      counts: p(`SELECT channel, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox GROUP BY channel, state ORDER BY channel, state`),
      flushWindows: p(`UPDATE outbox SET next_attempt_at = @now, updated_at = @now WHERE state = 'pending' AND kind IN ('repeat', 'storm') AND next_attempt_at > @now`),
      stats: p(`SELECT f.severity AS severity, f.rule_id AS rule, f.account AS account, COUNT(*) AS n, MIN(f.event_time) AS first, MAX(f.event_time) AS last
        FROM outbox_findings o JOIN findings f ON f.id = o.finding_id WHERE o.outbox_id = ? GROUP BY f.severity, f.rule_id, f.account`),
      firstFindings: p(`SELECT f.finding_json FROM outbox_findings o JOIN findings f ON f.id = o.finding_id WHERE o.outbox_id = ?
        ORDER BY o.attached_at, o.rowid LIMIT ?`),
      lastFindings: p(`SELECT f.finding_json FROM outbox_findings o JOIN findings f ON f.id = o.finding_id WHERE o.outbox_id = ?
        ORDER BY o.attached_at DESC, o.rowid DESC LIMIT ?`),
      worstFindings: p(`SELECT f.finding_json FROM outbox_findings o JOIN findings f ON f.id = o.finding_id WHERE o.outbox_id = ?
        ORDER BY ${SEVERITY_ORDER}, o.attached_at, o.rowid LIMIT ?`),
      findingIds: p('SELECT finding_id FROM outbox_findings WHERE outbox_id = ? ORDER BY attached_at, rowid LIMIT ?'),
      purge: p(`DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?`),
      linkRemediation: p(`INSERT OR IGNORE INTO outbox_remediation (outbox_id, channel, decision_id, status, action_id, rule_id, finding_id, decision_json)
        VALUES (@outboxId, @channel, @decisionId, @status, @actionId, @ruleId, @findingId, @decisionJson)`),
      remediationOf: p('SELECT * FROM outbox_remediation WHERE outbox_id = ?'),
    };
  }

  /** Statements that depend on a kind filter, prepared once per filter. */
  private readonly filtered = new Map<string, Database.Statement>();

  private filteredStatement(name: string, kinds: readonly NotificationKind[], build: (clause: string) => string): Database.Statement {
    for (const k of kinds) if (!(NOTIFICATION_KINDS as readonly string[]).includes(k)) throw new Error(`unknown notification kind ${k}`);
    const key = `${name}:${[...kinds].sort().join(',')}`;
    let statement = this.filtered.get(key);
    if (!statement) {
      statement = this.db.prepare(build(`AND kind IN (${kinds.map((k) => `'${k}'`).join(', ')})`));
      this.filtered.set(key, statement);
    }
    return statement;
  }

  private row(id: number): OutboxRow | undefined {
    const r = this.s.byId!.get(id) as RawRow | undefined;
    return r && toRow(r);
  }

  /**
   * Creates the row, or returns the one with the same (channel, idempotency key). A finding/repeat row is counted
   * on the storm clock at `rateAt`, with the severity of the finding that opens it.
   */
  private insert(n: NewNotification | (Omit<NewNotification, 'kind'> & { kind: 'remediation' }), now: number, opener?: { rateAt: number; severity: string }): { row: OutboxRow; created: boolean } {
    const counted = opener && (n.kind === 'finding' || n.kind === 'repeat');
    const created = this.s.insert!.run({ ...n, now, rateAt: counted ? opener.rateAt : null, severity: counted ? opener.severity : null }).changes > 0;
    return { row: toRow(this.s.byKey!.get(n.channel, n.idempotencyKey) as RawRow), created };
  }

  /** Links a finding to a row (a storm also counts it by severity); false when the finding is already covered on that channel. */
  private attach(row: OutboxRow, finding: Finding, now: number): boolean {
    const outboxId = rowId(row.id);
    const added = this.s.attach!.run(outboxId, row.channel, finding.id, now).changes > 0;
    if (added) {
      this.s.bumpCount!.run(now, outboxId);
      if (row.kind === 'storm') this.s.bumpSeverity!.run({ id: outboxId, severity: finding.severity });
    }
    return added;
  }

  async enqueueFinding(finding: Finding, targets: readonly ChannelTarget[], now: number): Promise<EnqueueResult> {
    // One transaction for the finding and all its channels: SQLite serialises writers, so the view each
    // decision is made from cannot change before the decision is written.
    return this.transaction(() => {
      const isNew = this.findings.saveNow(finding, now);
      const channels: EnqueueResult['channels'] = [];
      for (const target of targets) {
        const at = target.rateAt ?? now;
        const covering = this.s.isAttached!.get(target.channel, finding.id) as { outbox_id: number } | undefined;
        const latest = this.s.latestInGroup!.get(target.channel, target.groupKey, now) as RawRow | undefined;
        const storm = this.s.openStorm!.get({ channel: target.channel, at }) as RawRow | undefined;
        const recent = this.s.createdSince!.all({ channel: target.channel, since: at - target.stormWindowMs, at }) as { severity: string | null; n: number }[];
        const plan = target.decide({
          ...(covering ? { covering: String(covering.outbox_id) } : {}),
          ...(latest ? { latestInGroup: toRow(latest) } : {}),
          ...(storm ? { openStorm: toRow(storm), openStormSeverities: severityCountsOf(storm.severity_counts) } : {}),
          createdSince: recent.reduce((sum, r) => sum + r.n, 0),
          createdSinceSeverities: Object.fromEntries(recent.filter((r) => r.severity !== null).map((r) => [r.severity, r.n])),
        });
        if ('outboxId' in plan) {
          channels.push({ channel: target.channel, outcome: plan.outcome, outboxId: plan.outboxId });
          continue;
        }
        const row = 'attachTo' in plan ? plan.attachTo : this.insert(plan.create, now, { rateAt: at, severity: finding.severity }).row;
        this.attach(row, finding, now);
        channels.push({ channel: target.channel, outcome: plan.outcome, outboxId: row.id });
      }
      return { isNew, channels };
    });
  }

  /**
   * Creates a remediation notice on one channel with its decision, or returns the existing one for the
   * same (channel, idempotency key). Runs inside the caller's transaction (the remediation commit).
   */
  insertRemediationNow(n: NewRemediationNotice, now: number): { row: OutboxRow; created: boolean } {
    const { row, created } = this.insert({ ...n, kind: 'remediation', windowStart: now, windowEnd: now }, now);
    if (!created) return { row, created };
    this.s.linkRemediation!.run({
      outboxId: rowId(row.id),
      channel: n.channel,
      decisionId: n.decisionId,
      status: n.status,
      actionId: n.actionId,
      ruleId: n.ruleId ?? null,
      findingId: n.findingId ?? null,
      decisionJson: n.decisionJson,
    });
    if (n.findingId === undefined) return { row, created };
    this.s.bumpCount!.run(now, rowId(row.id));
    return { row: { ...row, count: row.count + 1 }, created };
  }

  async remediationOf(outboxId: string): Promise<RemediationNoticeRow | undefined> {
    const r = this.s.remediationOf!.get(rowId(outboxId)) as
      | { outbox_id: number; channel: string; decision_id: string; status: RemediationNoticeRow['status']; action_id: string; rule_id: string | null; finding_id: string | null; decision_json: string }
      | undefined;
    if (!r) return undefined;
    return {
      outboxId: String(r.outbox_id),
      channel: r.channel,
      decisionId: r.decision_id,
      status: r.status,
      actionId: r.action_id,
      ...(r.rule_id !== null ? { ruleId: r.rule_id } : {}),
      ...(r.finding_id !== null ? { findingId: r.finding_id } : {}),
      decisionJson: r.decision_json,
    };
  }

  async get(id: string): Promise<OutboxRow | undefined> {
    return this.row(rowId(id));
  }

  async claimDue(channel: string, options: ClaimOptions): Promise<OutboxRow[]> {
    if (options.limit <= 0) return [];
    const due = options.kinds ? this.filteredStatement('due', options.kinds, dueSql) : this.s.due!;
    return this.transaction(() => {
      const rows = due.all(channel, { now: options.now, limit: options.limit }) as RawRow[];
      for (const r of rows) this.s.claim!.run(options.now + options.leaseMs, options.owner, options.now, r.id);
      return rows.map((r) => ({ ...toRow(r), state: 'sending' as const, attempts: r.attempts + 1, claimedBy: options.owner, leaseUntil: options.now + options.leaseMs }));
    });
  }

  async markDelivered(id: string, now: number, status?: number): Promise<void> {
    this.s.delivered!.run({ id: rowId(id), now, status: status ?? null });
  }

  async markRetry(id: string, options: { nextAttemptAt: number; error: string; status?: number; now: number }): Promise<void> {
    this.s.retry!.run({ id: rowId(id), next: options.nextAttemptAt, error: options.error, status: options.status ?? null, now: options.now });
  }

  async markFailed(id: string, options: { error: string; status?: number; now: number }): Promise<void> {
    this.markFailedNow(rowId(id), options);
  }

  private markFailedNow(id: number, options: { error: string; status?: number; now: number }): void {
    this.s.failed!.run({ id, error: options.error, status: options.status ?? null, now: options.now });
  }

  async release(id: string, now: number, nextAttemptAt = now): Promise<void> {
    this.s.release!.run({ id: rowId(id), now, next: nextAttemptAt });
  }

  async recoverAbandoned(isDead: (owner: string) => boolean, now: number): Promise<number> {
    return this.transaction(() => {
      let n = 0;
      for (const r of this.s.sendingRows!.all() as RawRow[]) {
        if (r.claimed_by === null || !isDead(r.claimed_by)) continue;
        n++;
        if (r.attempts >= r.max_attempts) this.markFailedNow(r.id, { error: `sender process ${r.claimed_by} died during attempt ${r.attempts} of ${r.max_attempts}`, now });
        else this.s.retry!.run({ id: r.id, next: now, error: r.last_error ?? `sender process ${r.claimed_by} died during attempt ${r.attempts}`, status: r.last_status, now });
      }
      return n;
    });
  }

  async requeueFailed(options: { channel?: string; ids?: readonly string[]; now: number }): Promise<number> {
    const where = ["state = 'failed'"];
    const params: unknown[] = [options.now, options.now];
    if (options.channel !== undefined) {
      where.push('channel = ?');
      params.push(options.channel);
    }
    if (options.ids?.length) {
      where.push(`id IN (${options.ids.map(() => '?').join(', ')})`);
      params.push(...options.ids.map(rowId));
    }
    const sql = `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE ${where.join(' AND ')}`;
    return this.transaction(() => this.db.prepare(sql).run(...params).changes);
  }

  async flushWindows(now: number): Promise<number> {
    return this.s.flushWindows!.run({ now }).changes;
  }

  async nextDueAt(channel?: string, kinds?: readonly NotificationKind[]): Promise<number | undefined> {
    const statement = kinds
      ? this.filteredStatement(channel === undefined ? 'nextDue' : 'nextDueOf', kinds, (clause) => nextDueSql(channel !== undefined, clause))
      : channel === undefined
        ? this.s.nextDue!
        : this.s.nextDueOf!;
    const row = (channel === undefined ? statement.get() : statement.get(channel)) as { t: number | null };
    return row.t ?? undefined;
  }

  async outstanding(channels: readonly string[], kinds?: readonly NotificationKind[]): Promise<number> {
    if (channels.length === 0) return 0;
    const kindClause = kinds ? ` AND kind IN (${kinds.map(() => '?').join(', ')})` : '';
    const sql = `SELECT COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'sending') AND channel IN (${channels.map(() => '?').join(', ')})${kindClause}`;
    return (this.db.prepare(sql).get(...channels, ...(kinds ?? [])) as { n: number }).n;
  }

  async counts(): Promise<StateCount[]> {
    return (this.s.counts!.all() as { channel: string; state: DeliveryState; n: number; oldest: number }[]).map((r) => ({
      channel: r.channel,
      state: r.state,
      count: r.n,
      oldestCreatedAt: r.oldest,
    }));
  }

  async list(options: { states?: readonly DeliveryState[]; channel?: string; limit?: number } = {}): Promise<OutboxRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.states?.length) {
      where.push(`state IN (${options.states.map(() => '?').join(', ')})`);
      params.push(...options.states);
    }
    if (options.channel !== undefined) {
      where.push('channel = ?');
      params.push(options.channel);
    }
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    params.push(options.limit ?? -1);
    return (this.db.prepare(sql).all(...params) as RawRow[]).map(toRow);
  }

  async findingsOf(outboxId: string, limit: number, order: 'first' | 'last' | 'worst' = 'first'): Promise<Finding[]> {
    const statement = order === 'first' ? this.s.firstFindings! : order === 'last' ? this.s.lastFindings! : this.s.worstFindings!;
    return (statement.all(rowId(outboxId), limit) as { finding_json: string }[]).map((r) => JSON.parse(r.finding_json) as Finding);
  }

  async findingIdsOf(outboxId: string, limit = 1000): Promise<string[]> {
    return (this.s.findingIds!.all(rowId(outboxId), limit) as { finding_id: string }[]).map((r) => r.finding_id);
  }

  async statsOf(outboxId: string): Promise<NotificationStats> {
    const stats: NotificationStats = { total: 0, bySeverity: {}, byRule: {}, byRuleSeverity: {}, byAccount: {} };
    for (const r of this.s.stats!.all(rowId(outboxId)) as { severity: string; rule: string; account: string; n: number; first: string; last: string }[]) {
      stats.total += r.n;
      stats.bySeverity[r.severity] = (stats.bySeverity[r.severity] ?? 0) + r.n;
      stats.byRule[r.rule] = (stats.byRule[r.rule] ?? 0) + r.n;
      const ofRule = (stats.byRuleSeverity[r.rule] ??= {});
      ofRule[r.severity] = (ofRule[r.severity] ?? 0) + r.n;
      stats.byAccount[r.account] = (stats.byAccount[r.account] ?? 0) + r.n;
      if (stats.firstEventTime === undefined || r.first < stats.firstEventTime) stats.firstEventTime = r.first;
      if (stats.lastEventTime === undefined || r.last > stats.lastEventTime) stats.lastEventTime = r.last;
    }
    return stats;
  }

  async purgeDelivered(before: number): Promise<number> {
    return this.s.purge!.run(before).changes;
  }
}
