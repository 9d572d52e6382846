/**
 * The watch engine wired to the LookupEvents fake for in-process tests: the real CloudTrail SDK client per region
 * (pointed at the fake, fake credentials, one attempt: watch retries itself), the virtual clock shared with the fake,
 * an SQLite store, and the built-in rules. Records come from the shared kit (test/cli/helpers.ts).
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { createDetector } from '../../src/detect/detector.js';
import type { Finding } from '../../src/findings/types.js';
import { loadRules } from '../../src/rules/load.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import { pacer, type Clock } from '../../src/watch/clock.js';
import { lookupEventsSource } from '../../src/watch/lookup-events.js';
import { runWatchLoop, type PollReport, type WatchLoopOptions, type WatchRunSummary } from '../../src/watch/loop.js';
import type { WatchSource } from '../../src/watch/source.js';
import type { LookupEventsFake } from '../support/lookup-events-fake.js';

export const MINUTE = 60_000;
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const detector = createDetector(loadRules().rules, { onRuleError: () => undefined });

export interface Evaluated {
  id: string;
  region: string;
  /** On the clock, when the loop handed it over. */
  at: number;
  findings: Finding[];
}

export function sources(fake: LookupEventsFake, regions: readonly string[], clock: Clock): WatchSource[] {
  return regions.map((region) => lookupEventsSource({ client: new CloudTrailClient(fake.clientConfig(region)), region, clock, pace: pacer(clock, 550), random: () => 0.5 }));
}

/** Runs the loop over the fake's regions; every evaluated event and poll is recorded. */
export async function watch(
  fake: LookupEventsFake,
  store: SqliteStore,
  regions: readonly string[],
  options: Partial<WatchLoopOptions> & { onCycle?: (reports: readonly PollReport[]) => void } = {},
): Promise<{ summary: WatchRunSummary; evaluated: Evaluated[]; polls: PollReport[] }> {
  const evaluated: Evaluated[] = [];
  const polls: PollReport[] = [];
  const summary = await runWatchLoop({
    sources: sources(fake, regions, fake.clock),
    state: store.watch,
    clock: fake.clock,
    intervalMs: 30_000,
    lookbackMs: 15 * MINUTE,
    onEvent: async (event, source) => {
      evaluated.push({ id: event.id, region: source.label, at: fake.clock.now(), findings: detector.evaluate(event.record) });
    },
    onPoll: (report) => polls.push(report),
    afterCycle: async (reports) => options.onCycle?.(reports),
    ...options,
  });
  return { summary, evaluated, polls };
}

export function countIds(evaluated: readonly Evaluated[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of evaluated) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  return counts;
}
