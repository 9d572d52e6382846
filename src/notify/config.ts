/**
 * `notifications:` in trailguard.config.yaml: the channels, which findings go where, delivery
 * policy, de-duplication and storm summaries, message templates.
 *
 * Secret fields (webhook URLs, keys, passwords, signing secrets) accept `${env:NAME}`,
 * `${ssm:/path}` and `${secretsmanager:name#key}` references (see secrets.ts) and are never printed.
 */
import * as z from 'zod';
import { awsAccountIdSchema, awsRegionSchema } from '../config/aws-schemas.js';
import { SNS_TOPIC_ARN_PATTERN } from '../util/aws-names.js';
import { DECISION_STATUSES, SKIP_REASONS } from '../remediate/types.js';
import { SEVERITIES } from '../rules/types.js';
import { hasSecretReference } from './secrets.js';
import { compileNotifyTemplate, NotifyTemplateError } from './render/template.js';

const severity = z.enum(SEVERITIES);
export const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const channelName = z.string().regex(CHANNEL_NAME, 'must be a channel name (letters, digits, "_", "-", "."; at most 64)');

/** A value that may hold secret references; when it holds none it must already be valid. */
const secret = z.string().min(1);
const urlOrReference = z
  .string()
  .min(1)
  .refine((v) => hasSecretReference(v) || isHttpUrl(v), 'must be an http(s) URL or a ${env:...}/${ssm:...}/${secretsmanager:...} reference');
const endpointUrl = z.string().refine(isHttpUrl, 'must be an http(s) URL');
const email = z.email();
const awsRegion = awsRegionSchema();

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

const template = z.string().superRefine((value, ctx) => {
  try {
    compileNotifyTemplate(value);
  } catch (error) {
    if (!(error instanceof NotifyTemplateError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

export const templatesSchema = z.strictObject({
  /** One line: Slack header, e-mail and SNS subject, PagerDuty summary, OpsGenie message. */
  title: template.optional(),
  /** The sentence under the title. */
  summary: template.optional(),
});

export const deliverySchema = z.strictObject({
  /** Attempts before a delivery is marked failed (default 8). */
  maxAttempts: z.number().int().min(1).max(100).optional(),
  /** Per-attempt timeout (default 10). */
  timeoutSeconds: z.number().positive().max(300).optional(),
  /** Backoff: full jitter between 0 and min(maxBackoffSeconds, initialBackoffSeconds * 2^(attempt-1)) (defaults 2 and 300). */
  initialBackoffSeconds: z.number().positive().optional(),
  maxBackoffSeconds: z.number().positive().optional(),
  /** Deliveries in flight at once on one channel (default 4). */
  concurrency: z.number().int().min(1).max(64).optional(),
  /** Consecutive retryable failures that open the channel's circuit, and how long it stays open at first (defaults 5 and 30). */
  circuitBreakerFailures: z.number().int().min(1).optional(),
  circuitBreakerCooldownSeconds: z.number().positive().optional(),
});

export const dedupeSchema = z.strictObject({
  /** Findings with the same dedupe key within this window become one notification with a count; 0 turns it off (default 300). */
  windowSeconds: z.number().int().min(0).optional(),
});

export const stormSchema = z.strictObject({
  /**
   * Once this many notifications went out on a channel within the window, further findings join one summary per
   * window — never a critical one, nor one more severe than what the storm is mostly made of; 0 turns it off (default 20).
   * The window is on the findings' event times when logs are replayed (`scan --notify`, the backfill function).
   */
  threshold: z.number().int().min(0).optional(),
  /** The storm window (default 60). */
  windowSeconds: z.number().int().min(1).optional(),
});

export const rateLimitSchema = z.strictObject({
  /** Sustained sends per second. */
  perSecond: z.number().positive(),
  /** Sends allowed at once before the rate applies (default: max(1, perSecond)). */
  burst: z.number().int().min(1).optional(),
});

const common = {
  /** A disabled channel receives nothing (its pending deliveries wait). */
  enabled: z.boolean().optional(),
  templates: templatesSchema.optional(),
  delivery: deliverySchema.optional(),
  dedupe: dedupeSchema.optional(),
  storm: stormSchema.optional(),
  rateLimit: rateLimitSchema.optional(),
};

const severityMap = <T extends [string, ...string[]]>(values: T) => z.partialRecord(severity, z.enum(values));

export const slackChannelSchema = z.strictObject({
  type: z.literal('slack'),
  /** Incoming webhook URL (secret). */
  webhookUrl: urlOrReference,
  username: z.string().min(1).optional(),
  iconEmoji: z.string().regex(/^:[a-z0-9_+-]+:$/, 'must be an emoji code like :shield:').optional(),
  /** Text prepended for these severities, e.g. { critical: "<!here>" }. */
  mentions: z.partialRecord(severity, z.string().min(1)).optional(),
  ...common,
});

export const teamsChannelSchema = z.strictObject({
  type: z.literal('teams'),
  /** Workflows ("When a Teams webhook request is received") or legacy incoming webhook URL (secret). */
  webhookUrl: urlOrReference,
  ...common,
});

export const pagerDutyChannelSchema = z.strictObject({
  type: z.literal('pagerduty'),
  /** Events API v2 integration (routing) key (secret). */
  routingKey: secret,
  /** Events API v2 URL (default https://events.pagerduty.com/v2/enqueue; EU service region: https://events.eu.pagerduty.com/v2/enqueue; a proxy). */
  endpoint: endpointUrl.optional(),
  /** Change Events endpoint, for remediation notices (default: endpoint with /v2/enqueue → /v2/change/enqueue, else PagerDuty's). */
  changeEndpoint: endpointUrl.optional(),
  /** payload.source (default "aws:<account>:<region>" of the finding). */
  source: z.string().min(1).optional(),
  severityMap: severityMap(['critical', 'error', 'warning', 'info']).optional(),
  ...common,
});

const responder = z.union([
  z.strictObject({ type: z.enum(['team', 'user', 'escalation', 'schedule']), id: z.string().min(1) }),
  z.strictObject({ type: z.enum(['team', 'escalation', 'schedule']), name: z.string().min(1) }),
  z.strictObject({ type: z.literal('user'), username: z.string().min(1) }),
]);

export const opsGenieChannelSchema = z.strictObject({
  type: z.literal('opsgenie'),
  /** API integration key (secret), sent as "Authorization: GenieKey ...". */
  apiKey: secret,
  /** us → https://api.opsgenie.com, eu → https://api.eu.opsgenie.com (default us). */
  region: z.enum(['us', 'eu']).optional(),
  /** Base URL overriding the region (tests, proxies). */
  endpoint: endpointUrl.optional(),
  responders: z.array(responder).max(50).optional(),
  visibleTo: z.array(responder).max(50).optional(),
  tags: z.array(z.string().min(1).max(50)).max(10).optional(),
  priorityMap: severityMap(['P1', 'P2', 'P3', 'P4', 'P5']).optional(),
  ...common,
});

export const snsChannelSchema = z.strictObject({
  type: z.literal('sns'),
  topicArn: z.string().regex(SNS_TOPIC_ARN_PATTERN, 'must be an SNS topic ARN'),
  /** Default: the topic ARN's region. */
  region: awsRegion.optional(),
  endpoint: endpointUrl.optional(),
  ...common,
});

export const sesChannelSchema = z.strictObject({
  type: z.literal('ses'),
  /** A verified SES identity; "Name <address>" allowed. */
  from: z.string().min(3),
  to: z.array(email).min(1).max(50),
  cc: z.array(email).max(50).optional(),
  bcc: z.array(email).max(50).optional(),
  replyTo: z.array(email).max(10).optional(),
  configurationSet: z.string().min(1).optional(),
  region: awsRegion.optional(),
  endpoint: endpointUrl.optional(),
  ...common,
});

export const smtpChannelSchema = z.strictObject({
  type: z.literal('smtp'),
  host: z.string().min(1),
  /** Default 587 (STARTTLS); 465 implies implicit TLS. */
  port: z.number().int().min(1).max(65535).optional(),
  /** Implicit TLS (default: port 465). */
  secure: z.boolean().optional(),
  /** Refuse to send unless the server upgrades with STARTTLS (default true unless ignoreTLS). */
  requireTLS: z.boolean().optional(),
  /** Never STARTTLS (only for a local relay). */
  ignoreTLS: z.boolean().optional(),
  username: z.string().min(1).optional(),
  /** SMTP password (secret). */
  password: secret.optional(),
  from: z.string().min(3),
  to: z.array(email).min(1).max(50),
  cc: z.array(email).max(50).optional(),
  ...common,
});

export const webhookChannelSchema = z.strictObject({
  type: z.literal('webhook'),
  /** Receiver URL (treated as secret: it often embeds a token). */
  url: urlOrReference,
  /** HMAC-SHA256 key for the Standard Webhooks signature: "whsec_<base64>" or any string (secret). */
  signingSecret: secret.optional(),
  /** Extra headers, e.g. { Authorization: "Bearer ${env:TOKEN}" } (values treated as secret). */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name'), secret).optional(),
  ...common,
});

export const stdoutChannelSchema = z.strictObject({
  type: z.literal('stdout'),
  format: z.enum(['text', 'json']).optional(),
  stream: z.enum(['stdout', 'stderr']).optional(),
  ...common,
});

export const jsonlChannelSchema = z.strictObject({
  type: z.literal('jsonl'),
  /** Appended to, one notification per line; relative to the config file. */
  path: z.string().min(1),
  ...common,
});

export const channelSchema = z.discriminatedUnion('type', [
  slackChannelSchema,
  teamsChannelSchema,
  pagerDutyChannelSchema,
  opsGenieChannelSchema,
  snsChannelSchema,
  sesChannelSchema,
  smtpChannelSchema,
  webhookChannelSchema,
  stdoutChannelSchema,
  jsonlChannelSchema,
]);

const ruleIdPattern = z.string().regex(/^[a-z0-9*]+(?:-[a-z0-9*]+)*$/, 'must be a rule id, optionally with * wildcards');

export const routeSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** Every condition given must hold; a route without `match` takes every finding. */
  match: z
    .strictObject({
      minSeverity: severity.optional(),
      severities: z.array(severity).min(1).optional(),
      /** Rule ids; "*" matches any run of characters (e.g. "iam-*"). */
      rules: z.array(ruleIdPattern).min(1).optional(),
      excludeRules: z.array(ruleIdPattern).min(1).optional(),
      /** Any of these rule tags. */
      tags: z.array(z.string().min(1)).min(1).optional(),
      accounts: z.array(awsAccountIdSchema()).min(1).optional(),
      regions: z.array(z.string().min(1)).min(1).optional(),
    })
    .optional(),
  channels: z.array(channelName).min(1),
  /** Stop looking at later routes when this one matches (default false: a finding goes to every matching route's channels). */
  final: z.boolean().optional(),
});

export const awsSchema = z.strictObject({
  /** Default region for SNS/SES channels and SSM/Secrets Manager references. */
  region: awsRegion.optional(),
  /** Endpoint override for every AWS call of the notifier (e.g. a local emulator). */
  endpoint: endpointUrl.optional(),
});


/**
 * `notifications.remediation`: which remediation decisions are notified, and where.
 *
 * ```yaml
 * notifications:
 *   remediation:
 *     channels: inherit                  # default: the channels the finding's routes pick; or a list, e.g. [slack-secops]
 *     statuses: [executed, failed, pending-approval, dry-run, skipped]   # default: all
 *     skipReasons: [loop-guard, out-of-scope, tagged, allowlisted-principal, approval-expired, approval-rejected]
 *                                        # default: every reason but duplicate-event; [] = no SKIPPED notice
 * ```
 */
export const remediationNoticesSchema = z.strictObject({
  channels: z.union([z.literal('inherit'), z.array(channelName).min(1)]).optional(),
  /** [] notifies no decision at all. */
  statuses: z.array(z.enum(DECISION_STATUSES)).optional(),
  skipReasons: z.array(z.enum(SKIP_REASONS)).optional(),
});

export const notificationsConfigSchema = z
  .strictObject({
    channels: z.record(channelName, channelSchema),
    /** Which findings go where; without routes, every finding goes to every enabled channel. */
    routes: z.array(routeSchema).optional(),
    delivery: deliverySchema.optional(),
    dedupe: dedupeSchema.optional(),
    storm: stormSchema.optional(),
    templates: templatesSchema.optional(),
    aws: awsSchema.optional(),
    /** Remediation decisions as notifications (AUTO-MITIGATED, DRY-RUN, APPROVAL NEEDED, REMEDIATION FAILED, SKIPPED). */
    remediation: remediationNoticesSchema.optional(),
  })
  .superRefine((value, ctx) => {
    const names = new Set(Object.keys(value.channels));
    const known = (name: string, path: (string | number)[]) => {
      if (!names.has(name)) ctx.addIssue({ code: 'custom', path, message: `no channel named "${name}" (channels: ${[...names].join(', ') || 'none'})` });
    };
    value.routes?.forEach((route, i) => route.channels.forEach((name, j) => known(name, ['routes', i, 'channels', j])));
    const remediationChannels = value.remediation?.channels;
    if (Array.isArray(remediationChannels)) remediationChannels.forEach((name, j) => known(name, ['remediation', 'channels', j]));
  });

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;
export type ChannelConfig = z.infer<typeof channelSchema>;
export type ChannelType = ChannelConfig['type'];
export type RouteConfig = z.infer<typeof routeSchema>;
export type TemplatesConfig = z.infer<typeof templatesSchema>;
export type DeliveryConfig = z.infer<typeof deliverySchema>;
export type RemediationNoticesConfig = z.infer<typeof remediationNoticesSchema>;
