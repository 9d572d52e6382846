/**
 * Shared by the SNS and SES sinks: SDK client options (one attempt per delivery — the dispatcher
 * retries — and a request timeout), and how an SDK error becomes a DeliveryError (by the one AWS error
 * classification, src/util/aws-errors.ts).
 */
import { classifyAwsError } from '../../util/aws-errors.js';
import { DeliveryError } from '../errors.js';
import type { AwsClientOptions } from './context.js';

/** Client config for a sink: region/endpoint from the channel, then the notifications.aws defaults. */
export function awsClientConfig(channel: { region?: string; endpoint?: string }, defaults: AwsClientOptions, region?: string): Record<string, unknown> {
  const endpoint = channel.endpoint ?? defaults.endpoint;
  return {
    region: channel.region ?? region ?? defaults.region,
    ...(endpoint ? { endpoint } : {}),
    ...(defaults.credentials ? { credentials: defaults.credentials } : {}),
    // No retries inside the SDK: the dispatcher owns retrying, with backoff across restarts.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
  };
}

export function awsDeliveryError(error: unknown, label: string, timeoutMs: number, aborted: boolean, context: { service?: string; operation?: string } = {}): DeliveryError {
  const name = (error as { name?: string } | undefined)?.name ?? 'Error';
  if (aborted || name === 'AbortError' || name === 'TimeoutError') return new DeliveryError(`${label}: no answer within ${timeoutMs} ms`, { retryable: true });
  const c = classifyAwsError(error, context);
  return new DeliveryError(`${label}: ${c.code}${c.status ? ` (HTTP ${c.status})` : ''}: ${c.message}`.trimEnd(), { retryable: c.retryable, status: c.status, throttled: c.throttled, cause: error });
}
