/**
 * The store: findings, the notification outbox, the remediation log, approvals and claims — SQLite locally,
 * DynamoDB in AWS, one contract (./types.ts). Each implementation is loaded only when opened, so importing
 * this module loads neither better-sqlite3 nor the DynamoDB client.
 */
import { StoreError } from './errors.js';
import { resolveStorePath } from './location.js';
import type { StoreConfig } from './config.js';
import type { Store } from './types.js';
import type * as SqliteModule from './sqlite/index.js';

export * from './types.js';
export { StoreError } from './errors.js';
export { DEFAULT_STORE_PATH, resolveStorePath, defaultOwner } from './location.js';
export { storeConfigSchema } from './config.js';
export type { StoreConfig } from './config.js';
export { STORE_TABLE } from './dynamodb/table.js';

export interface OpenStoreOptions {
  /** Relative SQLite paths resolve against this (the config file's directory; default the working directory). */
  cwd?: string;
  /** Overrides the config's choice: an SQLite file (`--store FILE`). */
  path?: string;
  owner?: string;
  /** AWS client settings for a DynamoDB store (endpoint for tests, credentials). */
  aws?: { region?: string; endpoint?: string; profile?: string };
}

/** Opens the store the config names: `store.dynamodb` → the deployed table, else the SQLite file (`store.path`, default .trailguard/trailguard.db). */
export async function openStore(config: StoreConfig | undefined, options: OpenStoreOptions = {}): Promise<Store> {
  const retainDeliveredMs = config?.retainDeliveredDays !== undefined ? config.retainDeliveredDays * 86_400_000 : undefined;
  if (options.path === undefined && config?.dynamodb) {
    const { openDynamoStore } = await import('./dynamodb/store.js');
    const region = options.aws?.region ?? config.dynamodb.region;
    const profile = options.aws?.profile ?? config.dynamodb.profile;
    return openDynamoStore({
      tableName: config.dynamodb.table,
      ...(region ? { region } : {}),
      ...(options.aws?.endpoint ? { endpoint: options.aws.endpoint } : {}),
      ...(profile ? { profile } : {}),
      ...(options.owner ? { owner: options.owner } : {}),
      ...(retainDeliveredMs !== undefined ? { retainDeliveredMs } : {}),
    });
  }
  const file = resolveStorePath(options.path ?? config?.path, options.cwd);
  let sqlite: typeof SqliteModule;
  try {
    sqlite = await import('./sqlite/index.js');
  } catch (error) {
    throw new StoreError(`cannot load the local store (better-sqlite3): ${(error as Error).message}`, { code: 'store-open', cause: error });
  }
  return sqlite.openSqliteStore(file, options.owner ? { owner: options.owner } : {});
}
