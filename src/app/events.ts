/**
 * The live event pipeline: CloudTrail records → the rules → findings saved to the store with their
 * notifications → remediation handed on. The deployed detect and backfill functions run it on every batch;
 * it knows nothing about where the records came from (an SQS message, an S3 log file, an HTTP request).
 *
 * Idempotent per CloudTrail event: findings have stable ids (same rule + same event → same id), the store
 * attaches a finding to at most one notification per channel, and remediation claims its (event, action)
 * pair before acting — so an event delivered twice (EventBridge and SQS both deliver at least once), or
 * seen live and again in its S3 log file, gives one finding, one notification per channel, one remediation.
 */
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import { createDetector } from '../detect/detector.js';
import type { Finding } from '../findings/types.js';
import type { EnqueueReport, Notifier } from '../notify/notifier.js';
import type { RemediationConfig } from '../remediate/config.js';
import { actionEntriesFor } from '../remediate/settings.js';
import type { Rule, Severity } from '../rules/types.js';
import { severityRank } from '../rules/types.js';
import type { Store } from '../store/types.js';

export interface RuleFailure {
  ruleId: string;
  eventId: string;
  message: string;
}

export interface EventPipelineOptions {
  rules: readonly Rule[];
  /** Findings are saved here (with their notifications when a notifier is given). */
  store: Store;
  notifier?: Notifier;
  /** Findings whose rule has a remediation action configured are handed to `submit` (e.g. the remediate function's queue). */
  remediation?: { config: RemediationConfig; submit(findings: readonly Finding[]): Promise<void> };
  /** Findings below this severity are neither saved nor notified. */
  minSeverity?: Severity;
}

export interface ProcessReport {
  evaluated: number;
  findings: Finding[];
  /** Findings the store did not have yet. */
  newFindings: number;
  /** What enqueueing on the channels did (absent without a notifier). */
  notifications?: EnqueueReport;
  /** Findings handed to remediation. */
  remediation: number;
  /** Rules that threw on a record: the record was still evaluated by every other rule. */
  ruleFailures: RuleFailure[];
}

export interface EventPipeline {
  /** Evaluates the records and saves, notifies and hands on what they raise. Throws only when the store or the hand-off fails. */
  process(records: readonly CloudTrailRecord[]): Promise<ProcessReport>;
}

export function createEventPipeline(options: EventPipelineOptions): EventPipeline {
  let failures: RuleFailure[] = [];
  const detector = createDetector(options.rules, {
    onRuleError: (rule, event, error) => failures.push({ ruleId: rule.id, eventId: String(event.detail.eventID ?? ''), message: error instanceof Error ? error.message : String(error) }),
  });
  const minRank = options.minSeverity ? severityRank(options.minSeverity) : 0;
  return {
    async process(records) {
      failures = [];
      const findings: Finding[] = [];
      for (const record of records) {
        for (const finding of detector.evaluate(record)) if (severityRank(finding.severity) >= minRank) findings.push(finding);
      }
      const report: ProcessReport = { evaluated: records.length, findings, newFindings: 0, remediation: 0, ruleFailures: failures };
      if (options.notifier) {
        report.notifications = await options.notifier.enqueue(findings);
        report.newFindings = report.notifications.newFindings;
      } else {
        for (const finding of findings) if (await options.store.findings.save(finding, Date.now())) report.newFindings++;
      }
      if (options.remediation) {
        const config = options.remediation.config;
        const remediable = findings.filter((f) => actionEntriesFor(config, f.ruleId).length > 0);
        if (remediable.length > 0) await options.remediation.submit(remediable);
        report.remediation = remediable.length;
      }
      return report;
    },
  };
}
