/**
 * The remediation log, claims and approvals on DynamoDB (see the layout in store.ts).
 *
 * A claim is one item per (action, event) holding either a runner at work (`running`: decision id, owner,
 * lease, and the settled hold it replaced, put back if the claim is released) or the decision that settled it
 * (`held`: its id, status and mode), with a version every write checks: `claim` reads it, judges by the rules of RemediationStore.claim, and writes only if nobody wrote
 * in between (else reads and judges again), so of any number of runners claiming at once one is granted.
 *
 * `commit` writes the decision, its approval, its notices (rows + decision snapshots) and the claim's
 * settlement in one TransactWriteItems, each write conditional on what was read: the decision must be new,
 * an approval is created only if its id is free (else left as it is), notices only where their (channel,
 * idempotency key) is free, and the claim must still be the one read; if anything changed meanwhile, the
 * whole commit is read and made again. Of a decision already logged nothing is written again but the
 * notices it still lacks (as in SQLite), and the answer is the notices as stored.
 *
 * The SQLite store counts a decision that acted as holding its (event, action) even without a claim (it
 * finds it in its log). Here such a decision, committed for a pair nothing claims yet, writes the claim it
 * holds, so `claim` answers the same from the one item it reads.
 */
import type { DecisionStatus, RemediationDecision } from '../../remediate/types.js';
import type { ClaimRequest, DecisionCommit, DecisionQuery, NewRemediationNotice, OutboxRow, PendingApproval, RemediationClaim, RemediationStore } from '../types.js';
import { approvalItem, DynamoApprovals } from './approvals.js';
import { pack, unpack } from './codec.js';
import { keyId, type Db, type Item, type TxWrite } from './db.js';
import { Expr } from './expr.js';
import { gsi1, gsi2, keys, rowId } from './keys.js';
import { optimistic, type Attempt } from './retry.js';
import { newRow, toRow } from './rows.js';

/** Decisions after which the same event is never acted on again by the same action. */
const ACTED: readonly DecisionStatus[] = ['executed', 'pending-approval'];

function decisionItem(decision: RemediationDecision): Item {
  return {
    ...keys.decision(decision.id),
    type: 'decision',
    id: decision.id,
    createdAt: decision.createdAt,
    status: decision.status,
    mode: decision.mode,
    actionId: decision.actionId,
    eventId: decision.eventId,
    body: pack(decision),
    gsi1pk: gsi1.event(decision.eventId),
    gsi1sk: gsi1.eventSort(decision.actionId, decision.createdAt, decision.id),
    gsi2pk: gsi2.decisions,
    gsi2sk: gsi2.decisionSort(decision.createdAt, decision.id),
  };
}

function noticeItem(id: string, n: NewRemediationNotice): Item {
  return {
    ...keys.notice(id),
    type: 'notice',
    outboxId: id,
    channel: n.channel,
    decisionId: n.decisionId,
    status: n.status,
    actionId: n.actionId,
    ...(n.ruleId !== undefined ? { ruleId: n.ruleId } : {}),
    ...(n.findingId !== undefined ? { findingId: n.findingId } : {}),
    body: pack(n.decisionJson),
  };
}

const toDecision = (item: Item): RemediationDecision => unpack<RemediationDecision>(item.body);

/** Newest first, as the log lists (then by id, where SQLite takes insertion order). */
const newestFirst = (a: Item, b: Item): number => {
  const x = `${String(a.createdAt)}#${String(a.id)}`;
  const y = `${String(b.createdAt)}#${String(b.id)}`;
  return x < y ? 1 : x > y ? -1 : 0;
};

/** Why a claim cannot be granted now (`heldBy`: a decision id), or undefined when it can. */
function refusal(claim: Item | undefined, request: ClaimRequest): { heldBy?: string; inProgress?: { owner: string; since: number } } | undefined {
  if (!claim) return undefined;
  if (claim.state === 'running') {
    const expired = typeof claim.leaseUntil !== 'number' || claim.leaseUntil <= request.now;
    return expired ? undefined : { inProgress: { owner: String(claim.owner), since: Number(claim.since) } };
  }
  if (request.takeOver !== undefined && claim.heldDecisionId === request.takeOver) return undefined;
  return settledClaimHolds(claim.heldStatus as DecisionStatus, String(claim.heldMode), request.mode) ? { heldBy: String(claim.heldDecisionId) } : undefined;
}

/** What a new claim replaces (put back if it is released): a settled hold; for a runner's expired claim, what that one replaced. */
function replaced(claim: Item | undefined): Record<string, unknown> | undefined {
  if (!claim) return undefined;
  if (claim.state === 'held') return { prevDecisionId: claim.heldDecisionId, prevStatus: claim.heldStatus, prevMode: claim.heldMode };
  return typeof claim.prevDecisionId === 'string' ? { prevDecisionId: claim.prevDecisionId, prevStatus: claim.prevStatus, prevMode: claim.prevMode } : undefined;
}

/**
 * Whether a settled claim still holds against a new request (RemediationStore.claim): a decision that acted
 * always does; one that did not act holds against requests of its own mode, except a failure, which never does.
 */
function settledClaimHolds(status: DecisionStatus, mode: string, requestMode: string): boolean {
  if (ACTED.includes(status)) return true;
  if (status === 'failed') return false;
  return mode === requestMode;
}

/** The claim's fields once `decision` holds it. */
function heldBy(decision: RemediationDecision, now: number): Record<string, unknown> {
  return { type: 'claim', eventId: decision.eventId, actionId: decision.actionId, state: 'held', heldDecisionId: decision.id, heldStatus: decision.status, heldMode: decision.mode, settledAt: now };
}

export class DynamoRemediationStore implements RemediationStore {
  private readonly approvals: DynamoApprovals;

  constructor(private readonly db: Db) {
    this.approvals = new DynamoApprovals(db);
  }

  async claim(request: ClaimRequest): Promise<RemediationClaim> {
    if (request.eventId === '') return { claimed: true };
    const key = keys.claim(request.eventId, request.actionId);
    return optimistic(`dynamodb:${this.db.tableName}: remediation.claim ${request.actionId} on ${request.eventId}`, async (): Promise<Attempt<RemediationClaim>> => {
      const claim = await this.db.get('remediation.claim', key);
      const refused = refusal(claim, request);
      if (refused) {
        if (refused.inProgress) return { done: { claimed: false, inProgress: refused.inProgress } };
        const heldBy = refused.heldBy === undefined ? undefined : await this.getDecision(refused.heldBy);
        return { done: { claimed: false, ...(heldBy ? { heldBy } : {}) } };
      }
      const e = new Expr();
      const seen = typeof claim?.version === 'number' ? claim.version : undefined;
      const prev = replaced(claim);
      const granted = await this.db.update('remediation.claim', {
        Key: key,
        UpdateExpression: e.update({
          set: {
            type: 'claim',
            eventId: request.eventId,
            actionId: request.actionId,
            state: 'running',
            decisionId: request.decisionId,
            mode: request.mode,
            owner: request.owner,
            since: request.now,
            leaseUntil: request.now + request.leaseMs,
            version: (seen ?? 0) + 1,
            prevDecisionId: prev?.prevDecisionId,
            prevStatus: prev?.prevStatus,
            prevMode: prev?.prevMode,
          },
          remove: ['heldDecisionId', 'heldStatus', 'heldMode', 'settledAt'],
        }),
        ConditionExpression: seen === undefined ? `attribute_not_exists(${e.name('pk')})` : `${e.name('version')} = ${e.value(seen)}`,
        ...e.attributes(),
      });
      return granted ? { done: { claimed: true } } : { retry: 'claim changed' };
    });
  }

  async releaseClaim(eventId: string, actionId: string, decisionId: string): Promise<void> {
    if (eventId === '') return;
    const key = keys.claim(eventId, actionId);
    await optimistic(`dynamodb:${this.db.tableName}: remediation.releaseClaim ${actionId} on ${eventId}`, async (): Promise<Attempt<void>> => {
      const claim = await this.db.get('remediation.releaseClaim', key);
      // Only the running claim of this decision: a settled claim, or one another runner took over, stays.
      if (!claim || claim.state !== 'running' || claim.decisionId !== decisionId) return { done: undefined };
      const e = new Expr();
      const unchanged = `${e.name('state')} = ${e.value('running')} AND ${e.name('decisionId')} = ${e.value(decisionId)} AND ${e.name('version')} = ${e.value(claim.version)}`;
      let done: boolean;
      if (typeof claim.prevDecisionId === 'string') {
        // The settled hold the claim replaced is put back.
        const restored = await this.db.update('remediation.releaseClaim', {
          Key: key,
          UpdateExpression: e.update({
            set: {
              state: 'held',
              heldDecisionId: claim.prevDecisionId,
              heldStatus: claim.prevStatus,
              heldMode: claim.prevMode,
              settledAt: Date.now(),
              version: Number(claim.version) + 1,
            },
            remove: ['decisionId', 'leaseUntil', 'prevDecisionId', 'prevStatus', 'prevMode'],
          }),
          ConditionExpression: unchanged,
          ...e.attributes(),
        });
        done = restored !== undefined;
      } else done = await this.db.delete('remediation.releaseClaim', { Key: key, ConditionExpression: unchanged, ...e.attributes() });
      return done ? { done: undefined } : { retry: 'claim changed' };
    });
  }

  async commit(entry: DecisionCommit): Promise<{ notices: Array<{ row: OutboxRow; created: boolean }> }> {
    const { decision, now } = entry;
    const notices = entry.notices ?? [];
    const ids = notices.map((n) => rowId(n.channel, n.idempotencyKey));
    type Committed = { notices: Array<{ row: OutboxRow; created: boolean }> };
    return optimistic(`dynamodb:${this.db.tableName}: remediation.commit ${decision.id}`, async (): Promise<Attempt<Committed>> => {
      const claimKey = keys.claim(decision.eventId, decision.actionId);
      const [logged, stored, claim, approval] = await Promise.all([
        this.db.get('remediation.commit', keys.decision(decision.id)),
        this.db.batchGet(
          'remediation.commit',
          ids.map((id) => keys.row(id)),
        ),
        decision.eventId === '' ? undefined : this.db.get('remediation.commit', claimKey),
        entry.approval ? this.db.get('remediation.commit', keys.approval(entry.approval.id)) : undefined,
      ]);
      const writes: TxWrite[] = [];
      // A decision already in the log is left as it is; only notices it lacks are still created (as SQLite does).
      if (!logged) {
        const d = new Expr();
        writes.push({ Put: { Item: decisionItem(decision), ConditionExpression: `attribute_not_exists(${d.name('pk')})`, ...d.attributes() } });
        // An approval id already there is left as it is (as SQLite's INSERT OR IGNORE does).
        if (entry.approval && !approval) {
          const a = new Expr();
          writes.push({ Put: { Item: approvalItem(entry.approval), ConditionExpression: `attribute_not_exists(${a.name('pk')})`, ...a.attributes() } });
        }
        const settle = this.settlement(decision, claim, now);
        if (settle) writes.push(settle);
      }
      const answer: Committed['notices'] = [];
      const creating = new Map<string, OutboxRow>();
      notices.forEach((n, i) => {
        const id = ids[i]!;
        const storedItem = stored.get(keyId(keys.row(id)));
        const existing = storedItem ? toRow(storedItem) : creating.get(id);
        if (existing) {
          answer.push({ row: existing, created: false });
          return;
        }
        const { row, item } = newRow({
          id,
          channel: n.channel,
          kind: 'remediation',
          groupKey: n.groupKey,
          idempotencyKey: n.idempotencyKey,
          count: n.findingId !== undefined ? 1 : 0,
          maxAttempts: n.maxAttempts,
          nextAttemptAt: n.nextAttemptAt,
          windowStart: now,
          windowEnd: now,
          now,
        });
        creating.set(id, row);
        answer.push({ row, created: true });
        const r = new Expr();
        writes.push({ Put: { Item: item, ConditionExpression: `attribute_not_exists(${r.name('pk')})`, ...r.attributes() } });
        writes.push({ Put: { Item: noticeItem(id, n) } });
      });
      if (writes.length === 0) return { done: { notices: answer } };
      const result = await this.db.transact('remediation.commit', writes);
      if (result.ok) return { done: { notices: answer } };
      return { retry: result.reasons.join(',') };
    });
  }

  /**
   * The claim write of a new decision: the claim it was made under (running, with its id) is settled, held by
   * it from now on. A decision made under no claim leaves claims alone — except that one which acted, for a
   * pair nothing claims yet, holds the pair (SQLite finds such a decision in its log; here the claim says so).
   */
  private settlement(decision: RemediationDecision, claim: Item | undefined, now: number): TxWrite | undefined {
    if (decision.eventId === '') return undefined;
    const key = keys.claim(decision.eventId, decision.actionId);
    const e = new Expr();
    if (claim && claim.state === 'running' && claim.decisionId === decision.id && typeof claim.version === 'number') {
      return {
        Update: {
          Key: key,
          UpdateExpression: e.update({ set: { ...heldBy(decision, now), version: claim.version + 1 }, remove: ['decisionId', 'leaseUntil', 'prevDecisionId', 'prevStatus', 'prevMode'] }),
          ConditionExpression: `${e.name('version')} = ${e.value(claim.version)}`,
          ...e.attributes(),
        },
      };
    }
    if (!claim && ACTED.includes(decision.status)) {
      return { Put: { Item: { ...key, ...heldBy(decision, now), version: 1 }, ConditionExpression: `attribute_not_exists(${e.name('pk')})`, ...e.attributes() } };
    }
    return undefined;
  }

  async hasActed(eventId: string, actionId: string): Promise<RemediationDecision | undefined> {
    if (eventId === '') return undefined;
    const e = new Expr();
    const items = await this.db.query(
      'remediation.hasActed',
      {
        IndexName: 'gsi1',
        KeyConditionExpression: `${e.name('gsi1pk')} = ${e.value(gsi1.event(eventId))} AND begins_with(${e.name('gsi1sk')}, ${e.value(`${actionId}#`)})`,
        FilterExpression: e.in('status', ACTED),
        ScanIndexForward: false,
        ...e.attributes(),
      },
      (found) => found.length > 0,
    );
    return items[0] && toDecision(items[0]);
  }

  async getDecision(id: string): Promise<RemediationDecision | undefined> {
    const item = await this.db.get('remediation.getDecision', keys.decision(id));
    return item && toDecision(item);
  }

  async listDecisions(query: DecisionQuery = {}): Promise<RemediationDecision[]> {
    const limit = query.limit ?? 100;
    if (limit <= 0) return [];
    const e = new Expr();
    const filters: string[] = [];
    if (query.status !== undefined) filters.push(`${e.name('status')} = ${e.value(query.status)}`);
    let items: Item[];
    if (query.eventId !== undefined) {
      // One event's decisions are few: read them all (of the action), then order newest first.
      const action = query.actionId !== undefined ? ` AND begins_with(${e.name('gsi1sk')}, ${e.value(`${query.actionId}#`)})` : '';
      items = await this.db.query('remediation.listDecisions', {
        IndexName: 'gsi1',
        KeyConditionExpression: `${e.name('gsi1pk')} = ${e.value(gsi1.event(query.eventId))}${action}`,
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
        ...e.attributes(),
      });
      items.sort(newestFirst);
    } else {
      if (query.actionId !== undefined) filters.push(`${e.name('actionId')} = ${e.value(query.actionId)}`);
      items = await this.db.query(
        'remediation.listDecisions',
        {
          IndexName: 'gsi2',
          KeyConditionExpression: `${e.name('gsi2pk')} = ${e.value(gsi2.decisions)}`,
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ScanIndexForward: false,
          ...e.attributes(),
        },
        (found) => found.length >= limit,
      );
    }
    return items.slice(0, limit).map(toDecision);
  }

  getApproval(id: string): Promise<PendingApproval | undefined> {
    return this.approvals.get(id);
  }

  pendingApprovals(now: Date): Promise<PendingApproval[]> {
    return this.approvals.pending(now);
  }

  expireApprovals(now: Date): Promise<PendingApproval[]> {
    return this.approvals.expire(now);
  }

  decideApproval(id: string, status: 'approved' | 'rejected', by: string, now: Date, note?: string): Promise<boolean> {
    return this.approvals.decide(id, status, by, now, note);
  }
}
