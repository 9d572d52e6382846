import './support/loopback-only.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import { foldsIntoStorm, idempotencyKey, planEnqueue, stormBulkSeverity, stormClockTime, type StormClock, type WindowPolicy } from '../../src/notify/dedupe.js';
import { notificationsConfigSchema } from '../../src/notify/config.js';
import { createNotifier } from '../../src/notify/notifier.js';
import type { EnqueueOutcome, Store } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { blockedConnections } from './support/loopback-only.js';
import { target } from '../store/contract.js';
import { makeFinding } from './support/findings.js';
import { startServer } from './support/http-server.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  expect(blockedConnections).toEqual([]);
});

function store(): Store {
  const s = openSqliteStore(':memory:');
  stores.push(s);
  return s;
}

const policy: WindowPolicy = { dedupeWindowMs: 300_000, stormThreshold: 0, stormWindowMs: 60_000, maxAttempts: 5 };

/** The finding saved and linked on channel slack, decided by planEnqueue as the notifier does it. */
async function enqueue(s: Store, finding: Finding, now: number, p: WindowPolicy = policy): Promise<{ channel: string; outcome: EnqueueOutcome; outboxId: string }> {
  const { channels } = await s.outbox.enqueueFinding(finding, [target(finding, 'slack', now, p)], now);
  return channels[0]!;
}

describe('de-duplication window', () => {
  it('findings with one dedupe key join the notification while it waits; one notification with a count', async () => {
    const s = store();
    const same = (i: number) => makeFinding(i, { dedupeKey: 'security-group-ingress-open-to-world:123456789012:sg-1' });
    expect((await enqueue(s, same(1), 1000)).outcome).toBe('new');
    expect((await enqueue(s, same(2), 2000)).outcome).toBe('joined');
    expect((await enqueue(s, same(3), 3000)).outcome).toBe('joined');
    const rows = await s.outbox.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'finding', count: 3, nextAttemptAt: 1000, idempotencyKey: idempotencyKey('finding', 'slack', same(1).id) });
  });

  it('after the first went out, later findings in the window wait for one follow-up sent when the window closes', async () => {
    const s = store();
    const same = (i: number) => makeFinding(i, { dedupeKey: 'k' });
    const first = await enqueue(s, same(1), 1000);
    await s.outbox.claimDue('slack', { now: 1000, limit: 1, leaseMs: 10_000, owner: 'me' });
    await s.outbox.markDelivered(first.outboxId, 1100);
    expect((await enqueue(s, same(2), 5000)).outcome).toBe('repeat');
    expect((await enqueue(s, same(3), 6000)).outcome).toBe('repeat');
    const repeat = (await s.outbox.list()).find((r) => r.kind === 'repeat')!;
    expect(repeat).toMatchObject({ count: 2, nextAttemptAt: 301_000, windowStart: 1000, windowEnd: 301_000, state: 'pending' });
    // After the window: a new notification of its own.
    expect((await enqueue(s, same(4), 302_000)).outcome).toBe('new');
    expect((await s.outbox.list()).map((r) => r.kind)).toEqual(['finding', 'repeat', 'finding']);
  });

  it('different keys, or a window of 0, never join', async () => {
    const s = store();
    expect((await enqueue(s, makeFinding(1), 0)).outcome).toBe('new');
    expect((await enqueue(s, makeFinding(2), 0)).outcome).toBe('new');
    const off = { ...policy, dedupeWindowMs: 0 };
    expect((await enqueue(s, makeFinding(3, { dedupeKey: 'x' }), 0, off)).outcome).toBe('new');
    expect((await enqueue(s, makeFinding(4, { dedupeKey: 'x' }), 0, off)).outcome).toBe('new');
  });

  it('the same finding again (a re-scan, a restart) is a duplicate, whatever the time', async () => {
    const s = store();
    const first = await enqueue(s, makeFinding(1), 0);
    expect(first.outcome).toBe('new');
    expect(await enqueue(s, makeFinding(1), 10_000_000)).toEqual({ channel: 'slack', outcome: 'duplicate', outboxId: first.outboxId });
    expect(await s.outbox.list()).toHaveLength(1);
    expect((await s.findings.get(makeFinding(1).id))?.timesSeen).toBe(2);
  });
});

/** A finding a storm may summarise (the sample finding is critical, which a storm never takes). */
const routine = (i: number, overrides: Partial<Finding> = {}): Finding => makeFinding(i, { severity: 'high', ...overrides });

describe('storms', () => {
  it('past the threshold, a channel gets one summary per window instead of one message per finding', async () => {
    const s = store();
    const p = { ...policy, stormThreshold: 5 };
    const outcomes: EnqueueOutcome[] = [];
    for (let i = 0; i < 1000; i++) outcomes.push((await enqueue(s, routine(i), 1000 + i, p)).outcome);
    expect(outcomes.filter((o) => o === 'new')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'storm')).toHaveLength(995);
    const storm = (await s.outbox.list()).find((r) => r.kind === 'storm')!;
    expect(storm).toMatchObject({ count: 995, windowStart: 1005, windowEnd: 61_005, nextAttemptAt: 61_005 });
    expect((await s.outbox.statsOf(storm.id)).total).toBe(995);
  });

  it('every finding is covered exactly once per channel, whether on its own, joined, repeated or summarised', async () => {
    const server = await startServer(() => ({ status: 200 }));
    const config = notificationsConfigSchema.parse({
      channels: { hook: { type: 'webhook', url: `${server.url}/h`, storm: { threshold: 20, windowSeconds: 60 }, dedupe: { windowSeconds: 300 }, delivery: { concurrency: 8 } } },
    });
    const s = store();
    const notifier = createNotifier({ config, store: s });
    try {
      // 5,000 findings "within a minute": 1 in 10 shares a dedupe key with others.
      const findings = Array.from({ length: 5000 }, (_, i) => routine(i, i % 10 === 0 ? { dedupeKey: `hot-${i % 30}` } : {}));
      const t0 = performance.now();
      const report = await notifier.enqueue(findings);
      const enqueueMs = performance.now() - t0;
      const run = await notifier.deliver({ deadline: Date.now() + 20_000, flushWindows: true });
      const notifications = server.requests.map((r) => r.json as { type: string; data: { count: number } });
      // A storm is summarised: 20 individual notifications, then one summary that counts the rest.
      expect(notifications.length).toBe(21);
      expect(notifications.filter((n) => n.type === 'trailguard.storm')).toHaveLength(1);
      expect(notifications.reduce((sum, n) => sum + n.data.count, 0)).toBe(5000);
      expect(run).toMatchObject({ delivered: 21, failed: 0, outstanding: 0 });
      expect(report.outcomes.new + report.outcomes.joined + report.outcomes.repeat + report.outcomes.storm).toBe(5000);
      console.info(`storm: 5,000 findings enqueued in ${enqueueMs.toFixed(0)} ms (${Math.round(5000 / (enqueueMs / 1000)).toLocaleString('en-US')} findings/s); delivered as ${notifications.length} notifications in ${run.elapsedMs} ms`);
    } finally {
      await notifier.close();
      await server.close();
    }
  });
});

describe('what a storm may summarise', () => {
  const view = (recent: Record<string, number>, storm?: Record<string, number>) => ({ createdSinceSeverities: recent, ...(storm ? { openStormSeverities: storm } : {}) });

  it('what a storm is mostly made of: the most common severity of the notifications that made the rate and of the summary, ties to the more severe', () => {
    expect(stormBulkSeverity(view({ high: 20 }))).toBe('high');
    expect(stormBulkSeverity(view({ low: 18, high: 2 }, { medium: 5 }))).toBe('low');
    expect(stormBulkSeverity(view({ low: 3 }, { medium: 3 }))).toBe('medium');
    expect(stormBulkSeverity(view({}))).toBeUndefined();
  });

  it('never a critical finding; never one more severe than that; anything else', () => {
    expect(foldsIntoStorm('critical', view({ critical: 50 }))).toBe(false);
    expect(foldsIntoStorm('high', view({ low: 20 }))).toBe(false);
    expect(foldsIntoStorm('high', view({ high: 20 }))).toBe(true);
    expect(foldsIntoStorm('medium', view({ high: 20 }))).toBe(true);
    // Nothing known of the storm's severities (a store written before they were kept): as before, it folds.
    expect(foldsIntoStorm('high', view({}))).toBe(true);
  });

  it('planEnqueue sends them on their own past the threshold, and summarises the rest', () => {
    const p: WindowPolicy = { ...policy, stormThreshold: 3 };
    const busy = { createdSince: 3, createdSinceSeverities: { low: 3 } };
    expect(planEnqueue(busy, routine(1, { severity: 'low' }), 'slack', p, 1000)).toMatchObject({ outcome: 'storm', create: { kind: 'storm' } });
    expect(planEnqueue(busy, routine(2, { severity: 'medium' }), 'slack', p, 1000)).toMatchObject({ outcome: 'new', create: { kind: 'finding' } });
    expect(planEnqueue({ createdSince: 30, createdSinceSeverities: { critical: 30 } }, makeFinding(3), 'slack', p, 1000)).toMatchObject({ outcome: 'new' });
  });

  it('a storm opened on the event clock has its window on that clock, its delivery on the wall clock, and a key of its own', () => {
    const p: WindowPolicy = { ...policy, stormThreshold: 1 };
    const busy = { createdSince: 1, createdSinceSeverities: { high: 1 } };
    const replayed = planEnqueue(busy, routine(1), 'slack', p, 1_000_000, 5000);
    expect(replayed).toMatchObject({ outcome: 'storm', create: { windowStart: 5000, windowEnd: 65_000, nextAttemptAt: 1_060_000, groupKey: 'storm:5000' } });
    const live = planEnqueue(busy, routine(1), 'slack', p, 1_000_000);
    expect(live).toMatchObject({ create: { windowStart: 1_000_000, windowEnd: 1_060_000, idempotencyKey: idempotencyKey('storm', 'slack', '1000000') } });
    expect((replayed as { create: { idempotencyKey: string } }).create.idempotencyKey).not.toBe((live as { create: { idempotencyKey: string } }).create.idempotencyKey);
  });

  it('the storm clock: event time (never later than now, now when unreadable) or arrival', () => {
    const f = routine(1, { eventTime: '2021-07-29T10:00:00Z' });
    const now = Date.UTC(2026, 0, 1);
    expect(stormClockTime(f, 'event', now)).toBe(Date.UTC(2021, 6, 29, 10));
    expect(stormClockTime(f, 'arrival', now)).toBe(now);
    expect(stormClockTime(routine(2, { eventTime: 'yesterday' }), 'event', now)).toBe(now);
    expect(stormClockTime(routine(3, { eventTime: '2030-01-01T00:00:00Z' }), 'event', now)).toBe(now);
  });
});

describe('storms in a replay of logs (the event clock)', () => {
  const DAY = 86_400_000;
  const config = notificationsConfigSchema.parse({ channels: { hook: { type: 'webhook', url: 'http://127.0.0.1:9/h', storm: { threshold: 20, windowSeconds: 60 } } } });
  const at = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const run = async (findings: Finding[], stormClock?: StormClock) => {
    const s = store();
    let clock = Date.UTC(2026, 11, 1);
    // Enqueued within two seconds, as a scan does.
    const notifier = createNotifier({ config, store: s, now: () => (clock += 2), ...(stormClock ? { stormClock } : {}) });
    try {
      return (await notifier.enqueue(findings)).outcomes;
    } finally {
      await notifier.close();
    }
  };
  const start = Date.UTC(2021, 6, 25);

  it('five days of events replayed in two seconds are not a storm; on the arrival clock they were', async () => {
    const spread = Array.from({ length: 500 }, (_, i) => routine(i, { eventTime: at(start + Math.floor((i * 5 * DAY) / 500)) }));
    expect(await run(spread, 'event')).toMatchObject({ new: 500, storm: 0 });
    expect(await run(spread)).toMatchObject({ new: 20, storm: 480 });
  });

  it('a burst within one minute of event time is a storm in a replay too', async () => {
    const burst = Array.from({ length: 100 }, (_, i) => routine(i, { eventTime: at(start + i * 500) }));
    expect(await run(burst, 'event')).toMatchObject({ new: 20, storm: 80 });
  });

  it('critical findings in the burst, and findings more severe than it, go out on their own', async () => {
    const burst = Array.from({ length: 100 }, (_, i) =>
      routine(i, { eventTime: at(start + i * 500), ...(i % 10 === 5 ? { severity: 'critical' as const } : i % 10 === 7 ? { severity: 'medium' as const } : { severity: 'low' as const }) }),
    );
    const outcomes = await run(burst, 'event');
    // 10 critical and 10 medium alone; of the 80 lows, 20 made the rate (with the severe ones counted) and the rest are summarised.
    expect(outcomes.new + outcomes.storm).toBe(100);
    const s = store();
    const notifier = createNotifier({ config, store: s, stormClock: 'event' });
    await notifier.enqueue(burst);
    await notifier.close();
    const rows = await s.outbox.list();
    const storm = rows.find((r) => r.kind === 'storm')!;
    const stats = await s.outbox.statsOf(storm.id);
    expect(stats.bySeverity).toEqual({ low: stats.total });
    expect(rows.filter((r) => r.kind === 'finding').length).toBe(outcomes.new);
    const alone = await Promise.all(rows.filter((r) => r.kind === 'finding').map(async (r) => (await s.outbox.findingsOf(r.id, 1))[0]!.severity));
    expect(alone.filter((x) => x === 'critical')).toHaveLength(10);
    expect(alone.filter((x) => x === 'medium')).toHaveLength(10);
  });
});
