/**
 * Remediation decisions through the notification channels: a RemediationReporter (src/remediate)
 * whose durable `record` writes each decision to the outbox — in the same transaction as the
 * remediation log entry when the runner is given `store.transaction` — as one notice per channel its
 * finding's routes (or `notifications.remediation.channels`) name. From there a notice is a delivery
 * like any other: retried with backoff, kept as `failed` with its last error when it runs out of
 * attempts, shown by `notify status`, re-driven by `notify retry`, delivered by `notify run`.
 *
 *   const notifier = createNotifier({ config: notifications, store });
 *   const reporter = createRemediationNotifier(notifier);
 *   const runner = createRemediationRunner({ ..., log, approvals, reporter, transaction: store.transaction });
 *   await runner.handleFinding(finding);                    // logged + enqueued, nothing sent yet
 *   await notifier.deliver({ kinds: ['remediation'] });      // sent (the caller owns delivery)
 *
 * Idempotency: the outbox key is per (decision id, channel), so a retried delivery carries the same
 * webhook-id / Message-ID / SNS dedup id and the same decision is never enqueued twice. PagerDuty and
 * OpsGenie notices carry the incident key of the finding (see their sinks), so a notice never opens a
 * second incident for a finding.
 */
import type { RemediationReporter } from '../remediate/reporter.js';
import type { RemediationDecision } from '../remediate/types.js';
import type { Notifier, RemediationEnqueueReport } from './notifier.js';

export interface RemediationNotifier extends RemediationReporter {
  /** The outbox rows written for the decisions reported so far (to follow their delivery). */
  readonly outboxIds: number[];
  /** Per decision id, where it went (or why it went nowhere). */
  readonly enqueued: Map<string, RemediationEnqueueReport>;
}

export function createRemediationNotifier(notifier: Notifier): RemediationNotifier {
  const outboxIds: number[] = [];
  const enqueued = new Map<string, RemediationEnqueueReport>();
  return {
    outboxIds,
    enqueued,
    record(decision: RemediationDecision) {
      const report = notifier.enqueueRemediation(decision);
      enqueued.set(decision.id, report);
      for (const id of report.outboxIds) if (!outboxIds.includes(id)) outboxIds.push(id);
    },
    report() {
      // Enqueued durably in record(); sending is the notifier owner's (deliver), not each decision's.
    },
  };
}
