/** `trailguard watch`'s engine: sources (LookupEvents per region, a CloudWatch Logs group), windows and checkpoints, the loop. */
export { callWithBackoff, DEFAULT_RETRY, type CallContext, type RetryPolicy } from './aws-call.js';
export { DEFAULT_MAX_SPAN_MS, LOOKUP_HISTORY_MS, nextWindow, type WindowOptions, type WindowPlan } from './checkpoint.js';
export { pacer, systemClock, type Clock } from './clock.js';
export { WatchSourceError, WatchStoppedError } from './errors.js';
export { logGroupSource, type LogGroupSourceOptions } from './log-group.js';
export { LOOKUP_EVENTS_MAX_RESULTS, lookupEventsSource, type LookupEventsSourceOptions } from './lookup-events.js';
export { runWatchLoop, type PollReport, type WatchLoopOptions, type WatchRunSummary } from './loop.js';
export { enabledRegions } from './regions.js';
export type { ReadStats, TimeWindow, WatchEvent, WatchPage, WatchReject, WatchSource } from './source.js';
