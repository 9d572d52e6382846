/**
 * The SQLite store (src/store/sqlite): the file, WAL, migrations per feature (a version per feature, applied
 * once, a newer one refused, an old layout migrated in place), and the outbox's behaviour on it. What every
 * store must do, SQLite or DynamoDB, is the contract suite (test/store/contract.ts).
 */
import '../notify/support/loopback-only.js';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import { groupKeyOf } from '../../src/notify/dedupe.js';
import { DEFAULT_STORE_PATH, openStore, resolveStorePath, StoreError, type ChannelView, type EnqueueDecider, type NewNotification, type OutboxRow, type Store } from '../../src/store/index.js';
import { FINDINGS_MIGRATIONS, OUTBOX_MIGRATIONS, REMEDIATION_MIGRATIONS, openSqliteStore, type Migration, type SqliteStore } from '../../src/store/sqlite/index.js';
import { makeFinding } from '../notify/support/findings.js';
import { writeLegacyRemediationFile } from '../remediate/support/legacy.js';
import { target } from './contract.js';
import { makeDecision, makeNotice } from './support.js';

const dirs: string[] = [];
const stores: Store[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-store-'));
  dirs.push(dir);
  return dir;
}

function tempDb(): string {
  return path.join(tempDir(), 'nested', 'trailguard.db');
}

function open(file = tempDb(), owner?: string): SqliteStore {
  const store = openSqliteStore(file, owner ? { owner } : {});
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A row to create on `channel`, due at `now`. */
const newRow = (channel: string, key: string, now: number, extra: Partial<NewNotification> = {}): NewNotification => ({
  channel,
  kind: 'finding',
  groupKey: key,
  idempotencyKey: `tg_${key}`,
  maxAttempts: 3,
  nextAttemptAt: now,
  windowStart: now,
  windowEnd: now + 1000,
  ...extra,
});

/** Saves the finding and links it on one channel as `decide` plans; what the store did there. */
async function enqueue(store: Store, finding: Finding, channel: string, now: number, decide: EnqueueDecider) {
  const { channels } = await store.outbox.enqueueFinding(finding, [{ channel, groupKey: groupKeyOf(finding), stormWindowMs: 60_000, decide }], now);
  return channels[0]!;
}

/** The notifier's decision (src/notify/dedupe.ts), as the contract suite makes it. */
const planned = (finding: Finding, channel: string, now: number): EnqueueDecider => target(finding, channel, now).decide;

let findings = 0;

/** A row of its own (as newRow describes it) covering one new finding. */
async function insert(store: Store, channel: string, key: string, now: number, extra: Partial<NewNotification> = {}): Promise<OutboxRow> {
  const { outboxId } = await enqueue(store, makeFinding(1000 + ++findings), channel, now, () => ({ outcome: 'new', create: newRow(channel, key, now, extra) }));
  return (await store.outbox.get(outboxId))!;
}

describe('opening the store', () => {
  it('defaults to .trailguard/trailguard.db under the working directory', () => {
    expect(resolveStorePath(undefined, '/work/x')).toBe(path.join('/work/x', DEFAULT_STORE_PATH));
    expect(resolveStorePath('db/s.db', '/work/x')).toBe('/work/x/db/s.db');
    expect(resolveStorePath(':memory:')).toBe(':memory:');
  });

  it('openStore opens the SQLite file the config names, relative to the config\'s directory; a path given overrides it', async () => {
    const dir = tempDir();
    const configured = await openStore({ path: 'state/tg.db' }, { cwd: dir });
    stores.push(configured);
    expect(configured).toMatchObject({ kind: 'sqlite', location: path.join(dir, 'state', 'tg.db') });
    expect(existsSync(path.join(dir, 'state', 'tg.db'))).toBe(true);
    const overridden = await openStore({ path: 'state/tg.db' }, { cwd: dir, path: 'other.db', owner: 'me:1' });
    stores.push(overridden);
    expect(overridden).toMatchObject({ kind: 'sqlite', location: path.join(dir, 'other.db'), owner: 'me:1' });
    const byDefault = await openStore(undefined, { cwd: dir });
    stores.push(byDefault);
    expect(byDefault.location).toBe(path.join(dir, DEFAULT_STORE_PATH));
  });

  it('creates the directory, uses WAL and records the built-in migrations', () => {
    const file = tempDb();
    const store = open(file);
    expect(existsSync(file)).toBe(true);
    expect(store.location).toBe(file);
    expect(store.sqlite.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.versions()).toEqual({ findings: 1, outbox: 3, remediation: 3, watch: 1 });
  });

  it('a file that is not a database is a StoreError naming it', async () => {
    const file = path.join(tempDir(), 'notes.txt');
    writeFileSync(file, 'these are not the tables you are looking for\n'.repeat(100));
    expect(() => openSqliteStore(file)).toThrow(StoreError);
    expect(() => openSqliteStore(file)).toThrow(`cannot open store ${file}: file is not a database`);
    await expect(openStore(undefined, { path: file })).rejects.toMatchObject({ name: 'StoreError', code: 'store-open' });
  });

  it('applies migrations once, in order, and lets another feature add its tables', async () => {
    const file = tempDb();
    const calls: number[] = [];
    const audit: Migration[] = [
      { version: 1, name: 'runs', up: (db) => (calls.push(1), db.exec('CREATE TABLE audit_runs (id INTEGER PRIMARY KEY, account TEXT NOT NULL)')) },
      { version: 2, name: 'runs verdict', up: (db) => (calls.push(2), db.exec('ALTER TABLE audit_runs ADD COLUMN verdict TEXT')) },
    ];
    const first = open(file);
    first.sqlite.migrate('audit', audit.slice(0, 1));
    await first.close();
    const second = open(file);
    second.sqlite.migrate('audit', audit);
    second.sqlite.migrate('audit', audit);
    expect(calls).toEqual([1, 2]);
    expect(second.sqlite.versions()).toEqual({ findings: 1, outbox: 3, remediation: 3, watch: 1, audit: 2 });
    second.sqlite.db.prepare('INSERT INTO audit_runs (account, verdict) VALUES (?, ?)').run('123456789012', 'PASS');
  });

  it('refuses a store written by a newer trailguard, and badly numbered migrations', async () => {
    const file = tempDb();
    const store = open(file);
    store.sqlite.migrate('x', [{ version: 1, name: 'a', up: () => {} }, { version: 2, name: 'b', up: () => {} }]);
    expect(() => store.sqlite.migrate('x', [{ version: 1, name: 'a', up: () => {} }])).toThrow(StoreError);
    expect(() => store.sqlite.migrate('x', [{ version: 1, name: 'a', up: () => {} }])).toThrow(/newer than this trailguard knows/);
    expect(() => store.sqlite.migrate('y', [{ version: 2, name: 'b', up: () => {} }])).toThrow(/numbered 1, 2, 3/);
    // A built-in feature at a version this trailguard does not know: the store is not opened at all.
    store.sqlite.db.prepare("INSERT INTO schema_migrations VALUES ('remediation', 4, 'from the future', 'x')").run();
    await store.close();
    expect(() => openSqliteStore(file)).toThrow(`store ${file} has "remediation" schema version 4, newer than this trailguard knows (3); upgrade trailguard`);
    await expect(openStore(undefined, { path: file })).rejects.toMatchObject({ name: 'StoreError', code: 'store-version' });
  });

  it('rolls a failing migration back', () => {
    const store = open();
    expect(() => store.sqlite.migrate('z', [{ version: 1, name: 'broken', up: (db) => db.exec('CREATE TABLE z1 (a); CREATE TABLE z1 (a)') }])).toThrow();
    expect(store.sqlite.versions().z).toBeUndefined();
    expect(store.sqlite.db.prepare("SELECT name FROM sqlite_master WHERE name = 'z1'").get()).toBeUndefined();
  });
});

describe('findings', () => {
  it('saves a finding once by id and counts sightings', async () => {
    const store = open();
    const f = makeFinding(1);
    expect(await store.findings.save(f, 1000)).toBe(true);
    expect(await store.findings.save(f, 2000)).toBe(false);
    expect(await store.findings.get(f.id)).toMatchObject({ finding: f, firstSeenAt: 1000, lastSeenAt: 2000, timesSeen: 2 });
    expect(await store.findings.count()).toBe(1);
  });
});

describe('outbox', () => {
  it('creates rows idempotently by (channel, idempotency key) and attaches a finding once per channel', async () => {
    const store = open();
    const [f, g] = [makeFinding(1), makeFinding(2)];
    const views: ChannelView[] = [];
    const create = (key: string): EnqueueDecider => (view) => (views.push(view), { outcome: 'new', create: newRow('slack', key, 100) });
    const a = await enqueue(store, f, 'slack', 100, create('k1'));
    const again = await enqueue(store, g, 'slack', 200, create('k1'));
    expect(again.outboxId).toBe(a.outboxId);
    expect(await store.outbox.findingIdsOf(a.outboxId)).toEqual([f.id, g.id]);
    expect((await store.outbox.get(a.outboxId))?.count).toBe(2);
    // The decider is shown the row already covering the finding on that channel (the notifier's calls it a
    // duplicate), and on no other.
    expect(await enqueue(store, f, 'slack', 300, planned(f, 'slack', 300))).toEqual({ channel: 'slack', outcome: 'duplicate', outboxId: a.outboxId });
    views.length = 0;
    const other = await enqueue(store, f, 'slack', 300, create('k2'));
    expect(views.map((v) => v.covering)).toEqual([a.outboxId]);
    // A plan that ignores it gets its row, but the finding stays attached to one notification per channel.
    expect(other.outboxId).not.toBe(a.outboxId);
    expect(await store.outbox.findingIdsOf(other.outboxId)).toEqual([]);
    expect((await store.outbox.get(other.outboxId))?.count).toBe(0);
    views.length = 0;
    await enqueue(store, f, 'pager', 300, create('k1'));
    expect(views.map((v) => v.covering)).toEqual([undefined]);
    expect(await store.findings.count()).toBe(2);
  });

  it('claims due rows once, counts the attempt, and hands out expired leases again', async () => {
    const store = open();
    const r = await insert(store, 'slack', 'k', 100);
    expect(await store.outbox.claimDue('slack', { now: 50, limit: 10, leaseMs: 1000, owner: 'a' })).toEqual([]);
    const [claimed] = await store.outbox.claimDue('slack', { now: 100, limit: 10, leaseMs: 1000, owner: 'a' });
    expect(claimed).toMatchObject({ id: r.id, state: 'sending', attempts: 1, claimedBy: 'a', leaseUntil: 1100 });
    expect(await store.outbox.claimDue('slack', { now: 500, limit: 10, leaseMs: 1000, owner: 'b' })).toEqual([]);
    const [reclaimed] = await store.outbox.claimDue('slack', { now: 1100, limit: 10, leaseMs: 1000, owner: 'b' });
    expect(reclaimed).toMatchObject({ id: r.id, attempts: 2, claimedBy: 'b' });
  });

  it('never gives the same row to two connections at once', async () => {
    const file = tempDb();
    const a = open(file, 'host:1');
    const b = open(file, 'host:2');
    for (let i = 0; i < 50; i++) await insert(a, 'c', `k${i}`, 0);
    const got = new Set<string>();
    for (let i = 0; i < 10; i++) {
      for (const store of [a, b]) {
        for (const r of await store.outbox.claimDue('c', { now: 1, limit: 3, leaseMs: 60_000, owner: store.owner })) {
          expect(got.has(r.id)).toBe(false);
          got.add(r.id);
        }
      }
    }
    expect(got.size).toBe(50);
  });

  it('records delivery, retry and failure with the last error; failed rows can be re-queued', async () => {
    const store = open();
    const r = await insert(store, 'slack', 'k', 0);
    await store.outbox.claimDue('slack', { now: 0, limit: 1, leaseMs: 10, owner: 'o' });
    await store.outbox.markRetry(r.id, { nextAttemptAt: 500, error: 'HTTP 500', status: 500, now: 1 });
    expect(await store.outbox.get(r.id)).toMatchObject({ state: 'pending', nextAttemptAt: 500, lastError: 'HTTP 500', lastStatus: 500, leaseUntil: undefined });
    await store.outbox.claimDue('slack', { now: 500, limit: 1, leaseMs: 10, owner: 'o' });
    await store.outbox.markFailed(r.id, { error: 'HTTP 400: invalid', status: 400, now: 501 });
    expect(await store.outbox.get(r.id)).toMatchObject({ state: 'failed', attempts: 2, lastError: 'HTTP 400: invalid' });
    expect(await store.outbox.nextDueAt()).toBeUndefined();
    expect(await store.outbox.requeueFailed({ channel: 'other', now: 600 })).toBe(0);
    expect(await store.outbox.requeueFailed({ channel: 'slack', now: 600 })).toBe(1);
    expect(await store.outbox.get(r.id)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: 600 });
    await store.outbox.claimDue('slack', { now: 600, limit: 1, leaseMs: 10, owner: 'o' });
    await store.outbox.markDelivered(r.id, 700, 200);
    expect(await store.outbox.get(r.id)).toMatchObject({ state: 'delivered', deliveredAt: 700, lastStatus: 200 });
    expect(await store.outbox.purgeDelivered(700)).toBe(0);
    expect(await store.outbox.purgeDelivered(701)).toBe(1);
    expect(await store.outbox.get(r.id)).toBeUndefined();
  });

  it('re-queues failed rows by their string ids; ids that are no row of this store match nothing', async () => {
    const store = open();
    const [a, b] = [await insert(store, 'c', 'a', 0), await insert(store, 'c', 'b', 0)];
    expect([a.id, b.id]).toEqual(['1', '2']);
    await store.outbox.claimDue('c', { now: 0, limit: 2, leaseMs: 10, owner: 'o' });
    for (const r of [a, b]) await store.outbox.markFailed(r.id, { error: 'HTTP 400', now: 1 });
    for (const id of ['tg_0123456789abcdef', '01', '1.0', '-1', '', '99']) expect(await store.outbox.requeueFailed({ ids: [id], now: 2 }), id).toBe(0);
    expect(await store.outbox.get('tg_0123456789abcdef')).toBeUndefined();
    expect(await store.outbox.requeueFailed({ ids: [b.id], now: 2 })).toBe(1);
    expect((await store.outbox.list({ states: ['failed'] })).map((r) => r.id)).toEqual([a.id]);
  });

  it('gives rows of a dead claimant back at once, and fails them when that was their last attempt', async () => {
    const store = open();
    const a = await insert(store, 'c', 'a', 0);
    const b = await insert(store, 'c', 'b', 0, { maxAttempts: 1 });
    const live = await insert(store, 'c', 'live', 0);
    await store.outbox.claimDue('c', { now: 0, limit: 2, leaseMs: 60_000, owner: 'dead:1' });
    await store.outbox.claimDue('c', { now: 0, limit: 1, leaseMs: 60_000, owner: 'alive:2' });
    expect(await store.outbox.recoverAbandoned((owner) => owner === 'dead:1', 10)).toBe(2);
    expect(await store.outbox.get(a.id)).toMatchObject({ state: 'pending', nextAttemptAt: 10 });
    expect((await store.outbox.get(b.id))?.state).toBe('failed');
    expect((await store.outbox.get(b.id))?.lastError).toMatch(/died during attempt 1 of 1/);
    expect((await store.outbox.get(live.id))?.state).toBe('sending');
  });

  it('summarises a notification\'s findings by severity, rule and account', async () => {
    const store = open();
    const all = [makeFinding(1), makeFinding(2, { severity: 'high', ruleId: 'root-console-login' }), makeFinding(3, { account: '444455556666' })];
    const { outboxId } = await enqueue(store, all[0]!, 'c', 0, () => ({ outcome: 'storm', create: newRow('c', 'storm', 0, { kind: 'storm' }) }));
    const storm = (await store.outbox.get(outboxId))!;
    for (const f of all.slice(1)) expect((await enqueue(store, f, 'c', 0, () => ({ outcome: 'storm', attachTo: storm }))).outboxId).toBe(storm.id);
    expect(await store.outbox.statsOf(storm.id)).toMatchObject({ total: 3, bySeverity: { critical: 2, high: 1 }, byRule: { 'cloudtrail-disabled': 2, 'root-console-login': 1 }, byAccount: { '123456789012': 2, '444455556666': 1 } });
    expect((await store.outbox.findingsOf(storm.id, 1, 'worst'))[0]?.severity).toBe('critical');
    expect((await store.outbox.findingsOf(storm.id, 1, 'last'))[0]?.id).toBe(all[2]!.id);
    expect(await store.outbox.findingIdsOf(storm.id)).toEqual(all.map((f) => f.id));
    expect(await store.outbox.counts()).toEqual([{ channel: 'c', state: 'pending', count: 1, oldestCreatedAt: 0 }]);
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
    const insertRow = db.prepare(`INSERT INTO outbox (channel, kind, group_key, idempotency_key, state, max_attempts, next_attempt_at, window_start, window_end, last_error, created_at, updated_at)
      VALUES ('hook', 'finding', ?, ?, ?, 3, 0, 0, 0, ?, 5, 5)`);
    insertRow.run('g1', 'tg_1', 'delivered', null);
    insertRow.run('g2', 'tg_2', 'failed', 'HTTP 500');
    insertRow.run('g3', 'tg_3', 'pending', null);
    db.prepare('INSERT INTO outbox_findings VALUES (2, ?, ?, 5)').run('hook', f.id);
    db.exec('DELETE FROM outbox WHERE id = 3'); // the sequence is ahead of the last row
    db.close();
  }

  it('migrates a version 1 outbox in place: rows, ids, links and sequence kept; remediation rows accepted', async () => {
    const file = tempDb();
    mkdirSync(path.dirname(file), { recursive: true });
    versionOneStore(file);
    const store = open(file);
    expect(store.sqlite.versions()).toEqual({ findings: 1, outbox: 3, remediation: 3, watch: 1 });
    expect((await store.outbox.list()).map((r) => [r.id, r.kind, r.state, r.lastError])).toEqual([
      ['1', 'finding', 'delivered', undefined],
      ['2', 'finding', 'failed', 'HTTP 500'],
    ]);
    expect(await store.outbox.findingIdsOf('2')).toEqual([makeFinding(1).id]);
    expect(await enqueue(store, makeFinding(1), 'hook', 10, planned(makeFinding(1), 'hook', 10))).toEqual({ channel: 'hook', outcome: 'duplicate', outboxId: '2' });

    const decision = makeDecision(1, { id: 'd-1', ruleId: 'r', findingId: 'f', actionId: 'revoke-security-group-ingress', eventId: 'e-1' });
    const notice = makeNotice(decision, 'hook', 0, { idempotencyKey: 'tg_r_hook' });
    const { notices } = await store.remediation.commit({ decision, notices: [notice], now: 0 });
    expect(notices).toMatchObject([{ created: true, row: { id: '4', kind: 'remediation', count: 1 } }]);
    // Again, or another decision's notice under the same key: the notice there is left as it is.
    expect((await store.remediation.commit({ decision, notices: [notice], now: 1 })).notices).toMatchObject([{ created: false, row: { id: '4' } }]);
    const other = makeDecision(2, { id: 'd-2', actionId: 'x' });
    expect((await store.remediation.commit({ decision: other, notices: [makeNotice(other, 'hook', 0, { idempotencyKey: 'tg_r_hook' })], now: 1 })).notices).toMatchObject([{ created: false, row: { id: '4' } }]);
    expect(await store.outbox.remediationOf('4')).toEqual({ outboxId: '4', channel: 'hook', decisionId: 'd-1', status: 'executed', actionId: 'revoke-security-group-ingress', ruleId: 'r', findingId: 'f', decisionJson: JSON.stringify(decision) });
    expect((await store.outbox.list()).filter((r) => r.kind === 'remediation').map((r) => r.id)).toEqual(['4']);
    expect(store.sqlite.db.pragma('foreign_key_check')).toEqual([]);
    // Deleting a delivered notice deletes its decision snapshot with it.
    await store.outbox.claimDue('hook', { now: 10, limit: 5, leaseMs: 10, owner: 'o', kinds: ['remediation'] });
    await store.outbox.markDelivered('4', 20);
    expect(await store.outbox.purgeDelivered(21)).toBe(1);
    expect(await store.outbox.remediationOf('4')).toBeUndefined();
  });

  it('claims and waits on chosen kinds only', async () => {
    const store = open();
    await insert(store, 'c', 'f', 0);
    const decision = makeDecision(1, { status: 'dry-run' });
    await store.remediation.commit({ decision, notices: [makeNotice(decision, 'c', 50)], now: 50 });
    expect(await store.outbox.nextDueAt('c', ['remediation'])).toBe(50);
    expect(await store.outbox.nextDueAt(undefined, ['finding'])).toBe(0);
    expect(await store.outbox.outstanding(['c'], ['remediation'])).toBe(1);
    expect((await store.outbox.claimDue('c', { now: 100, limit: 10, leaseMs: 10, owner: 'o', kinds: ['remediation'] })).map((r) => r.kind)).toEqual(['remediation']);
    expect(await store.outbox.outstanding(['c'])).toBe(2);
  });
});

describe('remediation schema version 2: claims', () => {
  it('migrates a version 1 remediation store: the log kept, claims added, and what it logged as acted holds its event', async () => {
    const file = tempDb();
    mkdirSync(path.dirname(file), { recursive: true });
    // The store as the release before claims left it: remediation at version 1, with a decision that acted.
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (feature TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (feature, version))');
    const record = db.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?, 'x')");
    for (const [feature, migrations] of [['findings', FINDINGS_MIGRATIONS], ['outbox', OUTBOX_MIGRATIONS], ['remediation', REMEDIATION_MIGRATIONS.slice(0, 1)]] as const) {
      for (const m of migrations) {
        m.up(db);
        record.run(feature, m.version, m.name);
      }
    }
    db.close();
    const acted = makeDecision(1, { status: 'executed' });
    const previewed = makeDecision(2, { status: 'dry-run' });
    writeLegacyRemediationFile(file, { decisions: [acted, previewed] });

    const store = open(file);
    expect(store.sqlite.versions()).toEqual({ findings: 1, outbox: 3, remediation: 3, watch: 1 });
    expect(store.sqlite.db.prepare('SELECT COUNT(*) AS n FROM remediation_claims').get()).toEqual({ n: 0 });
    expect((await store.remediation.listDecisions()).map((d) => d.id)).toEqual([previewed.id, acted.id]);
    const claim = (d: typeof acted, mode: 'dry-run' | 'enforce') => store.remediation.claim({ eventId: d.eventId, actionId: d.actionId, decisionId: `new-${d.id}`, mode, owner: 'host:1', now: 0, leaseMs: 60_000 });
    expect(await claim(acted, 'enforce')).toEqual({ claimed: false, heldBy: acted });
    // A decision that did not act holds nothing that was logged before claims existed.
    expect(await claim(previewed, 'enforce')).toEqual({ claimed: true });
  });
});
