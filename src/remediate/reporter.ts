/**
 * Reporting decisions to people: the one-line message of a decision, and the RemediationReporter a
 * notification integration implements (Slack, email ... in src/notify). Shipped here: JSON Lines
 * (one decision per line, for machines and log pipelines) and text (the message line).
 */
import type { RemediationDecision } from './types.js';

export interface RemediationReporter {
  /** Called once per decision, after it is logged. A reporter that throws does not change the decision. */
  report(decision: RemediationDecision): void | Promise<void>;
}

/** "AUTO-MITIGATED: ingress tcp/22 from 0.0.0.0/0 removed from sg-… that was added by …" and its siblings. */
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
      return `APPROVAL NEEDED (trailguard remediate approve ${decision.approvalId ?? '?'}): ${plan?.effect.todo ?? decision.actionId}`;
    case 'failed':
      return `REMEDIATION FAILED: ${plan ? plan.effect.todo : decision.actionId} for ${subject}: ${decision.error ?? 'unknown error'}`;
    case 'skipped':
      return `NOT REMEDIATED (${decision.reason ?? 'skipped'}): ${decision.actionId} on ${subject}: ${decision.detail ?? ''}`.trimEnd();
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
