/**
 * Linking one finding to a notification on one channel, safely against any number of concurrent writers.
 *
 * The view (ChannelView) is read with strongly consistent reads: the finding's link on the channel, the
 * group head and the storm head (each pointing at the newest row of its kind, with a version), the rows they
 * point at, and the channel's recent creations. The target's decider turns it into a plan, and the plan is
 * written in one TransactWriteItems whose conditions hold only while the view does:
 *   - the link `L#<channel>#<finding>` must not exist (a finding is covered once per channel);
 *   - a row the plan joins must still exist and be pending;
 *   - a row the plan creates must not exist, and the head it becomes must still be at the version read
 *     (or still absent): of two writers opening a group or a storm at once, one wins.
 * When the transaction is cancelled by one of those conditions (or collides with another transaction), the
 * view is read again and the decider asked again (retry.ts). `createdSince` is not guarded: the storm
 * threshold may be passed by up to the number of writers deciding at the same moment, which is what a
 * threshold is for; the guarantees of types.ts (one notification per finding and channel, one open
 * finding notification per group, one open storm per channel) do not depend on it.
 *
 * The storm clock: a finding/repeat row is recorded under `R#<channel>` at its `rateAt` (the target's, default
 * now) with the severity of the finding that opened it, and `createdSince` reads those records in
 * (rateAt - window, rateAt]; a storm row counts its findings by severity in attributes `sev_<severity>`.
 */
import type { Finding } from '../../findings/types.js';
import type { ChannelTarget, ChannelView, EnqueueOutcome, EnqueuePlan } from '../types.js';
import type { Db, Item, TxWrite } from './db.js';
import { Expr } from './expr.js';
import { keys, rowId } from './keys.js';
import { optimistic, type Attempt } from './retry.js';
import { newRow, toRow } from './rows.js';

/** How long after its window a creation record is kept (DynamoDB TTL), beyond the storm window itself. */
const CREATED_RETENTION_S = 3600;

interface ReadView {
  view: ChannelView;
  /** Versions of the heads as read (undefined: no head yet). */
  groupVersion?: number;
  stormVersion?: number;
}

export interface EnqueueOnChannel {
  channel: string;
  outcome: EnqueueOutcome;
  outboxId: string;
}

const version = (item: Item | undefined): number | undefined => (typeof item?.version === 'number' ? item.version : undefined);

/** A storm row's attribute counting its findings of one severity. */
const SEVERITY_ATTRIBUTE = 'sev_';
const severityAttribute = (severity: string): string => `${SEVERITY_ATTRIBUTE}${severity}`;

/** A storm row's findings by severity, from its `sev_<severity>` attributes. */
function severitiesOf(item: Item): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) if (name.startsWith(SEVERITY_ATTRIBUTE) && typeof value === 'number') counts[name.slice(SEVERITY_ATTRIBUTE.length)] = value;
  return counts;
}

export class Enqueuer {
  constructor(private readonly db: Db) {}

  enqueue(finding: Finding, target: ChannelTarget, now: number): Promise<EnqueueOnChannel> {
    /** Rows a create found already there: asked to create them again, the finding joins them (as SQLite's INSERT OR IGNORE does). */
    const existing = new Set<string>();
    return optimistic(`dynamodb:${this.db.tableName}: enqueueFinding ${finding.id} on ${target.channel}`, async (): Promise<Attempt<EnqueueOnChannel>> => {
      const rateAt = target.rateAt ?? now;
      const read = await this.readView(finding.id, target, now, rateAt);
      const plan: EnqueuePlan = target.decide(read.view);
      if (plan.outcome === 'duplicate') return { done: { channel: target.channel, outcome: 'duplicate', outboxId: plan.outboxId } };
      if ('attachTo' in plan) {
        const result = await this.db.transact('enqueueFinding', this.attachWrites(plan.attachTo.id, plan.attachTo.kind === 'storm', finding, target.channel, now, true));
        return result.ok ? { done: { channel: target.channel, outcome: plan.outcome, outboxId: plan.attachTo.id } } : { retry: result.reasons.join(',') };
      }
      const create = plan.create;
      const id = rowId(create.channel, create.idempotencyKey);
      if (existing.has(id)) {
        const result = await this.db.transact('enqueueFinding', this.attachWrites(id, create.kind === 'storm', finding, target.channel, now, false));
        return result.ok ? { done: { channel: target.channel, outcome: plan.outcome, outboxId: id } } : { retry: result.reasons.join(',') };
      }
      const { item: rowItem } = newRow({ ...create, id, count: 1, now });
      const item = create.kind === 'storm' ? { ...rowItem, [severityAttribute(finding.severity)]: 1 } : rowItem;
      const e = new Expr();
      const writes: TxWrite[] = [
        { Put: { Item: item, ConditionExpression: `attribute_not_exists(${e.name('pk')})`, ...e.attributes() } },
        ...linkWrites(id, finding, target.channel, now),
      ];
      if (create.kind === 'storm') writes.push(headWrite(keys.stormHead(target.channel), 'storm-head', id, read.stormVersion));
      else {
        writes.push(headWrite(keys.groupHead(target.channel, target.groupKey), 'group-head', id, read.groupVersion));
        writes.push({
          Put: {
            Item: {
              ...keys.created(target.channel, rateAt, id),
              type: 'created',
              outboxId: id,
              severity: finding.severity,
              ttl: Math.ceil((now + target.stormWindowMs) / 1000) + CREATED_RETENTION_S,
            },
          },
        });
      }
      const result = await this.db.transact('enqueueFinding', writes);
      if (result.ok) return { done: { channel: target.channel, outcome: plan.outcome, outboxId: id } };
      if (result.reasons[0] === 'ConditionalCheckFailed') existing.add(id);
      return { retry: result.reasons.join(',') };
    });
  }

  /**
   * The writes attaching a finding to an existing row: the row's count (and a storm's count of the finding's
   * severity; the row still pending, if asked), and the links.
   */
  private attachWrites(outboxId: string, storm: boolean, finding: Finding, channel: string, now: number, mustBePending: boolean): TxWrite[] {
    const e = new Expr();
    const condition = `attribute_exists(${e.name('pk')})${mustBePending ? ` AND ${e.name('state')} = ${e.value('pending')}` : ''}`;
    const add = storm ? { count: 1, [severityAttribute(finding.severity)]: 1 } : { count: 1 };
    return [
      { Update: { Key: keys.row(outboxId), UpdateExpression: e.update({ set: { updatedAt: now }, add }), ConditionExpression: condition, ...e.attributes() } },
      ...linkWrites(outboxId, finding, channel, now),
    ];
  }

  private async readView(findingId: string, target: ChannelTarget, now: number, rateAt: number): Promise<ReadView> {
    const { channel } = target;
    const [link, group, storm, recent] = await Promise.all([
      this.db.get('enqueueFinding', keys.link(channel, findingId)),
      this.db.get('enqueueFinding', keys.groupHead(channel, target.groupKey)),
      this.db.get('enqueueFinding', keys.stormHead(channel)),
      this.createdSince(channel, rateAt - target.stormWindowMs, rateAt),
    ]);
    const itemOf = async (head: Item | undefined): Promise<Item | undefined> => (typeof head?.latestId === 'string' ? this.db.get('enqueueFinding', keys.row(head.latestId)) : undefined);
    const [latestItem, stormItem] = await Promise.all([itemOf(group), itemOf(storm)]);
    const latest = latestItem && toRow(latestItem);
    const lastStorm = stormItem && toRow(stormItem);
    const createdSinceSeverities: Record<string, number> = {};
    for (const r of recent) if (typeof r.severity === 'string') createdSinceSeverities[r.severity] = (createdSinceSeverities[r.severity] ?? 0) + 1;
    const view: ChannelView = { createdSince: recent.length, createdSinceSeverities };
    if (typeof link?.outboxId === 'string') view.covering = link.outboxId;
    if (latest && (latest.kind === 'finding' || latest.kind === 'repeat') && latest.windowEnd > now) view.latestInGroup = latest;
    if (lastStorm && stormItem && lastStorm.kind === 'storm' && lastStorm.state === 'pending' && lastStorm.windowStart <= rateAt && lastStorm.windowEnd > rateAt) {
      view.openStorm = lastStorm;
      view.openStormSeverities = severitiesOf(stormItem);
    }
    return { view, groupVersion: version(group), stormVersion: version(storm) };
  }

  /** The creation records of finding/repeat rows counted on the channel's storm clock in (since, until]. */
  private createdSince(channel: string, since: number, until: number): Promise<Item[]> {
    const e = new Expr();
    const from = keys.created(channel, since + 1, '').sk.slice(0, -1);
    // Every sk at `until` is "<until, padded>#<row id>": below the next millisecond's prefix.
    const to = keys.created(channel, until + 1, '').sk.slice(0, -1);
    return this.db.query('enqueueFinding', {
      KeyConditionExpression: `${e.name('pk')} = ${e.value(keys.created(channel, 0, '').pk)} AND ${e.name('sk')} BETWEEN ${e.value(from)} AND ${e.value(to)}`,
      ProjectionExpression: `${e.name('severity')}, ${e.name('sk')}`,
      ConsistentRead: true,
      ...e.attributes(),
    });
  }
}

/** A finding's link on the channel (which must not exist yet: one notification per finding and channel) and its attachment to the row. */
function linkWrites(outboxId: string, finding: Finding, channel: string, now: number): TxWrite[] {
  const e = new Expr();
  return [
    {
      Put: {
        Item: { ...keys.link(channel, finding.id), type: 'link', channel, findingId: finding.id, outboxId },
        ConditionExpression: `attribute_not_exists(${e.name('pk')})`,
        ...e.attributes(),
      },
    },
    {
      Put: {
        Item: {
          ...keys.attachment(outboxId, now, finding.id),
          type: 'attachment',
          channel,
          findingId: finding.id,
          attachedAt: now,
          severity: finding.severity,
          ruleId: finding.ruleId,
          account: finding.account,
          eventTime: finding.eventTime,
        },
      },
    },
  ];
}

/** The head of a group or storm now pointing at `latestId`, written only if it is still at the version read. */
function headWrite(key: { pk: string; sk: string }, type: string, latestId: string, seen: number | undefined): TxWrite {
  const e = new Expr();
  const condition = seen === undefined ? `attribute_not_exists(${e.name('pk')})` : `${e.name('version')} = ${e.value(seen)}`;
  return { Put: { Item: { ...key, type, latestId, version: (seen ?? 0) + 1 }, ConditionExpression: condition, ...e.attributes() } };
}
