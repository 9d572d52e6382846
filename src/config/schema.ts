import * as z from 'zod';
import { SEVERITIES } from '../rules/types.js';
import { remediationConfigSchema } from '../remediate/config.js';
import { notificationsConfigSchema } from '../notify/config.js';
import { storeConfigSchema } from '../store/config.js';
import { deployConfigSchema } from '../infra/config.js';
import { awsRegionSchema } from './aws-schemas.js';
import { SNS_TOPIC_ARN_PATTERN } from '../util/aws-names.js';

const severity = z.enum(SEVERITIES);
const ruleId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a rule id (lower-case words joined by hyphens)');

/**
 * `trailguard.config.yaml`. Every section is optional; with no file at all the defaults apply.
 * Later features add their sections here (notifications, remediation, deployment).
 */
export const configSchema = z.strictObject({
  rules: z
    .strictObject({
      /** Include the built-in catalog (default true). */
      builtin: z.boolean().optional(),
      /** Extra rule files or directories, loaded after the built-in catalog; a rule with the same id overrides it. Relative to the config file. */
      paths: z.array(z.string().min(1)).optional(),
      /** Evaluate only these rule ids. */
      only: z.array(ruleId).optional(),
      /** Never evaluate these rule ids. */
      exclude: z.array(ruleId).optional(),
      /** Per-rule severity overrides. */
      severity: z.record(ruleId, severity).optional(),
    })
    .optional(),
  audit: z
    .strictObject({
      profile: z.string().min(1).optional(),
      region: awsRegionSchema('us-east-1').optional(),
      regions: z.array(awsRegionSchema('eu-west-1')).optional(),
      allRegions: z.boolean().optional(),
      only: z.array(z.string().min(1)).optional(),
      exclude: z.array(z.string().min(1)).optional(),
      /** Verdicts that make `trailguard audit` exit 1, e.g. [FAIL, ERROR] (any case, like --fail-on); [] for none. */
      failOn: z.array(z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(['FAIL', 'ERROR']))).optional(),
      maxDeliveryAgeHours: z.number().positive().optional(),
      fix: z
        .strictObject({
          namespace: z.string().min(1).optional(),
          topicName: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic name').optional(),
          topicArn: z.string().regex(SNS_TOPIC_ARN_PATTERN, 'must be an SNS topic ARN').optional(),
          email: z.email().optional(),
          patterns: z.enum(['cis', 'security-hub']).optional(),
        })
        .optional(),
    })
    .optional(),
  remediation: remediationConfigSchema.optional(),
  notifications: notificationsConfigSchema.optional(),
  /** The embedded SQLite store: findings, delivery outbox, remediation log. */
  store: storeConfigSchema.optional(),
  deploy: deployConfigSchema.optional(),
  scan: z
    .strictObject({
      minSeverity: severity.optional(),
      failOn: severity.optional(),
      format: z.enum(['table', 'json', 'jsonl']).optional(),
    })
    .optional(),
});

export type TrailguardConfig = z.infer<typeof configSchema>;
