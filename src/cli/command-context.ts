/**
 * What every command that keeps state opens the same way: the config file (the one loader) and the store it
 * names — `--store FILE` over the config's `store` section — with one error path: a store that cannot be
 * opened (missing where it must exist, not a database, unwritable, a DynamoDB table that cannot be reached)
 * is a usage error naming it, never a stack trace.
 */
import { existsSync } from 'node:fs';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { TrailguardConfig } from '../config/schema.js';
import { openStore, resolveStorePath, type Store } from '../store/index.js';
import { UsageError } from './usage-error.js';

export interface StoreOptions {
  config?: string;
  store?: string;
}

export interface OpenedStore {
  store: Store;
  /** False for an in-memory store (`memory` with nothing configured or present). */
  persistent: boolean;
}

/** The config file a command reads: --config, else ./trailguard.config.yaml when present. */
export function loadCommandConfig(options: StoreOptions, cwd = process.cwd()): LoadedConfig {
  return loadConfig(options.config, cwd);
}

/** Where the command's store is: "dynamodb:<table>" or the SQLite file. */
export function storeLocation(config: TrailguardConfig, options: StoreOptions, cwd: string): string {
  if (options.store === undefined && config.store?.dynamodb) return `dynamodb:${config.store.dynamodb.table}`;
  return resolveStorePath(options.store ?? config.store?.path, cwd);
}

/**
 * Opens the config's store. `use`: `existing` — the store must already be there (reading the outbox or the
 * log of a store that was never written is a mistake, not an empty answer); `create` — made when missing;
 * `memory` — an in-memory store when none is configured or present (a preview that leaves no file behind).
 */
export async function openCommandStore(
  { config }: LoadedConfig,
  options: StoreOptions,
  use: 'existing' | 'create' | 'memory',
  cwd = process.cwd(),
  what = 'this command',
): Promise<OpenedStore> {
  const location = storeLocation(config, options, cwd);
  const local = !location.startsWith('dynamodb:');
  const exists = !local || location === ':memory:' || existsSync(location);
  if (use === 'existing' && !exists) {
    throw new UsageError(`${what} needs the store, and there is none at ${location}: pass --store FILE or set store.path in the config (nothing has been written there yet)`);
  }
  const persistent = use !== 'memory' || exists || options.store !== undefined || config.store !== undefined;
  try {
    const store = await openStore(config.store, { cwd, ...(persistent ? (options.store !== undefined ? { path: options.store } : {}) : { path: ':memory:' }) });
    return { store, persistent };
  } catch (error) {
    throw new UsageError(`${options.store !== undefined ? `--store ${options.store}: ` : ''}${(error as Error).message}`, { cause: error });
  }
}
