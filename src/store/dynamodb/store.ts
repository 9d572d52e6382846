/**
 * The DynamoDB store: the Store contract (../types.ts) on one table whose keys table.ts fixes, for the
 * Lambda handlers (concurrent, short-lived instances; nothing on local disk survives).
 *
 * Item layout (pk / sk; every item also has `type`; bodies are gzipped JSON in a Binary `body`, codec.ts):
 *
 *   finding          F#<findingId> / F              ruleId severity account eventTime body firstSeenAt lastSeenAt timesSeen
 *                                                   gsi2: FIND#<0..7> / <findingId>             (count(), sharded)
 *   outbox row       O#<rowId> / R                  the OutboxRow fields, dueKey = "DUE#<channel>", ttl once delivered
 *                                                   (when retainDeliveredMs is given); a storm's findings by
 *                                                   severity in sev_<severity>
 *                                                   gsi1: DUE#<channel> / <claimable at, 15 digits>#<rowId>
 *                                                         only while pending (at nextAttemptAt) or sending (at leaseUntil)
 *                                                   gsi2: OUT#<state> / <createdAt, 15 digits>#<rowId>
 *   attachment       O#<rowId> / F#<attachedAt>#<findingId>
 *                                                   findingId channel severity ruleId account eventTime: findingsOf
 *                                                   (first/last in sk order, worst sorted), findingIdsOf, statsOf
 *                                                   read only the row's own partition (then a BatchGet of bodies)
 *   notice           O#<rowId> / N                  a remediation notice's decision snapshot (remediationOf)
 *   link             L#<channel>#<findingId> / L    outboxId: the one notification covering a finding on a channel
 *   group head       G#<channel>#<groupKey> / G     latestId version: the group's newest finding/repeat row
 *   storm head       S#<channel> / S                latestId version: the channel's newest storm row
 *   creation         R#<channel> / <rateAt>#<rowId> severity
 *                                                   one per finding/repeat row, at its time on the storm clock
 *                                                   (its creation, or its finding's event time in a replay), ttl
 *                                                   after the storm window: a consistent Query reads `createdSince`
 *   decision         D#<decisionId> / D             createdAt status mode actionId eventId body
 *                                                   gsi1: EV#<eventId> / <actionId>#<createdAt>#<id>   (hasActed, by event)
 *                                                   gsi2: DECISIONS / <createdAt>#<id>                 (newest first)
 *   claim            C#<actionId>#<eventId> / C     state running (decisionId owner since leaseUntil mode, and
 *                                                   prevDecisionId prevStatus prevMode: the hold it replaced) or held
 *                                                   (heldDecisionId heldStatus heldMode); version (every write checks it)
 *   approval         A#<approvalId> / A             decisionId createdAt expiresAt status actionId eventId decidedBy
 *                                                   decidedAt note body
 *                                                   gsi2: APPROVALS#pending / <createdAt>#<id>, only while pending
 *
 * Row ids are "<channel>:<idempotencyKey>": the idempotency key is unique per channel, and so the id is
 * deterministic (a retried create finds the row it made) and unique per table.
 *
 * Consistency: everything a decision depends on (the enqueue view, claims, rows being claimed or changed,
 * a decision already logged) is read from the base table with strongly consistent reads, and every write
 * that depends on it carries a condition re-checking it (enqueue.ts, remediation.ts). The indexes are
 * eventually consistent and only ever propose candidates (due rows, rows in a state, pending approvals):
 * the conditional write on the item decides. Listings and counts (list, counts, outstanding, nextDueAt,
 * listDecisions, hasActed, findings.count) read indexes and may lag a write by a moment.
 *
 * Limits: a body must fit a 400 KB item (codec.ts: gzip, then the record's bulky fields left out); a
 * commit writes at most 100 items (a decision, its approval, its claim and two items per notice: 48
 * channels). The state partitions of gsi2 (OUT#pending ...) take every row's state changes: DynamoDB gives
 * one index partition about 1,000 writes a second, far above what alerting produces; nextDueAt without a
 * channel reads the pending and sending partitions whole (outstanding rows are few when delivery keeps up).
 * DynamoDB's TTL deletes a delivered row's item only, not its attachments and links; purgeDelivered (which
 * the notifier runs with the retention) deletes them all. What TTL leaves behind is small and harmless: the
 * attachments of a row nothing reads any more, and links that keep their findings counted as notified.
 */
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hostname } from 'node:os';
import { StoreError } from '../errors.js';
import type { Store } from '../types.js';
import { STORE_TABLE } from './table.js';
import { Db } from './db.js';
import { DynamoFindingStore } from './findings.js';
import { DynamoOutboxStore } from './outbox.js';
import { DynamoRemediationStore } from './remediation.js';

export interface DynamoStoreOptions {
  tableName: string;
  /** A client to use (not destroyed by close()); default: one made from region and endpoint. */
  client?: DynamoDBClient | DynamoDBDocumentClient;
  region?: string;
  endpoint?: string;
  /** A named profile of the shared AWS config files, for the client made here. */
  profile?: string;
  /** Credentials for the client made here (default: the SDK's chain). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Who this process is in claims and leases (default: the Lambda log stream, else host:pid). */
  owner?: string;
  /** Delivered rows get a TTL this long after delivery, so DynamoDB deletes them without a purge. */
  retainDeliveredMs?: number;
}

function defaultOwner(): string {
  const stream = process.env.AWS_LAMBDA_LOG_STREAM_NAME;
  return stream ? `lambda:${stream}` : `${hostname()}:${process.pid}`;
}

function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function openDynamoStore(options: DynamoStoreOptions): Store {
  if (!options.tableName) throw new StoreError('dynamodb store: tableName is required', { code: 'store-open' });
  const own =
    options.client === undefined
      ? new DynamoDBClient({
          ...(options.region ? { region: options.region } : {}),
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          ...(options.profile ? { profile: options.profile } : {}),
          ...(options.credentials ? { credentials: options.credentials } : {}),
        })
      : undefined;
  const client = options.client ?? own!;
  const doc = client instanceof DynamoDBDocumentClient ? client : documentClient(client);
  const db = new Db(doc, options.tableName);
  const findings = new DynamoFindingStore(db);
  return {
    kind: 'dynamodb',
    location: `dynamodb:${options.tableName}`,
    owner: options.owner ?? defaultOwner(),
    findings,
    outbox: new DynamoOutboxStore(db, findings, options.retainDeliveredMs === undefined ? {} : { retainDeliveredMs: options.retainDeliveredMs }),
    remediation: new DynamoRemediationStore(db),
    close: async () => {
      own?.destroy();
    },
  };
}

/**
 * Creates the store's table with exactly table.ts's schema (on demand capacity), waits until it is active
 * and turns on TTL. For tests and local use; the CDK app creates the deployed table from table.ts itself.
 */
export async function createStoreTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const attributes = [STORE_TABLE.partitionKey, STORE_TABLE.sortKey, ...STORE_TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: STORE_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: STORE_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: STORE_TABLE.indexes.map((i) => ({
          IndexName: i.indexName,
          KeySchema: [
            { AttributeName: i.partitionKey, KeyType: 'HASH' },
            { AttributeName: i.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 300 }, { TableName: tableName });
    await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: STORE_TABLE.timeToLiveAttribute } }));
  } catch (error) {
    throw new StoreError(`dynamodb:${tableName}: createTable failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { code: 'store-dynamodb', cause: error });
  }
}
