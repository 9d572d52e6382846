/**
 * The backfill function: CloudTrail log files arriving in the trail's bucket (S3 event notification → SQS,
 * also when fanned out through SNS), downloaded, decoded and run through the same pipeline as live events.
 * It catches what EventBridge does not deliver — organization trails' data events, events EventBridge
 * dropped — and never duplicates a finding already made live: a finding's id is the same for the same rule
 * and event, whichever path saw it first.
 *
 * Object keys in S3 notifications are URL-encoded (a space as "+"), and are decoded before the GetObject.
 * Digest files (`/CloudTrail-Digest/`) and S3's test event are skipped with the reason logged.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeRecords } from '../cloudtrail/decode.js';
import type { S3ObjectSource } from '../sources/s3-access.js';
import type { EventPipeline } from '../app/events.js';
import { deliverWithin, evaluateDecoded, lazyRuntime, pipelineOf, prepared, readyInsideLambda, type BatchTally, type HandlerOptions } from './handler-kit.js';
import { createObservability, type Observability } from './observability.js';
import { processSqsBatch, type MessageOutcome } from './sqs-batch.js';

export interface S3ObjectRef {
  bucket: string;
  key: string;
  size?: number;
}

/** `+` is a space and %XX an escape in notification keys (application/x-www-form-urlencoded). */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** The objects an S3 event notification (or one wrapped in an SNS notification) names, or why it names none. */
export function objectsOfNotification(body: string): { objects: S3ObjectRef[]; skipped?: string; rejected?: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { objects: [], rejected: `not JSON: ${(error as Error).message}` };
  }
  let message = value as { Type?: unknown; Message?: unknown; Event?: unknown; Records?: unknown };
  if (message?.Type === 'Notification' && typeof message.Message === 'string') {
    try {
      message = JSON.parse(message.Message) as typeof message;
    } catch (error) {
      return { objects: [], rejected: `SNS notification whose Message is not JSON: ${(error as Error).message}` };
    }
  }
  if (message?.Event === 's3:TestEvent') return { objects: [], skipped: 'S3 test event (sent when the notification is configured)' };
  if (!Array.isArray(message?.Records)) return { objects: [], rejected: 'not an S3 event notification (no Records)' };
  const objects: S3ObjectRef[] = [];
  for (const [i, record] of (message.Records as Array<Record<string, unknown>>).entries()) {
    const s3 = record?.s3 as { bucket?: { name?: unknown }; object?: { key?: unknown; size?: unknown } } | undefined;
    if (record?.eventSource !== 'aws:s3' || typeof s3?.bucket?.name !== 'string' || typeof s3.object?.key !== 'string') {
      return { objects: [], rejected: `Records[${i}] is not an S3 event record (eventSource ${String(record?.eventSource)})` };
    }
    if (typeof record.eventName === 'string' && !record.eventName.startsWith('ObjectCreated:')) continue;
    let key: string;
    try {
      key = decodeS3Key(s3.object.key);
    } catch {
      return { objects: [], rejected: `Records[${i}]: object key ${s3.object.key} is not URL-encoded as S3 encodes it` };
    }
    objects.push({ bucket: s3.bucket.name, key, ...(typeof s3.object.size === 'number' ? { size: s3.object.size } : {}) });
  }
  if (objects.length === 0) return { objects, skipped: 'no ObjectCreated record in the notification' };
  return { objects };
}

/** CloudTrail's digest files sit beside the log files; they hold hashes, not events. */
export function isDigestKey(key: string): boolean {
  return /(^|\/)CloudTrail-Digest\//.test(key);
}

export type ObjectReader = (object: S3ObjectRef) => Promise<Uint8Array>;

/** GetObject with the same client configuration and reading as `trailguard scan s3://` (src/sources/s3-client.ts). */
function s3Reader(aws: HandlerOptions['aws']): ObjectReader {
  let objects: S3ObjectSource | undefined;
  return async ({ bucket, key }) => {
    if (objects === undefined) {
      const [sdk, s3] = await Promise.all([import('@aws-sdk/client-s3'), import('../sources/s3-client.js')]);
      objects = s3.s3ObjectSource(new sdk.S3Client(s3.s3ClientConfig({ ...(aws ?? {}) })));
    }
    return objects.bytes(bucket, key);
  };
}

async function handleNotification(message: SQSRecord, pipeline: EventPipeline, read: ObjectReader, obs: Observability, tally: BatchTally): Promise<MessageOutcome> {
  const { objects, skipped, rejected } = objectsOfNotification(message.body);
  if (rejected) return { status: 'rejected', reason: rejected };
  if (skipped) return { status: 'skipped', reason: skipped };
  const outcomes: MessageOutcome[] = [];
  for (const object of objects) {
    const source = `s3://${object.bucket}/${object.key}`;
    if (isDigestKey(object.key)) {
      outcomes.push({ status: 'skipped', reason: `${source} is a CloudTrail digest file` });
      continue;
    }
    // A read that fails (throttled, not yet visible, access denied) throws: the message is retried.
    const bytes = await read(object);
    outcomes.push(await evaluateDecoded(decodeRecords(bytes, { source }), pipeline, obs, { messageId: message.messageId, object: source }, tally));
  }
  const rejectedOnes = outcomes.filter((o): o is Extract<MessageOutcome, { status: 'rejected' }> => o.status === 'rejected');
  if (rejectedOnes.length > 0) return { status: 'rejected', reason: rejectedOnes.map((o) => o.reason).join('; ') };
  if (outcomes.every((o) => o.status === 'skipped')) return { status: 'skipped', reason: outcomes.map((o) => (o.status === 'skipped' ? o.reason : '')).join('; ') };
  return { status: 'processed' };
}

export function createBackfillHandler(options: HandlerOptions & { observability?: Observability; readObject?: ObjectReader } = {}) {
  const obs = options.observability ?? createObservability('backfill');
  // A log file replays minutes of events at once: storms are measured on the events' times (the detect function's, live, on arrival).
  const runtime = lazyRuntime(obs, { ...options, notifier: { stormClock: 'event', ...options.notifier } });
  const read = options.readObject ?? s3Reader(options.aws);
  const handle = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    obs.begin(context);
    try {
      const rt = await runtime();
      const pipeline = pipelineOf(rt);
      const tally = { enqueued: 0 };
      const response = await processSqsBatch(event, obs, (message) => handleNotification(message, pipeline, read, obs, tally));
      if (tally.enqueued > 0) await deliverWithin(rt, obs, context, options.deliveryBudgetMs ?? 20_000);
      return response;
    } finally {
      obs.flush();
    }
  };
  return prepared(handle, async () => pipelineOf(await runtime()));
}

export const handler = createBackfillHandler();
await readyInsideLambda(handler);
