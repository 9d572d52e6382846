/**
 * The remediation tables on the store's migrations: a fresh store gets them as feature `remediation`
 * (version 1: log and approvals; version 2: claims); a file written by the first release (its own
 * `CREATE TABLE IF NOT EXISTS`, no schema_migrations at all) is adopted with its log and approvals, and
 * what it logged as acted holds its events against new claims; a foreign table is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { makeApproval, makeDecision } from '../store/support.js';
import { writeLegacyRemediationFile } from './support/legacy.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tg-remediation-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const decision = makeDecision(1, { id: 'd-old-1', createdAt: '2026-11-01T09:00:00.000Z', status: 'pending-approval', approvalId: 'a-old-1', eventId: 'e-1' });
const approval = makeApproval(decision, 'a-old-1', 3 * 365 * 86_400_000);

const migrations = (db: Database.Database, feature: string) => (db.prepare('SELECT version FROM schema_migrations WHERE feature = ? ORDER BY version').all(feature) as { version: number }[]).map((r) => r.version);

describe('remediation tables in the shared store', () => {
  it('a fresh store gets them through the migration mechanism, once', async () => {
    const file = path.join(dir, 'fresh.db');
    const store = openSqliteStore(file);
    expect(store.sqlite.versions()).toEqual({ findings: 1, outbox: 3, remediation: 3, watch: 1 });
    expect(migrations(store.sqlite.db, 'remediation')).toEqual([1, 2, 3]);
    await store.close();
    const again = openSqliteStore(file);
    expect(migrations(again.sqlite.db, 'remediation')).toEqual([1, 2, 3]);
    await again.close();
  });

  it('a file the first release wrote is adopted: its log and pending approvals are read as they are', async () => {
    const store = openSqliteStore(writeLegacyRemediationFile(path.join(dir, 'old-remediation.db'), { decisions: [decision], approvals: [approval] }));
    const log = store.remediation;
    expect(store.sqlite.versions()).toEqual({ findings: 1, outbox: 3, remediation: 3, watch: 1 });
    expect((await log.listDecisions()).map((d) => [d.id, d.status])).toEqual([['d-old-1', 'pending-approval']]);
    expect((await log.hasActed('e-1', 'start-cloudtrail-logging'))?.id).toBe('d-old-1');
    expect((await log.pendingApprovals(new Date('2026-11-20T00:00:00Z'))).map((a) => a.id)).toEqual(['a-old-1']);
    // And it keeps working as the shared store.
    await log.commit({ decision: { ...decision, id: 'd-new-1', status: 'dry-run', mode: 'dry-run', createdAt: '2026-11-20T00:00:00.000Z' }, now: Date.parse('2026-11-20T00:00:00Z') });
    expect((await log.listDecisions()).map((d) => d.id)).toEqual(['d-new-1', 'd-old-1']);
    await store.close();
  });

  it('what the first release logged as acted holds its event against claims (version 2 added them after)', async () => {
    const store = openSqliteStore(writeLegacyRemediationFile(path.join(dir, 'old-acted.db'), { decisions: [decision], approvals: [approval] }));
    const request = { actionId: 'start-cloudtrail-logging', decisionId: 'd-new', mode: 'enforce' as const, owner: 'host:1', now: Date.parse('2026-11-20T00:00:00Z'), leaseMs: 60_000 };
    expect(await store.remediation.claim({ ...request, eventId: 'e-1' })).toEqual({ claimed: false, heldBy: decision });
    // Another event, or another action on it, is free.
    expect(await store.remediation.claim({ ...request, eventId: 'e-2' })).toEqual({ claimed: true });
    expect(await store.remediation.claim({ ...request, eventId: 'e-1', actionId: 'attach-deny-all-policy' })).toEqual({ claimed: true });
    await store.close();
  });

  it('a table of that name that is not trailguard\'s is refused, and nothing is recorded', () => {
    const file = path.join(dir, 'foreign.db');
    const db = new Database(file);
    db.exec('CREATE TABLE remediation_log (id INTEGER PRIMARY KEY, what TEXT)');
    db.close();
    expect(() => openSqliteStore(file)).toThrow(StoreError);
    expect(() => openSqliteStore(file)).toThrow(/remediation_log exists but lacks columns created_at, status, .*: it was not written by trailguard's remediation log/);
    const raw = new Database(file);
    expect(migrations(raw, 'remediation')).toEqual([]);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name IN ('remediation_approvals', 'remediation_claims')").get()).toBeUndefined();
    raw.close();
  });
});
