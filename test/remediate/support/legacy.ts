/**
 * A remediation file as the first release left it: its two tables, created on their own with `CREATE TABLE
 * IF NOT EXISTS` (no schema_migrations at all), and rows written by its SQL — what the store adopts when the
 * file is named as store.path.
 */
import Database from 'better-sqlite3';
import type { PendingApproval } from '../../../src/store/types.js';
import { approvalRow, decisionRow, INSERT_APPROVAL, INSERT_DECISION, REMEDIATION_APPROVALS_SCHEMA, REMEDIATION_LOG_SCHEMA } from '../../../src/store/sqlite/remediation.js';
import type { RemediationDecision } from '../../../src/remediate/types.js';

export function writeLegacyRemediationFile(file: string, contents: { decisions?: readonly RemediationDecision[]; approvals?: ReadonlyArray<Omit<PendingApproval, 'status'>> }): string {
  const db = new Database(file);
  try {
    db.exec(REMEDIATION_LOG_SCHEMA);
    db.exec(REMEDIATION_APPROVALS_SCHEMA);
    const decision = db.prepare(`INSERT ${INSERT_DECISION}`);
    for (const d of contents.decisions ?? []) decision.run(decisionRow(d));
    const approval = db.prepare(`INSERT ${INSERT_APPROVAL}`);
    for (const a of contents.approvals ?? []) approval.run(approvalRow(a));
  } finally {
    db.close();
  }
  return file;
}
