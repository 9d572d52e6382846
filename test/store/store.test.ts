import '../notify/support/loopback-only.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FINDINGS_MIGRATIONS } from '../../src/store/findings.js';
import { DEFAULT_STORE_PATH, openStore, OUTBOX_MIGRATIONS, resolveStorePath, StoreError, type Migration, type Store } from '../../src/store/index.js';
import { makeFinding } from '../notify/support/findings.js';

const dirs: string[] = [];
const stores: Store[] = [];

function tempDb(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-store-'));
  dirs.push(dir);
  return path.join(dir, 'nested', 'trailguard.db');
}

function open(file = tempDb(), owner?: string): Store {
  const store = openStore(file, owner ? { owner } : {});
  stores.push(store);
  return store;
}

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const row = (channel: string, key: string, now: number, extra: Partial<Parameters<Store['outbox']['insert']>[0]> = {}) => ({
  channel,
  kind: 'finding' as const,
  groupKey: key,
  idempotencyKey: `tg_${key}`,
  maxAttempts: 3,
  nextAttemptAt: now,
  windowStart: now,
  windowEnd: now + 1000,
  now,
  ...extra,
});

describe('openStore', () => {
  it('defaults to .trailguard/trailguard.db under the working directory', () => {
    expect(resolveStorePath(undefined, '/work/x')).toBe(path.join('/work/x', DEFAULT_STORE_PATH));
    expect(resolveStorePath('db/s.db', '/work/x')).toBe('/work/x/db/s.db');
    expect(resolveStorePath(':memory:')).toBe(':memory:');
  });

  it('creates the directory, uses WAL and records the built-in migrations', () => {
    const store = open();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.versions()).toEqual({ findings: 1, outbox: 2 });
  });

  it('applies migrations once, in order, and lets another feature add its tables', () => {
    const file = tempDb();
    const calls: number[] = [];
    const remediation: Migration[] = [
      { version: 1, name: 'log', up: (db) => (calls.push(1), db.exec('CREATE TABLE remediation_log (id INTEGER PRIMARY KEY, action TEXT NOT NULL)')) },
      { version: 2, name: 'log outcome', up: (db) => (calls.push(2), db.exec('ALTER TABLE remediation_log ADD COLUMN outcome TEXT')) },
    ];
    const first = open(file);
    first.migrate('remediation', remediation.slice(0, 1));
    first.close();
    const second = open(file);
    second.migrate('remediation', remediation);
    second.migrate('remediation', remediation);
    expect(calls).toEqual([1, 2]);
    expect(second.versions().remediation).toBe(2);
    second.db.prepare('INSERT INTO remediation_log (action, outcome) VALUES (?, ?)').run('revoke', 'done');
  });

  it('refuses a store written by a newer trailguard, and badly numbered migrations', () => {
    const store = open();
    store.migrate('x', [{ version: 1, name: 'a', up: () => {} }, { version: 2, name: 'b', up: () => {} }]);
    expect(() => store.migrate('x', [{ version: 1, name: 'a', up: () => {} }])).toThrow(StoreError);
    expect(() => store.migrate('x', [{ version: 1, name: 'a', up: () => {} }])).toThrow(/newer than this trailguard knows/);
    expect(() => store.migrate('y', [{ version: 2, name: 'b', up: () => {} }])).toThrow(/numbered 1, 2, 3/);
  });

  it('rolls a failing migration back', () => {
    const store = open();
    expect(() => store.migrate('z', [{ version: 1, name: 'broken', up: (db) => db.exec('CREATE TABLE z1 (a); CREATE TABLE z1 (a)') }])).toThrow();
    expect(store.versions().z).toBeUndefined();
    expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'z1'").get()).toBeUndefined();
  });
});

describe('findings', () => {
  it('saves a finding once by id and counts sightings', () => {
    const store = open();
    const f = makeFinding(1);
    expect(store.findings.save(f, 1000)).toBe(true);
    expect(store.findings.save(f, 2000)).toBe(false);
    expect(store.findings.get(f.id)).toMatchObject({ finding: f, firstSeenAt: 1000, lastSeenAt: 2000, timesSeen: 2 });
    expect(store.findings.count()).toBe(1);
  });
});

describe('outbox', () => {
  it('inserts idempotently by (channel, idempotency key) and attaches a finding once per channel', () => {
    const store = open();
    const f = makeFinding(1);
    store.findings.save(f);
    const a = store.outbox.insert(row('slack', 'k1', 100));
    const again = store.outbox.insert(row('slack', 'k1', 200));
    expect(again.id).toBe(a.id);
    expect(store.outbox.attach(a.id, 'slack', f.id, 100)).toBe(true);
    expect(store.outbox.attach(a.id, 'slack', f.id, 100)).toBe(false);
    const other = store.outbox.insert(row('slack', 'k2', 100));
    expect(store.outbox.attach(other.id, 'slack', f.id, 100)).toBe(false);
    expect(store.outbox.coveringNotification('slack', f.id)).toBe(a.id);
    expect(store.outbox.coveringNotification('pager', f.id)).toBeUndefined();
    expect(store.outbox.get(a.id)?.count).toBe(1);
  });

  it('claims due rows once, counts the attempt, and hands out expired leases again', () => {
    const store = open();
    const r = store.outbox.insert(row('slack', 'k', 100));
    expect(store.outbox.claimDue('slack', { now: 50, limit: 10, leaseMs: 1000, owner: 'a' })).toEqual([]);
    const [claimed] = store.outbox.claimDue('slack', { now: 100, limit: 10, leaseMs: 1000, owner: 'a' });
    expect(claimed).toMatchObject({ id: r.id, state: 'sending', attempts: 1, claimedBy: 'a', leaseUntil: 1100 });
    expect(store.outbox.claimDue('slack', { now: 500, limit: 10, leaseMs: 1000, owner: 'b' })).toEqual([]);
    const [reclaimed] = store.outbox.claimDue('slack', { now: 1100, limit: 10, leaseMs: 1000, owner: 'b' });
    expect(reclaimed).toMatchObject({ id: r.id, attempts: 2, claimedBy: 'b' });
  });

  it('never gives the same row to two connections at once', () => {
    const file = tempDb();
    const a = open(file, 'host:1');
    const b = open(file, 'host:2');
    for (let i = 0; i < 50; i++) a.outbox.insert(row('c', `k${i}`, 0));
    const got = new Set<number>();
    for (let i = 0; i < 10; i++) {
      for (const store of [a, b]) {
        for (const r of store.outbox.claimDue('c', { now: 1, limit: 3, leaseMs: 60_000, owner: store.owner })) {
          expect(got.has(r.id)).toBe(false);
          got.add(r.id);
        }
      }
    }
    expect(got.size).toBe(50);
  });

  it('records delivery, retry and failure with the last error; failed rows can be re-queued', () => {
    const store = open();
    const r = store.outbox.insert(row('slack', 'k', 0));
    store.outbox.claimDue('slack', { now: 0, limit: 1, leaseMs: 10, owner: 'o' });
    store.outbox.markRetry(r.id, { nextAttemptAt: 500, error: 'HTTP 500', status: 500, now: 1 });
    expect(store.outbox.get(r.id)).toMatchObject({ state: 'pending', nextAttemptAt: 500, lastError: 'HTTP 500', lastStatus: 500, leaseUntil: undefined });
    store.outbox.claimDue('slack', { now: 500, limit: 1, leaseMs: 10, owner: 'o' });
    store.outbox.markFailed(r.id, { error: 'HTTP 400: invalid', status: 400, now: 501 });
    expect(store.outbox.get(r.id)).toMatchObject({ state: 'failed', attempts: 2, lastError: 'HTTP 400: invalid' });
    expect(store.outbox.nextDueAt()).toBeUndefined();
    expect(store.outbox.requeueFailed({ channel: 'other', now: 600 })).toBe(0);
    expect(store.outbox.requeueFailed({ channel: 'slack', now: 600 })).toBe(1);
    expect(store.outbox.get(r.id)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: 600 });
    store.outbox.claimDue('slack', { now: 600, limit: 1, leaseMs: 10, owner: 'o' });
    store.outbox.markDelivered(r.id, 700, 200);
    expect(store.outbox.get(r.id)).toMatchObject({ state: 'delivered', deliveredAt: 700, lastStatus: 200 });
    expect(store.outbox.purgeDelivered(700)).toBe(0);
    expect(store.outbox.purgeDelivered(701)).toBe(1);
  });

  it('gives rows of a dead claimant back at once, and fails them when that was their last attempt', () => {
    const store = open();
    const a = store.outbox.insert(row('c', 'a', 0));
    const b = store.outbox.insert(row('c', 'b', 0, { maxAttempts: 1 }));
    const live = store.outbox.insert(row('c', 'live', 0));
    store.outbox.claimDue('c', { now: 0, limit: 2, leaseMs: 60_000, owner: 'dead:1' });
    store.outbox.claimDue('c', { now: 0, limit: 1, leaseMs: 60_000, owner: 'alive:2' });
    expect(store.outbox.recoverAbandoned((owner) => owner === 'dead:1', 10)).toBe(2);
    expect(store.outbox.get(a.id)).toMatchObject({ state: 'pending', nextAttemptAt: 10 });
    expect(store.outbox.get(b.id)?.state).toBe('failed');
    expect(store.outbox.get(b.id)?.lastError).toMatch(/died during attempt 1 of 1/);
    expect(store.outbox.get(live.id)?.state).toBe('sending');
  });

  it('summarises a notification\'s findings by severity, rule and account', () => {
    const store = open();
    const r = store.outbox.insert(row('c', 'storm', 0, { kind: 'storm' }));
    const findings = [makeFinding(1), makeFinding(2, { severity: 'high', ruleId: 'root-console-login' }), makeFinding(3, { account: '444455556666' })];
    for (const f of findings) {
      store.findings.save(f);
      store.outbox.attach(r.id, 'c', f.id, 0);
    }
    expect(store.outbox.statsOf(r.id)).toMatchObject({ total: 3, bySeverity: { critical: 2, high: 1 }, byRule: { 'cloudtrail-disabled': 2, 'root-console-login': 1 }, byAccount: { '123456789012': 2, '444455556666': 1 } });
    expect(store.outbox.findingsOf(r.id, 1, 'worst')[0]?.severity).toBe('critical');
    expect(store.outbox.findingsOf(r.id, 1, 'last')[0]?.id).toBe(findings[2]!.id);
    expect(store.outbox.findingIdsOf(r.id)).toEqual(findings.map((f) => f.id));
    expect(store.outbox.counts()).toEqual([{ channel: 'c', state: 'pending', count: 1, oldestCreatedAt: 0 }]);
  });
});

describe('outbox schema version 2: remediation notices', () => {
  /** A store as trailguard wrote it before remediation notices: findings v1, outbox v1. */
  function versionOneStore(file: string): void {
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (feature TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (feature, version))');
    FINDINGS_MIGRATIONS[0]!.up(db);
    OUTBOX_MIGRATIONS[0]!.up(db);
    db.exec("INSERT INTO schema_migrations VALUES ('findings', 1, 'findings table', 'x'), ('outbox', 1, 'outbox and outbox_findings', 'x')");
    const f = makeFinding(1);
    db.prepare(`INSERT INTO findings (id, rule_id, severity, account, region, event_time, dedupe_key, finding_json, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1)`).run(f.id, f.ruleId, f.severity, f.account, f.region, f.eventTime, f.dedupeKey, JSON.stringify(f));
    const insert = db.prepare(`INSERT INTO outbox (channel, kind, group_key, idempotency_key, state, max_attempts, next_attempt_at, window_start, window_end, last_error, created_at, updated_at)
      VALUES ('hook', 'finding', ?, ?, ?, 3, 0, 0, 0, ?, 5, 5)`);
    insert.run('g1', 'tg_1', 'delivered', null);
    insert.run('g2', 'tg_2', 'failed', 'HTTP 500');
    insert.run('g3', 'tg_3', 'pending', null);
    db.prepare('INSERT INTO outbox_findings VALUES (2, ?, ?, 5)').run('hook', f.id);
    db.exec('DELETE FROM outbox WHERE id = 3'); // the sequence is ahead of the last row
    db.close();
  }

  it('migrates a version 1 outbox in place: rows, ids, links and sequence kept; remediation rows accepted', () => {
    const file = tempDb();
    mkdirSync(path.dirname(file), { recursive: true });
    versionOneStore(file);
    const store = open(file);
    expect(store.versions()).toEqual({ findings: 1, outbox: 2 });
    expect(store.outbox.list().map((r) => [r.id, r.kind, r.state, r.lastError])).toEqual([
      [1, 'finding', 'delivered', undefined],
      [2, 'finding', 'failed', 'HTTP 500'],
    ]);
    expect(store.outbox.findingIdsOf(2)).toEqual([makeFinding(1).id]);
    expect(store.outbox.coveringNotification('hook', makeFinding(1).id)).toBe(2);
    const { row, created } = store.outbox.insertRemediation({ ...row0('hook'), decisionId: 'd-1', status: 'executed', actionId: 'revoke-security-group-ingress', ruleId: 'r', findingId: 'f', decisionJson: '{"id":"d-1"}' });
    expect(created).toBe(true);
    expect(row).toMatchObject({ id: 4, kind: 'remediation', count: 1 });
    expect(store.outbox.insertRemediation({ ...row0('hook'), decisionId: 'd-1', status: 'executed', actionId: 'x', decisionJson: '{}' })).toMatchObject({ created: false, row: { id: 4 } });
    expect(store.outbox.remediationOf(4)).toMatchObject({ decisionId: 'd-1', status: 'executed', ruleId: 'r', findingId: 'f', decisionJson: '{"id":"d-1"}' });
    expect(store.outbox.noticesOfDecision('d-1').map((r) => r.id)).toEqual([4]);
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    // Deleting a delivered notice deletes its decision snapshot with it.
    store.outbox.claimDue('hook', { now: 10, limit: 5, leaseMs: 10, owner: 'o', kinds: ['remediation'] });
    store.outbox.markDelivered(4, 20);
    expect(store.outbox.purgeDelivered(21)).toBe(1);
    expect(store.outbox.remediationOf(4)).toBeUndefined();
  });

  it('claims and waits on chosen kinds only', () => {
    const store = open();
    store.outbox.insert(row('c', 'f', 0));
    store.outbox.insertRemediation({ ...row0('c', 50), decisionId: 'd', status: 'dry-run', actionId: 'a', decisionJson: '{}' });
    expect(store.outbox.nextDueAt('c', ['remediation'])).toBe(50);
    expect(store.outbox.nextDueAt(undefined, ['finding'])).toBe(0);
    expect(store.outbox.outstanding(['c'], ['remediation'])).toBe(1);
    expect(store.outbox.claimDue('c', { now: 100, limit: 10, leaseMs: 10, owner: 'o', kinds: ['remediation'] }).map((r) => r.kind)).toEqual(['remediation']);
    expect(store.outbox.outstanding(['c'])).toBe(2);
  });
});

function row0(channel: string, now = 0) {
  return { channel, groupKey: 'trailguard:k', idempotencyKey: `tg_r_${channel}`, maxAttempts: 3, nextAttemptAt: now, windowStart: now, windowEnd: now, now };
}
