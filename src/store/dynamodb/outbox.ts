/**
 * The delivery outbox on DynamoDB (see the layout in store.ts). Every state change is one conditional
 * UpdateItem on the row, so it is atomic on its own; operations over many rows (recoverAbandoned,
 * requeueFailed, flushWindows, purgeDelivered) read their candidates from an index and change each with a
 * condition that re-checks what made it a candidate, so a row another worker changed meanwhile is skipped,
 * never clobbered, and the count returned is what this call changed.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Finding } from '../../findings/types.js';
import { StoreError } from '../errors.js';
import {
  DELIVERY_STATES,
  NOTIFICATION_KINDS,
  type ChannelTarget,
  type ClaimOptions,
  type DeliveryState,
  type EnqueueResult,
  type NotificationKind,
  type NotificationStats,
  type OutboxRow,
  type OutboxStore,
  type RemediationNoticeRow,
  type StateCount,
} from '../types.js';
import { unpack } from './codec.js';
import type { Db, Item, Key } from './db.js';
import { Enqueuer } from './enqueue.js';
import { Expr } from './expr.js';
import type { DynamoFindingStore } from './findings.js';
import { ATTACHMENT_PREFIX, gsi1, gsi2, keys, pad } from './keys.js';
import { claimableAt, toRow } from './rows.js';

const SEVERITY_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const rank = (severity: unknown): number => (typeof severity === 'string' ? (SEVERITY_RANK[severity] ?? 4) : 4);

/** How many writes of a multi-row operation run at once. */
const PARALLEL = 16;

async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) out.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(fn))));
  return out;
}

export interface OutboxOptions {
  /** Delivered rows get a TTL this long after delivery (DynamoDB deletes them some time after). */
  retainDeliveredMs?: number;
}

export class DynamoOutboxStore implements OutboxStore {
  private readonly enqueuer: Enqueuer;

  constructor(
    private readonly db: Db,
    private readonly findings: DynamoFindingStore,
    private readonly options: OutboxOptions = {},
  ) {
    this.enqueuer = new Enqueuer(db);
  }

  async enqueueFinding(finding: Finding, targets: readonly ChannelTarget[], now: number): Promise<EnqueueResult> {
    const isNew = await this.findings.save(finding, now);
    // Channels touch disjoint items: enqueue on all at once (in order when a channel is named twice).
    const distinct = new Set(targets.map((t) => t.channel)).size === targets.length;
    const channels: EnqueueResult['channels'] = [];
    if (distinct) channels.push(...(await Promise.all(targets.map((t) => this.enqueuer.enqueue(finding, t, now)))));
    else for (const t of targets) channels.push(await this.enqueuer.enqueue(finding, t, now));
    return { isNew, channels };
  }

  async get(id: string): Promise<OutboxRow | undefined> {
    const item = await this.db.get('outbox.get', keys.row(id));
    return item && toRow(item);
  }

  async claimDue(channel: string, options: ClaimOptions): Promise<OutboxRow[]> {
    const kinds = checkKinds(options.kinds);
    if (options.limit <= 0 || kinds?.length === 0) return [];
    const claimed: OutboxRow[] = [];
    const e = new Expr();
    const input = {
      IndexName: 'gsi1',
      KeyConditionExpression: `${e.name('gsi1pk')} = ${e.value(gsi1.due(channel))} AND ${e.name('gsi1sk')} < ${e.value(pad(options.now + 1))}`,
      ...(kinds ? { FilterExpression: e.in('kind', kinds) } : {}),
      ...e.attributes(),
    };
    // Candidates come from the index (eventually consistent) oldest due first; each is claimed by a conditional
    // update that re-checks, on the row itself, that it is still claimable. A candidate another worker took
    // meanwhile is skipped and the next one tried, so concurrent claimers share the due rows between them.
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send('outbox.claimDue', () =>
        this.db.doc.send(new QueryCommand({ ...input, TableName: this.db.tableName, Limit: Math.max(options.limit * 2, 25), ...(start ? { ExclusiveStartKey: start } : {}) })),
      );
      start = page.LastEvaluatedKey;
      const candidates = (page.Items ?? []).map((item) => String(item.id));
      for (let i = 0; i < candidates.length && claimed.length < options.limit; ) {
        const batch = candidates.slice(i, i + options.limit - claimed.length);
        i += batch.length;
        const rows = await Promise.all(batch.map((id) => this.claimOne(id, options)));
        for (const row of rows) if (row) claimed.push(row);
      }
    } while (start && claimed.length < options.limit);
    return claimed;
  }

  private async claimOne(id: string, options: ClaimOptions): Promise<OutboxRow | undefined> {
    const e = new Expr();
    const now = e.value(options.now);
    const leaseUntil = options.now + options.leaseMs;
    const item = await this.db.update('outbox.claimDue', {
      Key: keys.row(id),
      UpdateExpression: e.update({
        set: {
          state: 'sending',
          attempts: e.raw(`${e.name('attempts')} + ${e.value(1)}`),
          leaseUntil,
          claimedBy: options.owner,
          updatedAt: options.now,
          gsi1sk: gsi1.dueSort(leaseUntil, id),
          gsi2pk: gsi2.state('sending'),
        },
      }),
      ConditionExpression: `(${e.name('state')} = ${e.value('pending')} AND ${e.name('nextAttemptAt')} <= ${now}) OR (${e.name('state')} = ${e.value('sending')} AND ${e.name('leaseUntil')} <= ${now})`,
      ...e.attributes(),
    });
    return item && toRow(item);
  }

  /** A state change of one row that exists (an UpdateItem on a missing key would create one). */
  private async change(operation: string, id: string, build: (e: Expr) => { update: string; condition?: string }): Promise<Item | undefined> {
    const e = new Expr();
    const { update, condition } = build(e);
    const exists = `attribute_exists(${e.name('pk')})`;
    return this.db.update(operation, { Key: keys.row(id), UpdateExpression: update, ConditionExpression: condition ? `${exists} AND ${condition}` : exists, ...e.attributes() });
  }

  /** SET fields making a row pending again (back on the due index at `next`). */
  private pendingAgain(e: Expr, id: string, next: number, now: number): Record<string, unknown> {
    return { state: 'pending', nextAttemptAt: next, updatedAt: now, gsi1pk: e.raw(e.name('dueKey')), gsi1sk: gsi1.dueSort(next, id), gsi2pk: gsi2.state('pending') };
  }

  async markDelivered(id: string, now: number, status?: number): Promise<void> {
    const retain = this.options.retainDeliveredMs;
    await this.change('outbox.markDelivered', id, (e) => ({
      update: e.update({
        set: {
          state: 'delivered',
          deliveredAt: now,
          updatedAt: now,
          lastStatus: status,
          gsi2pk: gsi2.state('delivered'),
          ttl: retain === undefined ? undefined : Math.ceil((now + retain) / 1000),
        },
        remove: ['leaseUntil', 'gsi1pk', 'gsi1sk'],
      }),
    }));
  }

  async markRetry(id: string, options: { nextAttemptAt: number; error: string; status?: number; now: number }): Promise<void> {
    await this.change('outbox.markRetry', id, (e) => ({
      update: e.update({
        set: { ...this.pendingAgain(e, id, options.nextAttemptAt, options.now), lastError: options.error, lastStatus: options.status },
        remove: ['leaseUntil', 'ttl'],
      }),
    }));
  }

  async markFailed(id: string, options: { error: string; status?: number; now: number }): Promise<void> {
    await this.change('outbox.markFailed', id, (e) => ({
      update: e.update({
        set: { state: 'failed', lastError: options.error, lastStatus: options.status, updatedAt: options.now, gsi2pk: gsi2.state('failed') },
        remove: ['leaseUntil', 'gsi1pk', 'gsi1sk', 'ttl'],
      }),
    }));
  }

  async release(id: string, now: number, nextAttemptAt = now): Promise<void> {
    // attempts = MAX(attempts - 1, 0): decremented when positive, kept at 0 otherwise (two exclusive conditions).
    const released = await this.change('outbox.release', id, (e) => ({
      update: e.update({ set: { ...this.pendingAgain(e, id, nextAttemptAt, now), attempts: e.raw(`${e.name('attempts')} - ${e.value(1)}`) }, remove: ['leaseUntil'] }),
      condition: `${e.name('state')} = ${e.value('sending')} AND ${e.name('attempts')} > ${e.value(0)}`,
    }));
    if (released) return;
    await this.change('outbox.release', id, (e) => ({
      update: e.update({ set: this.pendingAgain(e, id, nextAttemptAt, now), remove: ['leaseUntil'] }),
      condition: `${e.name('state')} = ${e.value('sending')} AND ${e.name('attempts')} <= ${e.value(0)}`,
    }));
  }

  async recoverAbandoned(isDead: (owner: string) => boolean, now: number): Promise<number> {
    const sending = (await this.byState('outbox.recoverAbandoned', 'sending')).map(toRow);
    const dead = sending.filter((r) => r.claimedBy !== undefined && isDead(r.claimedBy));
    const changed = await inBatches(dead, async (r) => {
      const owner = r.claimedBy ?? '';
      const guard = (e: Expr) => `${e.name('state')} = ${e.value('sending')} AND ${e.name('claimedBy')} = ${e.value(owner)} AND ${e.name('attempts')} = ${e.value(r.attempts)}`;
      if (r.attempts >= r.maxAttempts) {
        return this.change('outbox.recoverAbandoned', r.id, (e) => ({
          update: e.update({
            set: { state: 'failed', lastError: `sender process ${owner} died during attempt ${r.attempts} of ${r.maxAttempts}`, lastStatus: undefined, updatedAt: now, gsi2pk: gsi2.state('failed') },
            remove: ['leaseUntil', 'gsi1pk', 'gsi1sk'],
          }),
          condition: guard(e),
        }));
      }
      return this.change('outbox.recoverAbandoned', r.id, (e) => ({
        update: e.update({ set: { ...this.pendingAgain(e, r.id, now, now), lastError: r.lastError ?? `sender process ${owner} died during attempt ${r.attempts}` }, remove: ['leaseUntil'] }),
        condition: guard(e),
      }));
    });
    return changed.filter(Boolean).length;
  }

  async requeueFailed(options: { channel?: string; ids?: readonly string[]; now: number }): Promise<number> {
    // As in SQLite, an empty id list is no id filter: every failed row (of the channel).
    const ids = options.ids?.length ? [...new Set(options.ids)] : (await this.byState('outbox.requeueFailed', 'failed', options.channel)).map((item) => String(item.id));
    const changed = await inBatches(ids, (id) =>
      this.change('outbox.requeueFailed', id, (e) => ({
        update: e.update({ set: { ...this.pendingAgain(e, id, options.now, options.now), attempts: 0 } }),
        condition: `${e.name('state')} = ${e.value('failed')}${options.channel !== undefined ? ` AND ${e.name('channel')} = ${e.value(options.channel)}` : ''}`,
      })),
    );
    return changed.filter(Boolean).length;
  }

  async flushWindows(now: number): Promise<number> {
    const waiting = (await this.byState('outbox.flushWindows', 'pending')).map(toRow).filter((r) => (r.kind === 'repeat' || r.kind === 'storm') && r.nextAttemptAt > now);
    const changed = await inBatches(waiting, (r) =>
      this.change('outbox.flushWindows', r.id, (e) => ({
        update: e.update({ set: { nextAttemptAt: now, updatedAt: now, gsi1sk: gsi1.dueSort(now, r.id) } }),
        condition: `${e.name('state')} = ${e.value('pending')} AND ${e.name('nextAttemptAt')} > ${e.value(now)}`,
      })),
    );
    return changed.filter(Boolean).length;
  }

  async nextDueAt(channel?: string, kinds?: readonly NotificationKind[]): Promise<number | undefined> {
    const only = checkKinds(kinds);
    if (only?.length === 0) return undefined;
    let rows: OutboxRow[];
    if (channel !== undefined) {
      const e = new Expr();
      const items = await this.db.query(
        'outbox.nextDueAt',
        {
          IndexName: 'gsi1',
          KeyConditionExpression: `${e.name('gsi1pk')} = ${e.value(gsi1.due(channel))}`,
          ...(only ? { FilterExpression: e.in('kind', only) } : {}),
          ...e.attributes(),
        },
        (found) => found.length > 0,
      );
      rows = items.slice(0, 1).map(toRow);
    } else {
      rows = (await Promise.all((['pending', 'sending'] as const).map((s) => this.byState('outbox.nextDueAt', s)))).flat().map(toRow);
      if (only) rows = rows.filter((r) => only.includes(r.kind));
    }
    const times = rows.map(claimableAt).filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  async outstanding(channels: readonly string[], kinds?: readonly NotificationKind[]): Promise<number> {
    const only = checkKinds(kinds);
    if (only?.length === 0) return 0;
    const counts = await Promise.all(
      [...new Set(channels)].map((channel) => {
        const e = new Expr();
        return this.db.count('outbox.outstanding', {
          IndexName: 'gsi1',
          KeyConditionExpression: `${e.name('gsi1pk')} = ${e.value(gsi1.due(channel))}`,
          ...(only ? { FilterExpression: e.in('kind', only) } : {}),
          ...e.attributes(),
        });
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async counts(): Promise<StateCount[]> {
    const out: StateCount[] = [];
    for (const state of DELIVERY_STATES) {
      const byChannel = new Map<string, StateCount>();
      for (const item of await this.byState('outbox.counts', state, undefined, ['channel', 'createdAt'])) {
        const channel = String(item.channel);
        const createdAt = Number(item.createdAt);
        const c = byChannel.get(channel);
        if (c) {
          c.count++;
          c.oldestCreatedAt = Math.min(c.oldestCreatedAt, createdAt);
        } else byChannel.set(channel, { channel, state, count: 1, oldestCreatedAt: createdAt });
      }
      out.push(...byChannel.values());
    }
    return out.sort((a, b) => compare(a.channel, b.channel) || compare(a.state, b.state));
  }

  async list(options: { states?: readonly DeliveryState[]; channel?: string; limit?: number } = {}): Promise<OutboxRow[]> {
    const limit = options.limit ?? Infinity;
    if (limit <= 0) return [];
    const states = options.states?.length ? [...new Set(options.states)] : DELIVERY_STATES;
    // Each state's partition is in creation order: the first `limit` of the merge are among the first `limit` of each.
    const parts = await Promise.all(states.map((s) => this.byState('outbox.list', s, options.channel, undefined, limit)));
    return parts
      .flat()
      .map(toRow)
      .sort((a, b) => a.createdAt - b.createdAt || compare(a.id, b.id))
      .slice(0, limit);
  }

  async findingsOf(outboxId: string, limit: number, order: 'first' | 'last' | 'worst' = 'first'): Promise<Finding[]> {
    if (limit <= 0) return [];
    let attachments: Item[];
    if (order === 'worst') {
      attachments = (await this.attachments('outbox.findingsOf', outboxId)).sort((a, b) => rank(a.severity) - rank(b.severity) || compare(String(a.sk), String(b.sk)));
    } else attachments = await this.attachments('outbox.findingsOf', outboxId, limit, order === 'last');
    const ids = attachments.slice(0, limit).map((a) => String(a.findingId));
    const found = await this.db.batchGet(
      'outbox.findingsOf',
      ids.map((id) => keys.finding(id)),
    );
    const byId = new Map([...found.values()].map((item) => [String(item.id), item]));
    return ids.flatMap((id) => {
      const item = byId.get(id);
      return item ? [unpack<Finding>(item.body)] : [];
    });
  }

  async findingIdsOf(outboxId: string, limit = 1000): Promise<string[]> {
    if (limit <= 0) return [];
    return (await this.attachments('outbox.findingIdsOf', outboxId, limit)).slice(0, limit).map((a) => String(a.findingId));
  }

  async statsOf(outboxId: string): Promise<NotificationStats> {
    const stats: NotificationStats = { total: 0, bySeverity: {}, byRule: {}, byRuleSeverity: {}, byAccount: {} };
    for (const a of await this.attachments('outbox.statsOf', outboxId)) {
      const severity = String(a.severity);
      const rule = String(a.ruleId);
      const account = String(a.account);
      const eventTime = String(a.eventTime);
      stats.total++;
      stats.bySeverity[severity] = (stats.bySeverity[severity] ?? 0) + 1;
      stats.byRule[rule] = (stats.byRule[rule] ?? 0) + 1;
      const ofRule = (stats.byRuleSeverity[rule] ??= {});
      ofRule[severity] = (ofRule[severity] ?? 0) + 1;
      stats.byAccount[account] = (stats.byAccount[account] ?? 0) + 1;
      if (stats.firstEventTime === undefined || eventTime < stats.firstEventTime) stats.firstEventTime = eventTime;
      if (stats.lastEventTime === undefined || eventTime > stats.lastEventTime) stats.lastEventTime = eventTime;
    }
    return stats;
  }

  async remediationOf(outboxId: string): Promise<RemediationNoticeRow | undefined> {
    const item = await this.db.get('outbox.remediationOf', keys.notice(outboxId));
    return item && toNoticeRow(item);
  }

  async purgeDelivered(before: number): Promise<number> {
    const e = new Expr();
    const rows = await this.db.query('outbox.purgeDelivered', {
      IndexName: 'gsi2',
      KeyConditionExpression: `${e.name('gsi2pk')} = ${e.value(gsi2.state('delivered'))}`,
      FilterExpression: `${e.name('deliveredAt')} < ${e.value(before)}`,
      ProjectionExpression: `${e.name('id')}`,
      ...e.attributes(),
    });
    let purged = 0;
    for (const r of rows) if (await this.purgeRow(String(r.id), before)) purged++;
    return purged;
  }

  /**
   * Deletes a delivered row with everything under it: the findings' links on its channel first (each only
   * while it still points at this row), then its attachments and notice, then the row (only if still
   * delivered before the cut-off). Interrupted, the row is still there and the next purge finishes it.
   */
  private async purgeRow(id: string, before: number): Promise<boolean> {
    const children = await this.db.query('outbox.purgeDelivered', this.partition(keys.row(id).pk));
    const attachments = children.filter((c) => String(c.sk).startsWith(ATTACHMENT_PREFIX));
    await inBatches(attachments, (a) => {
      const e = new Expr();
      return this.db.delete('outbox.purgeDelivered', {
        Key: keys.link(String(a.channel), String(a.findingId)),
        ConditionExpression: `${e.name('outboxId')} = ${e.value(id)}`,
        ...e.attributes(),
      });
    });
    await this.db.batchDelete(
      'outbox.purgeDelivered',
      children.filter((c) => c.sk !== keys.row(id).sk).map((c): Key => ({ pk: String(c.pk), sk: String(c.sk) })),
    );
    const e = new Expr();
    return this.db.delete('outbox.purgeDelivered', {
      Key: keys.row(id),
      ConditionExpression: `${e.name('state')} = ${e.value('delivered')} AND ${e.name('deliveredAt')} < ${e.value(before)}`,
      ...e.attributes(),
    });
  }

  private partition(pk: string, prefix?: string) {
    const e = new Expr();
    return {
      KeyConditionExpression: `${e.name('pk')} = ${e.value(pk)}${prefix ? ` AND begins_with(${e.name('sk')}, ${e.value(prefix)})` : ''}`,
      ConsistentRead: true,
      ...e.attributes(),
    };
  }

  /** A row's attachments in attach order (newest first when `reverse`), the first `limit` of them, or all. */
  private attachments(operation: string, outboxId: string, limit?: number, reverse = false): Promise<Item[]> {
    return this.db.query(
      operation,
      { ...this.partition(keys.row(outboxId).pk, ATTACHMENT_PREFIX), ScanIndexForward: !reverse },
      limit === undefined ? undefined : (found) => found.length >= limit,
    );
  }

  /** Rows in one state (of one channel), oldest first, the first `limit` of them or all. */
  private byState(operation: string, state: DeliveryState, channel?: string, attributes?: readonly string[], limit?: number): Promise<Item[]> {
    const e = new Expr();
    return this.db.query(
      operation,
      {
        IndexName: 'gsi2',
        KeyConditionExpression: `${e.name('gsi2pk')} = ${e.value(gsi2.state(state))}`,
        ...(channel !== undefined ? { FilterExpression: `${e.name('channel')} = ${e.value(channel)}` } : {}),
        ...(attributes ? { ProjectionExpression: attributes.map((a) => e.name(a)).join(', ') } : {}),
        ...e.attributes(),
      },
      limit === undefined || limit === Infinity ? undefined : (found) => found.length >= limit,
    );
  }
}

export function toNoticeRow(item: Item): RemediationNoticeRow {
  return {
    outboxId: String(item.outboxId),
    channel: String(item.channel),
    decisionId: String(item.decisionId),
    status: item.status as RemediationNoticeRow['status'],
    actionId: String(item.actionId),
    ...(typeof item.ruleId === 'string' ? { ruleId: item.ruleId } : {}),
    ...(typeof item.findingId === 'string' ? { findingId: item.findingId } : {}),
    decisionJson: unpack<string>(item.body),
  };
}

function checkKinds(kinds: readonly NotificationKind[] | undefined): readonly NotificationKind[] | undefined {
  if (kinds === undefined) return undefined;
  for (const k of kinds) if (!(NOTIFICATION_KINDS as readonly string[]).includes(k)) throw new StoreError(`unknown notification kind ${k}`, { code: 'store-usage' });
  return kinds;
}

/** Binary string order (SQLite's default collation). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
