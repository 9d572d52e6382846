/**
 * What a sink receives and returns. A notification is what one channel shows people: one finding,
 * a de-duplicated group of findings with a count, or a storm summary — rendered by the sink at
 * send time from the findings in the store, so a retry shows the up-to-date count.
 */
import type { Finding } from '../findings/types.js';
import type { RemediationDecision } from '../remediate/types.js';
import type { NotificationKind, NotificationStats } from '../store/types.js';

export interface Notification {
  /** Outbox row id ("test" for `notify test`). */
  id: string;
  channel: string;
  /** finding: first of its dedupe group; repeat: later occurrences in the window; storm: channel summary; remediation: one remediation decision; test: `notify test`. */
  kind: NotificationKind | 'test';
  /** Same for every attempt of this notification: the webhook id, e-mail Message-ID, SNS FIFO deduplication id. */
  idempotencyKey: string;
  /**
   * One per problem, shared by a finding and its repeats: PagerDuty `dedup_key`, OpsGenie `alias`.
   * A retried or repeated alert lands on the open incident instead of opening a second one. A
   * remediation notice carries the incident key of the finding it acts on, so it is attached to that
   * finding's alert rather than opening another.
   */
  incidentKey: string;
  /** How many findings this notification covers. */
  count: number;
  /** The findings to show: the first (finding), the latest (repeat) or the most severe (storm); at most a sample. */
  findings: Finding[];
  /** Ids of every finding covered (at most 1,000; `count` is the true number). */
  findingIds: string[];
  /** Counts by severity/rule/account (storms and groups of more than one). */
  stats?: NotificationStats;
  windowStart: number;
  windowEnd: number;
  /** 1-based attempt number. */
  attempt: number;
  /** The decision a `remediation` notification reports (its `findings` is empty: the decision carries its finding). */
  remediation?: RemediationDecision;
}

export interface SendContext {
  /** Aborted when the attempt times out or the dispatcher stops hard. */
  signal: AbortSignal;
  timeoutMs: number;
}

export interface SendResult {
  /** HTTP status (or the service's equivalent) of the successful answer. */
  status?: number;
  /** What the service said, e.g. its message id (never secret). */
  detail?: string;
}

/** One configured channel. Sinks build the request from the notification and classify failures. */
export interface Sink {
  readonly name: string;
  readonly type: string;
  /** Resolves on delivery; throws DeliveryError (retryable or not) otherwise. */
  send(notification: Notification, context: SendContext): Promise<SendResult>;
  close?(): Promise<void>;
}

export type LogLevel = 'info' | 'warn' | 'error' | 'debug';
/** Where the notifier reports what it does; every line has already been through the secret redactor. */
export type NotifyLogger = (level: LogLevel, message: string) => void;
