/**
 * `watch`'s session over the findings of live events: each is handed to the notifier (saved to the store with its
 * notifications, as `scan --notify` does) and, when its rule has a remediation action configured, to the remediation
 * runner in the mode the config's policy gives (dry-run unless it says more). Unlike a scan, events arrive live: the
 * notifier measures storms on arrival, and what is due is delivered after every poll cycle rather than at the end.
 */
import type { Finding } from '../findings/types.js';
import type { RunReport } from '../notify/dispatcher.js';
import type { Notifier } from '../notify/notifier.js';
import type { RemediationConfig } from '../remediate/config.js';
import type { RemediationRunner } from '../remediate/runner.js';
import { actionEntriesFor } from '../remediate/settings.js';
import type { RemediationDecision } from '../remediate/types.js';

export interface WatchSessionOptions {
  notifier?: Notifier;
  remediation?: { config: RemediationConfig; runner: RemediationRunner; onDecision?(decision: RemediationDecision): void };
}

export interface WatchSession {
  /** Saves and routes the findings of one event, and runs remediation on those whose rule has an action. */
  handle(findings: readonly Finding[]): Promise<void>;
  /** Sends what is due now (a channel in backoff or over its rate limit waits for a later cycle). */
  deliverDue(deadline: number): Promise<RunReport | undefined>;
  /** At exit: repeat and storm summaries go out now, and delivery goes on until done or the deadline. */
  finish(deadline: number): Promise<RunReport | undefined>;
  readonly counts: { notified: number; remediated: number };
}

export function watchSession(options: WatchSessionOptions): WatchSession {
  const counts = { notified: 0, remediated: 0 };
  return {
    counts,
    async handle(findings) {
      if (findings.length === 0) return;
      if (options.notifier) {
        await options.notifier.enqueue(findings);
        counts.notified += findings.length;
      }
      const remediation = options.remediation;
      if (remediation) {
        for (const finding of findings) {
          if (actionEntriesFor(remediation.config, finding.ruleId).length === 0) continue;
          for (const decision of await remediation.runner.handleFinding(finding)) {
            counts.remediated++;
            remediation.onDecision?.(decision);
          }
        }
      }
    },
    async deliverDue(deadline) {
      return options.notifier?.deliver({ deadline, dueNowOnly: true });
    },
    async finish(deadline) {
      return options.notifier?.deliver({ deadline, flushWindows: true });
    },
  };
}
