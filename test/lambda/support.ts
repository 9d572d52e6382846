/**
 * The deployed functions, called in-process as Lambda calls them: a deployment document in the environment,
 * real SQS events, a Lambda-like context.
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import type { TrailguardConfig } from '../../src/config/schema.js';
import { buildDeploymentDocument } from '../../src/lambda/deployment.js';
import { LAMBDA_ENV } from '../../src/lambda/environment.js';
import { createObservability, type Observability, type StructuredLogger } from '../../src/lambda/observability.js';
import { loadRules } from '../../src/rules/load.js';
import { sqsLambdaEvent } from '../cloudtrail/fixtures.js';

const builtin = loadRules().rules;

/** The environment a deployed function gets for this config (the built-in rules, selected as trailguard synth selects them). */
export function deploymentEnv(config: TrailguardConfig, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const document = buildDeploymentDocument({ name: 'trailguard-test', rules: builtin, config });
  return { [LAMBDA_ENV.deployment]: JSON.stringify(document), [LAMBDA_ENV.deploymentName]: 'trailguard-test', ...extra };
}

export function sqsEvent(bodies: string[]): SQSEvent {
  return sqsLambdaEvent(bodies) as unknown as SQSEvent;
}

/** What Lambda hands a handler, with the time left counting down from `timeoutMs`. */
export function lambdaContext(name = 'trailguard-detect', timeoutMs = 60_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2026/12/07/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** Observability whose log lines and metrics the test reads instead of stdout. */
export function capturingObservability(service: string): { obs: Observability; lines: LogLine[]; metrics: Map<string, number> } {
  const lines: LogLine[] = [];
  const metrics = new Map<string, number>();
  const at =
    (level: LogLine['level']) =>
    (message: unknown, ...extra: unknown[]) => {
      lines.push({ level, message: String(message), fields: Object.assign({}, ...extra.filter((e) => typeof e === 'object')) as Record<string, unknown> });
    };
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), addContext: () => {} } as unknown as StructuredLogger;
  const sink = {
    addMetric: (name: string, _unit: unknown, value: number) => {
      metrics.set(name, (metrics.get(name) ?? 0) + value);
      return sink;
    },
    publishStoredMetrics: () => {},
  } as unknown as Observability['metrics'];
  return { obs: createObservability(service, { logger, metrics: sink }), lines, metrics };
}

/** What a Lambda SQS handler answers (the part the poller reads). */
type SqsHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

export interface PollResult {
  received: number;
  failed: number;
}

/**
 * Lambda's SQS event source mapping, in-process: receives up to 10 messages (with their system attributes),
 * hands them to the handler as a real SQSEvent, deletes the ones that succeeded and makes the failed ones
 * visible again at once (Lambda waits for their visibility timeout; the test does not). Repeats until the
 * queue gives nothing for one receive, or `maxRounds`.
 */
export async function pollQueue(sqs: SQSClient, queueUrl: string, handler: SqsHandler, options: { maxRounds?: number; name?: string } = {}): Promise<PollResult> {
  const { QueueArn } = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes ?? {};
  const result: PollResult = { received: 0, failed: 0 };
  for (let round = 0; round < (options.maxRounds ?? 20); round++) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 0 }));
    if (Messages.length === 0) break;
    result.received += Messages.length;
    const event: SQSEvent = {
      Records: Messages.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: m.Attributes as never,
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: QueueArn ?? '',
        awsRegion: 'us-east-1',
      })),
    };
    const answer = (await handler(event, lambdaContext(options.name))) as { batchItemFailures?: Array<{ itemIdentifier: string }> };
    if (!Array.isArray(answer?.batchItemFailures)) throw new Error(`the handler answered an SQS batch without batchItemFailures: ${JSON.stringify(answer)}`);
    const { batchItemFailures } = answer;
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    result.failed += failed.size;
    for (const m of Messages) {
      if (failed.has(m.MessageId!)) await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
      else await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
  return result;
}
