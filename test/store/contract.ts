/**
 * The store contract (src/store/types.ts) as a test suite every implementation runs: SQLite
 * (test/store/sqlite.test.ts) and DynamoDB (test/store/dynamodb.test.ts).
 *
 *   describeStoreContract('dynamodb', () => openAFreshStore(), () => dropIt());
 *
 * Through the interface only: nothing here knows how a store keeps things, and outbox ids are opaque
 * strings (decimal row ids in SQLite, the channel and idempotency key in DynamoDB). Every time is a fixed
 * `now` handed in; nothing sleeps. Rows whose order a test checks are made at distinct times, since stores
 * break ties differently (SQLite by insertion, DynamoDB by id).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import { groupKeyOf, idempotencyKey, planEnqueue, type WindowPolicy } from '../../src/notify/dedupe.js';
import type { ChannelTarget, ChannelView, EnqueueResult, OutboxRow, RemediationClaim, Store } from '../../src/store/types.js';
import type { RemediationDecision } from '../../src/remediate/types.js';
import { makeFinding } from '../notify/support/findings.js';
import { T0, makeApproval, makeDecision, makeNotice } from './support.js';

/** De-duplication on (5 minutes), storms off: the policy most tests enqueue with. */
const POLICY: WindowPolicy = { dedupeWindowMs: 300_000, stormThreshold: 0, stormWindowMs: 60_000, maxAttempts: 3 };
const LEASE = 30_000;

export function target(finding: Finding, channel: string, now: number, policy: WindowPolicy = POLICY, seen?: ChannelView[], rateAt?: number): ChannelTarget {
  return {
    channel,
    groupKey: groupKeyOf(finding),
    stormWindowMs: policy.stormWindowMs,
    ...(rateAt !== undefined ? { rateAt } : {}),
    decide: (view) => {
      seen?.push(view);
      return planEnqueue(view, finding, channel, policy, now, rateAt);
    },
  };
}

/** A finding that may be summarised in a storm (the sample finding is critical, which never is). */
const routine = (i: number, overrides: Partial<Finding> = {}): Finding => makeFinding(i, { severity: 'high', ...overrides });

export function describeStoreContract(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    const enqueue = (finding: Finding, channels: readonly string[], now: number, policy: WindowPolicy = POLICY): Promise<EnqueueResult> =>
      store.outbox.enqueueFinding(
        finding,
        channels.map((c) => target(finding, c, now, policy)),
        now,
      );

    /** Enqueues one finding on one channel and returns its row id. */
    const rowFor = async (finding: Finding, channel: string, now: number, policy: WindowPolicy = POLICY): Promise<string> => (await enqueue(finding, [channel], now, policy)).channels[0]!.outboxId;

    const row = async (id: string): Promise<OutboxRow> => {
      const r = await store.outbox.get(id);
      if (!r) throw new Error(`no outbox row ${id}`);
      return r;
    };

    /** Claims exactly this row (it must be due and the only due one of its channel at `now`) and delivers it. */
    const deliver = async (id: string, now: number): Promise<void> => {
      const r = await row(id);
      const claimed = await store.outbox.claimDue(r.channel, { now, limit: 1, leaseMs: LEASE, owner: 'worker' });
      expect(claimed.map((c) => c.id)).toEqual([id]);
      await store.outbox.markDelivered(id, now, 200);
    };

    it('says what it is', () => {
      expect(['sqlite', 'dynamodb']).toContain(store.kind);
      expect(store.location).toEqual(expect.any(String));
      expect(store.owner).toEqual(expect.any(String));
    });

    describe('findings', () => {
      it('saves a finding once, then counts its sightings', async () => {
        const f = makeFinding(1);
        expect(await store.findings.save(f, T0)).toBe(true);
        expect(await store.findings.get(f.id)).toEqual({ finding: f, firstSeenAt: T0, lastSeenAt: T0, timesSeen: 1 });
        expect(await store.findings.save(f, T0 + 5000)).toBe(false);
        expect(await store.findings.get(f.id)).toEqual({ finding: f, firstSeenAt: T0, lastSeenAt: T0 + 5000, timesSeen: 2 });
        expect(await store.findings.get('no-such-finding')).toBeUndefined();
        expect(await store.findings.count()).toBe(1);
        await store.findings.save(makeFinding(2), T0);
        expect(await store.findings.count()).toBe(2);
      });

      it('concurrent saves of one finding: exactly one is new, every sighting is counted', async () => {
        const f = makeFinding(1);
        const results = await Promise.all(Array.from({ length: 10 }, () => store.findings.save(f, T0)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.findings.get(f.id)).toMatchObject({ timesSeen: 10, firstSeenAt: T0 });
        expect(await store.findings.count()).toBe(1);
      });
    });

    describe('outbox: enqueueing findings', () => {
      it('a new finding opens a notification on each channel', async () => {
        const f = makeFinding(1);
        const result = await enqueue(f, ['slack', 'email'], T0);
        expect(result.isNew).toBe(true);
        expect(result.channels.map((c) => [c.channel, c.outcome])).toEqual([
          ['slack', 'new'],
          ['email', 'new'],
        ]);
        const [slack, email] = result.channels.map((c) => c.outboxId);
        expect(slack).not.toBe(email);
        expect(await store.outbox.get(slack!)).toEqual({
          id: slack,
          channel: 'slack',
          kind: 'finding',
          groupKey: groupKeyOf(f),
          idempotencyKey: idempotencyKey('finding', 'slack', f.id),
          state: 'pending',
          count: 1,
          attempts: 0,
          maxAttempts: 3,
          nextAttemptAt: T0,
          windowStart: T0,
          windowEnd: T0 + 300_000,
          createdAt: T0,
          updatedAt: T0,
        });
        expect(await store.outbox.findingIdsOf(slack!)).toEqual([f.id]);
        expect(await store.outbox.findingsOf(email!, 5)).toEqual([f]);
        expect(await store.outbox.get('no-such-row')).toBeUndefined();
      });

      it('the same finding again is a duplicate of the notification covering it', async () => {
        const f = makeFinding(1);
        const first = await enqueue(f, ['slack'], T0);
        const again = await enqueue(f, ['slack'], T0 + 1000);
        expect(again.isNew).toBe(false);
        expect(again.channels).toEqual([{ channel: 'slack', outcome: 'duplicate', outboxId: first.channels[0]!.outboxId }]);
        expect((await row(first.channels[0]!.outboxId)).count).toBe(1);
        expect((await store.findings.get(f.id))?.timesSeen).toBe(2);
        expect(await store.outbox.list()).toHaveLength(1);
      });

      it('a group joins its waiting notification, then one repeat per window follows the sent one', async () => {
        const group = { dedupeKey: 'group-a' };
        const first = await rowFor(makeFinding(1, group), 'slack', T0);
        const joined = await enqueue(makeFinding(2, group), ['slack'], T0 + 1);
        expect(joined.channels[0]).toEqual({ channel: 'slack', outcome: 'joined', outboxId: first });
        expect((await row(first)).count).toBe(2);

        await deliver(first, T0 + 2);
        const repeat = await enqueue(makeFinding(3, group), ['slack'], T0 + 10);
        expect(repeat.channels[0]?.outcome).toBe('repeat');
        const repeatId = repeat.channels[0]!.outboxId;
        expect(repeatId).not.toBe(first);
        expect(await row(repeatId)).toMatchObject({ kind: 'repeat', groupKey: 'group-a', state: 'pending', count: 1, nextAttemptAt: T0 + 300_000, windowStart: T0, windowEnd: T0 + 300_000 });
        const again = await enqueue(makeFinding(4, group), ['slack'], T0 + 20);
        expect(again.channels[0]).toEqual({ channel: 'slack', outcome: 'repeat', outboxId: repeatId });
        expect((await row(repeatId)).count).toBe(2);

        // Once the window is over, the group starts afresh.
        const later = await enqueue(makeFinding(5, group), ['slack'], T0 + 300_001);
        expect(later.channels[0]?.outcome).toBe('new');
        expect(await store.outbox.findingIdsOf(repeatId)).toEqual([makeFinding(3).id, makeFinding(4).id]);
      });

      it('the decider sees the covering row, the open group row and what was created on the channel since the storm window', async () => {
        const f1 = makeFinding(1, { dedupeKey: 'group-a' });
        const r1 = await rowFor(f1, 'slack', T0);
        await rowFor(makeFinding(2, { dedupeKey: 'group-b' }), 'slack', T0 + 10_000);
        await rowFor(makeFinding(3, { dedupeKey: 'group-c' }), 'email', T0 + 10_000);

        const seen: ChannelView[] = [];
        const f4 = makeFinding(4, { dedupeKey: 'group-a' });
        await store.outbox.enqueueFinding(f4, [target(f4, 'slack', T0 + 60_000, POLICY, seen)], T0 + 60_000);
        // Created after T0 + 60 000 - 60 000 = T0, strictly: group-b's row, not group-a's (at T0 exactly), not email's.
        expect(seen[0]).toMatchObject({ createdSince: 1, latestInGroup: { id: r1, state: 'pending', kind: 'finding' } });
        expect(seen[0]?.covering).toBeUndefined();
        expect(seen[0]?.openStorm).toBeUndefined();

        seen.length = 0;
        await store.outbox.enqueueFinding(f1, [target(f1, 'slack', T0 + 70_000, POLICY, seen)], T0 + 70_000);
        expect(seen[0]?.covering).toBe(r1);
        // A row whose window is over is no longer the group's.
        seen.length = 0;
        const f5 = makeFinding(5, { dedupeKey: 'group-a' });
        await store.outbox.enqueueFinding(f5, [target(f5, 'slack', T0 + 300_000, POLICY, seen)], T0 + 300_000);
        expect(seen[0]?.latestInGroup).toBeUndefined();
      });

      it('past the storm threshold, findings join one storm summary per channel', async () => {
        const policy: WindowPolicy = { ...POLICY, stormThreshold: 3, stormWindowMs: 60_000 };
        const makeFinding = routine;
        for (let i = 1; i <= 3; i++) expect((await enqueue(makeFinding(i), ['slack'], T0 + i, policy)).channels[0]?.outcome).toBe('new');
        const storm = await enqueue(makeFinding(4), ['slack'], T0 + 4, policy);
        expect(storm.channels[0]?.outcome).toBe('storm');
        const stormId = storm.channels[0]!.outboxId;
        expect(await row(stormId)).toMatchObject({ kind: 'storm', state: 'pending', count: 1, nextAttemptAt: T0 + 60_004, windowStart: T0 + 4, windowEnd: T0 + 60_004 });

        const seen: ChannelView[] = [];
        const f5 = makeFinding(5);
        const joined = await store.outbox.enqueueFinding(f5, [target(f5, 'slack', T0 + 5, policy, seen)], T0 + 5);
        expect(joined.channels[0]).toEqual({ channel: 'slack', outcome: 'storm', outboxId: stormId });
        expect(seen[0]?.openStorm?.id).toBe(stormId);
        // What the storm is made of: its findings, and the notifications that made the rate, by severity.
        expect(seen[0]).toMatchObject({ createdSince: 3, createdSinceSeverities: { high: 3 }, openStormSeverities: { high: 1 } });
        expect((await row(stormId)).count).toBe(2);

        // Storms are per channel, and end with their window.
        expect((await enqueue(makeFinding(6), ['email'], T0 + 6, policy)).channels[0]?.outcome).toBe('new');
        expect((await enqueue(makeFinding(7), ['slack'], T0 + 200_000, policy)).channels[0]?.outcome).toBe('new');
        expect(await store.outbox.findingIdsOf(stormId)).toEqual([makeFinding(4).id, f5.id]);
      });

      it('concurrent enqueues of one finding on one channel: exactly one notification', async () => {
        const f = makeFinding(1);
        const results = await Promise.all(Array.from({ length: 10 }, () => enqueue(f, ['slack'], T0)));
        const outcomes = results.map((r) => r.channels[0]!.outcome);
        expect(outcomes.filter((o) => o !== 'duplicate')).toEqual(['new']);
        expect(new Set(results.map((r) => r.channels[0]!.outboxId)).size).toBe(1);
        expect(results.filter((r) => r.isNew)).toHaveLength(1);
        const rows = await store.outbox.list();
        expect(rows.map((r) => r.count)).toEqual([1]);
        expect((await store.findings.get(f.id))?.timesSeen).toBe(10);
      });

      it('concurrent findings of one group: one notification covering all of them', async () => {
        const findings = Array.from({ length: 10 }, (_, i) => makeFinding(i, { dedupeKey: 'group-a' }));
        const results = await Promise.all(findings.map((f) => enqueue(f, ['slack'], T0)));
        const outcomes = results.map((r) => r.channels[0]!.outcome).sort();
        expect(outcomes).toEqual(['new', ...Array<string>(9).fill('joined')].sort());
        const ids = new Set(results.map((r) => r.channels[0]!.outboxId));
        expect(ids.size).toBe(1);
        const [id] = [...ids];
        expect((await row(id!)).count).toBe(10);
        expect((await store.outbox.findingIdsOf(id!)).sort()).toEqual(findings.map((f) => f.id).sort());
      });

      it('the storm clock: the rate and the open storm are read at the target\'s rateAt, and a notification is counted at its own', async () => {
        const policy: WindowPolicy = { ...POLICY, stormThreshold: 3, stormWindowMs: 60_000 };
        const DAY = 86_400_000;
        // A replay: findings of five days, enqueued within two seconds, each at its event time on the storm clock.
        const at = async (i: number, now: number, rateAt: number, seen?: ChannelView[]) => {
          const f = routine(i);
          return (await store.outbox.enqueueFinding(f, [target(f, 'slack', now, policy, seen, rateAt)], now)).channels[0]!;
        };
        for (let i = 0; i < 5; i++) expect((await at(i, T0 + i, T0 - 5 * DAY + i * DAY)).outcome).toBe('new');
        // Three within one minute of event time (a burst, five days ago), then a fourth: a storm, on the event clock.
        for (let i = 10; i < 12; i++) expect((await at(i, T0 + 100 + i, T0 - 5 * DAY + (i - 9) * 1000)).outcome).toBe('new');
        const seen: ChannelView[] = [];
        const storm = await at(20, T0 + 200, T0 - 5 * DAY + 5000, seen);
        expect(seen[0]).toMatchObject({ createdSince: 3, createdSinceSeverities: { high: 3 } });
        expect(seen[0]?.openStorm).toBeUndefined();
        expect(storm.outcome).toBe('storm');
        // Its window is on the event clock; it is sent a window after it was opened (wall clock).
        expect(await row(storm.outboxId)).toMatchObject({ kind: 'storm', windowStart: T0 - 5 * DAY + 5000, windowEnd: T0 - 5 * DAY + 65_000, nextAttemptAt: T0 + 200 + 60_000 });
        // Another finding of that minute joins it; one of the next day is not in it, nor in a storm at all.
        seen.length = 0;
        expect((await at(21, T0 + 300, T0 - 5 * DAY + 6000, seen)).outboxId).toBe(storm.outboxId);
        expect(seen[0]?.openStorm?.id).toBe(storm.outboxId);
        seen.length = 0;
        expect((await at(22, T0 + 400, T0 - 4 * DAY + 30_000, seen)).outcome).toBe('new');
        // (t - window, t]: the notification at T0 - 4 days (t - 30 s) counts; nothing later does.
        expect(seen[0]).toMatchObject({ createdSince: 1 });
        expect(seen[0]?.openStorm).toBeUndefined();
        // Without rateAt, the storm clock is `now`: none of the replayed notifications is within a minute of it.
        seen.length = 0;
        const live = routine(30);
        await store.outbox.enqueueFinding(live, [target(live, 'slack', T0 + 500, policy, seen)], T0 + 500);
        expect(seen[0]).toMatchObject({ createdSince: 0, createdSinceSeverities: {} });
      });

      it('a storm never takes a critical finding, nor one more severe than what the storm is mostly made of', async () => {
        const policy: WindowPolicy = { ...POLICY, stormThreshold: 3, stormWindowMs: 60_000 };
        for (let i = 1; i <= 3; i++) await enqueue(routine(i, { severity: 'low' }), ['slack'], T0 + i, policy);
        expect((await enqueue(routine(4, { severity: 'low' }), ['slack'], T0 + 4, policy)).channels[0]?.outcome).toBe('storm');
        expect((await enqueue(routine(5, { severity: 'medium' }), ['slack'], T0 + 5, policy)).channels[0]?.outcome).toBe('new');
        expect((await enqueue(routine(6, { severity: 'critical' }), ['slack'], T0 + 6, policy)).channels[0]?.outcome).toBe('new');
        expect((await enqueue(routine(7, { severity: 'low' }), ['slack'], T0 + 7, policy)).channels[0]?.outcome).toBe('storm');
        const rows = await store.outbox.list({ channel: 'slack' });
        const storm = rows.find((r) => r.kind === 'storm')!;
        expect(await store.outbox.findingIdsOf(storm.id)).toEqual([routine(4).id, routine(7).id]);
        expect((await store.outbox.statsOf(storm.id)).bySeverity).toEqual({ low: 2 });
      });

      it('findingsOf a storm, worst first: the most severe findings whatever the order they joined in', async () => {
        const policy: WindowPolicy = { ...POLICY, stormThreshold: 1, stormWindowMs: 60_000 };
        await enqueue(routine(1), ['slack'], T0, policy);
        const joined = [routine(2, { severity: 'low' }), routine(3, { severity: 'high', ruleId: 'rule-h' }), routine(4, { severity: 'medium' }), routine(5, { severity: 'high', ruleId: 'rule-h2' })];
        const ids = [];
        for (const [i, f] of joined.entries()) ids.push((await enqueue(f, ['slack'], T0 + 1 + i, policy)).channels[0]!);
        expect(ids.map((c) => c.outcome)).toEqual(['storm', 'storm', 'storm', 'storm']);
        const stormId = ids[0]!.outboxId;
        expect((await store.outbox.findingsOf(stormId, 3, 'worst')).map((f) => f.id)).toEqual([joined[1]!.id, joined[3]!.id, joined[2]!.id]);
        expect((await store.outbox.statsOf(stormId)).byRuleSeverity).toEqual({ 'cloudtrail-disabled': { low: 1, medium: 1 }, 'rule-h': { high: 1 }, 'rule-h2': { high: 1 } });
      });

      it('concurrent findings past the storm threshold: at most one open storm, every finding covered exactly once', async () => {
        const policy: WindowPolicy = { ...POLICY, stormThreshold: 2 };
        const findings = Array.from({ length: 12 }, (_, i) => routine(i));
        const results = await Promise.all(findings.map((f) => enqueue(f, ['slack'], T0, policy)));
        const rows = await store.outbox.list({ channel: 'slack' });
        const storms = rows.filter((r) => r.kind === 'storm');
        expect(storms.length).toBeLessThanOrEqual(1);
        expect(rows.reduce((n, r) => n + r.count, 0)).toBe(12);
        const covered = (await Promise.all(rows.map((r) => store.outbox.findingIdsOf(r.id)))).flat();
        expect(covered.sort()).toEqual(findings.map((f) => f.id).sort());
        for (const r of results) {
          const c = r.channels[0]!;
          if (c.outcome === 'storm') expect(c.outboxId).toBe(storms[0]?.id);
        }
        expect(results.filter((r) => r.channels[0]!.outcome === 'storm').length).toBe(storms[0]?.count ?? 0);
      });
    });

    describe('outbox: claims', () => {
      it('claimDue takes due rows of the channel, oldest due first, up to the limit, and counts the attempt', async () => {
        const late = await rowFor(makeFinding(1), 'slack', T0 + 30);
        const early = await rowFor(makeFinding(2), 'slack', T0 + 10);
        const middle = await rowFor(makeFinding(3), 'slack', T0 + 20);
        await rowFor(makeFinding(4), 'email', T0);

        const claimed = await store.outbox.claimDue('slack', { now: T0 + 25, limit: 5, leaseMs: LEASE, owner: 'w1' });
        expect(claimed.map((r) => r.id)).toEqual([early, middle]);
        expect(claimed[0]).toMatchObject({ state: 'sending', attempts: 1, claimedBy: 'w1', leaseUntil: T0 + 25 + LEASE, channel: 'slack' });
        expect(await row(early)).toMatchObject({ state: 'sending', attempts: 1, claimedBy: 'w1', leaseUntil: T0 + 25 + LEASE });
        expect(await row(late)).toMatchObject({ state: 'pending', attempts: 0 });

        expect(await store.outbox.claimDue('slack', { now: T0 + 100, limit: 0, leaseMs: LEASE, owner: 'w2' })).toEqual([]);
        expect((await store.outbox.claimDue('slack', { now: T0 + 100, limit: 1, leaseMs: LEASE, owner: 'w2' })).map((r) => r.id)).toEqual([late]);
        expect(await store.outbox.claimDue('slack', { now: T0 + 100, limit: 5, leaseMs: LEASE, owner: 'w2' })).toEqual([]);
      });

      it('claimDue takes only the kinds asked for', async () => {
        const findingRow = await rowFor(makeFinding(1), 'slack', T0);
        const decision = makeDecision(1, { status: 'dry-run' });
        const { notices } = await store.remediation.commit({ decision, notices: [makeNotice(decision, 'slack', T0)], now: T0 });
        const notice = notices[0]!.row.id;
        expect((await store.outbox.claimDue('slack', { now: T0, limit: 5, leaseMs: LEASE, owner: 'w', kinds: ['remediation'] })).map((r) => r.id)).toEqual([notice]);
        expect((await store.outbox.claimDue('slack', { now: T0, limit: 5, leaseMs: LEASE, owner: 'w', kinds: ['finding', 'repeat'] })).map((r) => r.id)).toEqual([findingRow]);
      });

      it('a claim is a lease: taken over once it expires, never before', async () => {
        const id = await rowFor(makeFinding(1), 'slack', T0);
        await store.outbox.claimDue('slack', { now: T0, limit: 1, leaseMs: 1000, owner: 'w1' });
        expect(await store.outbox.claimDue('slack', { now: T0 + 999, limit: 1, leaseMs: 1000, owner: 'w2' })).toEqual([]);
        const [taken] = await store.outbox.claimDue('slack', { now: T0 + 1000, limit: 1, leaseMs: 1000, owner: 'w2' });
        expect(taken).toMatchObject({ id, state: 'sending', attempts: 2, claimedBy: 'w2', leaseUntil: T0 + 2000 });
        expect(await row(id)).toMatchObject({ attempts: 2, claimedBy: 'w2', leaseUntil: T0 + 2000 });
      });

      it('concurrent claimers never share a row', async () => {
        const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => rowFor(makeFinding(i), 'slack', T0 + i)));
        const batches = await Promise.all(Array.from({ length: 10 }, (_, w) => store.outbox.claimDue('slack', { now: T0 + 100, limit: 2, leaseMs: LEASE, owner: `w${w}` })));
        const claimed = batches.flat().map((r) => r.id);
        expect(claimed.length).toBe(new Set(claimed).size);
        expect(claimed.sort()).toEqual([...ids].sort());
        for (const r of batches.flat()) expect(r.attempts).toBe(1);
      });
    });

    describe('outbox: outcomes of a claim', () => {
      it('markDelivered: delivered, with the status, out of the due rows', async () => {
        const id = await rowFor(makeFinding(1), 'slack', T0);
        await store.outbox.claimDue('slack', { now: T0, limit: 1, leaseMs: LEASE, owner: 'w' });
        await store.outbox.markDelivered(id, T0 + 5, 200);
        const r = await row(id);
        expect(r).toMatchObject({ state: 'delivered', deliveredAt: T0 + 5, updatedAt: T0 + 5, lastStatus: 200, attempts: 1 });
        expect(r.leaseUntil).toBeUndefined();
        expect(await store.outbox.claimDue('slack', { now: T0 + LEASE * 10, limit: 5, leaseMs: LEASE, owner: 'w' })).toEqual([]);
        expect(await store.outbox.outstanding(['slack'])).toBe(0);
        await store.outbox.markDelivered('no-such-row', T0);
        expect(await store.outbox.list()).toHaveLength(1);
      });

      it('markRetry: pending again at the next attempt time, with the error', async () => {
        const id = await rowFor(makeFinding(1), 'slack', T0);
        await store.outbox.claimDue('slack', { now: T0, limit: 1, leaseMs: LEASE, owner: 'w' });
        await store.outbox.markRetry(id, { nextAttemptAt: T0 + 5000, error: 'HTTP 503', status: 503, now: T0 + 10 });
        const r = await row(id);
        expect(r).toMatchObject({ state: 'pending', nextAttemptAt: T0 + 5000, lastError: 'HTTP 503', lastStatus: 503, attempts: 1, updatedAt: T0 + 10 });
        expect(r.leaseUntil).toBeUndefined();
        expect(await store.outbox.claimDue('slack', { now: T0 + 4999, limit: 1, leaseMs: LEASE, owner: 'w' })).toEqual([]);
        expect((await store.outbox.claimDue('slack', { now: T0 + 5000, limit: 1, leaseMs: LEASE, owner: 'w' }))[0]).toMatchObject({ id, attempts: 2 });
      });

      it('markFailed keeps the row with its error; requeueFailed gives failed rows a fresh budget', async () => {
        const a = await rowFor(makeFinding(1), 'slack', T0);
        const b = await rowFor(makeFinding(2), 'slack', T0 + 1);
        const c = await rowFor(makeFinding(3), 'email', T0 + 2);
        const pending = await rowFor(makeFinding(4), 'slack', T0 + 3);
        for (const channel of ['slack', 'email']) await store.outbox.claimDue(channel, { now: T0 + 2, limit: 5, leaseMs: LEASE, owner: 'w' });
        for (const id of [a, b, c]) await store.outbox.markFailed(id, { error: 'HTTP 404', status: 404, now: T0 + 10 });
        expect(await row(a)).toMatchObject({ state: 'failed', lastError: 'HTTP 404', lastStatus: 404, attempts: 1 });
        expect((await row(a)).leaseUntil).toBeUndefined();
        expect(await store.outbox.claimDue('slack', { now: T0 + 1_000_000, limit: 5, leaseMs: LEASE, owner: 'w' }).then((rows) => rows.map((r) => r.id))).toEqual([pending]);

        expect(await store.outbox.requeueFailed({ ids: [b, pending], now: T0 + 100 })).toBe(1);
        expect(await row(b)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: T0 + 100 });
        expect(await store.outbox.requeueFailed({ channel: 'email', now: T0 + 200 })).toBe(1);
        expect(await row(c)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: T0 + 200 });
        expect(await row(a)).toMatchObject({ state: 'failed' });
        expect(await store.outbox.requeueFailed({ now: T0 + 300 })).toBe(1);
        expect(await row(a)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: T0 + 300 });
        expect(await store.outbox.requeueFailed({ now: T0 + 400 })).toBe(0);
      });

      it('release gives a claimed row back without counting the attempt', async () => {
        const id = await rowFor(makeFinding(1), 'slack', T0);
        await store.outbox.claimDue('slack', { now: T0, limit: 1, leaseMs: LEASE, owner: 'w' });
        await store.outbox.release(id, T0 + 10, T0 + 500);
        const r = await row(id);
        expect(r).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: T0 + 500 });
        expect(r.leaseUntil).toBeUndefined();
        // Only a claimed row is released.
        await store.outbox.release(id, T0 + 20);
        expect(await row(id)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: T0 + 500 });
        await store.outbox.claimDue('slack', { now: T0 + 500, limit: 1, leaseMs: LEASE, owner: 'w' });
        await store.outbox.release(id, T0 + 600);
        expect(await row(id)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: T0 + 600 });
      });

      it('recoverAbandoned: rows of dead claimants are due now, or failed when that was their last attempt', async () => {
        const retry = await rowFor(makeFinding(1), 'slack', T0);
        const last = await rowFor(makeFinding(2), 'email', T0, { ...POLICY, maxAttempts: 1 });
        const alive = await rowFor(makeFinding(3), 'teams', T0);
        await store.outbox.claimDue('slack', { now: T0, limit: 1, leaseMs: LEASE, owner: 'host:111' });
        await store.outbox.claimDue('email', { now: T0, limit: 1, leaseMs: LEASE, owner: 'host:111' });
        await store.outbox.claimDue('teams', { now: T0, limit: 1, leaseMs: LEASE, owner: 'host:222' });

        const recovered = await store.outbox.recoverAbandoned((owner) => owner === 'host:111', T0 + 50);
        expect(recovered).toBe(2);
        expect(await row(retry)).toMatchObject({ state: 'pending', nextAttemptAt: T0 + 50, attempts: 1 });
        expect((await row(retry)).lastError).toContain('host:111');
        expect(await row(last)).toMatchObject({ state: 'failed', attempts: 1 });
        expect((await row(last)).lastError).toMatch(/host:111 died during attempt 1 of 1/);
        expect(await row(alive)).toMatchObject({ state: 'sending', claimedBy: 'host:222' });
        expect((await store.outbox.claimDue('slack', { now: T0 + 50, limit: 1, leaseMs: LEASE, owner: 'w' }))[0]).toMatchObject({ id: retry, attempts: 2 });
        expect(await store.outbox.recoverAbandoned(() => false, T0 + 60)).toBe(0);
      });

      it('flushWindows makes pending repeat and storm summaries due now, nothing else', async () => {
        const group = { dedupeKey: 'group-a' };
        const first = await rowFor(makeFinding(1, group), 'slack', T0);
        await deliver(first, T0 + 1);
        const repeat = await rowFor(makeFinding(2, group), 'slack', T0 + 2);
        const stormPolicy: WindowPolicy = { ...POLICY, stormThreshold: 1 };
        const single = await rowFor(routine(3), 'email', T0 + 3, stormPolicy);
        const storm = await rowFor(routine(4), 'email', T0 + 4, stormPolicy);
        expect(await row(repeat)).toMatchObject({ kind: 'repeat', nextAttemptAt: T0 + 300_000 });
        expect(await row(storm)).toMatchObject({ kind: 'storm', nextAttemptAt: T0 + 60_004 });

        expect(await store.outbox.flushWindows(T0 + 100)).toBe(2);
        expect(await row(repeat)).toMatchObject({ nextAttemptAt: T0 + 100, state: 'pending' });
        expect(await row(storm)).toMatchObject({ nextAttemptAt: T0 + 100, state: 'pending' });
        expect(await row(single)).toMatchObject({ nextAttemptAt: T0 + 3 });
        expect(await row(first)).toMatchObject({ state: 'delivered' });
        expect(await store.outbox.flushWindows(T0 + 200)).toBe(0);
        expect((await store.outbox.claimDue('slack', { now: T0 + 100, limit: 5, leaseMs: LEASE, owner: 'w' })).map((r) => r.id)).toEqual([repeat]);
      });

      it('nextDueAt and outstanding look at pending and sending rows only', async () => {
        expect(await store.outbox.nextDueAt()).toBeUndefined();
        expect(await store.outbox.nextDueAt('slack')).toBeUndefined();
        const sending = await rowFor(makeFinding(1), 'slack', T0);
        await store.outbox.claimDue('slack', { now: T0, limit: 1, leaseMs: 1000, owner: 'w' });
        await rowFor(makeFinding(2), 'slack', T0 + 5000);
        const delivered = await rowFor(makeFinding(3), 'email', T0 + 10);
        await deliver(delivered, T0 + 10);
        await rowFor(makeFinding(4), 'email', T0 + 20_000);
        const decision = makeDecision(1, { status: 'dry-run' });
        await store.remediation.commit({ decision, notices: [makeNotice(decision, 'email', T0 + 3000)], now: T0 });

        expect(await store.outbox.nextDueAt('slack')).toBe(T0 + 1000); // the lease of the row in flight
        expect(await store.outbox.nextDueAt('email')).toBe(T0 + 3000);
        expect(await store.outbox.nextDueAt('email', ['finding'])).toBe(T0 + 20_000);
        expect(await store.outbox.nextDueAt()).toBe(T0 + 1000);
        expect(await store.outbox.nextDueAt(undefined, ['remediation'])).toBe(T0 + 3000);
        expect(await store.outbox.nextDueAt('teams')).toBeUndefined();

        expect(await store.outbox.outstanding(['slack'])).toBe(2);
        expect(await store.outbox.outstanding(['slack', 'email'])).toBe(4);
        expect(await store.outbox.outstanding(['email'], ['remediation'])).toBe(1);
        expect(await store.outbox.outstanding([])).toBe(0);
        await store.outbox.markDelivered(sending, T0 + 10);
        expect(await store.outbox.outstanding(['slack'])).toBe(1);
        expect(await store.outbox.nextDueAt('slack')).toBe(T0 + 5000);
      });

      it('counts and list show rows by channel and state, oldest first', async () => {
        const a1 = await rowFor(makeFinding(1), 'slack', T0 + 10);
        const b1 = await rowFor(makeFinding(4), 'email', T0 + 15);
        const a2 = await rowFor(makeFinding(2), 'slack', T0 + 20);
        const a3 = await rowFor(makeFinding(3), 'slack', T0 + 30);
        await store.outbox.claimDue('slack', { now: T0 + 20, limit: 2, leaseMs: LEASE, owner: 'w' });
        await store.outbox.markDelivered(a1, T0 + 40);
        await store.outbox.markFailed(a2, { error: 'boom', now: T0 + 40 });

        expect(await store.outbox.counts()).toEqual([
          { channel: 'email', state: 'pending', count: 1, oldestCreatedAt: T0 + 15 },
          { channel: 'slack', state: 'delivered', count: 1, oldestCreatedAt: T0 + 10 },
          { channel: 'slack', state: 'failed', count: 1, oldestCreatedAt: T0 + 20 },
          { channel: 'slack', state: 'pending', count: 1, oldestCreatedAt: T0 + 30 },
        ]);
        expect((await store.outbox.list()).map((r) => r.id)).toEqual([a1, b1, a2, a3]);
        expect((await store.outbox.list({ states: ['pending'] })).map((r) => r.id)).toEqual([b1, a3]);
        expect((await store.outbox.list({ states: ['pending', 'failed'], channel: 'slack' })).map((r) => r.id)).toEqual([a2, a3]);
        expect((await store.outbox.list({ limit: 2 })).map((r) => r.id)).toEqual([a1, b1]);
        expect(await store.outbox.list({ channel: 'teams' })).toEqual([]);
      });

      it('findingsOf: first attached, most recent or most severe; findingIdsOf; statsOf counts them', async () => {
        const group = { dedupeKey: 'group-a' };
        const f1 = makeFinding(1, { ...group, severity: 'low', ruleId: 'rule-a', account: '111111111111' });
        const f2 = makeFinding(2, { ...group, severity: 'critical', ruleId: 'rule-b', account: '111111111111' });
        const f3 = makeFinding(3, { ...group, severity: 'high', ruleId: 'rule-a', account: '222222222222' });
        const f4 = makeFinding(4, { ...group, severity: 'critical', ruleId: 'rule-a', account: '111111111111' });
        const id = await rowFor(f1, 'slack', T0);
        for (const [i, f] of [f2, f3, f4].entries()) await enqueue(f, ['slack'], T0 + i + 1);

        expect(await store.outbox.findingsOf(id, 2)).toEqual([f1, f2]);
        expect(await store.outbox.findingsOf(id, 2, 'first')).toEqual([f1, f2]);
        expect(await store.outbox.findingsOf(id, 2, 'last')).toEqual([f4, f3]);
        expect(await store.outbox.findingsOf(id, 3, 'worst')).toEqual([f2, f4, f3]);
        expect(await store.outbox.findingsOf(id, 10, 'worst')).toEqual([f2, f4, f3, f1]);
        expect(await store.outbox.findingIdsOf(id)).toEqual([f1.id, f2.id, f3.id, f4.id]);
        expect(await store.outbox.findingIdsOf(id, 2)).toEqual([f1.id, f2.id]);
        expect(await store.outbox.statsOf(id)).toEqual({
          total: 4,
          bySeverity: { low: 1, critical: 2, high: 1 },
          byRule: { 'rule-a': 3, 'rule-b': 1 },
          byRuleSeverity: { 'rule-a': { low: 1, high: 1, critical: 1 }, 'rule-b': { critical: 1 } },
          byAccount: { '111111111111': 3, '222222222222': 1 },
          firstEventTime: f1.eventTime,
          lastEventTime: f4.eventTime,
        });
        expect(await store.outbox.findingsOf('no-such-row', 5)).toEqual([]);
        expect(await store.outbox.statsOf('no-such-row')).toEqual({ total: 0, bySeverity: {}, byRule: {}, byRuleSeverity: {}, byAccount: {} });
      });

      it('purgeDelivered deletes delivered rows older than the cut-off, never failed or pending ones', async () => {
        const old = await rowFor(makeFinding(1), 'slack', T0);
        await deliver(old, T0 + 10);
        const recent = await rowFor(makeFinding(2), 'slack', T0 + 20);
        await deliver(recent, T0 + 20);
        const failed = await rowFor(makeFinding(3), 'email', T0);
        await store.outbox.claimDue('email', { now: T0, limit: 1, leaseMs: LEASE, owner: 'w' });
        await store.outbox.markFailed(failed, { error: 'gone', now: T0 + 1 });
        const pending = await rowFor(makeFinding(4), 'teams', T0);

        expect(await store.outbox.purgeDelivered(T0 + 15)).toBe(1);
        expect(await store.outbox.get(old)).toBeUndefined();
        expect(await store.outbox.findingIdsOf(old)).toEqual([]);
        expect(await store.outbox.get(recent)).toBeDefined();
        expect(await store.outbox.purgeDelivered(T0 + 1_000_000)).toBe(1);
        expect((await store.outbox.list()).map((r) => r.id).sort()).toEqual([failed, pending].sort());
        // The finding is kept; enqueued again after its notification was purged, it is notified again.
        expect((await store.findings.get(makeFinding(1).id))?.timesSeen).toBe(1);
        expect((await enqueue(makeFinding(1), ['slack'], T0 + 1_000_000)).channels[0]?.outcome).toBe('new');
      });
    });

    describe('remediation: claims', () => {
      const request = (decisionId: string, overrides: Partial<Parameters<Store['remediation']['claim']>[0]> = {}) => ({
        eventId: 'event-1',
        actionId: 'start-cloudtrail-logging',
        decisionId,
        mode: 'enforce' as const,
        owner: `runner-${decisionId}`,
        now: T0,
        leaseMs: 1000,
        ...overrides,
      });

      it('granted when free, refused while another runner holds the lease, taken over after it', async () => {
        expect(await store.remediation.claim(request('d1'))).toEqual({ claimed: true });
        expect(await store.remediation.claim(request('d2', { now: T0 + 999 }))).toEqual({ claimed: false, inProgress: { owner: 'runner-d1', since: T0 } });
        expect(await store.remediation.claim(request('d3', { now: T0 + 1000 }))).toEqual({ claimed: true });
        expect(await store.remediation.claim(request('d4', { now: T0 + 1500 }))).toEqual({ claimed: false, inProgress: { owner: 'runner-d3', since: T0 + 1000 } });
        // Other actions on the event, and other events, are claims of their own.
        expect(await store.remediation.claim(request('d5', { actionId: 'revoke-security-group-ingress' }))).toEqual({ claimed: true });
        expect(await store.remediation.claim(request('d6', { eventId: 'event-2' }))).toEqual({ claimed: true });
      });

      it('an event without an id is never de-duplicated', async () => {
        expect(await store.remediation.claim(request('d1', { eventId: '' }))).toEqual({ claimed: true });
        expect(await store.remediation.claim(request('d2', { eventId: '' }))).toEqual({ claimed: true });
      });

      /** Claims event-1 for decision i in `mode`, commits it with `status`, and returns it. */
      const settle = async (i: number, status: RemediationDecision['status'], mode: RemediationDecision['mode'], now = T0): Promise<RemediationDecision> => {
        const decision = makeDecision(i, { eventId: 'event-1', status, mode });
        expect(await store.remediation.claim(request(decision.id, { mode, now }))).toEqual({ claimed: true });
        await store.remediation.commit({ decision, now: now + 1 });
        return decision;
      };

      it.each(['executed', 'pending-approval'] as const)('a decision that acted (%s) holds the pair for good', async (status) => {
        const decision = await settle(1, status, status === 'executed' ? 'enforce' : 'approve');
        for (const mode of ['enforce', 'approve', 'dry-run'] as const) {
          const refused: RemediationClaim = await store.remediation.claim(request('d9', { mode, now: T0 + 10_000_000 }));
          expect(refused).toEqual({ claimed: false, heldBy: decision });
        }
        expect(await store.remediation.hasActed('event-1', 'start-cloudtrail-logging')).toEqual(decision);
      });

      it('a failed decision gives the pair back', async () => {
        await settle(1, 'failed', 'enforce');
        expect(await store.remediation.claim(request('d9', { now: T0 + 10 }))).toEqual({ claimed: true });
      });

      it('a decision that did not act holds against its own mode only', async () => {
        const preview = await settle(1, 'dry-run', 'dry-run');
        expect(await store.remediation.claim(request('d8', { mode: 'dry-run', now: T0 + 10 }))).toEqual({ claimed: false, heldBy: preview });
        const skipped = await settle(2, 'skipped', 'enforce', T0 + 20);
        expect(await store.remediation.claim(request('d9', { mode: 'enforce', now: T0 + 30 }))).toEqual({ claimed: false, heldBy: skipped });
        expect(await store.remediation.claim(request('d10', { mode: 'dry-run', now: T0 + 40 }))).toEqual({ claimed: true });
      });

      it('concurrent claims of one (event, action): exactly one is granted', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.remediation.claim(request(`d${i}`))));
        const granted = results.filter((r) => r.claimed);
        expect(granted).toHaveLength(1);
        for (const r of results.filter((x) => !x.claimed)) expect(r).toMatchObject({ claimed: false, inProgress: { since: T0 } });
      });

      it('a decision made under no claim leaves the claim in progress alone', async () => {
        expect(await store.remediation.claim(request('d1'))).toEqual({ claimed: true });
        await store.remediation.commit({ decision: makeDecision(9, { eventId: 'event-1', status: 'dry-run' }), now: T0 + 1 });
        expect(await store.remediation.claim(request('d2', { now: T0 + 2 }))).toEqual({ claimed: false, inProgress: { owner: 'runner-d1', since: T0 } });
      });

      it('releaseClaim gives back a claim in progress for that decision only, never a settled one', async () => {
        expect(await store.remediation.claim(request('d1'))).toEqual({ claimed: true });
        // Another decision's id releases nothing.
        await store.remediation.releaseClaim('event-1', 'start-cloudtrail-logging', 'd2');
        expect(await store.remediation.claim(request('d2', { now: T0 + 1 }))).toMatchObject({ claimed: false, inProgress: { owner: 'runner-d1' } });
        await store.remediation.releaseClaim('event-1', 'start-cloudtrail-logging', 'd1');
        expect(await store.remediation.claim(request('d3', { now: T0 + 2 }))).toEqual({ claimed: true });
        await store.remediation.releaseClaim('event-1', 'start-cloudtrail-logging', 'd3');
        // Settled: releasing it changes nothing.
        const decision = await settle(4, 'executed', 'enforce', T0 + 10);
        await store.remediation.releaseClaim('event-1', 'start-cloudtrail-logging', decision.id);
        expect(await store.remediation.claim(request('d5', { now: T0 + 20 }))).toEqual({ claimed: false, heldBy: decision });
      });

      it('a decision that acted holds its pair even when it was made under no claim', async () => {
        const decision = makeDecision(1, { eventId: 'event-1', status: 'executed' });
        await store.remediation.commit({ decision, now: T0 });
        expect(await store.remediation.claim(request('d2', { now: T0 + 1 }))).toEqual({ claimed: false, heldBy: decision });
      });

      it('takeOver: the decision named gives its hold to the claim (an approved plan runs); no other one does', async () => {
        const held = await settle(1, 'pending-approval', 'approve');
        expect(await store.remediation.claim(request('d2', { mode: 'approve', now: T0 + 10, takeOver: 'some-other-decision' }))).toEqual({ claimed: false, heldBy: held });
        expect(await store.remediation.claim(request('d3', { mode: 'approve', now: T0 + 20, takeOver: held.id }))).toEqual({ claimed: true });
        // Taken: another run of the same plan waits for this one.
        expect(await store.remediation.claim(request('d4', { mode: 'approve', now: T0 + 30, takeOver: held.id }))).toMatchObject({ claimed: false, inProgress: { owner: 'runner-d3' } });
        // The run fails: the pair is free for a retry, or for the event again.
        const failed = makeDecision(3, { id: 'd3', eventId: 'event-1', status: 'failed', mode: 'approve' });
        await store.remediation.commit({ decision: failed, now: T0 + 40 });
        expect(await store.remediation.claim(request('d5', { mode: 'enforce', now: T0 + 50 }))).toEqual({ claimed: true });
        // An executed run holds the pair against takeOver too.
        const executed = makeDecision(5, { id: 'd5', eventId: 'event-1', status: 'executed', mode: 'enforce' });
        await store.remediation.commit({ decision: executed, now: T0 + 60 });
        expect(await store.remediation.claim(request('d6', { mode: 'approve', now: T0 + 70, takeOver: held.id }))).toEqual({ claimed: false, heldBy: executed });
      });

      it('releasing a claim puts back the hold it took over: an approved plan whose run could not be recorded is held again', async () => {
        const held = await settle(1, 'pending-approval', 'approve');
        expect(await store.remediation.claim(request('d2', { mode: 'approve', now: T0 + 10, takeOver: held.id }))).toEqual({ claimed: true });
        await store.remediation.releaseClaim('event-1', 'start-cloudtrail-logging', 'd2');
        // Held again by the pending-approval decision: the event again is a duplicate; the plan's own run may take it.
        expect(await store.remediation.claim(request('d3', { mode: 'enforce', now: T0 + 20 }))).toEqual({ claimed: false, heldBy: held });
        expect(await store.remediation.claim(request('d4', { mode: 'approve', now: T0 + 30, takeOver: held.id }))).toEqual({ claimed: true });
        // A claim that replaced a settled hold which does not hold (a failure) puts that back too: the pair stays free.
        const failed = makeDecision(4, { id: 'd4', eventId: 'event-1', status: 'failed', mode: 'approve' });
        await store.remediation.commit({ decision: failed, now: T0 + 40 });
        expect(await store.remediation.claim(request('d5', { now: T0 + 50 }))).toEqual({ claimed: true });
        await store.remediation.releaseClaim('event-1', 'start-cloudtrail-logging', 'd5');
        expect(await store.remediation.claim(request('d6', { now: T0 + 60 }))).toEqual({ claimed: true });
      });

      it('a pending-approval decision logged without a claim can be taken over too', async () => {
        const held = makeDecision(1, { eventId: 'event-1', status: 'pending-approval', mode: 'approve' });
        await store.remediation.commit({ decision: held, now: T0 });
        expect(await store.remediation.claim(request('d2', { mode: 'approve', now: T0 + 1 }))).toEqual({ claimed: false, heldBy: held });
        expect(await store.remediation.claim(request('d3', { mode: 'approve', now: T0 + 2, takeOver: held.id }))).toEqual({ claimed: true });
        await store.remediation.releaseClaim('event-1', 'start-cloudtrail-logging', 'd3');
        expect(await store.remediation.claim(request('d4', { now: T0 + 3 }))).toEqual({ claimed: false, heldBy: held });
      });
    });

    describe('remediation: commit', () => {
      it('writes the decision with its approval and notices, once', async () => {
        const decision = makeDecision(1, { status: 'pending-approval', approvalId: 'approval-1' });
        const approval = makeApproval(decision, 'approval-1');
        const notices = [makeNotice(decision, 'slack', T0 + 5), makeNotice(decision, 'email', T0 + 5)];
        const first = await store.remediation.commit({ decision, approval, notices, now: T0 });
        expect(first.notices.map((n) => n.created)).toEqual([true, true]);
        const [slack, email] = first.notices.map((n) => n.row);
        expect(slack).toMatchObject({ channel: 'slack', kind: 'remediation', state: 'pending', count: 1, attempts: 0, maxAttempts: 3, nextAttemptAt: T0 + 5, groupKey: notices[0]!.groupKey, idempotencyKey: notices[0]!.idempotencyKey, createdAt: T0 });
        expect(await store.outbox.get(slack!.id)).toEqual(slack);
        expect(await store.outbox.remediationOf(email!.id)).toEqual({
          outboxId: email!.id,
          channel: 'email',
          decisionId: decision.id,
          status: 'pending-approval',
          actionId: decision.actionId,
          ruleId: decision.ruleId,
          findingId: decision.findingId,
          decisionJson: JSON.stringify(decision),
        });
        expect(await store.remediation.getDecision(decision.id)).toEqual(decision);
        expect(await store.remediation.getApproval('approval-1')).toEqual({ ...approval, status: 'pending' });

        const again = await store.remediation.commit({ decision, approval, notices, now: T0 + 100 });
        expect(again.notices.map((n) => [n.row.id, n.created])).toEqual([
          [slack!.id, false],
          [email!.id, false],
        ]);
        expect(await store.remediation.listDecisions()).toEqual([decision]);
        expect(await store.outbox.list()).toHaveLength(2);
      });

      it('a notice without a finding covers none; a notice already there is left as it is', async () => {
        const bare = makeDecision(1, { status: 'dry-run', findingId: undefined });
        const [notice] = (await store.remediation.commit({ decision: bare, notices: [makeNotice(bare, 'slack', T0)], now: T0 })).notices;
        expect(notice).toMatchObject({ created: true, row: { count: 0 } });
        expect(await store.outbox.remediationOf(notice!.row.id)).not.toHaveProperty('findingId');
        await deliver(notice!.row.id, T0 + 1);

        const next = makeDecision(2, { status: 'dry-run' });
        const result = await store.remediation.commit({
          decision: next,
          notices: [makeNotice(next, 'slack', T0 + 2, { idempotencyKey: notice!.row.idempotencyKey }), makeNotice(next, 'email', T0 + 2)],
          now: T0 + 2,
        });
        expect(result.notices.map((n) => [n.row.channel, n.created])).toEqual([
          ['slack', false],
          ['email', true],
        ]);
        expect(result.notices[0]?.row).toMatchObject({ id: notice!.row.id, state: 'delivered' });
        expect((await store.outbox.remediationOf(notice!.row.id))?.decisionId).toBe(bare.id);
        expect(await store.outbox.remediationOf('no-such-row')).toBeUndefined();
      });

      it('concurrent commits of one decision: one log entry, each notice created once', async () => {
        const decision = makeDecision(1, { status: 'executed' });
        const notices = [makeNotice(decision, 'slack', T0), makeNotice(decision, 'email', T0)];
        const results = await Promise.all(Array.from({ length: 6 }, () => store.remediation.commit({ decision, notices, now: T0 })));
        expect(await store.remediation.listDecisions()).toEqual([decision]);
        for (const channel of [0, 1]) {
          expect(results.filter((r) => r.notices[channel]?.created)).toHaveLength(1);
          expect(new Set(results.map((r) => r.notices[channel]?.row.id)).size).toBe(1);
        }
        expect(await store.outbox.list()).toHaveLength(2);
      });

      it('an approval id already there is left as it is', async () => {
        const first = makeDecision(1, { status: 'pending-approval', approvalId: 'approval-1' });
        await store.remediation.commit({ decision: first, approval: makeApproval(first, 'approval-1'), now: T0 });
        const second = makeDecision(2, { status: 'pending-approval', approvalId: 'approval-1' });
        await store.remediation.commit({ decision: second, approval: makeApproval(second, 'approval-1'), now: T0 });
        expect((await store.remediation.getApproval('approval-1'))?.decisionId).toBe(first.id);
        expect(await store.remediation.getDecision(second.id)).toEqual(second);
      });
    });

    describe('remediation: the log', () => {
      it('hasActed: the latest decision that acted on the event with the action', async () => {
        const e = { eventId: 'event-1' };
        await store.remediation.commit({ decision: makeDecision(1, { ...e, status: 'dry-run' }), now: T0 });
        await store.remediation.commit({ decision: makeDecision(2, { ...e, status: 'failed' }), now: T0 });
        expect(await store.remediation.hasActed('event-1', 'start-cloudtrail-logging')).toBeUndefined();
        const executed = makeDecision(3, { ...e, status: 'executed' });
        const held = makeDecision(4, { ...e, status: 'pending-approval' });
        await store.remediation.commit({ decision: held, now: T0 });
        await store.remediation.commit({ decision: executed, now: T0 });
        await store.remediation.commit({ decision: makeDecision(5, { ...e, status: 'skipped' }), now: T0 });
        expect(await store.remediation.hasActed('event-1', 'start-cloudtrail-logging')).toEqual(held);
        expect(await store.remediation.hasActed('event-1', 'revoke-security-group-ingress')).toBeUndefined();
        expect(await store.remediation.hasActed('event-2', 'start-cloudtrail-logging')).toBeUndefined();
        await store.remediation.commit({ decision: makeDecision(6, { eventId: '', status: 'executed' }), now: T0 });
        expect(await store.remediation.hasActed('', 'start-cloudtrail-logging')).toBeUndefined();
      });

      it('listDecisions: newest first, by event, action and status, at most the limit', async () => {
        const d = [
          makeDecision(1, { eventId: 'event-1', status: 'dry-run' }),
          makeDecision(2, { eventId: 'event-1', status: 'executed', actionId: 'revoke-security-group-ingress' }),
          makeDecision(3, { eventId: 'event-2', status: 'executed' }),
          makeDecision(4, { eventId: 'event-1', status: 'executed' }),
          makeDecision(5, { eventId: 'event-3', status: 'skipped' }),
        ];
        // Committed out of order: the log orders by the decisions' own times.
        for (const i of [2, 0, 4, 1, 3]) await store.remediation.commit({ decision: d[i]!, now: T0 });
        const ids = (list: RemediationDecision[]) => list.map((x) => x.id);
        expect(ids(await store.remediation.listDecisions())).toEqual(['decision-5', 'decision-4', 'decision-3', 'decision-2', 'decision-1']);
        expect(ids(await store.remediation.listDecisions({ limit: 2 }))).toEqual(['decision-5', 'decision-4']);
        expect(ids(await store.remediation.listDecisions({ eventId: 'event-1' }))).toEqual(['decision-4', 'decision-2', 'decision-1']);
        expect(ids(await store.remediation.listDecisions({ eventId: 'event-1', actionId: 'start-cloudtrail-logging' }))).toEqual(['decision-4', 'decision-1']);
        expect(ids(await store.remediation.listDecisions({ actionId: 'revoke-security-group-ingress' }))).toEqual(['decision-2']);
        expect(ids(await store.remediation.listDecisions({ status: 'executed' }))).toEqual(['decision-4', 'decision-3', 'decision-2']);
        expect(ids(await store.remediation.listDecisions({ status: 'executed', limit: 1 }))).toEqual(['decision-4']);
        expect(ids(await store.remediation.listDecisions({ eventId: 'event-1', status: 'dry-run' }))).toEqual(['decision-1']);
        expect(await store.remediation.listDecisions({ eventId: 'event-9' })).toEqual([]);
        expect(await store.remediation.getDecision('no-such-decision')).toBeUndefined();
      });
    });

    describe('remediation: approvals', () => {
      /** A pending-approval decision i with its approval, created i seconds after T0, expiring ttlMs later. */
      const hold = async (i: number, ttlMs = 3_600_000) => {
        const decision = makeDecision(i, { status: 'pending-approval', approvalId: `approval-${i}` });
        const approval = makeApproval(decision, `approval-${i}`, ttlMs);
        await store.remediation.commit({ decision, approval, now: T0 + i * 1000 });
        return approval;
      };

      it('pending approvals, oldest first; expired ones are marked expired first', async () => {
        const short = await hold(2, 60_000);
        const long = await hold(1);
        const other = await hold(3);
        expect((await store.remediation.pendingApprovals(new Date(T0 + 10_000))).map((a) => a.id)).toEqual([long.id, short.id, other.id]);

        const at = new Date(T0 + 2000 + 60_000);
        const expired = await store.remediation.expireApprovals(at);
        expect(expired).toEqual([{ ...short, status: 'expired', decidedAt: at.toISOString() }]);
        expect(await store.remediation.getApproval(short.id)).toEqual({ ...short, status: 'expired', decidedAt: at.toISOString() });
        expect(await store.remediation.expireApprovals(at)).toEqual([]);
        expect((await store.remediation.pendingApprovals(at)).map((a) => a.id)).toEqual([long.id, other.id]);

        // pendingApprovals expires on its own.
        const pending = await store.remediation.pendingApprovals(new Date(T0 + 3_601_500));
        expect(pending.map((a) => a.id)).toEqual([other.id]);
        expect((await store.remediation.getApproval(long.id))?.status).toBe('expired');
        expect(await store.remediation.getApproval('no-such-approval')).toBeUndefined();
      });

      it('an approval is decided once, and never after its expiry', async () => {
        const a = await hold(1);
        const b = await hold(2, 60_000);
        const now = new Date(T0 + 30_000);
        expect(await store.remediation.decideApproval(a.id, 'approved', 'carol', now, 'looks right')).toBe(true);
        expect(await store.remediation.getApproval(a.id)).toEqual({ ...a, status: 'approved', decidedBy: 'carol', decidedAt: now.toISOString(), note: 'looks right' });
        expect(await store.remediation.decideApproval(a.id, 'rejected', 'dave', new Date(T0 + 31_000))).toBe(false);
        expect((await store.remediation.getApproval(a.id))?.decidedBy).toBe('carol');
        expect(await store.remediation.decideApproval(b.id, 'approved', 'carol', new Date(T0 + 2000 + 60_000))).toBe(false);
        expect(await store.remediation.decideApproval('no-such-approval', 'approved', 'carol', now)).toBe(false);
        const c = await hold(3);
        expect(await store.remediation.decideApproval(c.id, 'rejected', 'dave', now)).toBe(true);
        expect(await store.remediation.getApproval(c.id)).toEqual({ ...c, status: 'rejected', decidedBy: 'dave', decidedAt: now.toISOString() });
        expect((await store.remediation.pendingApprovals(now)).map((x) => x.id)).toEqual([b.id]);
      });

      it('concurrent decisions on one approval: exactly one wins', async () => {
        const a = await hold(1);
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.remediation.decideApproval(a.id, i % 2 ? 'approved' : 'rejected', `person-${i}`, new Date(T0 + 5000))));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect(await store.remediation.getApproval(a.id)).toMatchObject({ status: winner % 2 ? 'approved' : 'rejected', decidedBy: `person-${winner}` });
      });
    });
  });
}

