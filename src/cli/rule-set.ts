import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadRules, listRuleFiles, BUILTIN_RULES_DIR, type LoadedRules } from '../rules/load.js';
import { UsageError } from './usage-error.js';
import { selectRules } from '../rules/select.js';
import type { Rule } from '../rules/types.js';
import type { TrailguardConfig } from '../config/schema.js';
import type { Reporter } from './reporter.js';
import { didYouMean } from '../util/suggest.js';

export interface RuleSetOptions {
  /** --rules: extra rule files/directories (added to the catalog; same id overrides). */
  rules?: string[];
  only?: string[];
  exclude?: string[];
  noBuiltin?: boolean;
  /** Check every rule's eventNames against the AWS API models (user rules always are). */
  checkEventNames?: boolean;
  /** How the command line names `only` in messages (default "--only"; `rules test` takes ids as arguments). */
  onlyFrom?: string;
  /** The config file the `config` came from, to name it in messages. */
  configFile?: string;
}

/**
 * Loads and selects the rules a command runs, reporting load errors and warnings without stopping. An id named in
 * --only / --exclude or the config's rules.only / rules.exclude / rules.severity that no rule has is a usage error
 * (exit 2), with the closest id suggested: a typo there would silently run the wrong rules.
 */
export function resolveRuleSet(options: RuleSetOptions, config: TrailguardConfig, reporter: Reporter): { rules: Rule[]; loaded: LoadedRules } {
  const builtin = !options.noBuiltin && config.rules?.builtin !== false;
  const named = [...(config.rules?.paths ?? []), ...(options.rules ?? [])];
  // A rules path the user named that is not there is a mistake in the invocation, not a broken rule: stop.
  const missing = named.filter((p) => !existsSync(p));
  if (missing.length > 0) throw new UsageError(`rules path not found: ${missing.join(', ')}`);
  const paths = [...(builtin ? [BUILTIN_RULES_DIR] : []), ...named];
  const loaded = loadRules(paths, options.checkEventNames ? { checkEventNames: true } : {});
  for (const error of loaded.errors) for (const problem of error.problems) reporter.error(problem.message);
  for (const warning of loaded.warnings) reporter.warn(warning.message);
  const fromCommandLine = options.only?.length ? options.only : undefined;
  const only = fromCommandLine ?? config.rules?.only;
  const exclude = [...(config.rules?.exclude ?? []), ...(options.exclude ?? [])];
  checkRuleIds(options, config, loaded, builtin);
  const selected = selectRules(loaded.rules, { only, exclude, severity: config.rules?.severity });
  return { rules: selected.rules, loaded };
}

/** Every id the selection names must be a rule's: loaded, or a rule file that did not load (its error is reported). */
function checkRuleIds(options: RuleSetOptions, config: TrailguardConfig, loaded: LoadedRules, builtinLoaded: boolean): void {
  const known = new Set([...loaded.rules.map((r) => r.id), ...loaded.errors.flatMap((e) => (e.location.ruleId !== undefined ? [e.location.ruleId] : []))]);
  const configName = options.configFile ?? 'the config';
  const sources: Array<[string, readonly string[] | undefined]> = [
    [options.onlyFrom ?? '--only', options.only],
    ['--exclude', options.exclude],
    [`${configName}: rules.only`, options.only?.length ? undefined : config.rules?.only],
    [`${configName}: rules.exclude`, config.rules?.exclude],
    [`${configName}: rules.severity`, Object.keys(config.rules?.severity ?? {})],
  ];
  let unknown = sources.flatMap(([where, ids]) => [...new Set(ids ?? [])].filter((id) => !known.has(id)).map((id) => ({ where, id })));
  if (unknown.length === 0) return;
  // A built-in id is a rule's even when this run leaves the catalog out (--no-builtin): excluding it is no typo.
  const builtinIds = builtinLoaded ? [] : listRuleFiles(BUILTIN_RULES_DIR).map((file) => path.basename(file).replace(/\.ya?ml$/i, ''));
  unknown = unknown.filter(({ id }) => !builtinIds.includes(id));
  if (unknown.length === 0) return;
  const ids = [...known, ...builtinIds];
  const lines = unknown.map(({ where, id }) => `${where ? `${where}: ` : ''}no rule ${id}${didYouMean(id, ids, { quote: false })}`);
  throw new UsageError(`${lines.join('; ')}${unknown.some(({ id }) => didYouMean(id, ids) === '') ? ' (trailguard rules list shows the ids)' : ''}`);
}
