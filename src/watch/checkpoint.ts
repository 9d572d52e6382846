/**
 * Which window a source reads next. The checkpoint is the end of the last window read completely; since CloudTrail
 * makes events visible only minutes after they happened, the next window starts a look-back before it:
 *
 *   [checkpoint - lookback, now]        every poll once caught up (overlaps are de-duplicated by eventID)
 *   [since, ...] / [now - lookback, ...] a source's first poll (no checkpoint yet)
 *
 * A window ends at most `maxSpanMs` past where it must make progress from, so that a start far in the past (--since
 * 7d, a laptop that slept for a day) is read in slices whose checkpoints are saved one by one: an interrupted catch-up
 * resumes where it stopped instead of from the beginning. An event that becomes visible more than the look-back after
 * it happened falls before every later window: the look-back must exceed CloudTrail's delivery delay.
 */
import type { TimeWindow } from './source.js';

/** LookupEvents keeps 90 days of management events. */
export const LOOKUP_HISTORY_MS = 90 * 86_400_000;
/** The slice a catch-up reads per poll. */
export const DEFAULT_MAX_SPAN_MS = 3_600_000;

export interface WindowOptions {
  now: number;
  lookbackMs: number;
  /** Where a source without a checkpoint starts (default now - lookback). */
  since?: number;
  maxSpanMs?: number;
  /** The oldest time the source still has (default 90 days ago). */
  historyMs?: number;
}

export interface WindowPlan {
  window: TimeWindow;
  /** The window reaches now: the source is caught up and the loop may wait for the next interval. */
  caughtUp: boolean;
}

export function nextWindow(checkpoint: number | undefined, options: WindowOptions): WindowPlan {
  const { now, lookbackMs } = options;
  const oldest = now - (options.historyMs ?? LOOKUP_HISTORY_MS);
  const progressFrom = checkpoint ?? options.since ?? now - lookbackMs;
  const start = Math.max(oldest, checkpoint !== undefined ? checkpoint - lookbackMs : progressFrom);
  const end = Math.max(start, Math.min(now, Math.max(progressFrom, start) + (options.maxSpanMs ?? DEFAULT_MAX_SPAN_MS)));
  return { window: { start, end }, caughtUp: end >= now };
}
