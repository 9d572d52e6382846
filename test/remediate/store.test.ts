/**
 * The remediation tables on the store's migrations: a fresh store gets them as feature `remediation`
 * version 1; a file written by the first release (its own `CREATE TABLE IF NOT EXISTS`, no
 * schema_migrations at all) is adopted with its log and approvals; a foreign table is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ApprovalStore } from '../../src/remediate/approvals.js';
import { RemediationLog } from '../../src/remediate/log.js';
import { REMEDIATION_APPROVALS_SCHEMA, REMEDIATION_LOG_SCHEMA } from '../../src/remediate/schema.js';
import type { RemediationDecision } from '../../src/remediate/types.js';
import { openStore, StoreError } from '../../src/store/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tg-remediation-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const decision: RemediationDecision = {
  id: 'd-old-1',
  createdAt: '2026-11-01T09:00:00.000Z',
  status: 'pending-approval',
  mode: 'approve',
  actionId: 'start-cloudtrail-logging',
  ruleId: 'cloudtrail-disabled',
  eventId: 'e-1',
  eventName: 'StopLogging',
  eventSource: 'cloudtrail.amazonaws.com',
  eventTime: '2026-11-01T08:59:00Z',
  account: '123456789012',
  region: 'us-east-1',
  actor: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
  message: 'APPROVAL NEEDED (trailguard remediate approve a-old-1): start logging on trail management-events',
  approvalId: 'a-old-1',
  plan: { actionId: 'start-cloudtrail-logging', calls: [], effect: { done: 'logging restarted', todo: 'start logging' }, kept: [], notes: [], resources: [] },
};

/** What the first release left behind: its two tables, created by themselves, and rows written by its SQL. */
function legacyFile(name: string): string {
  const file = path.join(dir, name);
  const db = new Database(file);
  db.exec(REMEDIATION_LOG_SCHEMA);
  db.exec(REMEDIATION_APPROVALS_SCHEMA);
  const raw = { db, migrate: () => {} };
  new RemediationLog(raw).record(decision);
  new ApprovalStore(raw).create({ id: 'a-old-1', decisionId: decision.id, createdAt: decision.createdAt, expiresAt: '2099-01-01T00:00:00.000Z', actionId: decision.actionId, eventId: 'e-1', summary: 'start logging', plan: decision.plan!, decision });
  db.close();
  return file;
}

describe('remediation tables in the shared store', () => {
  it('a fresh store gets them through the migration mechanism, once', () => {
    const store = openStore(path.join(dir, 'fresh.db'));
    new RemediationLog(store);
    new ApprovalStore(store);
    expect(store.versions()).toEqual({ findings: 1, outbox: 2, remediation: 1 });
    expect((store.db.prepare("SELECT COUNT(*) AS n FROM schema_migrations WHERE feature = 'remediation'").get() as { n: number }).n).toBe(1);
    store.close();
  });

  it('a file the first release wrote is adopted: its log and pending approvals are read as they are', () => {
    const store = openStore(legacyFile('old-remediation.db'));
    const log = new RemediationLog(store);
    const approvals = new ApprovalStore(store);
    expect(store.versions()).toEqual({ findings: 1, outbox: 2, remediation: 1 });
    expect(log.list().map((d) => [d.id, d.status])).toEqual([['d-old-1', 'pending-approval']]);
    expect(log.hasActed('e-1', 'start-cloudtrail-logging')?.id).toBe('d-old-1');
    expect(approvals.pending(new Date('2026-11-20T00:00:00Z')).map((a) => a.id)).toEqual(['a-old-1']);
    // And it keeps working as the shared store.
    log.record({ ...decision, id: 'd-new-1', status: 'dry-run', createdAt: '2026-11-20T00:00:00.000Z' });
    expect(log.list().map((d) => d.id)).toEqual(['d-new-1', 'd-old-1']);
    store.close();
  });

  it('a table of that name that is not trailguard\'s is refused, and nothing is recorded', () => {
    const file = path.join(dir, 'foreign.db');
    const db = new Database(file);
    db.exec('CREATE TABLE remediation_log (id INTEGER PRIMARY KEY, what TEXT)');
    db.close();
    const store = openStore(file);
    expect(() => new RemediationLog(store)).toThrow(StoreError);
    expect(() => new RemediationLog(store)).toThrow(/remediation_log exists but lacks columns created_at, status, .*: it was not written by trailguard's remediation log/);
    expect(store.versions().remediation).toBeUndefined();
    expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'remediation_approvals'").get()).toBeUndefined();
    store.close();
  });
});
