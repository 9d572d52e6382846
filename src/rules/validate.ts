/**
 * Validating a rule that is already parsed (no YAML, so errors carry key paths but no line numbers) and compiling
 * it: the built-in catalog's build-time cache, and a deployment document read from outside a function bundle.
 */
import { formatKeyPath } from '../util/key-path.js';
import { compileValidRule, type EventNameCheck, type FileResult } from './compile.js';
import { RuleLoadError, type RuleProblemLocation } from './errors.js';
import { deployedRuleSchema, ruleSchema, userRuleSchema } from './schema.js';
import type { Rule, RuleDefinition } from './types.js';
import type { z } from 'zod';

/** Every issue of a failed validation as located rule problems (key paths, no line numbers). */
function issueProblems(issues: readonly z.core.$ZodIssue[], locate: (keyPath: readonly PropertyKey[]) => RuleProblemLocation): RuleLoadError {
  if (issues.length === 0) return new RuleLoadError(locate([]), 'invalid rule');
  return RuleLoadError.of(issues.map((issue) => ({ location: locate(issue.path), detail: issue.message })));
}

/**
 * Validates and compiles an already-parsed rule (the build-time catalog cache); errors carry no line numbers. A
 * built-in rule must carry its tests; a user's need not (see userRuleSchema).
 */
export function compileRuleDefinition(raw: unknown, file: string, origin: Rule['origin'], checkEventNames?: EventNameCheck): FileResult {
  const parsed = (origin === 'builtin' ? ruleSchema : userRuleSchema).safeParse(raw);
  const ruleId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  const locate = (keyPath: readonly PropertyKey[]): RuleProblemLocation => ({ file, ruleId, key: formatKeyPath(keyPath) });
  if (!parsed.success) return { error: issueProblems(parsed.error.issues, locate), warnings: [] };
  return compileValidRule(parsed.data as RuleDefinition, file, origin, locate, checkEventNames);
}

/**
 * Validates and compiles a rule as a deployment ships it (no test events; see deployedRuleSchema). The
 * eventName check ran at synth time: it is not repeated in the function.
 */
export function compileDeployedRule(raw: unknown, file: string, origin: Rule['origin']): FileResult {
  const parsed = deployedRuleSchema.safeParse(raw);
  const ruleId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  const locate = (keyPath: readonly PropertyKey[]): RuleProblemLocation => ({ file, ruleId, key: formatKeyPath(keyPath) });
  if (!parsed.success) return { error: issueProblems(parsed.error.issues, locate), warnings: [] };
  return compileValidRule({ ...(parsed.data as Omit<RuleDefinition, 'tests'>), tests: { match: [], noMatch: [] } }, file, origin, locate);
}

