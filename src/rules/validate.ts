/**
 * Validating a rule that is already parsed (no YAML, so errors carry key paths but no line numbers) and compiling
 * it: the built-in catalog's build-time cache, and a deployment document read from outside a function bundle.
 */
import { formatKeyPath } from '../util/key-path.js';
import { compileValidRule, type EventNameCheck, type FileResult } from './compile.js';
import { RuleLoadError, type RuleProblemLocation } from './errors.js';
import { deployedRuleSchema, ruleSchema } from './schema.js';
import type { Rule, RuleDefinition } from './types.js';

/** Validates and compiles an already-parsed rule (the build-time catalog cache); errors carry no line numbers. */
export function compileRuleDefinition(raw: unknown, file: string, origin: Rule['origin'], checkEventNames?: EventNameCheck): FileResult {
  const parsed = ruleSchema.safeParse(raw);
  const ruleId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  const locate = (keyPath: readonly PropertyKey[]): RuleProblemLocation => ({ file, ruleId, key: formatKeyPath(keyPath) });
  if (!parsed.success) return { error: new RuleLoadError(locate(parsed.error.issues[0]?.path ?? []), parsed.error.issues[0]?.message ?? 'invalid rule'), warnings: [] };
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
  if (!parsed.success) return { error: new RuleLoadError(locate(parsed.error.issues[0]?.path ?? []), parsed.error.issues[0]?.message ?? 'invalid rule'), warnings: [] };
  return compileValidRule({ ...(parsed.data as Omit<RuleDefinition, 'tests'>), tests: { match: [], noMatch: [] } }, file, origin, locate);
}

