/**
 * `trailguard watch` end to end: the built binary against the LookupEvents fake (AWS_ENDPOINT_URL_CLOUDTRAIL, fake
 * credentials), on the wall clock with a short interval: findings printed live, a second run on the same store with
 * no duplicate, SIGTERM ending a run with exit 0 and its checkpoint saved, a failing region (exit 2 naming it while the
 * other region's findings are printed), --fail-on, and usage errors in one line.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { startLookupEventsFake, type LookupEventsFake } from '../support/lookup-events-fake.js';
import { describeInstances, makeTempDir, parseJsonl, removeTempDirs, requireBuiltCli, run, runAsync, stopLogging, type RunResult } from './helpers.js';

let fake: LookupEventsFake;
let env: NodeJS.ProcessEnv;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

beforeAll(async () => {
  requireBuiltCli();
  fake = await startLookupEventsFake();
  env = { AWS_ENDPOINT_URL_CLOUDTRAIL: fake.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_PROFILE: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
});
afterAll(async () => {
  await fake.close();
  removeTempDirs();
});
let n = 0;
beforeEach(() => {
  fake.failRegion('eu-west-1', undefined);
});

/** A StopLogging (critical) and a read-only call that happened a minute ago in the region. */
function addEvents(region: string): string {
  const id = `cli-${region}-${++n}`;
  fake.add(region, stopLogging({ eventID: id, eventTime: iso(Date.now() - 60_000), awsRegion: region }));
  fake.add(region, describeInstances({ eventID: `${id}-read`, eventTime: iso(Date.now() - 50_000), awsRegion: region }));
  return id;
}

/** The CLI in the background (watch runs for a while) against the fake, in a fresh working directory. */
function runWatch(args: string[], onStarted?: (child: ChildProcess) => void): Promise<RunResult> {
  return runAsync(args, { env, cwd: makeTempDir(), ...(onStarted ? { onStarted } : {}) });
}

describe('trailguard watch', () => {
  it('prints findings live and a second run on the same store repeats none', async () => {
    const store = join(makeTempDir(), 'watch.db');
    const east = addEvents('us-east-1');
    const west = addEvents('eu-west-1');
    const args = ['watch', '--region', 'us-east-1', '--region', 'eu-west-1', '--interval', '500ms', '--duration', '1500ms', '--format', 'jsonl', '--store', store];
    const first = await runWatch(args);
    expect(first.stderr).toMatch(/Watching us-east-1, eu-west-1/);
    expect(first.status).toBe(0);
    const findings = parseJsonl(first.stdout);
    expect(findings.filter((f) => f.ruleId === 'cloudtrail-disabled').map((f) => f.eventId).sort()).toEqual([west, east].sort());
    expect(first.stderr).toMatch(/4 events evaluated/);

    const second = await runWatch(args);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(/0 events evaluated/);
    const db = openSqliteStore(store);
    try {
      expect(await db.watch.checkpoint('cloudtrail:us-east-1')).toBeGreaterThan(Date.now() - 10_000);
      expect(await db.watch.seenCount('cloudtrail:eu-west-1')).toBe(2);
    } finally {
      await db.close();
    }
  });

  it('exits 0 on SIGTERM after finishing the poll in flight, with its checkpoint saved', async () => {
    const store = join(makeTempDir(), 'watch.db');
    addEvents('us-east-1');
    const before = fake.requests.length;
    const result = await runWatch(['watch', '--region', 'us-east-1', '--interval', '300ms', '--store', store, '--format', 'jsonl'], (child) => {
      const timer = setInterval(() => {
        if (fake.requests.length > before + 1) {
          clearInterval(timer);
          child.kill('SIGTERM');
        }
      }, 50);
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/SIGTERM: finishing the poll in flight/);
    expect(parseJsonl(result.stdout).some((f) => f.ruleId === 'cloudtrail-disabled')).toBe(true);
    const db = openSqliteStore(store);
    try {
      expect(await db.watch.checkpoint('cloudtrail:us-east-1')).toBeDefined();
    } finally {
      await db.close();
    }
  });

  it('goes on with the other region while one fails, then exits 2 naming it; --fail-on gives 1', async () => {
    const store = join(makeTempDir(), 'watch.db');
    const east = addEvents('us-east-1');
    fake.failRegion('eu-west-1', 'AccessDeniedException');
    const failing = await runWatch(['watch', '--region', 'us-east-1', '--region', 'eu-west-1', '--interval', '400ms', '--duration', '1s', '--format', 'jsonl', '--store', store]);
    expect(failing.status).toBe(2);
    expect(parseJsonl(failing.stdout).map((f) => f.eventId)).toContain(east);
    expect(failing.stderr.split('\n').filter((l) => l.includes('AccessDeniedException'))).toHaveLength(2); // once while it failed, once at exit
    expect(failing.stderr).toMatch(/trailguard: eu-west-1: the last poll failed/);

    addEvents('us-east-1');
    const failOn = await runWatch(['watch', '--region', 'us-east-1', '--interval', '400ms', '--duration', '500ms', '--store', store, '--fail-on', 'high']);
    expect(failOn.status).toBe(1);
    expect(failOn.stdout).toMatch(/^SEVERITY\s+TIME\s+RULE/);
  });

  it('--notify delivers the findings to the channels once across runs; --remediate plans in the policy\'s mode (dry-run)', async () => {
    const dir = makeTempDir();
    const config = join(dir, 'trailguard.config.yaml');
    writeFileSync(
      config,
      [
        'store: { path: watch.db }',
        'notifications:',
        '  channels:',
        '    out: { type: jsonl, path: notified.jsonl }',
        'remediation:',
        '  rules:',
        '    cloudtrail-disabled: { action: start-cloudtrail-logging, mode: dry-run }',
        '',
      ].join('\n'),
    );
    const id = addEvents('us-east-1');
    const args = ['watch', '-c', config, '--region', 'us-east-1', '--interval', '400ms', '--duration', '1s', '--format', 'jsonl', '--notify', '--remediate'];
    const first = await runWatch(args);
    expect(first.status, first.stderr).toBe(0);
    const notified = () => readFileSync(join(dir, 'notified.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; findingIds?: string[]; title: string });
    const stop = parseJsonl(first.stdout).find((f) => f.eventId === id && f.ruleId === 'cloudtrail-disabled')!;
    expect(notified().filter((n) => n.kind === 'finding' && n.findingIds?.includes(stop.id))).toHaveLength(1);
    // Dry-run: the plan (StartLogging on the trail) is said, nothing is called.
    expect(first.stderr).toMatch(/remediation: DRY-RUN: would .*StartLogging|remediation: DRY-RUN/);
    const db = openSqliteStore(join(dir, 'watch.db'));
    try {
      const decisions = await db.remediation.listDecisions({ limit: 10, eventId: id });
      expect(decisions.map((d) => [d.actionId, d.status])).toEqual([['start-cloudtrail-logging', 'dry-run']]);
    } finally {
      await db.close();
    }

    const before = notified().length;
    const second = await runWatch(args);
    expect(second.status, second.stderr).toBe(0);
    expect(notified()).toHaveLength(before);
  });

  it('refuses bad invocations with one line and exit 2', () => {
    const cases: Array<[string[], RegExp]> = [
      [['watch', '--since', '120d'], /--since 120d: CloudTrail keeps 90 days/],
      [['watch', '--region', 'us-east-1', '--all-regions'], /--region and --all-regions exclude each other/],
      [['watch', '--region', 'mars-1'], /--region mars-1: not an AWS region name/],
      [['watch', '--interval', 'soon'], /--interval "soon" is not a duration/],
      [['watch', '--log-group', 'trail', '--all-regions'], /--log-group reads one group in one region/],
      [['watch', '--notify'], /--notify: no notifications are configured/],
    ];
    for (const [args, message] of cases) {
      const r = run(args, { env });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
