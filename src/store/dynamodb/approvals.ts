/**
 * Pending approvals: one item per approval (`A#<id>`), on gsi2 (`APPROVALS#pending`, by creation) while
 * pending. Deciding and expiring are conditional UpdateItems on `status = pending` (and the expiry), so an
 * approval is decided once: of two people deciding at once only one gets true, and an expired one cannot
 * be approved.
 */
import type { RemediationDecision, RemediationPlan } from '../../remediate/types.js';
import type { ApprovalStatus, PendingApproval } from '../types.js';
import { pack, unpack } from './codec.js';
import type { Db, Item } from './db.js';
import { Expr } from './expr.js';
import { gsi2, keys } from './keys.js';

interface ApprovalBody {
  summary: string;
  plan: RemediationPlan;
  decision: RemediationDecision;
}

/** The item of a new (pending) approval. */
export function approvalItem(approval: Omit<PendingApproval, 'status'>): Item {
  const body: ApprovalBody = { summary: approval.summary, plan: approval.plan, decision: approval.decision };
  return {
    ...keys.approval(approval.id),
    type: 'approval',
    id: approval.id,
    decisionId: approval.decisionId,
    createdAt: approval.createdAt,
    expiresAt: approval.expiresAt,
    status: 'pending',
    actionId: approval.actionId,
    eventId: approval.eventId,
    body: pack(body),
    gsi2pk: gsi2.pendingApprovals,
    gsi2sk: gsi2.approvalSort(approval.createdAt, approval.id),
  };
}

export function toApproval(item: Item): PendingApproval {
  const body = unpack<ApprovalBody>(item.body);
  return {
    id: String(item.id),
    decisionId: String(item.decisionId),
    createdAt: String(item.createdAt),
    expiresAt: String(item.expiresAt),
    status: item.status as ApprovalStatus,
    actionId: String(item.actionId),
    eventId: String(item.eventId),
    summary: body.summary,
    plan: body.plan,
    decision: body.decision,
    ...(typeof item.decidedBy === 'string' ? { decidedBy: item.decidedBy } : {}),
    ...(typeof item.decidedAt === 'string' ? { decidedAt: item.decidedAt } : {}),
    ...(typeof item.note === 'string' ? { note: item.note } : {}),
  };
}

export class DynamoApprovals {
  constructor(private readonly db: Db) {}

  async get(id: string): Promise<PendingApproval | undefined> {
    const item = await this.db.get('remediation.getApproval', keys.approval(id));
    return item && toApproval(item);
  }

  async pending(now: Date): Promise<PendingApproval[]> {
    await this.expire(now);
    const iso = now.toISOString();
    // The index may lag a decision by a moment: what it still lists as pending is checked on the copy it holds.
    return (await this.listed('remediation.pendingApprovals')).map(toApproval).filter((a) => a.status === 'pending' && a.expiresAt > iso);
  }

  async expire(now: Date): Promise<PendingApproval[]> {
    const iso = now.toISOString();
    const due = (await this.listed('remediation.expireApprovals')).filter((item) => item.status === 'pending' && String(item.expiresAt) <= iso);
    const expired: PendingApproval[] = [];
    for (const item of due) {
      const e = new Expr();
      const updated = await this.db.update('remediation.expireApprovals', {
        Key: keys.approval(String(item.id)),
        UpdateExpression: e.update({ set: { status: 'expired', decidedAt: iso }, remove: ['gsi2pk', 'gsi2sk'] }),
        ConditionExpression: `${e.name('status')} = ${e.value('pending')} AND ${e.name('expiresAt')} <= ${e.value(iso)}`,
        ...e.attributes(),
      });
      if (updated) expired.push(toApproval(updated));
    }
    return expired;
  }

  async decide(id: string, status: 'approved' | 'rejected', by: string, now: Date, note?: string): Promise<boolean> {
    const iso = now.toISOString();
    const e = new Expr();
    const updated = await this.db.update('remediation.decideApproval', {
      Key: keys.approval(id),
      UpdateExpression: e.update({ set: { status, decidedBy: by, decidedAt: iso, note }, remove: ['gsi2pk', 'gsi2sk'] }),
      ConditionExpression: `${e.name('status')} = ${e.value('pending')} AND ${e.name('expiresAt')} > ${e.value(iso)}`,
      ...e.attributes(),
    });
    return updated !== undefined;
  }

  /** What the pending index lists, oldest first. */
  private listed(operation: string): Promise<Item[]> {
    const e = new Expr();
    return this.db.query(operation, { IndexName: 'gsi2', KeyConditionExpression: `${e.name('gsi2pk')} = ${e.value(gsi2.pendingApprovals)}`, ...e.attributes() });
  }
}
