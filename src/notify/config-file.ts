/**
 * Reading the notification sections of trailguard.config.yaml. Kept apart from config.ts so the
 * schema module has no dependency on the config loader (src/config/schema.ts imports the schema).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, DEFAULT_CONFIG_FILE } from '../config/load.js';
import { storeConfigSchema, type StoreConfig } from '../store/config.js';
import { parseYamlWithSchema } from '../util/yaml-document.js';
import { notificationsConfigSchema, type NotificationsConfig } from './config.js';

export interface LoadedNotifyConfig {
  notifications?: NotificationsConfig;
  store?: StoreConfig;
  /** The config file read, if any. */
  file?: string;
}

const sectionsSchema = z.looseObject({ notifications: notificationsConfigSchema.optional(), store: storeConfigSchema.optional() }).nullable();

/**
 * Reads the `notifications` and `store` sections of the config file (the named one, else
 * ./trailguard.config.yaml when present), with file:line:column errors, and resolves the paths in
 * them against the file's directory. Other sections are left to loadConfig, so this works whether
 * or not the main config schema knows these sections yet.
 */
export function loadNotifyConfig(file?: string, cwd = process.cwd()): LoadedNotifyConfig {
  const candidate = file ?? path.join(cwd, DEFAULT_CONFIG_FILE);
  if (file === undefined && !existsSync(candidate)) return {};
  let text: string;
  try {
    text = readFileSync(candidate, 'utf8');
  } catch (error) {
    throw new ConfigError(`${candidate}: cannot read config: ${(error as Error).message}`);
  }
  const parsed = parseYamlWithSchema(text, sectionsSchema);
  if (parsed.problem) {
    const { message, key, line, column } = parsed.problem;
    throw new ConfigError(`${candidate}${line !== undefined ? `:${line}:${column ?? 1}` : ''}: ${key ? `${key}: ` : ''}${message}`);
  }
  const base = path.dirname(path.resolve(candidate));
  const notifications = parsed.value?.notifications;
  const store = parsed.value?.store;
  if (store?.path !== undefined && store.path !== ':memory:') store.path = path.resolve(base, store.path);
  for (const channel of Object.values(notifications?.channels ?? {})) {
    if (channel.type === 'jsonl') channel.path = path.resolve(base, channel.path);
  }
  return { notifications, store, file: candidate };
}
