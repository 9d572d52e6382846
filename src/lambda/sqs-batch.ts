/**
 * SQS batches with partial batch responses (`ReportBatchItemFailures`): each message is handled on its own,
 * and only the ones that failed go back to the queue — one bad message never re-drives the batch. A message
 * that keeps failing (a poison message) moves to the queue's dead-letter queue after its maxReceiveCount,
 * where an alarm fires. Every message ends as processed, skipped (by design, with the reason logged and
 * counted) or failed (logged with the reason, counted, retried) — never dropped silently.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { redact } from '../notify/redact.js';
import { METRIC, type Observability } from './observability.js';

export type MessageOutcome =
  | { status: 'processed' }
  /** Nothing to evaluate, by design (a digest file, an S3 test event): acknowledged. */
  | { status: 'skipped'; reason: string }
  /** Cannot be processed as it is (malformed, not what this function reads): failed, so it ends in the DLQ for a person to look at. */
  | { status: 'rejected'; reason: string };

export function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown })?.Records;
  return Array.isArray(records) && records.length > 0 && (records[0] as { eventSource?: unknown })?.eventSource === 'aws:sqs';
}

/** Runs `handle` on every message, one at a time, and reports the failed ones. */
export async function processSqsBatch(event: SQSEvent, obs: Observability, handle: (message: SQSRecord) => Promise<MessageOutcome>): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    const where = { messageId: message.messageId, receiveCount: Number(message.attributes?.ApproximateReceiveCount ?? 1), source: message.eventSourceARN };
    try {
      const outcome = await handle(message);
      if (outcome.status === 'skipped') {
        obs.count(METRIC.inputsSkipped);
        obs.logger.info('message skipped', { ...where, reason: outcome.reason });
      } else if (outcome.status === 'rejected') {
        obs.count(METRIC.inputsRejected);
        obs.logger.error('message rejected: it goes back to the queue and, after its last receive, to the dead-letter queue', { ...where, reason: outcome.reason, body: preview(message.body) });
        failures.push({ itemIdentifier: message.messageId });
      }
    } catch (error) {
      obs.logger.error('message failed: it will be retried', { ...where, error: describe(error) });
      failures.push({ itemIdentifier: message.messageId });
    }
  }
  obs.count(METRIC.batchItemFailures, failures.length);
  return { batchItemFailures: failures };
}

/** The start of a message body, for the log line of a rejected message (the whole body stays in the queue). */
function preview(body: string): string {
  return redact(body.length > 512 ? `${body.slice(0, 512)}… (${body.length} characters)` : body);
}

/** An error as a log field: name, code (trailguard's or the AWS SDK's) and the redacted message. */
export function describe(error: unknown): { name: string; code?: string; message: string } {
  if (!(error instanceof Error)) return { name: 'Error', message: redact(String(error)) };
  const code = (error as unknown as { code?: unknown }).code;
  return { name: error.name, ...(typeof code === 'string' ? { code } : {}), message: redact(error.message) };
}
