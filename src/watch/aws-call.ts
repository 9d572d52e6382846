/**
 * One AWS read of a watch source with the retry policy watch needs: throttling (by the SDK's own classification,
 * src/util/aws-errors.ts) is waited out with exponential backoff and jitter however long it lasts — a throttled page
 * is never skipped; transient failures (timeouts, 5xx, no answer) are retried a few times; anything else fails the
 * poll of that source (its checkpoint stays, so the window is read again next cycle).
 *
 * The SDK client is made with maxAttempts 1 so that this is the only retry loop: its sleeps run on the watch clock
 * and every attempt goes through the source's pacer, which the SDK's own retries would bypass.
 */
import { classifyAwsError } from '../util/aws-errors.js';
import type { Clock } from './clock.js';
import type { ReadStats } from './source.js';
import { WatchSourceError, WatchStoppedError } from './errors.js';

export interface RetryPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Retries of a transient (non-throttling) failure before the poll fails. */
  maxTransientRetries: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialBackoffMs: 1_000, maxBackoffMs: 30_000, maxTransientRetries: 4 };

export interface CallContext {
  clock: Clock;
  /** Waits for the quota's turn (see pacer). */
  pace: (signal?: AbortSignal) => Promise<void>;
  /** Aborts the call at once (second signal): backoff sleeps end and the poll is abandoned. */
  abort?: AbortSignal;
  retry?: RetryPolicy;
  random?: () => number;
  /** Told of every retry (counted in the poll's report). */
  onRetry?: (kind: 'throttled' | 'transient', code: string, delayMs: number) => void;
}

export async function callWithBackoff<T>(what: string, call: () => Promise<T>, context: CallContext): Promise<T> {
  const policy = context.retry ?? DEFAULT_RETRY;
  const random = context.random ?? Math.random;
  let throttles = 0;
  let transients = 0;
  for (;;) {
    if (context.abort?.aborted) throw new WatchStoppedError();
    await context.pace(context.abort);
    if (context.abort?.aborted) throw new WatchStoppedError();
    try {
      return await call();
    } catch (error) {
      if (context.abort?.aborted) throw new WatchStoppedError();
      const c = classifyAwsError(error);
      const kind = c.throttled ? 'throttled' : c.retryable && transients < policy.maxTransientRetries ? 'transient' : undefined;
      if (kind === undefined) throw new WatchSourceError(`${what}: ${c.code}: ${c.message}`, c.code, { cause: error });
      const attempt = kind === 'throttled' ? throttles++ : transients++;
      // Full jitter over an exponential ceiling, at least half of it: the same spread the SDK's own strategy uses,
      // never zero (an immediate retry into a throttle only extends it).
      const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(attempt, 16));
      const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
      context.onRetry?.(kind, c.code, delay);
      await context.clock.sleep(delay, context.abort);
    }
  }
}

/**
 * Every page of one window: `request(token)` asks for a page with the window's fixed parameters (a token is only valid
 * with the parameters that produced it), each through callWithBackoff, and `onPage` takes it before the next is asked
 * for. Returns the requests and retries it took.
 */
export async function readAllPages<Page>(
  what: string,
  request: (token: string | undefined) => Promise<Page>,
  nextToken: (page: Page) => string | undefined,
  onPage: (page: Page) => Promise<void>,
  context: Omit<CallContext, 'onRetry'>,
): Promise<ReadStats> {
  const stats: ReadStats = { requests: 0, throttled: 0, retried: 0 };
  const withCounts: CallContext = { ...context, onRetry: (kind) => (kind === 'throttled' ? stats.throttled++ : stats.retried++) };
  let token: string | undefined;
  do {
    const page = await callWithBackoff(
      what,
      () => {
        stats.requests++;
        return request(token);
      },
      withCounts,
    );
    token = nextToken(page) || undefined;
    await onPage(page);
  } while (token !== undefined);
  return stats;
}
