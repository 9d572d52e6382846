import { existsSync } from 'node:fs';
import { loadRules, BUILTIN_RULES_DIR, type LoadedRules } from '../rules/load.js';
import { UsageError } from './usage-error.js';
import { selectRules } from '../rules/select.js';
import type { Rule } from '../rules/types.js';
import type { TrailguardConfig } from '../config/schema.js';
import type { Reporter } from './reporter.js';

export interface RuleSetOptions {
  /** --rules: extra rule files/directories (added to the catalog; same id overrides). */
  rules?: string[];
  only?: string[];
  exclude?: string[];
  noBuiltin?: boolean;
  /** Check every rule's eventNames against the AWS API models (user rules always are). */
  checkEventNames?: boolean;
}

/** Loads and selects the rules a command runs, reporting load errors and warnings without stopping. */
export function resolveRuleSet(options: RuleSetOptions, config: TrailguardConfig, reporter: Reporter): { rules: Rule[]; loaded: LoadedRules } {
  const builtin = !options.noBuiltin && config.rules?.builtin !== false;
  const named = [...(config.rules?.paths ?? []), ...(options.rules ?? [])];
  // A rules path the user named that is not there is a mistake in the invocation, not a broken rule: stop.
  const missing = named.filter((p) => !existsSync(p));
  if (missing.length > 0) throw new UsageError(`rules path not found: ${missing.join(', ')}`);
  const paths = [...(builtin ? [BUILTIN_RULES_DIR] : []), ...named];
  const loaded = loadRules(paths, options.checkEventNames ? { checkEventNames: true } : {});
  for (const error of loaded.errors) reporter.error(error.message);
  for (const warning of loaded.warnings) reporter.warn(warning.message);
  const only = options.only?.length ? options.only : config.rules?.only;
  const exclude = [...(config.rules?.exclude ?? []), ...(options.exclude ?? [])];
  const selected = selectRules(loaded.rules, { only, exclude, severity: config.rules?.severity });
  for (const id of selected.unknownIds) reporter.warn(`no rule has the id "${id}" (named in --only/--exclude or the config)`);
  return { rules: selected.rules, loaded };
}
