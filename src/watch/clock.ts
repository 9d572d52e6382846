/**
 * Time as the watch loop sees it: the wall clock in production, a virtual one in tests (test/support/lookup-events-fake.ts
 * shares it with the LookupEvents fake, so that poll cycles, pacing, backoff and late-visible events run in
 * milliseconds and their delays are measured exactly).
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (it never rejects: callers look at the signal). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * Spaces calls on one API quota at least `spacingMs` apart (LookupEvents allows two requests per second per account
 * and region: 550 ms keeps each region at 1.8/s, under the limit even with the first request of a poll).
 */
export function pacer(clock: Clock, spacingMs: number): (signal?: AbortSignal) => Promise<void> {
  let next = -Infinity;
  return async (signal) => {
    const now = clock.now();
    const at = Math.max(now, next);
    next = at + spacingMs;
    if (at > now) await clock.sleep(at - now, signal);
  };
}
