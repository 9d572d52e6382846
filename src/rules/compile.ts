/**
 * Compiling a valid rule definition into what the detector runs — its patterns, checks and templates — with
 * located errors. Free of YAML, of the file system and of the rule schema: the deployed functions compile the
 * rules their deployment document carries with this alone (src/lambda/deployment.ts). Validating is validate.ts's,
 * loading rule files load.ts's.
 */
import { compileEventPattern } from '../patterns/eventbridge/index.js';
import { compileFilterPattern } from '../patterns/filter/index.js';
import { PatternError } from '../patterns/errors.js';
import { findCheck, checkNames } from './checks/index.js';
import { RuleLoadError, type RuleProblemLocation, type RuleWarning } from './errors.js';
import { bothPatterns, filterPatternOnDetail } from './rule-pattern.js';
import { compilePathExpression, compileTemplate, TemplateError, type CompiledTemplate } from './template.js';
import type { Rule, RuleDefinition } from './types.js';

/** Warnings about a compiled rule's eventNames (see load.ts's eventNameWarnings); none when not given. */
export type EventNameCheck = (rule: Rule, location: RuleProblemLocation) => RuleWarning[];

export interface FileResult {
  rule?: Rule;
  /** Where the rule's id is written, for messages about the rule as a whole (duplicates, overrides). */
  idLocation?: RuleProblemLocation;
  error?: RuleLoadError;
  warnings: RuleWarning[];
}

/** Compiles a rule whose definition is already valid: its patterns, checks and templates; `checkEventNames` adds its warnings. */
export function compileValidRule(
  definition: RuleDefinition,
  file: string,
  origin: Rule['origin'],
  locate: (keyPath: readonly PropertyKey[]) => RuleProblemLocation,
  checkEventNames?: EventNameCheck,
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
  const warnings = checkEventNames ? checkEventNames(rule, locate(['match', 'detail', 'eventName'])) : [];
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

