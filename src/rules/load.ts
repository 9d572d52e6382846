import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileEventPattern } from '../patterns/eventbridge/index.js';
import { compileFilterPattern } from '../patterns/filter/index.js';
import { PatternError } from '../patterns/errors.js';
import { apiOperations } from './api-operations.js';
import { findCheck, checkNames } from './checks/index.js';
import { RuleLoadError, ruleWarning, type RuleProblemLocation, type RuleWarning } from './errors.js';
import { deployedRuleSchema, ruleSchema } from './schema.js';
import { compilePathExpression, compileTemplate, TemplateError, type CompiledTemplate } from './template.js';
import type { Rule, RuleDefinition } from './types.js';
import { formatKeyPath, parseYamlWithSchema } from '../util/yaml-document.js';
import { readCatalogCache } from './catalog-cache.js';
import { bothPatterns, filterPatternOnDetail } from './rule-pattern.js';

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
      let loaded = raw !== undefined ? compileRuleDefinition(raw, file, origin, checkNames) : undefined;
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

export interface FileResult {
  rule?: Rule;
  /** Where the rule's id is written, for messages about the rule as a whole (duplicates, overrides). */
  idLocation?: RuleProblemLocation;
  error?: RuleLoadError;
  warnings: RuleWarning[];
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

/** Parses, validates and compiles one rule from YAML text. Exported for `trailguard rules` and tests. */
export function compileRuleText(text: string, file: string, origin: Rule['origin'] = 'user', checkEventNames = true): FileResult {
  const parsed = parseYamlWithSchema(text, ruleSchema);
  const raw = parsed.raw as { id?: unknown } | undefined;
  const ruleId = typeof raw === 'object' && raw !== null && typeof raw.id === 'string' ? raw.id : undefined;
  const locate = (keyPath: readonly PropertyKey[]): RuleProblemLocation => ({ file, ruleId, ...parsed.locate(keyPath) });
  if (parsed.problem) {
    const { message, ...where } = parsed.problem;
    return { error: new RuleLoadError({ file, ruleId, ...where }, message), warnings: [] };
  }
  return compileValidRule(parsed.value as RuleDefinition, file, origin, checkEventNames, locate);
}

/** Validates and compiles an already-parsed rule (the build-time catalog cache); errors carry no line numbers. */
function compileRuleDefinition(raw: unknown, file: string, origin: Rule['origin'], checkEventNames: boolean): FileResult {
  const parsed = ruleSchema.safeParse(raw);
  const ruleId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  const locate = (keyPath: readonly PropertyKey[]): RuleProblemLocation => ({ file, ruleId, key: formatKeyPath(keyPath) });
  if (!parsed.success) return { error: new RuleLoadError(locate(parsed.error.issues[0]?.path ?? []), parsed.error.issues[0]?.message ?? 'invalid rule'), warnings: [] };
  return compileValidRule(parsed.data as RuleDefinition, file, origin, checkEventNames, locate);
}

/**
 * Validates and compiles a rule as a deployment ships it (no test events; see deployedRuleSchema). The
 * eventName check ran at synth time: it is not repeated in the function.
 */
export function compileDeployedRule(raw: unknown, file: string, origin: Rule['origin']): FileResult {
  const parsed = deployedRuleSchema.safeParse(raw);
  const ruleId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  const locate = (keyPath: readonly PropertyKey[]): RuleProblemLocation => ({ file, ruleId, key: formatKeyPath(keyPath) });
  if (!parsed.success) return { error: new RuleLoadError(locate(parsed.error.issues[0]?.path ?? []), parsed.error.issues[0]?.message ?? 'invalid rule'), warnings: [] };
  return compileValidRule({ ...(parsed.data as Omit<RuleDefinition, 'tests'>), tests: { match: [], noMatch: [] } }, file, origin, false, locate);
}

function compileValidRule(
  definition: RuleDefinition,
  file: string,
  origin: Rule['origin'],
  checkEventNames: boolean,
  locate: (keyPath: readonly PropertyKey[]) => RuleProblemLocation,
): FileResult {
  let eventPattern: Rule['pattern'] | undefined;
  let filterPattern: Rule['pattern'] | undefined;
  try {
    if (definition.match) eventPattern = compileEventPattern(definition.match);
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    const keyPath = ['match', ...(error.key ? error.key.split('.') : [])];
    return { error: new RuleLoadError(locate(keyPath), error.message), warnings: [] };
  }
  try {
    if (definition.filterPattern !== undefined) filterPattern = filterPatternOnDetail(compileFilterPattern(definition.filterPattern));
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    return { error: new RuleLoadError(locate(['filterPattern']), `invalid CloudWatch Logs filter pattern: ${error.message}`), warnings: [] };
  }
  const pattern = eventPattern && filterPattern ? bothPatterns(eventPattern, filterPattern) : (eventPattern ?? filterPattern)!;

  const compiledChecks = [];
  for (const [i, name] of (definition.checks ?? []).entries()) {
    const check = findCheck(name);
    if (!check) return { error: new RuleLoadError(locate(['checks', i]), `unknown check "${name}"; known checks: ${checkNames().join(', ')}`), warnings: [] };
    compiledChecks.push(check);
  }

  let templates: Rule['templates'];
  try {
    templates = {
      summary: definition.summary === undefined ? undefined : compileAt(locate(['summary']), () => compileTemplate(definition.summary!)),
      dedupe: compileAt(locate(['dedupe']), () => compileTemplate(definition.dedupe ?? '{{rule.id}}:{{detail.eventID}}')),
      resources: (definition.resources ?? []).map((expr, i) => compileAt(locate(['resources', i]), () => compilePathExpression(expr))),
    };
  } catch (error) {
    if (error instanceof RuleLoadError) return { error, warnings: [] };
    throw error;
  }

  const rule: Rule = { ...definition, file, origin, pattern, compiledChecks, templates };
  const warnings = checkEventNames ? eventNameWarnings(rule, locate(['match', 'detail', 'eventName'])) : [];
  return { rule, warnings, idLocation: locate(['id']) };
}

function compileAt(location: RuleProblemLocation, compile: () => CompiledTemplate): CompiledTemplate {
  try {
    return compile();
  } catch (error) {
    if (error instanceof TemplateError) throw new RuleLoadError(location, error.message);
    throw error;
  }
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
