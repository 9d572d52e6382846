/**
 * Remediation decisions through the notification channels. The runner (src/remediate) asks this source
 * for a decision's notices and commits them with the decision in one store operation
 * (RemediationStore.commit): the log entry, the approval and the notices exist together or not at all.
 * From there a notice is a delivery like any other: retried with backoff, kept as `failed` with its last
 * error when it runs out of attempts, shown by `notify status`, re-driven by `notify retry`.
 *
 *   const notifier = createNotifier({ config: notifications, store });
 *   const notices = createRemediationNotices(notifier);
 *   const runner = createRemediationRunner({ ..., store: store.remediation, notices });
 *   await runner.handleFinding(finding);                    // logged + enqueued, nothing sent yet
 *   await notifier.deliver({ kinds: ['remediation'] });      // sent (the caller owns delivery)
 *
 * Idempotency: the outbox key is per (decision id, channel), so a retried delivery carries the same
 * webhook-id / Message-ID / SNS dedup id and the same decision is never enqueued twice. PagerDuty and
 * OpsGenie notices carry the incident key of the finding (see their sinks), so a notice never opens a
 * second incident for a finding.
 */
import type { RemediationNoticeSource } from '../remediate/runner.js';
import type { RemediationDecision } from '../remediate/types.js';
import type { NewRemediationNotice, OutboxRow } from '../store/types.js';
import type { Notifier, RemediationNotices } from './notifier.js';

/** Where one decision went. */
export interface RemediationNoticeReport {
  channels: string[];
  /** The outbox rows of the decision, one per channel (existing ones when it was committed before). */
  outboxIds: string[];
  /** How many rows were new (0 when the decision was committed before: idempotent). */
  created: number;
  filtered?: RemediationNotices['filtered'];
}

export interface RemediationNotifier extends RemediationNoticeSource {
  /** The outbox rows written for the decisions committed so far (to follow their delivery). */
  readonly outboxIds: string[];
  /** Per decision id, where it went (or why it went nowhere). */
  readonly enqueued: Map<string, RemediationNoticeReport>;
}

export function createRemediationNotices(notifier: Notifier): RemediationNotifier {
  const outboxIds: string[] = [];
  const enqueued = new Map<string, RemediationNoticeReport>();
  return {
    outboxIds,
    enqueued,
    notices(decision: RemediationDecision): readonly NewRemediationNotice[] {
      return notifier.remediationNotices(decision).notices;
    },
    committed(decision: RemediationDecision, rows: ReadonlyArray<{ row: OutboxRow; created: boolean }>): void {
      // Where it went (or why nowhere) is asked again rather than kept from notices(): a commit that fails leaves nothing behind.
      const { channels, filtered } = notifier.remediationChannels(decision);
      const ids = rows.map((r) => r.row.id);
      enqueued.set(decision.id, { channels, outboxIds: ids, created: rows.filter((r) => r.created).length, ...(filtered ? { filtered } : {}) });
      for (const id of ids) if (!outboxIds.includes(id)) outboxIds.push(id);
    },
  };
}
