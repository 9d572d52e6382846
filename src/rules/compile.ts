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
import { didYouMean } from '../util/suggest.js';

/** Warnings about a compiled rule's eventNames (see load.ts's eventNameWarnings); none when not given. */
export type EventNameCheck = (rule: Rule, location: RuleProblemLocation) => RuleWarning[];

export interface FileResult {
  rule?: Rule;
  /** Where the rule's id is written, for messages about the rule as a whole (duplicates, overrides). */
  idLocation?: RuleProblemLocation;
  error?: RuleLoadError;
  warnings: RuleWarning[];
}

/**
 * Compiles a rule whose definition is already valid: its patterns, checks and templates; `checkEventNames` adds its
 * warnings. Every problem is reported at once (an invalid pattern does not hide an unknown check or a bad template).
 */
export function compileValidRule(
  definition: RuleDefinition,
  file: string,
  origin: Rule['origin'],
  locate: (keyPath: readonly PropertyKey[]) => RuleProblemLocation,
  checkEventNames?: EventNameCheck,
): FileResult {
  const problems: { location: RuleProblemLocation; detail: string }[] = [];
  let eventPattern: Rule['pattern'] | undefined;
  let filterPattern: Rule['pattern'] | undefined;
  try {
    if (definition.match) eventPattern = compileEventPattern(definition.match);
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    const keyPath = ['match', ...(error.key ? error.key.split('.') : [])];
    problems.push({ location: locate(keyPath), detail: error.message });
  }
  try {
    if (definition.filterPattern !== undefined) filterPattern = filterPatternOnDetail(compileFilterPattern(definition.filterPattern));
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    problems.push({ location: locate(['filterPattern']), detail: `invalid CloudWatch Logs filter pattern: ${error.message}` });
  }

  const compiledChecks = [];
  for (const [i, name] of (definition.checks ?? []).entries()) {
    const check = findCheck(name);
    if (check) compiledChecks.push(check);
    else problems.push({ location: locate(['checks', i]), detail: `unknown check "${name}"${didYouMean(name, checkNames())}; known checks: ${checkNames().join(', ')}` });
  }

  const template = (keyPath: readonly PropertyKey[], compile: () => CompiledTemplate): CompiledTemplate | undefined => {
    try {
      return compile();
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push({ location: locate(keyPath), detail: error.message });
      return undefined;
    }
  };
  const summary = definition.summary === undefined ? undefined : template(['summary'], () => compileTemplate(definition.summary!));
  const dedupe = template(['dedupe'], () => compileTemplate(definition.dedupe ?? '{{rule.id}}:{{detail.eventID}}'));
  const resources = (definition.resources ?? []).map((expr, i) => template(['resources', i], () => compilePathExpression(expr)));

  if (problems.length > 0) return { error: RuleLoadError.of(problems), warnings: [] };
  const pattern = eventPattern && filterPattern ? bothPatterns(eventPattern, filterPattern) : (eventPattern ?? filterPattern)!;
  const templates: Rule['templates'] = { ...(summary ? { summary } : {}), dedupe: dedupe!, resources: resources as CompiledTemplate[] };
  const tests = { match: definition.tests?.match ?? [], noMatch: definition.tests?.noMatch ?? [] };
  const rule: Rule = { ...definition, tests, file, origin, pattern, compiledChecks, templates };
  const warnings = checkEventNames ? checkEventNames(rule, locate(['match', 'detail', 'eventName'])) : [];
  return { rule, warnings, idLocation: locate(['id']) };
}
