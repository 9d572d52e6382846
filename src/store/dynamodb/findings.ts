/**
 * Findings: one item per finding id (`F#<id>`), its body gzipped (codec.ts), with the few fields the
 * outbox copies onto attachments. Saving records a sighting of the stored finding (a conditional UpdateItem:
 * last seen, times seen + 1) or, when there is none, creates it (a conditional PutItem, the body sent only
 * then); a create that loses to a concurrent one becomes a sighting. So concurrent saves of one finding
 * count every sighting and exactly one of them is told the finding is new. Spread over FINDING_SHARDS gsi2 partitions for count().
 */
import type { Finding } from '../../findings/types.js';
import { StoreError } from '../errors.js';
import type { FindingStore, StoredFinding } from '../types.js';
import { packFinding, unpack } from './codec.js';
import type { Db } from './db.js';
import { Expr } from './expr.js';
import { FINDING_SHARDS, findingShard, gsi2, keys } from './keys.js';

export class DynamoFindingStore implements FindingStore {
  constructor(private readonly db: Db) {}

  async save(finding: Finding, now: number): Promise<boolean> {
    // Seen again (the common case of a re-delivered event): one small update, the body is not sent.
    if (await this.sighting(finding.id, now)) return false;
    const body = packFinding(finding);
    if (!body) {
      throw new StoreError(`dynamodb:${this.db.tableName}: findings.save: finding ${finding.id} does not fit a DynamoDB item even compressed without its record's bulky fields`, {
        code: 'store-too-large',
      });
    }
    const e = new Expr();
    const created = await this.db.put('findings.save', {
      Item: {
        ...keys.finding(finding.id),
        type: 'finding',
        id: finding.id,
        ruleId: finding.ruleId,
        severity: finding.severity,
        account: finding.account,
        eventTime: finding.eventTime,
        body,
        firstSeenAt: now,
        lastSeenAt: now,
        timesSeen: 1,
        gsi2pk: gsi2.findings(findingShard(finding.id)),
        gsi2sk: finding.id,
      },
      ConditionExpression: `attribute_not_exists(${e.name('pk')})`,
      ...e.attributes(),
    });
    if (created) return true;
    // Another writer created it in between: this save is a sighting of it.
    if (await this.sighting(finding.id, now)) return false;
    throw new StoreError(`dynamodb:${this.db.tableName}: findings.save: finding ${finding.id} was neither there nor creatable`, { code: 'store-conflict' });
  }

  /** Records a sighting of a finding already stored; false when there is none. */
  private async sighting(id: string, now: number): Promise<boolean> {
    const e = new Expr();
    const updated = await this.db.update('findings.save', {
      Key: keys.finding(id),
      UpdateExpression: e.update({ set: { lastSeenAt: now }, add: { timesSeen: 1 } }),
      ConditionExpression: `attribute_exists(${e.name('pk')})`,
      ReturnValues: 'NONE',
      ...e.attributes(),
    });
    return updated !== undefined;
  }

  async get(id: string): Promise<StoredFinding | undefined> {
    const item = await this.db.get('findings.get', keys.finding(id));
    return item && toStoredFinding(item);
  }

  async count(): Promise<number> {
    const counts = await Promise.all(
      Array.from({ length: FINDING_SHARDS }, (_, shard) => {
        const e = new Expr();
        return this.db.count('findings.count', { IndexName: 'gsi2', KeyConditionExpression: `${e.name('gsi2pk')} = ${e.value(gsi2.findings(shard))}`, ...e.attributes() });
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
}

export function toStoredFinding(item: Record<string, unknown>): StoredFinding {
  return {
    finding: unpack<Finding>(item.body),
    firstSeenAt: item.firstSeenAt as number,
    lastSeenAt: item.lastSeenAt as number,
    timesSeen: item.timesSeen as number,
  };
}
