/**
 * Reporting decisions to people: the one-line message of a decision, and reporters that show decisions
 * as they are made: JSON Lines (one decision per line, for machines and log pipelines) and text (the
 * message line). Notifications are not reporters: their notices are committed with the decision
 * (src/notify/remediation.ts).
 */
import type { RemediationDecision } from './types.js';

export interface RemediationReporter {
  /** Called once per decision, after it is committed to the store. A reporter that throws does not change the decision. */
  report(decision: RemediationDecision): void | Promise<void>;
}

/**
 * The headline of a decision, the same in the log, on the terminal and in every notification channel:
 *   AUTO-MITIGATED: ingress tcp/22 from 0.0.0.0/0 removed from sg-… that was added by …
 *   DRY-RUN: would remove ingress tcp/22 from 0.0.0.0/0 from sg-… (added by …)
 *   APPROVAL NEEDED: remove … (approve with `trailguard remediate approve ID`, expires …)
 *   REMEDIATION FAILED: remove … for AuthorizeSecurityGroupIngress by … (…): <error>
 *   SKIPPED: revoke-security-group-ingress on AuthorizeSecurityGroupIngress by … (…): <detail> (<reason>)
 */
export function decisionMessage(decision: Omit<RemediationDecision, 'message'>): string {
  const { plan } = decision;
  const subject = `${decision.eventName} by ${decision.actor} (${decision.account}/${decision.region}, event ${decision.eventId || 'without id'})`;
  switch (decision.status) {
    case 'executed': {
      const allAlready = (decision.outcomes ?? []).length > 0 && (decision.outcomes ?? []).every((o) => o.status === 'already-done');
      return allAlready ? `ALREADY REMEDIATED: nothing left to undo for ${subject}: ${plan?.effect.todo ?? decision.actionId}` : `AUTO-MITIGATED: ${plan?.effect.done ?? decision.actionId}`;
    }
    case 'dry-run':
      return `DRY-RUN: would ${plan?.effect.todo ?? decision.actionId}`;
    case 'pending-approval':
      return `APPROVAL NEEDED: ${plan?.effect.todo ?? decision.actionId} (approve with \`trailguard remediate approve ${decision.approvalId ?? '?'}\`${decision.expiresAt ? `, expires ${decision.expiresAt}` : ''})`;
    case 'failed':
      return `REMEDIATION FAILED: ${plan ? plan.effect.todo : decision.actionId} for ${subject}: ${decision.error ?? 'unknown error'}`;
    case 'skipped':
      return `SKIPPED: ${decision.actionId} on ${subject}${decision.detail ? `: ${decision.detail}` : ''} (${decision.reason ?? 'skipped'})`;
  }
}

type Writable = { write(chunk: string): unknown };

export function jsonLinesReporter(stream: Writable = process.stdout): RemediationReporter {
  return { report: (decision) => void stream.write(`${JSON.stringify({ type: 'remediation-decision', ...decision })}\n`) };
}

export function textReporter(stream: Writable = process.stdout): RemediationReporter {
  return { report: (decision) => void stream.write(`${decision.message}\n`) };
}

/** Every reporter in turn; one failing does not stop the others. */
export function combineReporters(...reporters: RemediationReporter[]): RemediationReporter {
  return {
    async report(decision) {
      for (const r of reporters) {
        try {
          await r.report(decision);
        } catch {
          // a broken channel must not lose the decision for the others
        }
      }
    },
  };
}
