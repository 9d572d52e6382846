/**
 * The DynamoDB store: the store contract against moto_server (the real SDK v3, a table made fresh for
 * every test), plus what is DynamoDB's own: the table's schema and TTL, bodies over the item size limit,
 * the sparse due index, a transaction cancelled by a concurrent writer (read again, decided again), and
 * AWS faults surfacing as StoreErrors (aws-sdk-client-mock).
 *
 * moto runs requests on threads without isolating them: its TransactWriteItems snapshots the whole table
 * and restores that snapshot when a condition fails, so two transactions in flight at once can undo each
 * other's writes (measured with moto 5.2: 40 concurrent transactions, one of which succeeded, left 4 of
 * their writes behind). DynamoDB makes every request atomic, so the clients here send one request at a time
 * (`oneAtATime`): the store's operations still interleave request by request, which is where its races are,
 * and each request gets DynamoDB's atomicity instead of moto's threading.
 */
import '../notify/support/loopback-only.js';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand as RawQueryCommand,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import { StoreError } from '../../src/store/errors.js';
import { createStoreTable, openDynamoStore } from '../../src/store/dynamodb/store.js';
import { STORE_TABLE } from '../../src/store/dynamodb/table.js';
import type { ChannelView, Store } from '../../src/store/types.js';
import { makeFinding } from '../notify/support/findings.js';
import { oneAtATime, startMoto } from '../support/moto.js';
import { describeStoreContract, target } from './contract.js';
import { T0, makeApproval, makeDecision, makeNotice } from './support.js';

const TABLE = 'trailguard-store-test';
const moto = await startMoto();
afterAll(() => moto?.stop());
const withMoto = moto ? describe : describe.skip;

const clients: DynamoDBClient[] = [];
function motoClient(): DynamoDBClient {
  const client = oneAtATime(new DynamoDBClient(moto!.clientConfig('us-east-1')));
  clients.push(client);
  return client;
}

afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

async function freshTable(): Promise<DynamoDBClient> {
  await moto!.reset();
  const client = motoClient();
  await createStoreTable(client, TABLE);
  return client;
}

withMoto('DynamoDB store on moto', () => {
  describeStoreContract('dynamodb', async () => openDynamoStore({ tableName: TABLE, client: await freshTable(), owner: 'test:1' }));

  describe('DynamoDB specifics', () => {
    let client: DynamoDBClient;
    let store: Store;

    beforeEach(async () => {
      client = await freshTable();
      store = openDynamoStore({ tableName: TABLE, client, owner: 'test:1', retainDeliveredMs: 7 * 86_400_000 });
    });

    afterEach(async () => {
      await store.close();
    });

    /** An item as stored (through a client of its own: DynamoDBDocumentClient.from changes the config of the client it wraps). */
    const rawItem = async (pk: string, sk: string) => (await DynamoDBDocumentClient.from(motoClient()).send(new GetCommand({ TableName: TABLE, Key: { pk, sk } }))).Item;

    it('creates the table exactly as table.ts describes it, with TTL on', async () => {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
      expect(Table?.KeySchema).toEqual([
        { AttributeName: STORE_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: STORE_TABLE.sortKey, KeyType: 'RANGE' },
      ]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(
        (Table?.GlobalSecondaryIndexes ?? []).map((i) => ({ indexName: i.IndexName, keys: i.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`), projection: i.Projection?.ProjectionType })),
      ).toEqual(STORE_TABLE.indexes.map((i) => ({ indexName: i.indexName, keys: [`${i.partitionKey}:HASH`, `${i.sortKey}:RANGE`], projection: 'ALL' })));
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
      expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: STORE_TABLE.timeToLiveAttribute });
      expect(store.location).toBe(`dynamodb:${TABLE}`);
      expect(store.kind).toBe('dynamodb');
    });

    it('moto enforces the 400 KB item limit (so the size tests below mean something)', async () => {
      await expect(client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'big' }, sk: { S: 'big' }, blob: { S: 'x'.repeat(410_000) } } }))).rejects.toThrow(/Item size/);
    });

    it('a finding with a large record is stored whole, compressed', async () => {
      const statements = Array.from({ length: 6000 }, (_, i) => ({ Sid: `Allow${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::123456789012:role/role-${i}` }, Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::bucket/prefix-${i}/*` }));
      const base = makeFinding(1);
      const finding: Finding = { ...base, record: { ...base.record, eventName: 'PutBucketPolicy', requestParameters: { bucketName: 'bucket', bucketPolicy: { Version: '2012-10-17', Statement: statements } } } };
      expect(JSON.stringify(finding).length).toBeGreaterThan(1_000_000);
      expect(await store.findings.save(finding, T0)).toBe(true);
      expect((await store.findings.get(finding.id))?.finding).toEqual(finding);
      const item = await rawItem(`F#${finding.id}`, 'F');
      expect(item?.body).toBeInstanceOf(Uint8Array);
      expect((item?.body as Uint8Array).byteLength).toBeLessThan(350_000);
      // The outbox reads it back too.
      const id = (await store.outbox.enqueueFinding(finding, [target(finding, 'slack', T0)], T0)).channels[0]!.outboxId;
      expect(await store.outbox.findingsOf(id, 1)).toEqual([finding]);
    });

    it('a record too big even compressed is stored without its bulky fields, saying what was left out', async () => {
      const base = makeFinding(1);
      const finding: Finding = { ...base, record: { ...base.record, requestParameters: { blob: randomBytes(450_000).toString('base64') }, responseElements: { ok: true } } };
      expect(await store.findings.save(finding, T0)).toBe(true);
      const stored = (await store.findings.get(finding.id))?.finding;
      expect(stored).toEqual({
        ...finding,
        record: {
          ...finding.record,
          requestParameters: { trailguardOmitted: expect.stringMatching(/^requestParameters \(\d+ bytes of JSON\) left out/) },
          responseElements: { trailguardOmitted: expect.stringMatching(/^responseElements \(\d+ bytes of JSON\) left out/) },
        },
      });
      // A finding whose own fields are too big is refused, never half-written.
      const huge: Finding = { ...makeFinding(2), facts: { blob: randomBytes(450_000).toString('base64') } };
      await expect(store.findings.save(huge, T0)).rejects.toMatchObject({ name: 'StoreError', code: 'store-too-large' });
      expect(await store.findings.get(huge.id)).toBeUndefined();
    });

    it('delivered rows get a TTL when retainDeliveredMs is set, and leave the sparse due index', async () => {
      const f = makeFinding(1);
      const id = (await store.outbox.enqueueFinding(f, [target(f, 'slack', T0)], T0)).channels[0]!.outboxId;
      const due = () =>
        client.send(new RawQueryCommand({ TableName: TABLE, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': { S: 'DUE#slack' } } })).then((r) => r.Count);
      expect(await due()).toBe(1);
      expect((await rawItem(`O#${id}`, 'R'))?.ttl).toBeUndefined();
      await store.outbox.claimDue('slack', { now: T0, limit: 1, leaseMs: 1000, owner: 'w' });
      await store.outbox.markDelivered(id, T0 + 500, 200);
      const item = await rawItem(`O#${id}`, 'R');
      expect(item?.ttl).toBe(Math.ceil((T0 + 500 + 7 * 86_400_000) / 1000));
      expect(item).not.toHaveProperty('gsi1pk');
      expect(await due()).toBe(0);

      const keep = openDynamoStore({ tableName: TABLE, client });
      const g = makeFinding(2);
      const other = (await keep.outbox.enqueueFinding(g, [target(g, 'email', T0)], T0)).channels[0]!.outboxId;
      await keep.outbox.claimDue('email', { now: T0, limit: 1, leaseMs: 1000, owner: 'w' });
      await keep.outbox.markDelivered(other, T0 + 500);
      expect(await rawItem(`O#${other}`, 'R')).not.toHaveProperty('ttl');
    });

    it('a transaction cancelled by a concurrent writer is decided again from a fresh view', async () => {
      const group = { dedupeKey: 'group-a' };
      const mine = makeFinding(1, group);
      const theirs = makeFinding(2, group);
      const rival = openDynamoStore({ tableName: TABLE, client: motoClient() });
      const cancellations: string[][] = [];
      let transactions = 0;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
          // Between this writer's read and its write, another one opens the group.
          if (transactions++ === 0) await rival.outbox.enqueueFinding(theirs, [target(theirs, 'slack', T0)], T0);
          try {
            return await next(args);
          } catch (error) {
            if (error instanceof TransactionCanceledException) cancellations.push((error.CancellationReasons ?? []).map((r) => r.Code ?? ''));
            throw error;
          }
        },
        { step: 'initialize', name: 'rivalWritesFirst' },
      );
      const views: ChannelView[] = [];
      const result = await store.outbox.enqueueFinding(mine, [target(mine, 'slack', T0, undefined, views)], T0);
      const theirRow = (await store.outbox.list())[0]!;
      expect(result.channels[0]).toEqual({ channel: 'slack', outcome: 'joined', outboxId: theirRow.id });
      expect(transactions).toBe(2);
      expect(cancellations).toHaveLength(1);
      expect(cancellations[0]).toContain('ConditionalCheckFailed');
      expect(views).toHaveLength(2);
      expect(views[0]?.latestInGroup).toBeUndefined();
      expect(views[1]?.latestInGroup).toMatchObject({ id: theirRow.id, state: 'pending' });
      expect(theirRow.count).toBe(2);
      await rival.close();
    });

    it('a commit is one transaction: when it fails, nothing of it is written', async () => {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'TransactWriteItemsCommand') throw Object.assign(new Error('connection reset'), { name: 'NetworkingError' });
          return next(args);
        },
        { step: 'initialize', name: 'networkDown' },
      );
      const decision = makeDecision(1, { status: 'pending-approval', approvalId: 'approval-1' });
      const error = await store.remediation
        .commit({ decision, approval: makeApproval(decision, 'approval-1'), notices: [makeNotice(decision, 'slack', T0), makeNotice(decision, 'email', T0)], now: T0 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toContain(`dynamodb:${TABLE}: remediation.commit failed: NetworkingError: connection reset`);
      expect(await store.remediation.getDecision(decision.id)).toBeUndefined();
      expect(await store.remediation.getApproval('approval-1')).toBeUndefined();
      expect(await store.outbox.list()).toEqual([]);
    });
  });
});

describe('DynamoDB faults (mocked client)', () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 }));
  const ddb = mockClient(doc);
  afterAll(() => ddb.restore());
  beforeEach(() => ddb.reset());
  const store = openDynamoStore({ tableName: 'tg-faults', client: doc });

  it('a throttled call surfaces as a StoreError naming the table and operation, with the AWS error as cause', async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} });
    ddb.on(GetCommand).rejects(throttled);
    const error = await store.findings.get('f1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'store-dynamodb', cause: throttled });
    expect((error as Error).message).toBe('dynamodb:tg-faults: findings.get failed: ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded.');
  });

  it('a write meeting a transaction in progress on its item is retried', async () => {
    ddb.on(UpdateCommand).rejectsOnce(new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: {} })).resolves({ Attributes: { pk: 'O#x', sk: 'R' } });
    await store.outbox.markDelivered('x', T0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  /** An empty table as far as reads go. */
  const emptyReads = () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [], Count: 0 });
  };

  it('a transaction cancelled for another reason than a concurrent writer is an error', async () => {
    emptyReads();
    const cancelled = new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ValidationError', Message: 'item too large' }] });
    ddb.on(TransactWriteCommand).rejects(cancelled);
    const f = makeFinding(1);
    await expect(store.outbox.enqueueFinding(f, [target(f, 'slack', T0)], T0)).rejects.toMatchObject({ name: 'StoreError', code: 'store-dynamodb', cause: cancelled });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('writers that keep colliding give up after a bounded number of attempts', async () => {
    emptyReads();
    ddb.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] }));
    const f = makeFinding(1);
    await expect(store.outbox.enqueueFinding(f, [target(f, 'slack', T0)], T0)).rejects.toMatchObject({ name: 'StoreError', code: 'store-conflict' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(25);
  });
});
