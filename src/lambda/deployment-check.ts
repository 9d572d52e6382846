/**
 * Reading a deployment document that did not come with the function's own bundle: validated in full (the
 * document's shape, the config sections with their schemas, every rule with the rule schema). Loaded only then:
 * a deployed function reads its own document without building any schema (deployment.ts).
 */
import * as z from 'zod';
import { ConfigError } from '../config/errors.js';
import { notificationsConfigSchema } from '../notify/config.js';
import { remediationConfigSchema } from '../remediate/config.js';
import type { RuleLoadError } from '../rules/errors.js';
import type { Rule } from '../rules/types.js';
import { compileDeployedRule } from '../rules/validate.js';
import { DEPLOYMENT_DOCUMENT_VERSION, type LoadedDeployment } from './deployment.js';

const documentSchema = z.strictObject({
  version: z.literal(DEPLOYMENT_DOCUMENT_VERSION),
  name: z.string().min(1),
  rules: z.array(z.strictObject({ file: z.string(), origin: z.enum(['builtin', 'user']), definition: z.unknown() })),
  config: z.strictObject({ notifications: notificationsConfigSchema.optional(), remediation: remediationConfigSchema.optional() }),
});

export function readValidatedDocument(value: unknown, origin: string): LoadedDeployment {
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
