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
import type { Finding } from '../findings/types.js';
import type { Migration } from './store.js';

export const DELIVERY_STATES = ['pending', 'sending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
export const NOTIFICATION_KINDS = ['finding', 'repeat', 'storm', 'remediation'] as const;
/**
 * finding: the first notification of a dedupe group; repeat: later occurrences within the window; storm: a channel's summary;
 * remediation: one remediation decision (AUTO-MITIGATED, DRY-RUN, APPROVAL NEEDED, REMEDIATION FAILED, SKIPPED).
 */
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

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
];

export interface OutboxRow {
  id: number;
  channel: string;
  kind: NotificationKind;
  /** The dedupe key (finding/repeat) or the storm window id (storm). */
  groupKey: string;
  /** Stable across retries of this notification. */
  idempotencyKey: string;
  state: DeliveryState;
  /** Findings this notification covers. */
  count: number;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number;
  leaseUntil?: number;
  claimedBy?: string;
  windowStart: number;
  windowEnd: number;
  lastError?: string;
  lastStatus?: number;
  createdAt: number;
  updatedAt: number;
  deliveredAt?: number;
}

export interface NewNotification {
  channel: string;
  kind: NotificationKind;
  groupKey: string;
  idempotencyKey: string;
  maxAttempts: number;
  nextAttemptAt: number;
  windowStart: number;
  windowEnd: number;
  now: number;
}

/** A remediation notice: the outbox row plus the decision it reports (kept as written, JSON). */
export interface NewRemediationNotice extends Omit<NewNotification, 'kind'> {
  decisionId: string;
  status: string;
  actionId: string;
  ruleId?: string;
  findingId?: string;
  /** The decision as it was when enqueued; the notice is rendered from it at send time. */
  decisionJson: string;
}

export interface RemediationNoticeRow {
  outboxId: number;
  channel: string;
  decisionId: string;
  status: string;
  actionId: string;
  ruleId?: string;
  findingId?: string;
  decisionJson: string;
}

export interface NotificationStats {
  total: number;
  bySeverity: Record<string, number>;
  byRule: Record<string, number>;
  byAccount: Record<string, number>;
  firstEventTime?: string;
  lastEventTime?: string;
}

export interface StateCount {
  channel: string;
  state: DeliveryState;
  count: number;
  oldestCreatedAt: number;
}

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
}

function toRow(r: RawRow): OutboxRow {
  return {
    id: r.id,
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

export class Outbox {
  private readonly s: Record<string, Database.Statement>;

  constructor(
    private readonly db: Database.Database,
    private readonly immediate: <T>(fn: () => T) => T,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert: p(`INSERT OR IGNORE INTO outbox
        (channel, kind, group_key, idempotency_key, max_attempts, next_attempt_at, window_start, window_end, created_at, updated_at)
        VALUES (@channel, @kind, @groupKey, @idempotencyKey, @maxAttempts, @nextAttemptAt, @windowStart, @windowEnd, @now, @now)`),
      byKey: p('SELECT * FROM outbox WHERE channel = ? AND idempotency_key = ?'),
      byId: p('SELECT * FROM outbox WHERE id = ?'),
      attach: p('INSERT OR IGNORE INTO outbox_findings (outbox_id, channel, finding_id, attached_at) VALUES (?, ?, ?, ?)'),
      bumpCount: p('UPDATE outbox SET finding_count = finding_count + 1, updated_at = ? WHERE id = ?'),
      isAttached: p('SELECT outbox_id FROM outbox_findings WHERE channel = ? AND finding_id = ?'),
      latestInGroup: p(`SELECT * FROM outbox WHERE channel = ? AND group_key = ? AND kind IN ('finding', 'repeat') AND window_end > ?
        ORDER BY id DESC LIMIT 1`),
      openStorm: p(`SELECT * FROM outbox WHERE channel = ? AND kind = 'storm' AND state = 'pending' AND window_end > ? ORDER BY id DESC LIMIT 1`),
      createdSince: p(`SELECT COUNT(*) AS n FROM outbox WHERE channel = ? AND kind IN ('finding', 'repeat') AND created_at > ?`),
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
      remediationByDecision: p('SELECT outbox_id FROM outbox_remediation WHERE decision_id = ? ORDER BY outbox_id'),
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

  /**
   * Creates a remediation notice on one channel with its decision, or returns the existing one for the
   * same (channel, idempotency key) — enqueueing a decision twice is a no-op. `created` says which.
   */
  insertRemediation(n: NewRemediationNotice): { row: OutboxRow; created: boolean } {
    return this.immediate(() => {
      // The notice's own fields are named parameters the insert does not use (better-sqlite3 ignores them).
      const created = this.s.insert!.run({ ...n, kind: 'remediation' }).changes > 0;
      const row = toRow(this.s.byKey!.get(n.channel, n.idempotencyKey) as RawRow);
      if (created) {
        this.s.linkRemediation!.run({
          outboxId: row.id,
          channel: n.channel,
          decisionId: n.decisionId,
          status: n.status,
          actionId: n.actionId,
          ruleId: n.ruleId ?? null,
          findingId: n.findingId ?? null,
          decisionJson: n.decisionJson,
        });
        if (n.findingId !== undefined) {
          this.s.bumpCount!.run(n.now, row.id);
          return { row: { ...row, count: row.count + 1 }, created };
        }
      }
      return { row, created };
    });
  }

  /** The decision a remediation notice reports. */
  remediationOf(outboxId: number): RemediationNoticeRow | undefined {
    const r = this.s.remediationOf!.get(outboxId) as
      | { outbox_id: number; channel: string; decision_id: string; status: string; action_id: string; rule_id: string | null; finding_id: string | null; decision_json: string }
      | undefined;
    if (!r) return undefined;
    return {
      outboxId: r.outbox_id,
      channel: r.channel,
      decisionId: r.decision_id,
      status: r.status,
      actionId: r.action_id,
      ...(r.rule_id !== null ? { ruleId: r.rule_id } : {}),
      ...(r.finding_id !== null ? { findingId: r.finding_id } : {}),
      decisionJson: r.decision_json,
    };
  }

  /** Outbox rows reporting a decision (one per channel it went to). */
  noticesOfDecision(decisionId: string): OutboxRow[] {
    return (this.s.remediationByDecision!.all(decisionId) as { outbox_id: number }[]).map((r) => this.get(r.outbox_id)).filter((r): r is OutboxRow => r !== undefined);
  }

  /** Creates the notification, or returns the existing one with the same (channel, idempotency key). */
  insert(n: NewNotification): OutboxRow {
    this.s.insert!.run(n);
    return toRow(this.s.byKey!.get(n.channel, n.idempotencyKey) as RawRow);
  }

  get(id: number): OutboxRow | undefined {
    const r = this.s.byId!.get(id) as RawRow | undefined;
    return r && toRow(r);
  }

  /** Links a finding to a notification; false when the finding is already covered on that channel. */
  attach(outboxId: number, channel: string, findingId: string, now: number): boolean {
    const added = this.s.attach!.run(outboxId, channel, findingId, now).changes > 0;
    if (added) this.s.bumpCount!.run(now, outboxId);
    return added;
  }

  /** The notification that already covers this finding on this channel, if any. */
  coveringNotification(channel: string, findingId: string): number | undefined {
    return (this.s.isAttached!.get(channel, findingId) as { outbox_id: number } | undefined)?.outbox_id;
  }

  /** The newest finding/repeat notification of a dedupe group whose window is still open at `now`. */
  latestOpenInGroup(channel: string, groupKey: string, now: number): OutboxRow | undefined {
    const r = this.s.latestInGroup!.get(channel, groupKey, now) as RawRow | undefined;
    return r && toRow(r);
  }

  openStorm(channel: string, now: number): OutboxRow | undefined {
    const r = this.s.openStorm!.get(channel, now) as RawRow | undefined;
    return r && toRow(r);
  }

  /** Individual (non-storm) notifications created on a channel after `since` — the storm detector's rate. */
  createdSince(channel: string, since: number): number {
    return (this.s.createdSince!.get(channel, since) as { n: number }).n;
  }

  /**
   * Claims up to `limit` due rows of a channel: pending rows whose time has come, and rows whose
   * claim lease expired (their claimant died). Each claim counts as an attempt.
   */
  claimDue(channel: string, options: { now: number; limit: number; leaseMs: number; owner: string; kinds?: readonly NotificationKind[] }): OutboxRow[] {
    if (options.limit <= 0) return [];
    const due = options.kinds ? this.filteredStatement('due', options.kinds, dueSql) : this.s.due!;
    return this.immediate(() => {
      const rows = due.all(channel, { now: options.now, limit: options.limit }) as RawRow[];
      for (const r of rows) this.s.claim!.run(options.now + options.leaseMs, options.owner, options.now, r.id);
      return rows.map((r) => ({ ...toRow(r), state: 'sending' as const, attempts: r.attempts + 1, claimedBy: options.owner, leaseUntil: options.now + options.leaseMs }));
    });
  }

  markDelivered(id: number, now: number, status?: number): void {
    this.s.delivered!.run({ id, now, status: status ?? null });
  }

  markRetry(id: number, options: { nextAttemptAt: number; error: string; status?: number; now: number }): void {
    this.s.retry!.run({ id, next: options.nextAttemptAt, error: options.error, status: options.status ?? null, now: options.now });
  }

  markFailed(id: number, options: { error: string; status?: number; now: number }): void {
    this.s.failed!.run({ id, error: options.error, status: options.status ?? null, now: options.now });
  }

  /** Gives a claimed row back without counting the attempt (shutdown before sending, channel paused). */
  release(id: number, now: number, nextAttemptAt = now): void {
    this.s.release!.run({ id, now, next: nextAttemptAt });
  }

  /**
   * Makes rows claimed by processes that are gone claimable now, instead of waiting for their lease.
   * `isDead(owner)` decides (e.g. same host and the pid no longer exists). A row whose dead claimant
   * used its last attempt becomes failed, so a notification that crashes its sender cannot loop forever.
   */
  recoverAbandoned(isDead: (owner: string) => boolean, now: number): number {
    return this.immediate(() => {
      let n = 0;
      for (const r of this.s.sendingRows!.all() as RawRow[]) {
        if (r.claimed_by === null || !isDead(r.claimed_by)) continue;
        n++;
        if (r.attempts >= r.max_attempts) this.markFailed(r.id, { error: `sender process ${r.claimed_by} died during attempt ${r.attempts} of ${r.max_attempts}`, now });
        else this.s.retry!.run({ id: r.id, next: now, error: r.last_error ?? `sender process ${r.claimed_by} died during attempt ${r.attempts}`, status: r.last_status, now });
      }
      return n;
    });
  }

  /** Failed rows back to pending with a fresh attempt budget; returns how many. */
  requeueFailed(options: { channel?: string; ids?: number[]; now: number }): number {
    const where = ["state = 'failed'"];
    const params: unknown[] = [options.now, options.now];
    if (options.channel !== undefined) {
      where.push('channel = ?');
      params.push(options.channel);
    }
    if (options.ids?.length) {
      where.push(`id IN (${options.ids.map(() => '?').join(', ')})`);
      params.push(...options.ids);
    }
    const sql = `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE ${where.join(' AND ')}`;
    return this.immediate(() => this.db.prepare(sql).run(...params).changes);
  }

  /** Repeat and storm summaries wait for their window to close; a batch run that is about to exit sends them now. */
  flushWindows(now: number): number {
    return this.s.flushWindows!.run({ now }).changes;
  }

  /** The earliest time something (of one channel) becomes due — pending time or lease expiry — if anything is outstanding. */
  nextDueAt(channel?: string, kinds?: readonly NotificationKind[]): number | undefined {
    const statement = kinds
      ? this.filteredStatement(channel === undefined ? 'nextDue' : 'nextDueOf', kinds, (clause) => nextDueSql(channel !== undefined, clause))
      : channel === undefined
        ? this.s.nextDue!
        : this.s.nextDueOf!;
    const row = (channel === undefined ? statement.get() : statement.get(channel)) as { t: number | null };
    return row.t ?? undefined;
  }

  /** Rows pending or in flight, on these channels (and of these kinds). */
  outstanding(channels: readonly string[], kinds?: readonly NotificationKind[]): number {
    if (channels.length === 0) return 0;
    const kindClause = kinds ? ` AND kind IN (${kinds.map(() => '?').join(', ')})` : '';
    const sql = `SELECT COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'sending') AND channel IN (${channels.map(() => '?').join(', ')})${kindClause}`;
    return (this.db.prepare(sql).get(...channels, ...(kinds ?? [])) as { n: number }).n;
  }

  counts(): StateCount[] {
    return (this.s.counts!.all() as { channel: string; state: DeliveryState; n: number; oldest: number }[]).map((r) => ({
      channel: r.channel,
      state: r.state,
      count: r.n,
      oldestCreatedAt: r.oldest,
    }));
  }

  list(options: { states?: readonly DeliveryState[]; channel?: string; limit?: number } = {}): OutboxRow[] {
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

  /** Findings of a notification: the first, the most recent or the most severe ones. */
  findingsOf(outboxId: number, limit: number, order: 'first' | 'last' | 'worst' = 'first'): Finding[] {
    const statement = order === 'first' ? this.s.firstFindings! : order === 'last' ? this.s.lastFindings! : this.s.worstFindings!;
    return (statement.all(outboxId, limit) as { finding_json: string }[]).map((r) => JSON.parse(r.finding_json) as Finding);
  }

  findingIdsOf(outboxId: number, limit = 1000): string[] {
    return (this.s.findingIds!.all(outboxId, limit) as { finding_id: string }[]).map((r) => r.finding_id);
  }

  /** Counts of a notification's findings by severity, rule and account, computed in SQL (storms can cover thousands). */
  statsOf(outboxId: number): NotificationStats {
    const stats: NotificationStats = { total: 0, bySeverity: {}, byRule: {}, byAccount: {} };
    for (const r of this.s.stats!.all(outboxId) as { severity: string; rule: string; account: string; n: number; first: string; last: string }[]) {
      stats.total += r.n;
      stats.bySeverity[r.severity] = (stats.bySeverity[r.severity] ?? 0) + r.n;
      stats.byRule[r.rule] = (stats.byRule[r.rule] ?? 0) + r.n;
      stats.byAccount[r.account] = (stats.byAccount[r.account] ?? 0) + r.n;
      if (stats.firstEventTime === undefined || r.first < stats.firstEventTime) stats.firstEventTime = r.first;
      if (stats.lastEventTime === undefined || r.last > stats.lastEventTime) stats.lastEventTime = r.last;
    }
    return stats;
  }

  /** Deletes delivered rows older than the cut-off (failed and pending rows are never purged). */
  purgeDelivered(before: number): number {
    return this.s.purge!.run(before).changes;
  }
}
