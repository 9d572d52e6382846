/**
 * The store's one door to DynamoDB: every call names the table and the store operation it serves, AWS
 * errors become StoreErrors (with the AWS error as `cause`; messages carry names and codes, never item
 * values), and the few outcomes callers branch on are answers instead of exceptions: a failed condition
 * (`undefined` / false), a cancelled transaction (its per-item reasons).
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  type PutCommandInput,
  type QueryCommandInput,
  type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { awsErrorCode, awsErrorMessage } from '../../util/aws-error-text.js';
import { StoreError } from '../errors.js';
import { pause } from './retry.js';

export type Item = Record<string, unknown>;
export interface Key {
  pk: string;
  sk: string;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** One write of a transaction, without the table name (added here). */
export type TxWrite =
  | { Put: Omit<NonNullable<TransactItem['Put']>, 'TableName'> }
  | { Update: Omit<NonNullable<TransactItem['Update']>, 'TableName'> }
  | { Delete: Omit<NonNullable<TransactItem['Delete']>, 'TableName'> }
  | { ConditionCheck: Omit<NonNullable<TransactItem['ConditionCheck']>, 'TableName'> };

/** Why each write of a cancelled transaction failed ("None" for the ones that would have passed). */
export type TxResult = { ok: true } | { ok: false; reasons: string[] };

/** Cancellation reasons worth reading the view again for: another writer got there first, or a brief overload. */
export const RETRYABLE_REASONS: ReadonlySet<string> = new Set(['ConditionalCheckFailed', 'TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** The most items one TransactWriteItems may hold. */
export const MAX_TRANSACTION_ITEMS = 100;

const CONFLICT_RETRIES = 6;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export class Db {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** A StoreError for `operation` caused by `error` (an HTML error page from a proxy is "HTTP 502 from dynamodb <operation>", src/util/aws-error-text.ts). */
  fail(operation: string, error: unknown): StoreError {
    return new StoreError(`dynamodb:${this.tableName}: ${operation} failed: ${awsErrorCode(error)}: ${awsErrorMessage(error, { service: 'dynamodb', operation })}`, { code: 'store-dynamodb', cause: error });
  }

  /**
   * Sends a command; a TransactionConflictException (a single-item write meeting a transaction in progress on
   * the same item, which the SDK does not retry) is retried a few times with jitter before it becomes an error.
   */
  async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (error instanceof StoreError) throw error;
        if (errorName(error) === 'TransactionConflictException' && attempt < CONFLICT_RETRIES) {
          await pause(attempt);
          continue;
        }
        throw this.fail(operation, error);
      }
    }
  }

  async get(operation: string, key: Key): Promise<Item | undefined> {
    const out = await this.send(operation, () => this.doc.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })));
    return out.Item;
  }

  async put(operation: string, input: Omit<PutCommandInput, 'TableName'>): Promise<boolean> {
    return (await this.conditional(operation, () => this.doc.send(new PutCommand({ ...input, TableName: this.tableName })).then(() => true))) ?? false;
  }

  /** The item after the update (ALL_NEW), or undefined when the condition failed. */
  async update(operation: string, input: Omit<UpdateCommandInput, 'TableName'>): Promise<Item | undefined> {
    return this.conditional(operation, async () => {
      const out = await this.doc.send(new UpdateCommand({ ReturnValues: 'ALL_NEW', ...input, TableName: this.tableName }));
      return out.Attributes ?? {};
    });
  }

  async delete(operation: string, input: Omit<DeleteCommandInput, 'TableName'>): Promise<boolean> {
    return (await this.conditional(operation, () => this.doc.send(new DeleteCommand({ ...input, TableName: this.tableName })).then(() => true))) ?? false;
  }

  /** A write whose failed condition is an answer (false / undefined), not an error. */
  private async conditional<T>(operation: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.send(operation, call);
    } catch (error) {
      if (error instanceof StoreError && errorName(error.cause) === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  /** Every item a query matches, page after page; `stop` ends early once it returns true for the items so far. */
  async query(operation: string, input: Omit<QueryCommandInput, 'TableName'>, stop?: (items: readonly Item[]) => boolean): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.send(operation, () => this.doc.send(new QueryCommand({ ...input, TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}) })));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
      if (stop?.(items)) break;
    } while (start);
    return items;
  }

  /** How many items a query matches (Select COUNT, every page). */
  async count(operation: string, input: Omit<QueryCommandInput, 'TableName' | 'Select'>): Promise<number> {
    let n = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.send(operation, () =>
        this.doc.send(new QueryCommand({ ...input, Select: 'COUNT', TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}) })),
      );
      n += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return n;
  }

  /** Items by key (strongly consistent), in 100-key batches, unprocessed keys asked again; keyed by pk + sk. */
  async batchGet(operation: string, keys: readonly Key[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = [...new Map(keys.map((k) => [keyId(k), k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Key[] = unique.slice(i, i + 100);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await pause(attempt);
        if (attempt > 10) throw this.fail(operation, new Error(`${pending.length} key(s) left unprocessed after ${attempt} attempts`));
        const out = await this.send(operation, () =>
          this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } })),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(keyId(item as unknown as Key), item);
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Key[];
      }
    }
    return found;
  }

  /** Deletes items by key, 25 at a time, unprocessed ones again (unconditional: for items nothing else refers to). */
  async batchDelete(operation: string, keys: readonly Key[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 25) {
      let pending = keys.slice(i, i + 25).map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await pause(attempt);
        if (attempt > 10) throw this.fail(operation, new Error(`${pending.length} item(s) left undeleted after ${attempt} attempts`));
        const out = await this.send(operation, () => this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } })));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  /** TransactWriteItems; a cancellation comes back with its reasons (one per write, in order). */
  async transact(operation: string, writes: readonly TxWrite[]): Promise<TxResult> {
    if (writes.length > MAX_TRANSACTION_ITEMS) throw new StoreError(`dynamodb:${this.tableName}: ${operation} needs ${writes.length} writes in one transaction (at most ${MAX_TRANSACTION_ITEMS})`, { code: 'store-too-large' });
    const TransactItems = writes.map((w): TransactItem => {
      if ('Put' in w) return { Put: { ...w.Put, TableName: this.tableName } };
      if ('Update' in w) return { Update: { ...w.Update, TableName: this.tableName } };
      if ('Delete' in w) return { Delete: { ...w.Delete, TableName: this.tableName } };
      return { ConditionCheck: { ...w.ConditionCheck, TableName: this.tableName } };
    });
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems }));
      return { ok: true };
    } catch (error) {
      if (errorName(error) === 'TransactionCanceledException') {
        const reasons = ((error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        if (reasons.some((r) => RETRYABLE_REASONS.has(r))) return { ok: false, reasons };
      }
      if (errorName(error) === 'TransactionConflictException') return { ok: false, reasons: writes.map(() => 'TransactionConflict') };
      throw this.fail(operation, error);
    }
  }
}

export function keyId(key: Key): string {
  return `${key.pk}\u0000${key.sk}`;
}
