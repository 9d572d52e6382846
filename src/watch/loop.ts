/**
 * The watch loop: every interval, each source reads its next window (checkpoint.ts) concurrently with the others; each
 * event not seen before is handed to `onEvent` once, then recorded as seen; when the whole window was read the
 * checkpoint moves to its end and seen ids that no later window can return are forgotten. A source that fails (access
 * denied, retries used up) keeps its checkpoint and is read again next cycle while the others go on.
 *
 * Stopping: `stop` (the first SIGINT/SIGTERM, or --duration) lets the polls in flight finish and save their
 * checkpoints; `abort` (a second signal) abandons them — what they evaluated is already recorded as seen, so the
 * next run neither misses nor repeats an event.
 */
import type { WatchStateStore } from '../store/types.js';
import { nextWindow } from './checkpoint.js';
import { systemClock, type Clock } from './clock.js';
import { WatchSourceError, WatchStoppedError } from './errors.js';
import type { TimeWindow, WatchEvent, WatchReject, WatchSource } from './source.js';

export interface PollReport {
  source: string;
  label: string;
  window: TimeWindow;
  ok: boolean;
  /** The one-line reason the window could not be read (ok false). */
  error?: string;
  /** Abandoned by `abort`. */
  stopped?: boolean;
  caughtUp: boolean;
  requests: number;
  throttled: number;
  retried: number;
  /** Events and rejects the source returned (overlapping windows return events again). */
  returned: number;
  /** New events handed to onEvent. */
  evaluated: number;
  /** Returned again and skipped (already evaluated). */
  duplicates: number;
  rejected: number;
  pruned: number;
  /** The newest event time evaluated in this poll. */
  newestEventTime?: number;
  startedAt: number;
  finishedAt: number;
}

export interface WatchLoopOptions {
  sources: readonly WatchSource[];
  state: WatchStateStore;
  /** One new event: detect, print, notify, remediate. An error here ends the run (it is not the source's). */
  onEvent(event: WatchEvent, source: WatchSource): Promise<void>;
  /** An item that is no CloudTrail record, reported once. */
  onReject?(reject: WatchReject, source: WatchSource): void;
  onPoll?(report: PollReport): void;
  /** After every cycle (all sources polled): deliver notifications, draw the status line. */
  afterCycle?(reports: readonly PollReport[]): Promise<void>;
  clock?: Clock;
  intervalMs: number;
  lookbackMs: number;
  /** Where a source without a checkpoint starts (default: the run's start less the look-back). */
  since?: number;
  maxSpanMs?: number;
  /** Stop after this long (checked between cycles). */
  durationMs?: number;
  stop?: AbortSignal;
  abort?: AbortSignal;
}

export interface WatchRunSummary {
  cycles: number;
  evaluated: number;
  /** Each source's last poll. */
  last: PollReport[];
  /** Why the loop ended. */
  endedBy: 'duration' | 'stopped' | 'aborted';
}

export async function runWatchLoop(options: WatchLoopOptions): Promise<WatchRunSummary> {
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const deadline = options.durationMs !== undefined ? startedAt + options.durationMs : Infinity;
  // A source without a checkpoint starts where the run started (less the look-back) however long it fails: a region
  // denied for an hour and then allowed reads that hour too.
  const since = options.since ?? startedAt - options.lookbackMs;
  const last = new Map<string, PollReport>();
  let cycles = 0;
  let evaluated = 0;
  for (;;) {
    const cycleStart = clock.now();
    const reports = await Promise.all(options.sources.map((source) => pollSource(source, options, clock, since)));
    cycles++;
    for (const report of reports) {
      last.set(report.source, report);
      evaluated += report.evaluated;
    }
    await options.afterCycle?.(reports);
    if (options.abort?.aborted) return { cycles, evaluated, last: [...last.values()], endedBy: 'aborted' };
    if (options.stop?.aborted) return { cycles, evaluated, last: [...last.values()], endedBy: 'stopped' };
    if (clock.now() >= deadline) break;
    // A source still catching up polls again at once; otherwise the next cycle starts an interval after this one did.
    const behind = reports.some((r) => r.ok && !r.caughtUp);
    const wait = behind ? 0 : Math.max(0, cycleStart + options.intervalMs - clock.now());
    await clock.sleep(Math.min(wait, deadline - clock.now()), options.stop);
    if (options.stop?.aborted) return { cycles, evaluated, last: [...last.values()], endedBy: 'stopped' };
    if (clock.now() >= deadline) break;
  }
  return { cycles, evaluated, last: [...last.values()], endedBy: 'duration' };
}

async function pollSource(source: WatchSource, options: WatchLoopOptions, clock: Clock, since: number): Promise<PollReport> {
  const { state } = options;
  const startedAt = clock.now();
  const checkpoint = await state.checkpoint(source.id);
  const { window, caughtUp } = nextWindow(checkpoint, {
    now: startedAt,
    lookbackMs: options.lookbackMs,
    since,
    ...(options.maxSpanMs !== undefined ? { maxSpanMs: options.maxSpanMs } : {}),
  });
  const report: PollReport = {
    source: source.id,
    label: source.label,
    window,
    ok: false,
    caughtUp,
    requests: 0,
    throttled: 0,
    retried: 0,
    returned: 0,
    evaluated: 0,
    duplicates: 0,
    rejected: 0,
    pruned: 0,
    startedAt,
    finishedAt: startedAt,
  };
  // A page may repeat an id of an earlier page of the same window (results shift while paging): evaluated once.
  const thisPoll = new Set<string>();
  try {
    const stats = await source.read(
      window,
      async (page) => {
        report.returned += page.events.length + page.rejects.length;
        const already = await state.seen(source.id, [...page.events.map((e) => e.id), ...page.rejects.map((r) => r.id)]);
        const fresh: WatchEvent[] = [];
        for (const event of page.events) {
          if (already.has(event.id) || thisPoll.has(event.id)) {
            report.duplicates++;
            continue;
          }
          thisPoll.add(event.id);
          await options.onEvent(event, source);
          fresh.push(event);
          report.evaluated++;
          if (report.newestEventTime === undefined || event.time > report.newestEventTime) report.newestEventTime = event.time;
        }
        const freshRejects = page.rejects.filter((r) => !already.has(r.id) && !thisPoll.has(r.id));
        for (const r of freshRejects) {
          thisPoll.add(r.id);
          report.rejected++;
          options.onReject?.(r, source);
        }
        // Recorded page by page: an interrupted poll has still evaluated these once and for all.
        await state.markSeen(source.id, [...fresh, ...freshRejects].map(({ id, time }) => ({ id, time })), clock.now());
      },
      options.abort,
    );
    Object.assign(report, stats);
    report.pruned = await state.advance(source.id, window.end, window.end - options.lookbackMs, clock.now());
    report.ok = true;
  } catch (error) {
    if (error instanceof WatchStoppedError) report.stopped = true;
    else if (error instanceof WatchSourceError) report.error = error.message;
    else throw error;
  }
  report.finishedAt = clock.now();
  options.onPoll?.(report);
  return report;
}
