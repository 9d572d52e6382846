/**
 * The detect function: CloudTrail events EventBridge delivered — through the detect queue (an SQS batch of
 * "AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail", "AWS Service Event via CloudTrail"
 * ... events) or invoked directly by a rule — run through the rules; findings saved, notified and handed to
 * remediation; then what the batch enqueued is delivered while the invocation has time.
 *
 * The record is read from the event's `detail` and put back in its envelope by the decoder, so a finding is
 * the same whether the event came live or from the trail's log file (the backfill function): same id, one
 * finding, one notification per channel.
 */
import type { Context, EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { decodeRecords } from '../cloudtrail/decode.js';
import { deliverWithin, evaluateDecoded, lazyRuntime, pipelineOf, prepared, readyInsideLambda, type HandlerOptions } from './handler-kit.js';
import { createObservability, type Observability } from './observability.js';
import { isSqsEvent, processSqsBatch } from './sqs-batch.js';

export type DetectEvent = SQSEvent | EventBridgeEvent<string, unknown>;

export function createDetectHandler(options: HandlerOptions & { observability?: Observability } = {}) {
  const obs = options.observability ?? createObservability('detect');
  const runtime = lazyRuntime(obs, options);
  const handle = async (event: DetectEvent, context?: Context): Promise<SQSBatchResponse | { status: string }> => {
    obs.begin(context);
    try {
      const rt = await runtime();
      const pipeline = pipelineOf(rt);
      if (isSqsEvent(event)) {
        const tally = { enqueued: 0 };
        const response = await processSqsBatch(event, obs, (message) =>
          evaluateDecoded(decodeRecords(message.body, { source: `sqs:${message.messageId}` }), pipeline, obs, { messageId: message.messageId }, tally),
        );
        if (tally.enqueued > 0) await deliverWithin(rt, obs, context, options.deliveryBudgetMs ?? 20_000);
        return response;
      }
      // A rule invoking the function directly: a failure is thrown, so Lambda's retries and on-failure destination keep the event.
      const id = (event as { id?: unknown }).id;
      const tally = { enqueued: 0 };
      const outcome = await evaluateDecoded(decodeRecords(event as object, { source: `eventbridge:${String(id)}` }), pipeline, obs, { eventBridgeId: id }, tally);
      if (outcome.status === 'rejected') throw new Error(`event ${String(id)} rejected: ${outcome.reason}`);
      if (tally.enqueued > 0) await deliverWithin(rt, obs, context, options.deliveryBudgetMs ?? 20_000);
      return { status: outcome.status };
    } finally {
      obs.flush();
    }
  };
  return prepared(handle, async () => pipelineOf(await runtime()));
}

export const handler = createDetectHandler();
await readyInsideLambda(handler);
