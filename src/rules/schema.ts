import * as z from 'zod';
import { SEVERITIES } from './types.js';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const ids = z.array(nonEmpty).min(1, 'must list at least one control id');

const cisVersion = z.string().regex(/^v\d+\.\d+\.\d+$/, 'must be a CIS benchmark version like v1.4.0');

export const complianceSchema = z.strictObject({
  'cis-aws-foundations': z.record(cisVersion, ids).optional(),
  'aws-security-hub': z.array(z.string().regex(/^[A-Za-z0-9]+\.\d+$/, 'must be a Security Hub control id like CloudWatch.1')).optional(),
  'nist-800-53-r5': ids.optional(),
  'pci-dss-v4.0': ids.optional(),
  soc2: ids.optional(),
  hipaa: ids.optional(),
  'iso-27001-2022': ids.optional(),
  'apra-cps-234': ids.optional(),
  'mas-trm': ids.optional(),
});

const severity = z.enum(SEVERITIES);

const testCase = z
  .strictObject({
    name: nonEmpty,
    record: z.record(z.string(), z.unknown()).optional(),
    event: z.record(z.string(), z.unknown()).optional(),
    file: nonEmpty.optional(),
    expect: z
      .strictObject({
        severity: severity.optional(),
        summaryIncludes: z.array(nonEmpty).optional(),
      })
      .optional(),
  })
  .refine((t) => [t.record, t.event, t.file].filter((x) => x !== undefined).length === 1, {
    message: 'a test case needs exactly one of record, event or file',
  });

const ruleFields = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens'),
  title: nonEmpty,
  severity,
  description: nonEmpty,
  enabled: z.boolean().optional(),
  tags: z.array(nonEmpty).optional(),
  compliance: complianceSchema.optional(),
  attack: z.array(z.string().regex(/^T\d{4}(?:\.\d{3})?$/, 'must be a MITRE ATT&CK technique id like T1562.008')).optional(),
  match: z.record(z.string(), z.unknown()).optional(),
  filterPattern: nonEmpty.optional(),
  checks: z.array(nonEmpty).optional(),
  summary: nonEmpty.optional(),
  resources: z.array(nonEmpty).optional(),
  remediation: z
    .strictObject({
      summary: nonEmpty,
      console: z.array(nonEmpty).optional(),
      cli: z.array(nonEmpty).optional(),
      sdk: z.array(nonEmpty).optional(),
      references: z.array(z.url()).optional(),
    })
    .optional(),
  dedupe: nonEmpty.optional(),
  references: z.array(z.url()).optional(),
  falsePositives: z.array(nonEmpty).optional(),
  notes: nonEmpty.optional(),
  tests: z.strictObject({
    match: z.array(testCase).min(1, 'a rule needs at least one event that must match'),
    noMatch: z.array(testCase).min(1, 'a rule needs at least one near-miss that must not match'),
  }),
});

/**
 * A user's rule: like a built-in one, except that its tests are optional (an ad-hoc rule for one investigation need
 * not come with events); the loader warns about a rule without them, and `rules test --strict` refuses it.
 */
const userRuleFields = ruleFields.extend({
  tests: z
    .strictObject({
      match: z.array(testCase).optional(),
      noMatch: z.array(testCase).optional(),
    })
    .optional(),
});

const needsAPattern = {
  message: 'a rule needs a match (EventBridge pattern), a filterPattern (CloudWatch Logs filter pattern), or both',
  path: ['match'],
};
const hasAPattern = (rule: { match?: unknown; filterPattern?: unknown }) => rule.match !== undefined || rule.filterPattern !== undefined;

/** A rule of the built-in catalog: every key the README lists as required, and its own tests (both kinds). */
export const ruleSchema = ruleFields.refine(hasAPattern, needsAPattern);

/** A rule from a user's file (`--rules`, `rules.paths`): the same, with `tests` optional. */
export const userRuleSchema = userRuleFields.refine(hasAPattern, needsAPattern);

/**
 * A rule as a deployment carries it (src/lambda/deployment.ts): validated in full at synth time, shipped
 * without its test events (they are for `rules test`, not for the deployed detector).
 */
export const deployedRuleSchema = ruleFields.omit({ tests: true }).refine(hasAPattern, needsAPattern);
