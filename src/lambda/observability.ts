/**
 * What a deployed function tells its operators: structured JSON log lines (Powertools Logger) and CloudWatch
 * metrics in the Embedded Metric Format (Powertools Metrics: written to the log, no API call, no extra
 * permission). Every message passes through the secret redactor before it is written. Every input that is
 * not processed is one log line naming it and one count in a metric — nothing is dropped silently.
 */
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { redact } from '../notify/redact.js';
import type { LogLevel, NotifyLogger } from '../notify/types.js';

export const METRICS_NAMESPACE = 'trailguard';

/** The metrics the functions publish (namespace `trailguard`, dimension `service` = the function). */
export const METRIC = {
  /** CloudTrail records run through the rules. */
  recordsEvaluated: 'RecordsEvaluated',
  /** Inputs that carried no record to evaluate, by design (digest files, S3 test events): counted, acknowledged. */
  inputsSkipped: 'InputsSkipped',
  /** Inputs that could not be read (malformed body, not a CloudTrail event, unreadable log file): failed, to the DLQ. */
  inputsRejected: 'InputsRejected',
  findings: 'Findings',
  newFindings: 'NewFindings',
  ruleErrors: 'RuleErrors',
  /** Messages reported back to SQS as failed (retried, then dead-lettered). */
  batchItemFailures: 'BatchItemFailures',
  remediationRequested: 'RemediationRequested',
  remediationDecisions: 'RemediationDecisions',
  remediationFailed: 'RemediationFailed',
  notificationsDelivered: 'NotificationsDelivered',
  notificationsFailed: 'NotificationsFailed',
  notificationsPending: 'NotificationsPending',
} as const;

/** The part of Powertools' Logger the functions use (tests capture it). */
export type StructuredLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'addContext'>;

export interface Observability {
  readonly logger: StructuredLogger;
  readonly metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
  /** Attaches the invocation's request id and function to every following line. */
  begin(context: Context | undefined): void;
  count(metric: (typeof METRIC)[keyof typeof METRIC], value?: number): void;
  /** Writes the invocation's metrics (call once at its end). */
  flush(): void;
  /** The notifier's and the store's log lines into the structured log. */
  notifyLog: NotifyLogger;
}

export function createObservability(
  service: string,
  options: { logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'; logger?: StructuredLogger; metrics?: Observability['metrics'] } = {},
): Observability {
  const logger = options.logger ?? new Logger({ serviceName: `trailguard-${service}`, logLevel: options.logLevel ?? (process.env.POWERTOOLS_LOG_LEVEL as never) ?? 'INFO' });
  const metrics = options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
  const levels: Record<LogLevel, (message: string) => void> = {
    debug: (m) => logger.debug(m),
    info: (m) => logger.info(m),
    warn: (m) => logger.warn(m),
    error: (m) => logger.error(m),
  };
  return {
    logger,
    metrics,
    begin(context) {
      if (context) logger.addContext(context);
    },
    count(metric, value = 1) {
      if (value > 0) metrics.addMetric(metric, MetricUnit.Count, value);
    },
    flush() {
      metrics.publishStoredMetrics();
    },
    notifyLog: (level, message) => levels[level](redact(message)),
  };
}
