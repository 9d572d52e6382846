/** Remediation decisions, approvals and notices for the store tests (findings come from test/notify/support/findings.ts). */
import type { NewRemediationNotice, PendingApproval } from '../../src/store/types.js';
import { idempotencyKey } from '../../src/notify/dedupe.js';
import type { RemediationDecision, RemediationPlan } from '../../src/remediate/types.js';

/** 2026-11-20T10:00:00Z, the time the shared finding builder's events start at. */
export const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

export const iso = (ms: number): string => new Date(ms).toISOString();

export function makePlan(actionId = 'start-cloudtrail-logging'): RemediationPlan {
  return {
    actionId,
    calls: [
      {
        service: 'cloudtrail',
        operation: 'StartLogging',
        input: { Name: 'management-events' },
        region: 'us-east-1',
        account: '123456789012',
        description: 'start logging on trail management-events',
      },
    ],
    effect: { done: 'logging restarted on trail management-events', todo: 'start logging on trail management-events' },
    kept: [],
    notes: [],
    resources: [{ type: 'trail', id: 'management-events', region: 'us-east-1', account: '123456789012' }],
  };
}

/** Decision number i (created i seconds after T0) about event `event-<i>` unless overridden. */
export function makeDecision(i: number, overrides: Partial<RemediationDecision> = {}): RemediationDecision {
  const status = overrides.status ?? 'executed';
  const mode = overrides.mode ?? (status === 'dry-run' ? 'dry-run' : status === 'pending-approval' ? 'approve' : 'enforce');
  return {
    id: `decision-${i}`,
    createdAt: iso(T0 + i * 1000),
    status,
    mode,
    actionId: 'start-cloudtrail-logging',
    ruleId: 'cloudtrail-disabled',
    findingId: `f${String(i).padStart(31, '0')}`,
    eventId: `event-${i}`,
    eventName: 'StopLogging',
    eventSource: 'cloudtrail.amazonaws.com',
    eventTime: iso(T0 + i * 1000 - 60_000),
    account: '123456789012',
    region: 'us-east-1',
    actor: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
    message: `decision ${i}: ${status}`,
    plan: makePlan(),
    ...overrides,
  };
}

/** The approval a pending-approval decision asks for, expiring `ttlMs` after it was created. */
export function makeApproval(decision: RemediationDecision, id: string, ttlMs = 3_600_000): Omit<PendingApproval, 'status'> {
  const created = Date.parse(decision.createdAt);
  return {
    id,
    decisionId: decision.id,
    createdAt: decision.createdAt,
    expiresAt: iso(created + ttlMs),
    actionId: decision.actionId,
    eventId: decision.eventId,
    summary: decision.plan?.effect.todo ?? 'nothing',
    plan: decision.plan ?? makePlan(decision.actionId),
    decision,
  };
}

/** The notice of a decision on one channel, due at `nextAttemptAt`. */
export function makeNotice(decision: RemediationDecision, channel: string, nextAttemptAt: number, overrides: Partial<NewRemediationNotice> = {}): NewRemediationNotice {
  return {
    channel,
    groupKey: `incident:${decision.findingId ?? decision.eventId}`,
    idempotencyKey: idempotencyKey('remediation', channel, decision.id),
    maxAttempts: 3,
    nextAttemptAt,
    decisionId: decision.id,
    status: decision.status,
    actionId: decision.actionId,
    ...(decision.ruleId !== undefined ? { ruleId: decision.ruleId } : {}),
    ...(decision.findingId !== undefined ? { findingId: decision.findingId } : {}),
    decisionJson: JSON.stringify(decision),
    ...overrides,
  };
}
