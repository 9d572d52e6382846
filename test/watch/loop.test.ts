/**
 * The watch loop against the LookupEvents fake with the real SDK client, over many poll cycles on a virtual clock:
 * late-visible and overlapping events evaluated once, throttling waited out with nothing skipped, a restart without
 * gap or duplicate, a failing region while the others go on, a stop that finishes the poll in flight and saves the
 * checkpoint, and seen ids pruned past the look-back.
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { describeInstances, stopLogging } from '../cli/helpers.js';
import { startLookupEventsFake, VirtualClock, type LookupEventsFake } from '../support/lookup-events-fake.js';
import { countIds, iso, MINUTE, watch } from './support.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');
let clock: VirtualClock;
let fake: LookupEventsFake;
let store: SqliteStore;

beforeEach(async () => {
  clock = new VirtualClock(T0);
  fake = await startLookupEventsFake({ clock });
  store = openSqliteStore(':memory:');
});

afterEach(async () => {
  await fake.close();
  await store.close();
});

/** An event at `at`, visible `delay` later: a read-only call, or StopLogging (a critical finding) when `alert`. */
function event(region: string, n: number, at: number, delay = 5 * MINUTE, alert = false): string {
  const id = `${region}-${String(n).padStart(5, '0')}`;
  const make = alert ? stopLogging : describeInstances;
  fake.add(region, make({ eventID: id, eventTime: iso(at), awsRegion: region }), { visibleAfterMs: delay });
  return id;
}

describe('watch loop over LookupEvents', () => {
  it('evaluates late-visible and overlapping events once each, within an interval of their visibility', async () => {
    const ids: string[] = [];
    // Every 20 s for 30 minutes, visible 2 to 12 minutes after they happened (CloudTrail's delivery delay).
    for (let i = 0; i < 90; i++) ids.push(event('us-east-1', i, T0 + i * 20_000, (2 + (i % 11)) * MINUTE, i % 30 === 0));
    // One visible only after 20 minutes, beyond the 15-minute look-back: no later window holds it any more.
    const tooLate = event('us-east-1', 999, T0 + 60_000, 20 * MINUTE);
    const { evaluated, polls } = await watch(fake, store, ['us-east-1'], { durationMs: 45 * MINUTE });

    const counts = countIds(evaluated);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(ids.filter((id) => !counts.has(id))).toEqual([]);
    expect(counts.has(tooLate)).toBe(false);
    // Overlapping windows returned events again: they were skipped, not evaluated.
    expect(polls.reduce((n, p) => n + p.duplicates, 0)).toBeGreaterThan(0);
    expect(evaluated.filter((e) => e.findings.some((f) => f.ruleId === 'cloudtrail-disabled'))).toHaveLength(3);
    // Added delay over CloudTrail's own: at most an interval (30 s) plus a second.
    const delays = evaluated.map((e) => e.at - fake.visibleAt(e.id)!);
    expect(Math.max(...delays)).toBeLessThanOrEqual(31_000);
    // Never a window the API refused, never a token reused with other parameters.
    expect(fake.requests.filter((r) => r.error !== undefined)).toEqual([]);
  });

  it('pages through a busy window with the same parameters, waits out throttling and skips nothing', async () => {
    const ids = Array.from({ length: 180 }, (_, i) => event('us-east-1', i, T0 + i * 1_000, 60_000));
    clock.advance(10 * MINUTE);
    fake.throttleNext('us-east-1', 3);
    let throttledLater = false;
    const { evaluated, polls } = await watch(fake, store, ['us-east-1'], {
      durationMs: 3 * MINUTE,
      onCycle: () => {
        if (!throttledLater) fake.throttleNext('us-east-1', 2);
        throttledLater = true;
      },
    });
    expect(countIds(evaluated).size).toBe(180);
    expect(evaluated).toHaveLength(180);
    expect(new Set(evaluated.map((e) => e.id))).toEqual(new Set(ids));
    expect(polls[0]!.throttled).toBe(3);
    expect(polls[0]!.requests).toBe(4 + 3); // 180 events = 4 pages, plus 3 throttled attempts
    // Every page after the first repeats the window exactly, with the token of the page before it.
    const first = fake.requests.filter((r) => r.at <= polls[0]!.finishedAt);
    expect(new Set(first.map((r) => `${r.startTime}-${r.endTime}-${r.maxResults}`)).size).toBe(1);
    expect(first.filter((r) => r.error === 'ThrottlingException')).toHaveLength(3);
    expect(fake.requests.filter((r) => r.error !== undefined && r.error !== 'ThrottlingException')).toEqual([]);
  });

  it('resumes after a restart from the checkpoint: no gap, no duplicate', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(event('us-east-1', i, T0 + i * 30_000, 4 * MINUTE, i === 5 || i === 35));
    const first = await watch(fake, store, ['us-east-1'], { durationMs: 10 * MINUTE });
    const checkpoint = await store.watch.checkpoint('cloudtrail:us-east-1');
    expect(checkpoint).toBeGreaterThanOrEqual(T0 + 9 * MINUTE);
    // Down for 12 minutes (less than the look-back), then a new process on the same store.
    clock.advance(12 * MINUTE);
    const second = await watch(fake, store, ['us-east-1'], { durationMs: 15 * MINUTE });
    const all = [...first.evaluated, ...second.evaluated];
    expect([...countIds(all).values()].every((n) => n === 1)).toBe(true);
    expect(ids.filter((id) => !countIds(all).has(id))).toEqual([]);
    expect(first.evaluated.length).toBeGreaterThan(0);
    expect(second.evaluated.length).toBeGreaterThan(0);
    // The second run's first window starts a look-back before the checkpoint.
    expect(second.polls[0]!.window.start).toBe(checkpoint! - 15 * MINUTE);
  });

  it('goes on with the other regions while one fails, and reads the failed one from where it stood once it recovers', async () => {
    for (let i = 0; i < 10; i++) event('us-east-1', i, T0 + i * 60_000, MINUTE);
    const west = Array.from({ length: 10 }, (_, i) => event('eu-west-1', i, T0 + i * 60_000, MINUTE, i === 3));
    fake.failRegion('eu-west-1', 'AccessDeniedException');
    let cycles = 0;
    const { evaluated, polls } = await watch(fake, store, ['us-east-1', 'eu-west-1'], {
      durationMs: 20 * MINUTE,
      onCycle: () => {
        // Access granted after 10 minutes.
        if (++cycles === 20) fake.failRegion('eu-west-1', undefined);
      },
    });
    const failed = polls.filter((p) => p.label === 'eu-west-1' && !p.ok);
    expect(failed.length).toBe(20);
    expect(failed[0]!.error).toMatch(/eu-west-1: LookupEvents: AccessDeniedException/);
    expect(polls.filter((p) => p.label === 'us-east-1').every((p) => p.ok)).toBe(true);
    expect(evaluated.filter((e) => e.region === 'us-east-1')).toHaveLength(10);
    // Nothing of eu-west-1 was lost while it failed: the run's start (less the look-back) still bounds its first window.
    expect(new Set(evaluated.filter((e) => e.region === 'eu-west-1').map((e) => e.id))).toEqual(new Set(west));
  });

  it('on stop, finishes the poll in flight and saves its checkpoint', async () => {
    for (let i = 0; i < 120; i++) event('us-east-1', i, T0 + i * 1_000, 0);
    clock.advance(5 * MINUTE);
    const stop = new AbortController();
    const evaluatedBefore: string[] = [];
    const result = await watch(fake, store, ['us-east-1'], {
      stop: stop.signal,
      onEvent: async (e) => {
        evaluatedBefore.push(e.id);
        // SIGTERM arrives while the first page is being handled.
        if (evaluatedBefore.length === 10) stop.abort();
      },
    });
    expect(result.summary.endedBy).toBe('stopped');
    expect(result.summary.cycles).toBe(1);
    expect(evaluatedBefore).toHaveLength(120);
    expect(await store.watch.checkpoint('cloudtrail:us-east-1')).toBe(result.polls[0]!.window.end);
  });

  it('an abort abandons the poll in flight without losing what it evaluated', async () => {
    for (let i = 0; i < 120; i++) event('us-east-1', i, T0 + i * 1_000, 0);
    clock.advance(5 * MINUTE);
    const abort = new AbortController();
    const seen: string[] = [];
    const first = await watch(fake, store, ['us-east-1'], {
      abort: abort.signal,
      onEvent: async (e) => {
        seen.push(e.id);
        if (seen.length === 60) abort.abort();
      },
    });
    expect(first.summary.endedBy).toBe('aborted');
    expect(first.polls[0]!.stopped).toBe(true);
    expect(await store.watch.checkpoint('cloudtrail:us-east-1')).toBeUndefined();
    const second = await watch(fake, store, ['us-east-1'], { durationMs: MINUTE, since: T0 - MINUTE });
    expect(new Set([...seen, ...second.evaluated.map((e) => e.id)]).size).toBe(120);
    expect(seen.length + second.evaluated.length).toBe(120);
  });

  it('forgets seen ids once no window can return them', async () => {
    for (let i = 0; i < 120; i++) event('us-east-1', i, T0 + i * 30_000, MINUTE);
    await watch(fake, store, ['us-east-1'], { durationMs: 70 * MINUTE });
    const kept = await store.watch.seenCount('cloudtrail:us-east-1');
    // An hour of events (120) was evaluated; only those inside the last look-back are remembered.
    expect(kept).toBeLessThanOrEqual(31);
    expect(kept).toBeGreaterThan(0);
  });

  it('the fake holds LookupEvents to its token rule', async () => {
    for (let i = 0; i < 60; i++) event('us-east-1', i, T0 + i * 1_000, 0);
    clock.advance(MINUTE);
    // Three requests at one instant of the virtual clock: the rate limit is not what this test is about.
    fake.rateLimit = false;
    const client = new CloudTrailClient(fake.clientConfig('us-east-1'));
    const page = await client.send(new LookupEventsCommand({ StartTime: new Date(T0), EndTime: new Date(T0 + MINUTE), MaxResults: 50 }));
    expect(page.Events).toHaveLength(50);
    expect(page.Events![0]!.EventId).toBe('us-east-1-00059');
    await expect(client.send(new LookupEventsCommand({ StartTime: new Date(T0), EndTime: new Date(T0 + 2 * MINUTE), MaxResults: 50, NextToken: page.NextToken }))).rejects.toMatchObject({
      name: 'InvalidNextTokenException',
    });
    await expect(client.send(new LookupEventsCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: 'InvalidMaxResultsException' });
  });
});
