/**
 * CloudTrail LookupEvents for tests (moto has none): a loopback node:http server speaking the AWS JSON 1.1 protocol
 * the real SDK v3 client sends — POST /, X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents,
 * body {StartTime, EndTime (epoch seconds), MaxResults, NextToken, LookupAttributes} — and answering as the service
 * does (AWS CloudTrail API Reference, LookupEvents; the SDK v3 sends the target as CloudTrail_20131101.LookupEvents):
 *   - events newest first, at most MaxResults (default 50, more is InvalidMaxResultsException) per page;
 *   - StartTime and EndTime inclusive, StartTime after EndTime is InvalidTimeRangeException;
 *   - a NextToken is bound to the parameters that produced it: reused with others it is InvalidNextTokenException;
 *   - an event is visible only `visibleAfterMs` after its eventTime (CloudTrail's delivery delay), on the fake's clock;
 *   - more than two requests within a second per region are throttled (ThrottlingException, HTTP 400), and more
 *     throttling answers can be scripted; a region can be made to fail (AccessDeniedException ...).
 * The region is read from the request's SigV4 credential scope, so one server stands for every region. Every request
 * is logged (time on the fake's clock, parameters, answer) for the tests' assertions and measurements.
 *
 *   const fake = await startLookupEventsFake({ clock });
 *   fake.add('us-east-1', stopLogging({ eventID: 'e1', eventTime: iso(t) }), { visibleAfterMs: 5 * 60_000 });
 *   new CloudTrailClient(fake.clientConfig('us-east-1'))
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/watch/clock.js';

export const LOOKUP_EVENTS_TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
/** The SDK v3 (schema-based serde) sends the target without its namespace; the service answers both. */
const TARGETS = new Set([LOOKUP_EVENTS_TARGET, 'CloudTrail_20131101.LookupEvents']);

export interface FakeRequest {
  region: string;
  /** On the fake's clock. */
  at: number;
  startTime?: number;
  endTime?: number;
  maxResults?: number;
  nextToken?: string;
  /** The error code answered, or undefined for a page. */
  error?: string;
  /** Events in the page. */
  returned: number;
}

interface StoredEvent {
  region: string;
  time: number;
  visibleAt: number;
  id: string;
  record: Record<string, unknown>;
}

export interface LookupEventsFake {
  endpoint: string;
  clock: Clock;
  requests: FakeRequest[];
  /** Adds an event of the region; it becomes visible `visibleAfterMs` (default 0) after its eventTime. */
  add(region: string, record: Record<string, unknown>, options?: { visibleAfterMs?: number }): void;
  /** When the event with this id becomes visible. */
  visibleAt(id: string): number | undefined;
  /** The next `count` requests of the region are answered ThrottlingException. */
  throttleNext(region: string, count: number): void;
  /** Every request of the region fails with this error code (HTTP 400), until set to undefined. */
  failRegion(region: string, code: string | undefined): void;
  /** The two-requests-per-second limit (on by default). */
  rateLimit: boolean;
  clientConfig(region: string): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number };
  close(): Promise<void>;
}

/** A clock that only moves when someone sleeps on it: poll cycles, pacing and backoff run in no real time. */
export class VirtualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  /**
   * Moves the clock to the sleeper's wake-up time on the next macrotask (letting HTTP answers in flight and other
   * sleepers run first): concurrent sleepers — one pacer per region — wake at their own times, not one after another.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const target = this.t + Math.max(0, ms);
    return new Promise((resolve) =>
      setImmediate(() => {
        if (!signal?.aborted) this.t = Math.max(this.t, target);
        resolve();
      }),
    );
  }
}

const RATE_WINDOW_MS = 1_000;
const RATE_LIMIT = 2;

export async function startLookupEventsFake(options: { clock?: Clock } = {}): Promise<LookupEventsFake> {
  const clock: Clock = options.clock ?? { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
  const events: StoredEvent[] = [];
  const requests: FakeRequest[] = [];
  const throttles = new Map<string, number>();
  const failures = new Map<string, string>();
  const accepted = new Map<string, number[]>();
  let requestId = 0;

  const answer = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `fake-${++requestId}`, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const fail = (res: ServerResponse, log: FakeRequest, code: string, message: string): void => {
    log.error = code;
    answer(res, 400, { __type: code, message });
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const credential = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/cloudtrail\//.exec(String(req.headers.authorization ?? ''));
    const region = credential?.[1] ?? 'unknown';
    const log: FakeRequest = { region, at: clock.now(), returned: 0 };
    requests.push(log);
    if (req.method !== 'POST' || !TARGETS.has(String(req.headers['x-amz-target']))) return fail(res, log, 'UnknownOperationException', `not LookupEvents: ${String(req.headers['x-amz-target'])}`);
    let body: { StartTime?: number; EndTime?: number; MaxResults?: number; NextToken?: string; LookupAttributes?: unknown[] };
    try {
      body = JSON.parse(raw || '{}') as typeof body;
    } catch {
      return fail(res, log, 'SerializationException', 'body is not JSON');
    }
    const start = body.StartTime !== undefined ? Math.round(body.StartTime * 1000) : undefined;
    const end = body.EndTime !== undefined ? Math.round(body.EndTime * 1000) : undefined;
    Object.assign(log, { startTime: start, endTime: end, maxResults: body.MaxResults, nextToken: body.NextToken });

    const failure = failures.get(region);
    if (failure !== undefined) return fail(res, log, failure, `fake: ${failure} in ${region}`);
    const scripted = throttles.get(region) ?? 0;
    if (scripted > 0) {
      throttles.set(region, scripted - 1);
      return fail(res, log, 'ThrottlingException', 'Rate exceeded');
    }
    const now = clock.now();
    const recent = (accepted.get(region) ?? []).filter((t) => t > now - RATE_WINDOW_MS);
    if (fake.rateLimit && recent.length >= RATE_LIMIT) return fail(res, log, 'ThrottlingException', 'Rate exceeded');
    recent.push(now);
    accepted.set(region, recent);

    const maxResults = body.MaxResults ?? 50;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50) return fail(res, log, 'InvalidMaxResultsException', 'MaxResults must be 1 to 50');
    if (start !== undefined && end !== undefined && start > end) return fail(res, log, 'InvalidTimeRangeException', 'StartTime is after EndTime');
    const key = JSON.stringify([region, start, end, maxResults, body.LookupAttributes ?? []]);
    let offset = 0;
    if (body.NextToken !== undefined) {
      let token: { key?: string; offset?: number } = {};
      try {
        token = JSON.parse(Buffer.from(body.NextToken, 'base64').toString('utf8')) as typeof token;
      } catch {
        // an unreadable token: refused below
      }
      if (token.key !== key || typeof token.offset !== 'number') return fail(res, log, 'InvalidNextTokenException', 'Invalid NextToken: it must be passed with the same parameters as the previous call');
      offset = token.offset;
    }
    if ((body.LookupAttributes ?? []).length > 0) return fail(res, log, 'InvalidLookupAttributesException', 'the fake does not filter by attribute');
    const visible = events
      .filter((e) => e.region === region && e.visibleAt <= now && (start === undefined || e.time >= start) && (end === undefined || e.time <= end))
      .sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : 1));
    const page = visible.slice(offset, offset + maxResults);
    log.returned = page.length;
    const more = offset + maxResults < visible.length;
    answer(res, 200, {
      Events: page.map((e) => ({
        EventId: e.id,
        EventName: e.record.eventName,
        ReadOnly: String(e.record.readOnly ?? 'false'),
        EventTime: e.time / 1000,
        EventSource: e.record.eventSource,
        Username: (e.record.userIdentity as { userName?: string } | undefined)?.userName,
        Resources: [],
        CloudTrailEvent: JSON.stringify(e.record),
      })),
      ...(more ? { NextToken: Buffer.from(JSON.stringify({ key, offset: offset + maxResults })).toString('base64') } : {}),
    });
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: LookupEventsFake = {
    endpoint,
    clock,
    requests,
    rateLimit: true,
    add(region, record, opts = {}) {
      const time = Date.parse(String(record.eventTime));
      events.push({ region, time, visibleAt: time + (opts.visibleAfterMs ?? 0), id: String(record.eventID), record });
    },
    visibleAt: (id) => events.find((e) => e.id === id)?.visibleAt,
    throttleNext: (region, count) => void throttles.set(region, (throttles.get(region) ?? 0) + count),
    failRegion: (region, code) => void (code === undefined ? failures.delete(region) : failures.set(region, code)),
    clientConfig: (region) => ({ endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
