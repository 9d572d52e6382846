import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseYamlWithSchema } from '../util/yaml-document.js';
import { ConfigError } from './errors.js';
import { configSchema, type TrailguardConfig } from './schema.js';

export { ConfigError, type ConfigProblem } from './errors.js';

export const DEFAULT_CONFIG_FILE = 'trailguard.config.yaml';

export interface LoadedConfig {
  config: TrailguardConfig;
  /** The file read, or undefined when none exists and defaults apply. */
  file?: string;
}

/**
 * The one config loader. Reads the config file: the one named, else `trailguard.config.yaml` in the
 * working directory if present, else defaults. A named file that is missing, or any invalid content,
 * is a ConfigError naming file, line, column and key — every mistake of the file at once, each located, an unknown
 * key with the closest known one suggested. Every path in it is resolved against the file's
 * directory, not wherever trailguard was started.
 */
export function loadConfig(file?: string, cwd = process.cwd()): LoadedConfig {
  const candidate = file !== undefined ? path.resolve(cwd, file) : path.join(cwd, DEFAULT_CONFIG_FILE);
  if (file === undefined && !existsSync(candidate)) return { config: {} };
  let text: string;
  try {
    text = readFileSync(candidate, 'utf8');
  } catch (error) {
    throw new ConfigError(`${candidate}: cannot read config: ${(error as Error).message}`, { cause: error });
  }
  return { config: parseConfigText(text, candidate, path.dirname(candidate)), file: candidate };
}

/**
 * Parses and validates config text that did not come from a file of its own (an SSM parameter, a test),
 * naming `origin` in errors; relative paths resolve against `baseDir`.
 */
export function parseConfigText(text: string, origin: string, baseDir: string): TrailguardConfig {
  const parsed = parseYamlWithSchema(text, configSchema.nullable());
  if (parsed.problems.length > 0) throw ConfigError.of(parsed.problems.map((problem) => ({ origin, ...problem })));
  return resolvePaths(parsed.value ?? {}, baseDir);
}

function resolvePaths(config: TrailguardConfig, base: string): TrailguardConfig {
  const resolve = (p: string) => path.resolve(base, p);
  if (config.rules?.paths) config.rules.paths = config.rules.paths.map(resolve);
  if (config.store?.path !== undefined && config.store.path !== ':memory:') config.store.path = resolve(config.store.path);
  for (const channel of Object.values(config.notifications?.channels ?? {})) {
    if (channel.type === 'jsonl') channel.path = resolve(channel.path);
  }
  return config;
}
