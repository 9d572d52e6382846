import { TrailguardError } from '../util/errors.js';
import { redact } from './redact.js';

/**
 * A delivery attempt that did not succeed. `retryable` decides between another attempt (with
 * backoff, or after `retryAfterMs` when the service said so) and failing the delivery for good.
 * The message is redacted on construction: whatever a sink puts in it can never leak a secret.
 */
export class DeliveryError extends TrailguardError {
  override readonly name = 'DeliveryError';
  readonly retryable: boolean;
  readonly status?: number;
  /** The service asked us to wait this long (Retry-After, or a rate-limit signal). */
  readonly retryAfterMs?: number;
  /** The service is throttling this channel: pause the whole channel, not just this delivery. */
  readonly throttled: boolean;

  constructor(message: string, options: { retryable: boolean; status?: number; retryAfterMs?: number; throttled?: boolean; cause?: unknown }) {
    super(redact(message), { code: options.retryable ? 'delivery-retryable' : 'delivery-failed', cause: options.cause });
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.throttled = options.throttled ?? false;
  }
}

/** A configuration problem found when a channel is first used (e.g. a secret reference that does not resolve). */
export class NotifyConfigError extends TrailguardError {
  override readonly name: string = 'NotifyConfigError';
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(redact(message), { code: options.code ?? 'invalid-notify-config', cause: options.cause });
  }
}

/**
 * Retry-After (RFC 9110 §10.2.3): either delay-seconds (a non-negative integer) or an HTTP-date.
 * Returns milliseconds from `now`, or undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Retryable HTTP statuses: timeouts, too early, throttling, and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Any thrown value as a DeliveryError; unknown errors are retryable (a bug must not silently drop alerts). */
export function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof NotifyConfigError) return new DeliveryError(error.message, { retryable: false });
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DeliveryError(message, { retryable: true, cause: error });
}
