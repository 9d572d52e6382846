/**
 * Optimistic concurrency: read a view, decide, write under conditions that hold only if the view is still
 * true; when another writer got there first (the write's condition failed, or its transaction collided),
 * read again and decide again. Bounded, with jittered backoff so colliding writers spread out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors.js';

/** Attempts of one read-decide-write before giving up with a StoreError. */
export const MAX_ATTEMPTS = 25;

/** Full jitter over an exponential ceiling: 0 to min(250, 4 * 2^attempt) ms; nothing before the first retry. */
export function pause(attempt: number): Promise<void> {
  if (attempt <= 0) return Promise.resolve();
  const ceiling = Math.min(250, 4 * 2 ** attempt);
  return sleep(Math.floor(Math.random() * ceiling));
}

/** What one attempt came to: a result, or a reason to read the view again. */
export type Attempt<T> = { done: T } | { retry: string };

/** Runs `attempt` until it is done, at most MAX_ATTEMPTS times; `what` names the operation in the error. */
export async function optimistic<T>(what: string, attempt: (n: number) => Promise<Attempt<T>>): Promise<T> {
  let last = '';
  for (let n = 0; n < MAX_ATTEMPTS; n++) {
    await pause(n);
    const outcome = await attempt(n);
    if ('done' in outcome) return outcome.done;
    last = outcome.retry;
  }
  throw new StoreError(`${what}: gave up after ${MAX_ATTEMPTS} attempts against concurrent writers (last: ${last})`, { code: 'store-conflict' });
}
