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
import { ConfigError } from '../config/errors.js';
import type { TrailguardConfig } from '../config/schema.js';
import type { RuleLoadError, RuleProblemLocation } from '../rules/errors.js';
import { compileValidRule } from '../rules/compile.js';
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

export interface LoadedDeployment {
  name: string;
  rules: Rule[];
  /** Rules of the document that did not compile (a document written by another trailguard version). */
  errors: RuleLoadError[];
  config: Pick<TrailguardConfig, 'notifications' | 'remediation'>;
}

/**
 * Parses and compiles a deployment document; a document that is not one is a ConfigError naming the key.
 *
 * `trusted`: the document compiled into a function's bundle was validated in full when `trailguard synth` built it
 * from the config and rule files, by the same build: it is compiled without validating it again (at every cold
 * start that was most of the time to the handler being ready, and the schemas are not even built); only its
 * version is checked. Anything else — a document from elsewhere, tests — is validated.
 */
export async function readDeploymentDocument(json: string, origin = 'the deployment document', options: { trusted?: boolean } = {}): Promise<LoadedDeployment> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(`${origin}: not JSON: ${(error as Error).message}`);
  }
  if (!options.trusted) return (await import('./deployment-check.js')).readValidatedDocument(value, origin);
  const document = value as Partial<DeploymentDocument> | null;
  if (document?.version !== DEPLOYMENT_DOCUMENT_VERSION || !Array.isArray(document.rules) || typeof document.config !== 'object' || document.config === null) {
    throw new ConfigError(`${origin}: not a version ${DEPLOYMENT_DOCUMENT_VERSION} deployment document (synthesize the deployment again with this trailguard)`);
  }
  const rules: Rule[] = [];
  const errors: RuleLoadError[] = [];
  for (const { file, origin: ruleOrigin, definition } of document.rules) {
    const locate = (keyPath: readonly PropertyKey[]): RuleProblemLocation => ({ file, ruleId: definition.id, key: keyPath.map(String).join('.') });
    const compiled = compileValidRule({ ...definition, tests: { match: [], noMatch: [] } } as RuleDefinition, file, ruleOrigin, locate);
    if (compiled.error) errors.push(compiled.error);
    else if (compiled.rule) rules.push(compiled.rule);
  }
  return { name: document.name ?? '', rules, errors, config: document.config };
}
