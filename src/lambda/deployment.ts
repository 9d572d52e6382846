/**
 * The deployment document: what a deployed function runs — the selected rules and the config sections the
 * handlers use — written at synth time from the user's trailguard.config.yaml and rule files, and read by
 * every handler at cold start.
 *
 * The rules travel as their validated definitions (severity overrides applied, test events left out), so the
 * EventBridge rules the CDK app deploys and the rules the detect function evaluates are one snapshot: a rule
 * file edited after the synth changes neither until the next deploy. The document is JSON, embedded in the
 * bundle by esbuild (`define` of process.env.TRAILGUARD_DEPLOYMENT), so a function needs no file and no
 * network call to start.
 */
import * as z from 'zod';
import { ConfigError } from '../config/load.js';
import type { TrailguardConfig } from '../config/schema.js';
import { notificationsConfigSchema } from '../notify/config.js';
import { remediationConfigSchema } from '../remediate/config.js';
import type { RuleLoadError } from '../rules/errors.js';
import { compileDeployedRule } from '../rules/load.js';
import type { Rule, RuleDefinition } from '../rules/types.js';

export const DEPLOYMENT_DOCUMENT_VERSION = 1;

/** A rule as deployed: its definition without test events and maintainers' notes. */
export type DeployedRuleDefinition = Omit<RuleDefinition, 'tests' | 'notes' | 'falsePositives' | 'references'>;

export interface DeploymentDocument {
  version: typeof DEPLOYMENT_DOCUMENT_VERSION;
  /** The deployment's name (the stack prefix). */
  name: string;
  rules: Array<{ file: string; origin: Rule['origin']; definition: DeployedRuleDefinition }>;
  config: Pick<TrailguardConfig, 'notifications' | 'remediation'>;
}

/**
 * What a deployment leaves out of a rule: what compiling it added, its test events, and what is written for
 * the people who maintain the rule rather than read its findings (notes, false positives, references — a
 * finding never carries them), so the document compiled into every function stays small.
 */
const NOT_DEPLOYED = new Set(['file', 'origin', 'pattern', 'compiledChecks', 'templates', 'tests', 'notes', 'falsePositives', 'references']);

/** The definition a compiled rule was made from, as a deployment ships it. */
export function deployedDefinitionOf(rule: Rule): DeployedRuleDefinition {
  return Object.fromEntries(Object.entries(rule).filter(([key]) => !NOT_DEPLOYED.has(key))) as unknown as DeployedRuleDefinition;
}

/** File paths of user rules are kept relative to nothing on the deploying machine: only their base name travels. */
function portableFile(rule: Rule): string {
  const base = rule.file.split(/[\\/]/).pop() ?? rule.file;
  return `${rule.origin}:${base}`;
}

export function buildDeploymentDocument(options: { name: string; rules: readonly Rule[]; config: TrailguardConfig }): DeploymentDocument {
  return {
    version: DEPLOYMENT_DOCUMENT_VERSION,
    name: options.name,
    rules: options.rules.map((rule) => ({ file: portableFile(rule), origin: rule.origin, definition: deployedDefinitionOf(rule) })),
    config: {
      ...(options.config.notifications ? { notifications: options.config.notifications } : {}),
      ...(options.config.remediation ? { remediation: options.config.remediation } : {}),
    },
  };
}

const documentSchema = z.strictObject({
  version: z.literal(DEPLOYMENT_DOCUMENT_VERSION),
  name: z.string().min(1),
  rules: z.array(z.strictObject({ file: z.string(), origin: z.enum(['builtin', 'user']), definition: z.unknown() })),
  config: z.strictObject({ notifications: notificationsConfigSchema.optional(), remediation: remediationConfigSchema.optional() }),
});

export interface LoadedDeployment {
  name: string;
  rules: Rule[];
  /** Rules of the document that did not compile (a document written by another trailguard version). */
  errors: RuleLoadError[];
  config: Pick<TrailguardConfig, 'notifications' | 'remediation'>;
}

/** Parses and compiles a deployment document; a document that is not one is a ConfigError naming the key. */
export function readDeploymentDocument(json: string, origin = 'the deployment document'): LoadedDeployment {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(`${origin}: not JSON: ${(error as Error).message}`);
  }
  const parsed = documentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${origin}: ${issue.path.join('.') || '(document)'}: ${issue.message}`);
  }
  const rules: Rule[] = [];
  const errors: RuleLoadError[] = [];
  for (const entry of parsed.data.rules) {
    const compiled = compileDeployedRule(entry.definition, entry.file, entry.origin);
    if (compiled.error) errors.push(compiled.error);
    else if (compiled.rule) rules.push(compiled.rule);
  }
  return { name: parsed.data.name, rules, errors, config: parsed.data.config };
}
