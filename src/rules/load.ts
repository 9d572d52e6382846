import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiOperations } from './api-operations.js';
import { readCatalogCache } from './catalog-cache.js';
import { compileValidRule, type FileResult } from './compile.js';
import { compileRuleDefinition } from './validate.js';
import { RuleLoadError, ruleWarning, type RuleProblemLocation, type RuleWarning } from './errors.js';
import { ruleSchema, userRuleSchema } from './schema.js';
import type { Rule, RuleDefinition } from './types.js';
import { parseYamlWithSchema } from '../util/yaml-document.js';

export { compileValidRule, type FileResult, type EventNameCheck } from './compile.js';
export { compileDeployedRule, compileRuleDefinition } from './validate.js';

/** The rule files that ship with trailguard (`rules/` at the package root). */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

/** The built-in catalog parsed at build time (dist/rules/catalog.json; absent when running from src). */
export const CATALOG_CACHE_FILE = fileURLToPath(new URL('./catalog.json', import.meta.url));

export interface LoadedRules {
  rules: Rule[];
  errors: RuleLoadError[];
  warnings: RuleWarning[];
  files: number;
}

export interface LoadRulesOptions {
  /**
   * Check that each rule's eventName values are operations of its eventSource's API.
   * On by default for user rules; the built-in catalog is checked by its own test instead, so
   * a scan does not pay for reading API models.
   */
  checkEventNames?: boolean;
}

/**
 * Loads rule files from files and directories (recursively, `*.yaml` / `*.yml`), in order;
 * a later rule with the same id overrides an earlier one (a warning says so). A malformed rule
 * is reported in `errors` with file, line, rule id and key, and the other rules still load.
 */
export function loadRules(paths: readonly string[] = [BUILTIN_RULES_DIR], options: LoadRulesOptions = {}): LoadedRules {
  const errors: RuleLoadError[] = [];
  const warnings: RuleWarning[] = [];
  const byId = new Map<string, Rule>();
  let files = 0;

  for (const root of paths) {
    const origin = path.resolve(root) === path.resolve(BUILTIN_RULES_DIR) ? 'builtin' : 'user';
    let ruleFiles: string[];
    try {
      ruleFiles = listRuleFiles(root);
    } catch (error) {
      errors.push(new RuleLoadError({ file: root }, `cannot read rules: ${(error as Error).message}`));
      continue;
    }
    const seenHere = new Map<string, string>();
    const cached = origin === 'builtin' ? readCatalogCache(BUILTIN_RULES_DIR, ruleFiles, CATALOG_CACHE_FILE) : undefined;
    for (const file of ruleFiles) {
      files++;
      const checkNames = options.checkEventNames ?? origin === 'user';
      const raw = cached?.get(file);
      let loaded = raw !== undefined ? compileRuleDefinition(raw, file, origin, checkNames ? eventNameWarnings : undefined) : undefined;
      // Anything wrong is reported from the YAML itself, with lines and columns.
      if (loaded === undefined || loaded.error) loaded = loadRuleFile(file, origin, checkNames);
      warnings.push(...loaded.warnings);
      if (loaded.error) {
        errors.push(loaded.error);
        continue;
      }
      const rule = loaded.rule!;
      const at = loaded.idLocation ?? { file, ruleId: rule.id, key: 'id' };
      const earlierHere = seenHere.get(rule.id);
      if (earlierHere !== undefined) {
        errors.push(new RuleLoadError(at, `duplicate rule id: already defined in ${earlierHere}`));
        continue;
      }
      seenHere.set(rule.id, file);
      const overridden = byId.get(rule.id);
      if (overridden) warnings.push(ruleWarning(at, `overrides the rule of the same id from ${overridden.file}`));
      byId.set(rule.id, rule);
    }
  }
  return { rules: [...byId.values()], errors, warnings, files };
}

/** The rule files under a path, in load order (a file is itself). */
export function listRuleFiles(root: string): string[] {
  if (!statSync(root).isDirectory()) return [root];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
    }
  };
  walk(root);
  return out;
}

function loadRuleFile(file: string, origin: Rule['origin'], checkEventNames: boolean): FileResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { error: new RuleLoadError({ file }, `cannot read: ${(error as Error).message}`), warnings: [] };
  }
  return compileRuleText(text, file, origin, checkEventNames);
}

/**
 * Parses, validates and compiles one rule from YAML text. Exported for `trailguard rules` and tests. Every problem
 * of the file comes back in one RuleLoadError, each located (an unknown key with the closest known one suggested).
 * A built-in rule must carry its tests; a user's rule without them loads with a warning.
 */
export function compileRuleText(text: string, file: string, origin: Rule['origin'] = 'user', checkEventNames = true): FileResult {
  const parsed = parseYamlWithSchema(text, origin === 'builtin' ? ruleSchema : userRuleSchema);
  const raw = parsed.raw as { id?: unknown } | undefined;
  const ruleId = typeof raw === 'object' && raw !== null && typeof raw.id === 'string' ? raw.id : undefined;
  const locate = (keyPath: readonly PropertyKey[]): RuleProblemLocation => ({ file, ruleId, ...parsed.locate(keyPath) });
  if (parsed.problems.length > 0) {
    return { error: RuleLoadError.of(parsed.problems.map(({ message, ...where }) => ({ location: { file, ruleId, ...where }, detail: message }))), warnings: [] };
  }
  const definition = parsed.value as RuleDefinition;
  const compiled = compileValidRule(definition, file, origin, locate, checkEventNames ? eventNameWarnings : undefined);
  if (compiled.rule && origin === 'user') compiled.warnings.unshift(...missingTestWarnings(definition, locate));
  return compiled;
}

/** A user's rule without must-match or near-miss events: it loads, but nothing shows that it does what it should. */
export function missingTestWarnings(definition: RuleDefinition, locate: (keyPath: readonly PropertyKey[]) => RuleProblemLocation): RuleWarning[] {
  const match = definition.tests?.match?.length ?? 0;
  const noMatch = definition.tests?.noMatch?.length ?? 0;
  if (match > 0 && noMatch > 0) return [];
  if (definition.tests === undefined) {
    return [ruleWarning(locate(['tests']), 'no tests: add an event that must match (tests.match) and a near-miss that must not (tests.noMatch); rules test --strict refuses a rule without them')];
  }
  const missing = [...(match === 0 ? ['tests.match (an event that must match)'] : []), ...(noMatch === 0 ? ['tests.noMatch (a near-miss that must not match)'] : [])];
  return [ruleWarning(locate(['tests']), `no ${missing.join(' and no ')}; rules test --strict refuses a rule without them`)];
}

/** Warns about eventName values that are not operations of any of the rule's eventSource APIs. */
export function eventNameWarnings(rule: Rule, location: RuleProblemLocation): RuleWarning[] {
  const sources = rule.pattern.valuesAt(['detail', 'eventSource'])?.exact ?? [];
  const names = rule.pattern.valuesAt(['detail', 'eventName'])?.exact ?? [];
  if (sources.length === 0 || names.length === 0) return [];
  const lookup = apiOperations();
  const warnings: RuleWarning[] = [];
  for (const name of names) {
    const verdicts = sources.map((source) => lookup.isOperation(source, name));
    if (verdicts.some((v) => v === true || v === undefined)) continue;
    const models = sources.flatMap((s) => lookup.modelsFor(s)).join(', ');
    warnings.push(ruleWarning(location, `"${name}" is not an operation of ${sources.join(' / ')} (API model ${models}); a misspelled eventName never matches`));
  }
  return warnings;
}
