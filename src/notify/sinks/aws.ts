/**
 * Shared by the SNS and SES sinks: SDK client options (one attempt per delivery — the dispatcher
 * retries — and a request timeout), and how an SDK error becomes a DeliveryError.
 */
import { DeliveryError } from '../errors.js';
import type { AwsClientOptions } from './context.js';

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'KMSThrottlingException',
  'SlowDown',
]);

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

export function awsDeliveryError(error: unknown, label: string, timeoutMs: number, aborted: boolean): DeliveryError {
  const err = error as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean }; code?: string };
  const name = err.name ?? 'Error';
  if (aborted || name === 'AbortError' || name === 'TimeoutError') return new DeliveryError(`${label}: no answer within ${timeoutMs} ms`, { retryable: true });
  const status = err.$metadata?.httpStatusCode;
  const throttled = THROTTLING.has(name) || err.$retryable?.throttling === true || status === 429;
  // No HTTP status at all: the request never got an answer (refused, reset, DNS) — worth retrying.
  const retryable = throttled || err.$fault === 'server' || (status !== undefined && status >= 500) || status === undefined || err.$retryable !== undefined;
  return new DeliveryError(`${label}: ${name}${status ? ` (HTTP ${status})` : ''}: ${err.message ?? ''}`.trimEnd(), { retryable, status, throttled });
}
