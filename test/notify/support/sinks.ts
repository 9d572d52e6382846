/** Building sinks and notifications directly, for the per-channel tests. */
import { PassThrough } from 'node:stream';
import type { Finding } from '../../../src/findings/types.js';
import { ContentRenderer } from '../../../src/notify/render/content.js';
import { SecretResolver } from '../../../src/notify/secrets.js';
import type { SinkDeps } from '../../../src/notify/sinks/index.js';
import type { Notification, SendContext } from '../../../src/notify/types.js';

export function sinkDeps(name: string, overrides: Partial<SinkDeps> & { env?: NodeJS.ProcessEnv } = {}): SinkDeps {
  const resolver = new SecretResolver({ env: overrides.env ?? {} });
  return {
    name,
    resolve: (value, options) => resolver.resolve(value, options),
    renderer: new ContentRenderer(),
    aws: {},
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    now: () => Date.UTC(2026, 10, 20, 10, 5, 0),
    ...overrides,
  };
}

export function notificationOf(findings: Finding[], overrides: Partial<Notification> = {}): Notification {
  const first = findings[0]!;
  return {
    id: '7',
    channel: 'test-channel',
    kind: 'finding',
    idempotencyKey: 'tg_0123456789abcdef0123456789abcdef',
    incidentKey: `trailguard:${first.dedupeKey}`,
    count: findings.length,
    findings,
    findingIds: findings.map((f) => f.id),
    windowStart: Date.UTC(2026, 10, 20, 10, 0, 0),
    windowEnd: Date.UTC(2026, 10, 20, 10, 5, 0),
    attempt: 1,
    ...overrides,
  };
}

export function sendContext(timeoutMs = 5_000): SendContext {
  return { signal: AbortSignal.timeout(timeoutMs), timeoutMs };
}
