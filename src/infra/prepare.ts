/**
 * The first half of `trailguard synth`, free of aws-cdk-lib: read the config and the rules, refuse what cannot be
 * deployed (a rule file that does not load, anything planDeployment refuses), and return the plan. The CLI runs it
 * before loading the CDK, so a refusal costs no CDK start-up.
 */
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { TrailguardConfig } from '../config/schema.js';
import { resolveRuleSet, type RuleSetOptions } from '../cli/rule-set.js';
import type { Reporter } from '../cli/reporter.js';
import type { Rule } from '../rules/types.js';
import { DeployConfigError, planDeployment, type DeploymentPlan } from './plan.js';

export interface PrepareOptions extends RuleSetOptions {
  /** -c: the config file (default ./trailguard.config.yaml if present). */
  config?: string;
  cwd?: string;
  reporter: Reporter;
  env?: NodeJS.ProcessEnv;
}

export interface PreparedDeployment {
  config: TrailguardConfig;
  rules: Rule[];
  plan: DeploymentPlan;
}

export function prepareDeployment(options: PrepareOptions): PreparedDeployment {
  const cwd = options.cwd ?? process.cwd();
  const { config } = loadConfig(options.config ? path.resolve(cwd, options.config) : undefined, cwd);
  const { rules, loaded } = resolveRuleSet(options, config, options.reporter);
  // A scan goes on without a broken rule; a deployment would silently leave it out: refuse, naming the rule.
  const broken = loaded.errors[0];
  if (broken) {
    throw new DeployConfigError(
      `rule ${broken.location.ruleId ?? broken.location.file}`,
      `${loaded.errors.length === 1 ? 'it does' : `it and ${loaded.errors.length - 1} other rule file(s) do`} not load, so it cannot be deployed: ${broken.message}`,
    );
  }
  return { config, rules, plan: planDeployment(config, rules, { env: options.env ?? process.env }) };
}
