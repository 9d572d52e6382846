/**
 * `watch --log-group`'s source against moto's CloudWatch Logs (FilterLogEvents, real SDK client): the trail's log
 * events decoded as CloudTrail records, each evaluated once across overlapping windows, a record delivered twice
 * evaluated once, events arriving between polls picked up, and a restart on the same store repeating nothing.
 * Skips with the reason printed without moto_server (a failure under CI=true).
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { pacer, systemClock } from '../../src/watch/clock.js';
import { logGroupSource } from '../../src/watch/log-group.js';
import { runWatchLoop } from '../../src/watch/loop.js';
import { describeInstances, stopLogging } from '../cli/helpers.js';
import { startMoto } from '../support/moto.js';
import { iso, MINUTE } from './support.js';

const moto = await startMoto();
afterAll(async () => moto?.stop());
const GROUP = 'aws-cloudtrail-logs-123456789012';

describe.skipIf(!moto)('watch --log-group against moto CloudWatch Logs', () => {
  let client: CloudWatchLogsClient;
  beforeEach(async () => {
    await moto!.reset();
    client = new CloudWatchLogsClient(moto!.clientConfig('us-east-1'));
    await client.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: '123456789012_CloudTrail_us-east-1' }));
  });

  const put = (records: Record<string, unknown>[]) =>
    client.send(
      new PutLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: '123456789012_CloudTrail_us-east-1',
        logEvents: records.map((r) => ({ timestamp: Date.parse(String(r.eventTime)), message: JSON.stringify(r) })),
      }),
    );

  const run = async (store: ReturnType<typeof openSqliteStore>, onCycle?: (cycle: number) => Promise<void>) => {
    const evaluated: string[] = [];
    let cycle = 0;
    const summary = await runWatchLoop({
      sources: [logGroupSource({ client, region: 'us-east-1', logGroupName: GROUP, clock: systemClock, pace: pacer(systemClock, 50) })],
      state: store.watch,
      intervalMs: 200,
      lookbackMs: 15 * MINUTE,
      durationMs: 1_000,
      onEvent: async (event) => void evaluated.push(event.id),
      afterCycle: async () => onCycle?.(++cycle),
    });
    return { evaluated, summary };
  };

  it('evaluates each log event once across polls, duplicates and a restart', async () => {
    const now = Date.now();
    await put([
      stopLogging({ eventID: 'lg-1', eventTime: iso(now - 5 * MINUTE) }),
      describeInstances({ eventID: 'lg-2', eventTime: iso(now - 4 * MINUTE) }),
      // The same event delivered twice (a second trail, a redelivery).
      describeInstances({ eventID: 'lg-2', eventTime: iso(now - 4 * MINUTE) }),
    ]);
    const store = openSqliteStore(':memory:');
    try {
      const first = await run(store, async (cycle) => {
        if (cycle === 2) await put([describeInstances({ eventID: 'lg-3', eventTime: iso(Date.now() - 2 * MINUTE) })]);
      });
      expect(first.summary.cycles).toBeGreaterThanOrEqual(3);
      expect(first.summary.last[0]!.ok).toBe(true);
      expect(first.evaluated.sort()).toEqual(['lg-1', 'lg-2', 'lg-3']);
      expect(await store.watch.checkpoint(`logs:us-east-1:${GROUP}`)).toBeGreaterThanOrEqual(now);

      await put([stopLogging({ eventID: 'lg-4', eventTime: iso(Date.now() - MINUTE) })]);
      const second = await run(store);
      expect(second.evaluated).toEqual(['lg-4']);
    } finally {
      await store.close();
    }
  });

  it('a log group that does not exist fails the poll with its AWS error, not the run', async () => {
    const store = openSqliteStore(':memory:');
    try {
      const summary = await runWatchLoop({
        sources: [logGroupSource({ client, region: 'us-east-1', logGroupName: 'no-such-group', clock: systemClock, pace: pacer(systemClock, 50) })],
        state: store.watch,
        intervalMs: 200,
        lookbackMs: 15 * MINUTE,
        durationMs: 300,
        onEvent: async () => undefined,
      });
      expect(summary.last[0]!.ok).toBe(false);
      expect(summary.last[0]!.error).toMatch(/no-such-group: FilterLogEvents: ResourceNotFoundException/);
    } finally {
      await store.close();
    }
  });
});
