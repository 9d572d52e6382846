import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseYamlWithSchema } from '../util/yaml-document.js';
import { configSchema, type TrailguardConfig } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'trailguard.config.yaml';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadedConfig {
  config: TrailguardConfig;
  /** The file read, or undefined when none exists and defaults apply. */
  file?: string;
}

/**
 * Reads the config file: the one named, else `trailguard.config.yaml` in the working directory
 * if present, else defaults. A named file that is missing, or any invalid content, is a
 * ConfigError naming file, line, column and key.
 */
export function loadConfig(file?: string, cwd = process.cwd()): LoadedConfig {
  const candidate = file ?? path.join(cwd, DEFAULT_CONFIG_FILE);
  if (file === undefined && !existsSync(candidate)) return { config: {} };
  let text: string;
  try {
    text = readFileSync(candidate, 'utf8');
  } catch (error) {
    throw new ConfigError(`${candidate}: cannot read config: ${(error as Error).message}`);
  }
  const parsed = parseYamlWithSchema(text, configSchema.nullable());
  if (parsed.problem) {
    const { message, key, line, column } = parsed.problem;
    const where = line !== undefined ? `:${line}:${column ?? 1}` : '';
    throw new ConfigError(`${candidate}${where}: ${key ? `${key}: ` : ''}${message}`);
  }
  const config = parsed.value ?? {};
  // Rule paths are relative to the config file, not to wherever trailguard was started.
  const base = path.dirname(path.resolve(candidate));
  if (config.rules?.paths) config.rules.paths = config.rules.paths.map((p) => path.resolve(base, p));
  return { config, file: candidate };
}
