/**
 * Delivery guarantees against a local receiver that misbehaves: 500s, timeouts, 429 with
 * Retry-After, permanent errors, a dead channel. The receiver de-duplicates on webhook-id, as the
 * Standard Webhooks spec asks; "delivered exactly once to the receiver's eyes" means every finding
 * reached it under exactly one webhook-id that it accepted.
 */
import './support/loopback-only.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notificationsConfigSchema } from '../../src/notify/config.js';
import { backoffDelay } from '../../src/notify/dispatcher.js';
import { parseRetryAfter } from '../../src/notify/errors.js';
import { createNotifier, type Notifier } from '../../src/notify/notifier.js';
import type { Store } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { blockedConnections } from './support/loopback-only.js';
import { makeFinding } from './support/findings.js';
import { startServer, type RecordedRequest, type Reply, type TestServer } from './support/http-server.js';

let server: TestServer;
const open: { notifier: Notifier; store: Store }[] = [];
const logs: string[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterEach(async () => {
  for (const { notifier, store } of open.splice(0)) {
    await notifier.close();
    await store.close();
  }
  server.requests.length = 0;
  logs.length = 0;
});
afterAll(async () => {
  await server.close();
  expect(blockedConnections).toEqual([]);
});

const FAST = { initialBackoffSeconds: 0.02, maxBackoffSeconds: 0.1, timeoutSeconds: 2, maxAttempts: 20, circuitBreakerFailures: 50 };

function setup(channel: Record<string, unknown> = {}, delivery: Record<string, unknown> = {}): { notifier: Notifier; store: Store } {
  const config = notificationsConfigSchema.parse({
    channels: { hook: { type: 'webhook', url: `${server.url}/hook`, delivery: { ...FAST, ...delivery }, dedupe: { windowSeconds: 0 }, storm: { threshold: 0 }, ...channel } },
  });
  const store = openSqliteStore(':memory:');
  const notifier = createNotifier({ config, store, log: (level, m) => logs.push(`${level}: ${m}`), pollMs: 50 });
  open.push({ notifier, store });
  return { notifier, store };
}

/** The receiver's view: per webhook-id it accepted (2xx), the finding ids it carried. */
function accepted(requests: RecordedRequest[], statusOf: (r: RecordedRequest) => number): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  for (const r of requests) {
    if (statusOf(r) >= 300) continue;
    const id = r.headers['webhook-id'] as string;
    const ids = (r.json as { data: { findings: { id: string }[] } }).data.findings.map((f) => f.id);
    if (seen.has(id)) expect(seen.get(id)).toEqual(ids); // a duplicate delivery carries the same content
    else seen.set(id, ids);
  }
  return seen;
}

function expectExactlyOnce(seen: Map<string, string[]>, findingIds: string[]): void {
  const carried = [...seen.values()].flat();
  expect(carried.sort()).toEqual([...findingIds].sort());
}

/** Scripted replies by request index; records the status each request got. */
function script(reply: (index: number) => Reply): Map<RecordedRequest, number> {
  const statuses = new Map<RecordedRequest, number>();
  server.respond((req, i) => {
    const r = reply(i);
    if (!r.hang) statuses.set(req, r.status ?? 200);
    return r;
  });
  return statuses;
}

describe('dueNowOnly (runs billed by the second)', () => {
  it('sends what is due and returns: a retry\'s backoff and a rate limit are not waited for, and nothing is lost', async () => {
    const { notifier, store } = setup({ rateLimit: { perSecond: 0.5, burst: 2 } }, { initialBackoffSeconds: 5, maxBackoffSeconds: 5 });
    script((i) => (i === 0 ? { status: 503, body: 'down' } : { status: 200, body: 'ok' }));
    const findings = [1, 2, 3, 4].map((i) => makeFinding(i));
    await notifier.enqueue(findings);
    const started = Date.now();
    const report = await notifier.deliver({ deadline: Date.now() + 30_000, dueNowOnly: true });
    expect(Date.now() - started).toBeLessThan(2_000);
    // The burst of 2: one failed (its retry is 0-5 s away), one delivered; the other two wait for tokens.
    expect(server.requests).toHaveLength(2);
    expect(report).toMatchObject({ delivered: 1, retried: 1, failed: 0, outstanding: 3, endedBy: 'idle' });
    expect((await store.outbox.list({ states: ['pending'] })).length).toBe(3);
  });
});

describe('retries', () => {
  it('500s for a while, then recovery: every finding delivered exactly once by idempotency key', async () => {
    const statuses = script((i) => (i < 25 ? { status: 500, body: 'boom' } : { status: 200 }));
    const { notifier, store } = setup();
    const findings = Array.from({ length: 20 }, (_, i) => makeFinding(i));
    expect((await notifier.enqueue(findings)).outcomes.new).toBe(20);
    const report = await notifier.deliver({ deadline: Date.now() + 20_000 });
    expect(report).toMatchObject({ delivered: 20, failed: 0, outstanding: 0, endedBy: 'idle' });
    expect(report.retried).toBeGreaterThanOrEqual(25);
    expectExactlyOnce(accepted(server.requests, (r) => statuses.get(r) ?? 0), findings.map((f) => f.id));
    expect(await store.outbox.counts()).toEqual([{ channel: 'hook', state: 'delivered', count: 20, oldestCreatedAt: expect.any(Number) }]);
    // Every attempt of a notification carried the same webhook-id.
    const idsPerFinding = new Map<string, Set<string>>();
    for (const r of server.requests) {
      const fid = (r.json as { data: { findings: { id: string }[] } }).data.findings[0]!.id;
      (idsPerFinding.get(fid) ?? idsPerFinding.set(fid, new Set()).get(fid)!).add(r.headers['webhook-id'] as string);
    }
    expect([...idsPerFinding.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('timeouts, then recovery: re-sent with the same id, seen once', async () => {
    const statuses = script((i) => (i < 4 ? { hang: true } : { status: 204 }));
    const { notifier } = setup({}, { timeoutSeconds: 0.3 });
    const findings = Array.from({ length: 6 }, (_, i) => makeFinding(i));
    await notifier.enqueue(findings);
    const report = await notifier.deliver({ deadline: Date.now() + 20_000 });
    expect(report).toMatchObject({ delivered: 6, failed: 0 });
    expect(server.requests.length).toBeGreaterThanOrEqual(10);
    // The receiver may have seen a timed-out request too (it just never answered): still one id per finding.
    expectExactlyOnce(accepted(server.requests, (r) => statuses.get(r) ?? 0), findings.map((f) => f.id));
    expect(logs.some((l) => l.includes('no answer within 300 ms'))).toBe(true);
  });

  it('429 with Retry-After in seconds pauses the whole channel for that long', async () => {
    const statuses = script((i) => (i < 1 ? { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' } : { status: 200 }));
    const { notifier } = setup({}, { concurrency: 1 });
    const findings = Array.from({ length: 3 }, (_, i) => makeFinding(i));
    await notifier.enqueue(findings);
    await notifier.deliver({ deadline: Date.now() + 20_000 });
    const [first, second] = server.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expectExactlyOnce(accepted(server.requests, (r) => statuses.get(r) ?? 0), findings.map((f) => f.id));
    expect(logs).toContain('warn: channel hook: throttled, pausing 1 s');
  });

  it('503 with Retry-After as an HTTP-date is honoured too', async () => {
    const until = () => new Date(Date.now() + 2000).toUTCString();
    script((i) => (i < 1 ? { status: 503, headers: { 'retry-after': until() } } : { status: 200 }));
    const { notifier } = setup();
    await notifier.enqueue([makeFinding(1)]);
    await notifier.deliver({ deadline: Date.now() + 20_000 });
    const [first, second] = server.requests;
    // HTTP-dates have one-second resolution.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
  });

  it('a permanent error fails at once and stays visible with its last error', async () => {
    script(() => ({ status: 400, body: 'unknown field "data"' }));
    const { notifier, store } = setup();
    await notifier.enqueue([makeFinding(1)]);
    const report = await notifier.deliver({ deadline: Date.now() + 5_000 });
    expect(report).toMatchObject({ delivered: 0, failed: 1 });
    expect(server.requests).toHaveLength(1);
    const [row] = await store.outbox.list({ states: ['failed'] });
    expect(row).toMatchObject({ attempts: 1, lastStatus: 400, lastError: 'webhook channel "hook": HTTP 400: unknown field "data" (not retryable)' });
  });

  it('exhausted attempts leave the delivery failed, never gone; retry re-drives it', async () => {
    script(() => ({ status: 503 }));
    const { notifier, store } = setup({}, { maxAttempts: 3 });
    await notifier.enqueue([makeFinding(1)]);
    expect(await notifier.deliver({ deadline: Date.now() + 5_000 })).toMatchObject({ failed: 1 });
    expect(server.requests).toHaveLength(3);
    const [row] = await store.outbox.list({ states: ['failed'] });
    expect(row!.lastError).toBe('webhook channel "hook": HTTP 503 (gave up after 3 attempts)');
    script(() => ({ status: 200 }));
    expect(await store.outbox.requeueFailed({ now: Date.now() })).toBe(1);
    expect(await notifier.deliver({ deadline: Date.now() + 5_000 })).toMatchObject({ delivered: 1, failed: 0 });
    expect(new Set(server.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });
});

describe('backpressure', () => {
  it('a dead channel opens its circuit instead of burning every queued delivery\'s attempts', async () => {
    script(() => ({ status: 500 }));
    const { notifier, store } = setup({}, { circuitBreakerFailures: 3, circuitBreakerCooldownSeconds: 0.4, maxAttempts: 8, concurrency: 1 });
    await notifier.enqueue(Array.from({ length: 30 }, (_, i) => makeFinding(i)));
    const report = await notifier.deliver({ deadline: Date.now() + 1_000 });
    expect(report.endedBy).toBe('deadline');
    expect(report.failed).toBe(0);
    // Closed: 3 failures; open 0.4 s; one probe; open 0.8 s ... — a handful of requests, not 30 x 8.
    expect(server.requests.length).toBeLessThanOrEqual(6);
    const untouched = (await store.outbox.list({ states: ['pending'] })).filter((r) => r.attempts === 0);
    expect(untouched.length).toBeGreaterThanOrEqual(24);
    expect(logs.some((l) => /circuit open for 1 s/.test(l))).toBe(true);
  });

  it('keeps at most `concurrency` requests in flight and honours the rate limit', async () => {
    let inFlight = 0;
    let most = 0;
    server.respond(() => {
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise((resolve) => setTimeout(() => {
        inFlight--;
        resolve({ status: 200 });
      }, 30));
    });
    const { notifier } = setup({ rateLimit: { perSecond: 40, burst: 5 } }, { concurrency: 2 });
    await notifier.enqueue(Array.from({ length: 25 }, (_, i) => makeFinding(i)));
    const started = Date.now();
    expect(await notifier.deliver({ deadline: Date.now() + 10_000 })).toMatchObject({ delivered: 25 });
    expect(most).toBe(2);
    // 5 at once, then 20 more at 40/s: at least half a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('stop() is graceful: the delivery in flight completes and nothing is left claimed', async () => {
    server.respond(() => new Promise((resolve) => setTimeout(() => resolve({ status: 200 }), 300)));
    const { notifier, store } = setup({}, { concurrency: 1 });
    await notifier.enqueue(Array.from({ length: 5 }, (_, i) => makeFinding(i)));
    const run = notifier.deliver({ untilIdle: false });
    await new Promise((r) => setTimeout(r, 100));
    await notifier.dispatcher.stop();
    const report = await run;
    expect(report).toMatchObject({ delivered: 1, endedBy: 'stopped', outstanding: 4 });
    expect(await store.outbox.list({ states: ['sending'] })).toEqual([]);
  });
});

describe('order', () => {
  it('sends on a channel start in the order their rows were claimed, however long each took to load', async () => {
    server.respond(() => ({ status: 200 }));
    const config = notificationsConfigSchema.parse({ channels: { hook: { type: 'webhook', url: `${server.url}/hook`, delivery: { ...FAST, concurrency: 4 }, dedupe: { windowSeconds: 0 }, storm: { threshold: 0 } } } });
    const store = openSqliteStore(':memory:');
    // The oldest row is the slowest to read (a store round trip that took its time).
    const outbox = new Proxy(store.outbox, {
      get: (target, key, receiver) =>
        key === 'findingsOf'
          ? async (id: string, limit: number, order?: 'first' | 'last' | 'worst') => {
              if (id === '1') await new Promise((r) => setTimeout(r, 50));
              return target.findingsOf(id, limit, order);
            }
          : Reflect.get(target, key, receiver),
    });
    const notifier = createNotifier({ config, store: { ...store, outbox }, pollMs: 50 });
    open.push({ notifier, store });
    const findings = Array.from({ length: 4 }, (_, i) => makeFinding(i));
    await notifier.enqueue(findings);
    expect(await notifier.deliver({ deadline: Date.now() + 10_000 })).toMatchObject({ delivered: 4 });
    expect(server.requests.map((r) => (r.json as { data: { findings: { id: string }[] } }).data.findings[0]!.id)).toEqual(findings.map((f) => f.id));
  });
});

describe('throughput', () => {
  it('delivers a thousand notifications to a local webhook receiver', async () => {
    server.respond(() => ({ status: 204 }));
    const { notifier, store } = setup({}, { concurrency: 8 });
    const N = 1000;
    await notifier.enqueue(Array.from({ length: N }, (_, i) => makeFinding(i)));
    const report = await notifier.deliver({ deadline: Date.now() + 30_000 });
    expect(report).toMatchObject({ delivered: N, failed: 0, outstanding: 0 });
    expect(new Set(server.requests.map((r) => r.headers['webhook-id'])).size).toBe(N);
    expect((await store.outbox.counts())[0]).toMatchObject({ state: 'delivered', count: N });
    const rate = Math.round(N / (report.elapsedMs / 1000));
    console.info(`throughput: ${N} notifications delivered to a local webhook in ${report.elapsedMs} ms (${rate}/s, concurrency 8)`);
    expect(rate).toBeGreaterThan(100);
  });
});

describe('backoff and Retry-After', () => {
  it('full jitter stays within [50 ms, min(cap, base * 2^(n-1))]', () => {
    const policy = { initialBackoffMs: 1000, maxBackoffMs: 10_000 };
    expect(backoffDelay(1, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(2000);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(9990);
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
  });

  it('reads delay-seconds and HTTP-dates', () => {
    const now = Date.UTC(2026, 10, 20, 10, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['5'], now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
