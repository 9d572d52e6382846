/**
 * The `remediation` section of trailguard.config.yaml (wired into src/config/schema.ts as
 * `remediation: remediationConfigSchema.optional()`).
 *
 * ```yaml
 * remediation:
 *   mode: dry-run                   # default for every action: dry-run | approve | enforce
 *   approvals: { expiresAfter: 24h }   # queueUrl: the deployed remediate function's queue (approve runs there)
 *   identity:                       # loop guard: never act on events made by these
 *     - { role: trailguard-remediation }
 *   scope:                          # every action; an action's own scope narrows it further
 *     accounts: ['123456789012']
 *     regions: [us-east-1, eu-west-1]
 *     skipTags: { 'trailguard:ignore': '*' }
 *   allowPrincipals: ['arn:aws:iam::123456789012:role/NetworkAdmins']   # their changes are never undone
 *   securityGroups:                 # what may stay, per group (or "default" for every group)
 *     sg-0123456789abcdef0:
 *       ingress: [{ cidr: 0.0.0.0/0, protocol: tcp, ports: 443 }]
 *   rules:
 *     security-group-ingress-open-to-world:
 *       action: revoke-security-group-ingress
 *       mode: enforce
 *     cloudtrail-disabled: { action: start-cloudtrail-logging, mode: approve }
 *     root-access-key-created:      # several actions for one rule: a list
 *       - { action: attach-deny-all-policy, mode: approve, options: { olderSessionsOnly: true } }
 * ```
 */
import * as z from 'zod';
import { parseDuration } from '../util/duration.js';
import { awsAccountIdSchema, awsRegionSchema } from '../config/aws-schemas.js';
import { parseCidr } from '../cloudtrail/cidr-coverage.js';
import { ACTION_IDS, getAction } from './actions/index.js';
import { parsePortSpec } from './security-group.js';
import { REMEDIATION_MODES } from './types.js';

const mode = z.enum(REMEDIATION_MODES);
const ruleId = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a rule id (lower-case words joined by hyphens)');
const account = awsAccountIdSchema();
const region = awsRegionSchema();
/** An ARN, with * wildcards, e.g. arn:aws:iam::123456789012:role/NetworkAdmins or arn:aws:sts::123456789012:assumed-role/Deploy/*. */
const principalPattern = z.string().regex(/^arn:[a-z*-]+:(iam|sts):[^:]*:[\d*]*:.+$/, 'must be an IAM or STS principal ARN (wildcards * allowed)');
/** tag key → "*" (any value), one value, or a list of values. */
const tagMatch = z.record(z.string().min(1), z.union([z.string(), z.array(z.string())]));

const duration = z.string().refine((text) => (parseDuration(text) ?? 0) > 0, 'must be a duration such as 90s, 30m, 24h or 7d');


export const scopeSchema = z.strictObject({
  accounts: z.array(account).optional(),
  excludeAccounts: z.array(account).optional(),
  regions: z.array(region).optional(),
  excludeRegions: z.array(region).optional(),
  /** Resources carrying one of these tags are never acted on (value "*" = any value). Needs a tag lookup. */
  skipTags: tagMatch.optional(),
  /** Only resources carrying all of these tags are acted on. Needs a tag lookup. */
  requireTags: tagMatch.optional(),
});

const allowEntry = z
  .strictObject({
    protocol: z.string().regex(/^(-1|all|tcp|udp|icmp|icmpv6|\d{1,3})$/i, 'must be tcp, udp, icmp, icmpv6, all, -1 or a protocol number').optional(),
    ports: z.union([z.number().int().min(0).max(65535), z.string()]).optional(),
    cidr: z.string().optional(),
    prefixList: z.string().regex(/^pl-[0-9a-f]+$/, 'must be a prefix list id (pl-...)').optional(),
    group: z.string().regex(/^sg-[0-9a-f]+$/, 'must be a security group id (sg-...)').optional(),
    description: z.string().optional(),
  })
  .superRefine((entry, ctx) => {
    const sources = [entry.cidr, entry.prefixList, entry.group].filter((s) => s !== undefined);
    if (sources.length !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of cidr, prefixList, group' });
    if (entry.cidr !== undefined) {
      const parsed = parseCidr(entry.cidr);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['cidr'], message: parsed.error });
    }
    if (entry.ports !== undefined) {
      try {
        parsePortSpec(entry.ports);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['ports'], message: (error as Error).message });
      }
    }
  });

const securityGroupAllowlist = z.strictObject({ ingress: z.array(allowEntry).optional(), egress: z.array(allowEntry).optional() });

const identityEntry = z
  .strictObject({
    /** A role name: sessions of this role are trailguard's. */
    role: z.string().min(1).optional(),
    /** With role: only sessions of that role with this session name. */
    session: z.string().min(1).optional(),
    /** An IAM user name. */
    user: z.string().min(1).optional(),
    /** A principal ARN pattern (session or role/user ARN), * wildcards. */
    arn: principalPattern.optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.role === undefined && entry.user === undefined && entry.arn === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give role, user or arn (a session name alone is chosen by the caller and proves nothing)' });
    }
  });

export type ActionEntry = z.infer<typeof actionEntrySchema>;

export const actionEntrySchema = z.strictObject({
  action: z.enum(ACTION_IDS),
  mode: mode.optional(),
  scope: scopeSchema.optional(),
  allowPrincipals: z.array(principalPattern).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

/**
 * rule id → one action entry, or a list of them. Validated entry by entry (rather than as a union) so a
 * mistake is reported at its own key (rules.x.mode), not as "invalid input" on the whole rule.
 */
const rulesSchema = z
  .record(ruleId, z.unknown())
  .superRefine((rules, ctx) => {
    for (const [rule, value] of Object.entries(rules)) {
      const entries = Array.isArray(value) ? value.map((v, i) => ({ v, path: [rule, i] })) : [{ v: value, path: [rule] }];
      for (const { v, path } of entries) {
        const parsed = actionEntrySchema.safeParse(v);
        if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [...path, ...(issue.path as Array<string | number>)], message: issue.message });
      }
    }
  })
  .transform((rules) => rules as Record<string, ActionEntry | ActionEntry[]>);

export const remediationConfigSchema = z
  .strictObject({
    mode: mode.optional(),
    identity: z.array(identityEntry).optional(),
    assumeRole: z
      .strictObject({
        roleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name'),
        externalId: z.string().min(2).optional(),
        sessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/, 'must be a role session name').optional(),
        localAccounts: z.array(account).optional(),
      })
      .optional(),
    approvals: z
      .strictObject({
        expiresAfter: duration.optional(),
        /**
         * The deployed remediate function's queue (the stack output RemediationQueueUrl). `remediate approve`
         * then hands the approval to the function, so the plan runs with its role — the one the member
         * accounts' remediation role trusts — instead of the credentials of whoever approves.
         */
        queueUrl: z.string().regex(/^https:\/\/sqs[.-][a-z0-9-]+\.amazonaws\.com(\.cn)?\/\d{12}\/[\w-]{1,80}$|^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/.+$/, 'must be an SQS queue URL').optional(),
      })
      .optional(),
    scope: scopeSchema.optional(),
    allowPrincipals: z.array(principalPattern).optional(),
    securityGroups: z.record(z.string().regex(/^(sg-[0-9a-f]+|default)$/, 'must be a security group id or "default"'), securityGroupAllowlist).optional(),
    rules: rulesSchema.optional(),
    /**
     * Retired: the remediation log and approvals live in the shared store (top-level `store.path`,
     * default .trailguard/trailguard.db), with the notification outbox. Still parsed, only to refuse it
     * with a message that says what to write instead.
     */
    store: z.unknown().optional(),
  })
  .superRefine((config, ctx) => {
    if (config.store !== undefined) {
      const value = typeof config.store === 'string' ? config.store : undefined;
      ctx.addIssue({
        code: 'custom',
        path: ['store'],
        message:
          'retired: the remediation log and approvals now live in the shared store with the notification outbox. ' +
          (value !== undefined
            ? `To keep using ${value}, make it the top-level store path — store: { path: ${JSON.stringify(value)} } — relative to the config file (its log and approvals are kept and read as they are); `
            : 'Set the top-level store path instead — store: { path: ... }; ') +
          'or delete this key to use .trailguard/trailguard.db',
      });
    }
    for (const [rule, value] of Object.entries(config.rules ?? {})) {
      const entries = Array.isArray(value) ? value : [value];
      const seen = new Set<string>();
      entries.forEach((entry, i) => {
        const path = Array.isArray(value) ? ['rules', rule, i] : ['rules', rule];
        if (seen.has(entry.action)) ctx.addIssue({ code: 'custom', path: [...path, 'action'], message: `${entry.action} is configured twice for ${rule}` });
        seen.add(entry.action);
        const action = getAction(entry.action);
        if (!action) return;
        if (entry.options !== undefined) {
          if (!action.optionsSchema) {
            ctx.addIssue({ code: 'custom', path: [...path, 'options'], message: `${entry.action} takes no options` });
            return;
          }
          const parsed = action.optionsSchema.safeParse(entry.options);
          if (!parsed.success) {
            for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [...path, 'options', ...(issue.path as Array<string | number>)], message: issue.message });
          }
        }
      });
    }
  });

export type RemediationConfig = z.infer<typeof remediationConfigSchema>;
export type Scope = z.infer<typeof scopeSchema>;
export type IdentityEntry = z.infer<typeof identityEntry>;
