/**
 * A remediation file as the first release left it: its two tables, created on their own with `CREATE TABLE
 * IF NOT EXISTS` (no schema_migrations at all), and rows written by its SQL — what the store adopts when the
 * file is named as store.path.
 */
import Database from 'better-sqlite3';
import type { PendingApproval } from '../../../src/store/types.js';
import { REMEDIATION_APPROVALS_SCHEMA, REMEDIATION_LOG_SCHEMA } from '../../../src/store/sqlite/remediation.js';
import type { RemediationDecision } from '../../../src/remediate/types.js';

export function writeLegacyRemediationFile(file: string, contents: { decisions?: readonly RemediationDecision[]; approvals?: ReadonlyArray<Omit<PendingApproval, 'status'>> }): string {
  const db = new Database(file);
  try {
    db.exec(REMEDIATION_LOG_SCHEMA);
    db.exec(REMEDIATION_APPROVALS_SCHEMA);
    const decision = db.prepare(`INSERT INTO remediation_log (id, created_at, status, mode, action_id, rule_id, finding_id, event_id, event_name, event_source, event_time,
         account, region, actor, reason, message, approval_id, error, decision_json)
       VALUES (@id, @createdAt, @status, @mode, @actionId, @ruleId, @findingId, @eventId, @eventName, @eventSource, @eventTime,
         @account, @region, @actor, @reason, @message, @approvalId, @error, @json)`);
    for (const d of contents.decisions ?? []) {
      decision.run({
        id: d.id,
        createdAt: d.createdAt,
        status: d.status,
        mode: d.mode,
        actionId: d.actionId,
        ruleId: d.ruleId ?? null,
        findingId: d.findingId ?? null,
        eventId: d.eventId,
        eventName: d.eventName,
        eventSource: d.eventSource,
        eventTime: d.eventTime,
        account: d.account,
        region: d.region,
        actor: d.actor,
        reason: d.reason ?? null,
        message: d.message,
        approvalId: d.approvalId ?? null,
        error: d.error ?? null,
        json: JSON.stringify(d),
      });
    }
    const approval = db.prepare(`INSERT INTO remediation_approvals (id, decision_id, created_at, expires_at, status, action_id, event_id, summary, plan_json, decision_json)
       VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`);
    for (const a of contents.approvals ?? []) {
      approval.run(a.id, a.decisionId, a.createdAt, a.expiresAt, a.actionId, a.eventId, a.summary, JSON.stringify(a.plan), JSON.stringify(a.decision));
    }
  } finally {
    db.close();
  }
  return file;
}
