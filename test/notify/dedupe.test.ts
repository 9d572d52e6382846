import './support/loopback-only.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import { idempotencyKey, type WindowPolicy } from '../../src/notify/dedupe.js';
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

describe('storms', () => {
  it('past the threshold, a channel gets one summary per window instead of one message per finding', async () => {
    const s = store();
    const p = { ...policy, stormThreshold: 5 };
    const outcomes: EnqueueOutcome[] = [];
    for (let i = 0; i < 1000; i++) outcomes.push((await enqueue(s, makeFinding(i), 1000 + i, p)).outcome);
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
      const findings = Array.from({ length: 5000 }, (_, i) => makeFinding(i, i % 10 === 0 ? { dedupeKey: `hot-${i % 30}` } : {}));
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
