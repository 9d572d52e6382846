/**
 * The remediation log: every decision (executed, failed, dry-run, pending approval, skipped with its
 * reason), in the shared store (table `remediation_log`, feature `remediation` of the store's
 * migrations — see schema.ts). Append-only: a decision is never updated; an approval's outcome is a
 * decision of its own.
 */
import type { Database } from 'better-sqlite3';
import { migrateRemediation, type RemediationStore } from './schema.js';
import type { DecisionStatus, RemediationDecision } from './types.js';

export { REMEDIATION_LOG_SCHEMA } from './schema.js';

/** Statuses after which the same event is never acted on again by the same action. */
const ACTED: readonly DecisionStatus[] = ['executed', 'pending-approval'];

export interface LogQuery {
  eventId?: string;
  actionId?: string;
  status?: DecisionStatus;
  /** Newest first; default 100. */
  limit?: number;
}

export class RemediationLog {
  readonly #db: Database;

  /** Applies the remediation migrations to the store if needed. */
  constructor(store: RemediationStore) {
    migrateRemediation(store);
    this.#db = store.db;
  }

  record(decision: RemediationDecision): void {
    this.#db
      .prepare(
        `INSERT INTO remediation_log (id, created_at, status, mode, action_id, rule_id, finding_id, event_id, event_name, event_source, event_time,
           account, region, actor, reason, message, approval_id, error, decision_json)
         VALUES (@id, @createdAt, @status, @mode, @actionId, @ruleId, @findingId, @eventId, @eventName, @eventSource, @eventTime,
           @account, @region, @actor, @reason, @message, @approvalId, @error, @json)`,
      )
      .run({
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
      });
  }

  /** Whether this action already acted on (or holds an approval for) this event. Events without an id are never deduplicated. */
  hasActed(eventId: string, actionId: string): RemediationDecision | undefined {
    if (eventId === '') return undefined;
    const row = this.#db
      .prepare(`SELECT decision_json FROM remediation_log WHERE event_id = ? AND action_id = ? AND status IN (${ACTED.map(() => '?').join(', ')}) ORDER BY created_at DESC LIMIT 1`)
      .get(eventId, actionId, ...ACTED) as { decision_json: string } | undefined;
    return row ? (JSON.parse(row.decision_json) as RemediationDecision) : undefined;
  }

  get(id: string): RemediationDecision | undefined {
    const row = this.#db.prepare('SELECT decision_json FROM remediation_log WHERE id = ?').get(id) as { decision_json: string } | undefined;
    return row ? (JSON.parse(row.decision_json) as RemediationDecision) : undefined;
  }

  list(query: LogQuery = {}): RemediationDecision[] {
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
    const sql = `SELECT decision_json FROM remediation_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...args, query.limit ?? 100) as Array<{ decision_json: string }>;
    return rows.map((r) => JSON.parse(r.decision_json) as RemediationDecision);
  }
}
