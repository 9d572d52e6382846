/**
 * Pending approvals: a plan held until a person approves it (`trailguard remediate approve ID`, or
 * the dashboard), rejects it, or it expires. The plan approved is the plan executed, call for call.
 * The table (`remediation_approvals`) lives in the shared store, feature `remediation` (schema.ts).
 */
import type { Database } from 'better-sqlite3';
import { migrateRemediation, type RemediationStore } from './schema.js';
import type { RemediationDecision, RemediationPlan } from './types.js';

export { REMEDIATION_APPROVALS_SCHEMA } from './schema.js';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface PendingApproval {
  id: string;
  decisionId: string;
  createdAt: string;
  expiresAt: string;
  status: ApprovalStatus;
  actionId: string;
  eventId: string;
  /** What approving does: the plan's effect. */
  summary: string;
  plan: RemediationPlan;
  /** The decision that asked for approval. */
  decision: RemediationDecision;
  decidedBy?: string;
  decidedAt?: string;
  note?: string;
}

interface Row {
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

function fromRow(row: Row): PendingApproval {
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

export class ApprovalStore {
  readonly #db: Database;

  /** Applies the remediation migrations to the store if needed. */
  constructor(store: RemediationStore) {
    migrateRemediation(store);
    this.#db = store.db;
  }

  create(approval: Omit<PendingApproval, 'status'>): PendingApproval {
    this.#db
      .prepare(
        `INSERT INTO remediation_approvals (id, decision_id, created_at, expires_at, status, action_id, event_id, summary, plan_json, decision_json)
         VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
      )
      .run(approval.id, approval.decisionId, approval.createdAt, approval.expiresAt, approval.actionId, approval.eventId, approval.summary, JSON.stringify(approval.plan), JSON.stringify(approval.decision));
    return { ...approval, status: 'pending' };
  }

  get(id: string): PendingApproval | undefined {
    const row = this.#db.prepare('SELECT * FROM remediation_approvals WHERE id = ?').get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Pending approvals, oldest first (expired ones are marked expired first). */
  pending(now: Date): PendingApproval[] {
    this.expire(now);
    return (this.#db.prepare("SELECT * FROM remediation_approvals WHERE status = 'pending' ORDER BY created_at").all() as Row[]).map(fromRow);
  }

  /** Marks every pending approval past its expiry as expired; returns them. */
  expire(now: Date): PendingApproval[] {
    const iso = now.toISOString();
    const due = (this.#db.prepare("SELECT * FROM remediation_approvals WHERE status = 'pending' AND expires_at <= ?").all(iso) as Row[]).map(fromRow);
    if (due.length > 0) this.#db.prepare("UPDATE remediation_approvals SET status = 'expired', decided_at = ? WHERE status = 'pending' AND expires_at <= ?").run(iso, iso);
    return due.map((a) => ({ ...a, status: 'expired', decidedAt: iso }));
  }

  /**
   * Moves a pending approval to approved or rejected, atomically: of two people approving at once only
   * one gets `true` (the other sees the approval already decided).
   */
  decide(id: string, status: 'approved' | 'rejected', by: string, now: Date, note?: string): boolean {
    const result = this.#db
      .prepare("UPDATE remediation_approvals SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ? AND status = 'pending' AND expires_at > ?")
      .run(status, by, now.toISOString(), note ?? null, id, now.toISOString());
    return result.changes === 1;
  }
}
