/**
 * The remediation feature's tables in the local store: the append-only decision log, pending approvals and
 * the (event, action) claims that keep two runners from acting on the same event.
 *
 * Version 1 is the schema the first release created on its own with `CREATE TABLE IF NOT EXISTS` (in a file
 * of its own, `remediation.store`). It is written the same way here, so a store that already holds those
 * tables — the old remediation file opened as the shared store — is adopted as is: its log and approvals are
 * kept and read, and the migration only records version 1. A table of that name that lacks trailguard's
 * columns is refused rather than misread. Version 2 adds the claims; a log written before them still counts:
 * a decision that acted holds its event even without a claim row. Version 3 keeps, in a claim in progress,
 * the settled hold it replaced, so that releasing the claim puts that hold back.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import type {
  ApprovalStatus,
  ClaimRequest,
  DecisionCommit,
  DecisionQuery,
  OutboxRow,
  PendingApproval,
  RemediationClaim,
  RemediationStore,
} from '../types.js';
import type { DecisionStatus, RemediationDecision, RemediationPlan } from '../../remediate/types.js';
import type { Migration, SqliteDatabase } from './database.js';
import type { SqliteOutbox } from './outbox.js';

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

function checkColumns(db: SqliteDatabase, table: string): void {
  const present = new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name));
  if (present.size === 0) return; // no such table yet
  const missing = (COLUMNS[table] ?? []).filter((c) => !present.has(c));
  if (missing.length > 0) throw new StoreError(`table ${table} exists but lacks column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: it was not written by trailguard's remediation log`, { code: 'store-schema' });
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
  {
    version: 2,
    name: 'remediation_claims: one runner per (event, action)',
    up: (db) =>
      db.exec(`CREATE TABLE remediation_claims (
        event_id TEXT NOT NULL,
        action_id TEXT NOT NULL,
        decision_id TEXT NOT NULL,
        mode TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('in-progress', 'settled')),
        status TEXT,
        owner TEXT NOT NULL,
        lease_until INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (event_id, action_id)
      )`),
  },
  {
    version: 3,
    name: 'remediation_claims: the settled hold a claim replaced (put back when it is released)',
    up: (db) =>
      db.exec(`ALTER TABLE remediation_claims ADD COLUMN prev_decision_id TEXT;
        ALTER TABLE remediation_claims ADD COLUMN prev_status TEXT;
        ALTER TABLE remediation_claims ADD COLUMN prev_mode TEXT;`),
  },
];

/** A decision into remediation_log (after INSERT or INSERT OR IGNORE): named parameters, see decisionRow. */
export const INSERT_DECISION = `INTO remediation_log (id, created_at, status, mode, action_id, rule_id, finding_id, event_id, event_name, event_source, event_time,
    account, region, actor, reason, message, approval_id, error, decision_json)
  VALUES (@id, @createdAt, @status, @mode, @actionId, @ruleId, @findingId, @eventId, @eventName, @eventSource, @eventTime,
    @account, @region, @actor, @reason, @message, @approvalId, @error, @json)`;

/** A pending approval into remediation_approvals: named parameters, see approvalRow. */
export const INSERT_APPROVAL = `INTO remediation_approvals (id, decision_id, created_at, expires_at, status, action_id, event_id, summary, plan_json, decision_json)
  VALUES (@id, @decisionId, @createdAt, @expiresAt, 'pending', @actionId, @eventId, @summary, @plan, @decision)`;

export function decisionRow(decision: RemediationDecision): Record<string, string | null> {
  return {
    id: decision.id,
    createdAt: decision.createdAt,
    status: decision.status,
    mode: decision.mode,
    actionId: decision.actionId,
    ruleId: decision.ruleId ?? null,
    findingId: decision.findingId ?? null,
    eventId: decision.eventId,
    eventName: decision.eventName,
    eventSource: decision.eventSource,
    eventTime: decision.eventTime,
    account: decision.account,
    region: decision.region,
    actor: decision.actor,
    reason: decision.reason ?? null,
    message: decision.message,
    approvalId: decision.approvalId ?? null,
    error: decision.error ?? null,
    json: JSON.stringify(decision),
  };
}

export function approvalRow(a: Omit<PendingApproval, 'status'>): Record<string, string> {
  return { id: a.id, decisionId: a.decisionId, createdAt: a.createdAt, expiresAt: a.expiresAt, actionId: a.actionId, eventId: a.eventId, summary: a.summary, plan: JSON.stringify(a.plan), decision: JSON.stringify(a.decision) };
}

/** Statuses after which the same event is never acted on again by the same action. */
const ACTED: readonly DecisionStatus[] = ['executed', 'pending-approval'];

interface ApprovalRow {
  id: string;
  decision_id: string;
  created_at: string;
  expires_at: string;
  status: ApprovalStatus;
  action_id: string;
  event_id: string;
  summary: string;
  plan_json: string;
  decision_json: string;
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
}

interface ClaimRow {
  decision_id: string;
  mode: string;
  state: 'in-progress' | 'settled';
  status: DecisionStatus | null;
  owner: string;
  lease_until: number;
  updated_at: number;
  prev_decision_id: string | null;
  prev_status: DecisionStatus | null;
  prev_mode: string | null;
}

function fromApprovalRow(row: ApprovalRow): PendingApproval {
  return {
    id: row.id,
    decisionId: row.decision_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    status: row.status,
    actionId: row.action_id,
    eventId: row.event_id,
    summary: row.summary,
    plan: JSON.parse(row.plan_json) as RemediationPlan,
    decision: JSON.parse(row.decision_json) as RemediationDecision,
    ...(row.decided_by !== null ? { decidedBy: row.decided_by } : {}),
    ...(row.decided_at !== null ? { decidedAt: row.decided_at } : {}),
    ...(row.note !== null ? { note: row.note } : {}),
  };
}

const parseDecision = (row: { decision_json: string } | undefined): RemediationDecision | undefined => (row ? (JSON.parse(row.decision_json) as RemediationDecision) : undefined);

/**
 * Whether a settled claim still holds against a new request (RemediationStore.claim): a decision that acted
 * always does; one that did not act holds against requests of its own mode, except a failure, which never does.
 */
export function settledClaimHolds(holder: { status: DecisionStatus; mode: string }, requestMode: string): boolean {
  if (ACTED.includes(holder.status)) return true;
  if (holder.status === 'failed') return false;
  return holder.mode === requestMode;
}

export class SqliteRemediation implements RemediationStore {
  private readonly s: Record<string, Database.Statement>;

  constructor(
    db: SqliteDatabase,
    private readonly transaction: <T>(fn: () => T) => T,
    private readonly outbox: SqliteOutbox,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insertDecision: p(`INSERT OR IGNORE ${INSERT_DECISION}`),
      acted: p(`SELECT decision_json FROM remediation_log WHERE event_id = ? AND action_id = ? AND status IN (${ACTED.map((s) => `'${s}'`).join(', ')}) ORDER BY created_at DESC LIMIT 1`),
      decision: p('SELECT decision_json FROM remediation_log WHERE id = ?'),
      insertApproval: p(`INSERT OR IGNORE ${INSERT_APPROVAL}`),
      approval: p('SELECT * FROM remediation_approvals WHERE id = ?'),
      pending: p("SELECT * FROM remediation_approvals WHERE status = 'pending' ORDER BY created_at"),
      overdue: p("SELECT * FROM remediation_approvals WHERE status = 'pending' AND expires_at <= ?"),
      expire: p("UPDATE remediation_approvals SET status = 'expired', decided_at = ? WHERE status = 'pending' AND expires_at <= ?"),
      decide: p("UPDATE remediation_approvals SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ? AND status = 'pending' AND expires_at > ?"),
      claim: p('SELECT * FROM remediation_claims WHERE event_id = ? AND action_id = ?'),
      putClaim: p(`INSERT INTO remediation_claims (event_id, action_id, decision_id, mode, state, status, owner, lease_until, updated_at, prev_decision_id, prev_status, prev_mode)
         VALUES (@eventId, @actionId, @decisionId, @mode, 'in-progress', NULL, @owner, @leaseUntil, @now, @prevDecisionId, @prevStatus, @prevMode)
         ON CONFLICT (event_id, action_id) DO UPDATE SET decision_id = @decisionId, mode = @mode, state = 'in-progress', status = NULL, owner = @owner,
           lease_until = @leaseUntil, updated_at = @now, prev_decision_id = @prevDecisionId, prev_status = @prevStatus, prev_mode = @prevMode`),
      releaseClaim: p(`DELETE FROM remediation_claims WHERE event_id = ? AND action_id = ? AND decision_id = ? AND state = 'in-progress' AND prev_decision_id IS NULL`),
      restoreClaim: p(`UPDATE remediation_claims SET decision_id = prev_decision_id, status = prev_status, mode = prev_mode, state = 'settled',
         prev_decision_id = NULL, prev_status = NULL, prev_mode = NULL, updated_at = @now
         WHERE event_id = @eventId AND action_id = @actionId AND decision_id = @decisionId AND state = 'in-progress' AND prev_decision_id IS NOT NULL`),
      settleClaim: p(`UPDATE remediation_claims SET state = 'settled', status = @status, mode = @mode, updated_at = @now WHERE event_id = @eventId AND action_id = @actionId AND decision_id = @decisionId AND state = 'in-progress'`),
    };
  }

  async claim(request: ClaimRequest): Promise<RemediationClaim> {
    if (request.eventId === '') return { claimed: true };
    return this.transaction((): RemediationClaim => {
      const row = this.s.claim!.get(request.eventId, request.actionId) as ClaimRow | undefined;
      if (row?.state === 'in-progress' && row.lease_until > request.now) return { claimed: false, inProgress: { owner: row.owner, since: row.updated_at } };
      const takenOver = row?.state === 'settled' && request.takeOver !== undefined && row.decision_id === request.takeOver;
      if (row?.state === 'settled' && row.status !== null && !takenOver && settledClaimHolds({ status: row.status, mode: row.mode }, request.mode)) {
        return { claimed: false, ...this.heldBy(row.decision_id) };
      }
      // What the claim replaces, put back if it is released: a settled hold; a runner's expired claim, what that one replaced.
      let prev: { prevDecisionId: string | null; prevStatus: string | null; prevMode: string | null } = { prevDecisionId: null, prevStatus: null, prevMode: null };
      if (row?.state === 'settled') prev = { prevDecisionId: row.decision_id, prevStatus: row.status, prevMode: row.mode };
      else if (row) prev = { prevDecisionId: row.prev_decision_id, prevStatus: row.prev_status, prevMode: row.prev_mode };
      if (!row) {
        // A log written before claims existed: a decision that acted there holds the event all the same.
        const acted = parseDecision(this.s.acted!.get(request.eventId, request.actionId) as { decision_json: string } | undefined);
        if (acted && acted.id !== request.takeOver) return { claimed: false, heldBy: acted };
        if (acted) prev = { prevDecisionId: acted.id, prevStatus: acted.status, prevMode: acted.mode };
      }
      this.s.putClaim!.run({ ...request, leaseUntil: request.now + request.leaseMs, ...prev });
      return { claimed: true };
    });
  }

  private heldBy(decisionId: string): { heldBy?: RemediationDecision } {
    const decision = parseDecision(this.s.decision!.get(decisionId) as { decision_json: string } | undefined);
    return decision ? { heldBy: decision } : {};
  }

  async commit(entry: DecisionCommit): Promise<{ notices: Array<{ row: OutboxRow; created: boolean }> }> {
    const { decision } = entry;
    return this.transaction(() => {
      const inserted = this.s.insertDecision!.run(decisionRow(decision)).changes;
      if (inserted > 0) {
        const a = entry.approval;
        if (a) this.s.insertApproval!.run(approvalRow(a));
        this.s.settleClaim!.run({ eventId: decision.eventId, actionId: decision.actionId, decisionId: decision.id, status: decision.status, mode: decision.mode, now: entry.now });
      }
      // Notices are keyed by (channel, idempotency key): on a repeated commit they are found, not made again.
      return { notices: (entry.notices ?? []).map((n) => this.outbox.insertRemediationNow(n, entry.now)) };
    });
  }

  async releaseClaim(eventId: string, actionId: string, decisionId: string): Promise<void> {
    this.transaction(() => {
      this.s.releaseClaim!.run(eventId, actionId, decisionId);
      this.s.restoreClaim!.run({ eventId, actionId, decisionId, now: Date.now() });
    });
  }

  async hasActed(eventId: string, actionId: string): Promise<RemediationDecision | undefined> {
    if (eventId === '') return undefined;
    return parseDecision(this.s.acted!.get(eventId, actionId) as { decision_json: string } | undefined);
  }

  async getDecision(id: string): Promise<RemediationDecision | undefined> {
    return parseDecision(this.s.decision!.get(id) as { decision_json: string } | undefined);
  }

  async listDecisions(query: DecisionQuery = {}): Promise<RemediationDecision[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.eventId !== undefined) {
      where.push('event_id = ?');
      args.push(query.eventId);
    }
    if (query.actionId !== undefined) {
      where.push('action_id = ?');
      args.push(query.actionId);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      args.push(query.status);
    }
    const db = this.s.decision!.database;
    const sql = `SELECT decision_json FROM remediation_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return (db.prepare(sql).all(...args, query.limit ?? 100) as Array<{ decision_json: string }>).map((r) => JSON.parse(r.decision_json) as RemediationDecision);
  }

  async getApproval(id: string): Promise<PendingApproval | undefined> {
    const row = this.s.approval!.get(id) as ApprovalRow | undefined;
    return row ? fromApprovalRow(row) : undefined;
  }

  async pendingApprovals(now: Date): Promise<PendingApproval[]> {
    await this.expireApprovals(now);
    return (this.s.pending!.all() as ApprovalRow[]).map(fromApprovalRow);
  }

  async expireApprovals(now: Date): Promise<PendingApproval[]> {
    const iso = now.toISOString();
    return this.transaction(() => {
      const due = (this.s.overdue!.all(iso) as ApprovalRow[]).map(fromApprovalRow);
      if (due.length > 0) this.s.expire!.run(iso, iso);
      return due.map((a) => ({ ...a, status: 'expired' as const, decidedAt: iso }));
    });
  }

  async decideApproval(id: string, status: 'approved' | 'rejected', by: string, now: Date, note?: string): Promise<boolean> {
    return this.s.decide!.run(status, by, now.toISOString(), note ?? null, id, now.toISOString()).changes === 1;
  }
}
