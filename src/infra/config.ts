/**
 * `deploy:` in trailguard.config.yaml: how `trailguard synth` / `trailguard deploy` stand trailguard up in AWS.
 * Wired into src/config/schema.ts as `deploy: deployConfigSchema.optional()`. This file must stay free of
 * aws-cdk-lib imports: the root package entry loads the config schema.
 *
 * ```yaml
 * deploy:
 *   name: trailguard                 # prefix of every stack, rule, role and alarm name (default trailguard)
 *   account: '123456789012'          # the (central) account; required for organization mode
 *   region: eu-west-1                # home region: the store, the queues, the functions (default $AWS_REGION)
 *   regions: [us-east-1, eu-central-1]   # more regions whose CloudTrail events are forwarded to the home region
 *   organization:                    # a central security account receiving events of the whole organization
 *     id: o-a1b2c3d4e5
 *     memberRegions: [eu-west-1, us-east-1]   # where the member template (StackSet) is deployed; default region + regions
 *   backfill:                        # CloudTrail log files landing in the trail bucket, read by the backfill function
 *     bucket: my-cloudtrail-bucket
 *     prefix: org-trail              # the trail's S3 key prefix, if it has one
 *     kmsKeyArn: arn:aws:kms:eu-west-1:123456789012:key/...   # the trail's SSE-KMS key, if the files use one
 *   cisAlarms: { logGroupName: aws-cloudtrail-logs, email: secops@example.com }
 *   lambda: { memoryMb: 512, timeoutSeconds: 60, logRetentionDays: 90, architecture: arm64 }
 *   functions: { backfill: { timeoutSeconds: 300, memoryMb: 1024 } }
 *   alarms: { email: secops@example.com }   # or topicArn: an existing topic in the home region
 *   configParameter: /trailguard/config     # SSM parameter whose notifications/remediation replace the bundled ones
 *   tags: { team: secops }
 * ```
 */
import * as z from 'zod';
import { awsAccountIdSchema, awsRegionSchema } from '../config/aws-schemas.js';

const region = awsRegionSchema();
const account = awsAccountIdSchema();
const arn = (service: string, what: string) => z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be ${what} ARN`);

/** Lambda runtimes trailguard bundles for (nodejs22.x or newer: the bundle targets ES2022 and node:module's createRequire). */
export const LAMBDA_RUNTIMES = ['nodejs22.x', 'nodejs24.x', 'nodejs26.x'] as const;
export const DEFAULT_LAMBDA_RUNTIME = 'nodejs24.x';

/**
 * CloudWatch Logs retention values (days) accepted by PutRetentionPolicy / AWS::Logs::LogGroup RetentionInDays.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const functionSettingsSchema = z.strictObject({
  /** 128-10240 MB (default 512; backfill 1024). */
  memoryMb: z.number().int().min(128).max(10240).optional(),
  /** 1-900 s (default 60; backfill 300). The function's queue gets a visibility timeout of six times this. */
  timeoutSeconds: z.number().int().min(1).max(900).optional(),
  /** Reserved concurrency (default none: the account's unreserved pool). */
  reservedConcurrency: z.number().int().min(0).max(10000).optional(),
  /** Days the function's log group keeps its logs (default 90). */
  logRetentionDays: z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `must be one of ${LOG_RETENTION_DAYS.join(', ')}`)
    .optional(),
  /** arm64 (default) or x86_64. */
  architecture: z.enum(['arm64', 'x86_64']).optional(),
  runtime: z.enum(LAMBDA_RUNTIMES).optional(),
  /** For functions behind an SQS queue: the event source mapping's maximum concurrency, 2-1000 (default none). */
  maxConcurrency: z.number().int().min(2).max(1000).optional(),
});

export const deployConfigSchema = z
  .strictObject({
    /** Prefix of stack, rule, role, queue alarm names: letters, digits, hyphens; starts with a letter; at most 24 (default trailguard). */
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,23}$/, 'must start with a letter and hold only letters, digits and hyphens (at most 24)')
      .optional(),
    /** The account the (central) stack deploys to. Optional for one account (the credentials' account), required with organization. */
    account: account.optional(),
    /** Home region (default: $CDK_DEFAULT_REGION, $AWS_REGION, $AWS_DEFAULT_REGION). */
    region: region.optional(),
    /**
     * More regions: CloudTrail delivers an event to EventBridge in the region of the call (global services such as
     * IAM, STS and Organizations in us-east-1), so each of these gets a small stack forwarding the events the rules
     * can match to the home region.
     */
    regions: z.array(region).optional(),
    organization: z
      .strictObject({
        /** The AWS Organizations id (o-...): the central event bus admits principals of this organization only. */
        id: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id like o-a1b2c3d4e5'),
        /** Regions the member template is meant for (default: region + regions); the member remediation role is created in the first one. */
        memberRegions: z.array(region).min(1).optional(),
      })
      .optional(),
    backfill: z
      .strictObject({
        /** The bucket the trail delivers its log files to. */
        bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
        /** The trail's S3 key prefix (without the trailing slash), if it has one. */
        prefix: z
          .string()
          .regex(/^[^/].*[^/]$|^[^/]$/, 'must not start or end with "/"')
          .optional(),
        /** The KMS key the log files are encrypted with (SSE-KMS), if any: the backfill function gets kms:Decrypt on it. */
        kmsKeyArn: arn('kms', 'a KMS key').optional(),
        /**
         * Accounts whose log files to read: one notification per account with the prefix .../AWSLogs/[<org id>/]<account>/CloudTrail/,
         * which leaves the digest files (.../CloudTrail-Digest/) out at the source. Without it, one notification on
         * .../AWSLogs/ with suffix .json.gz, and the backfill function skips the digest files itself.
         */
        accounts: z.array(account).min(1).optional(),
        /** The organization trail's key layout, AWSLogs/<organization id>/<account>/ (default: organization.id when set, else none). */
        organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'must be an AWS Organizations id').optional(),
        /**
         * create (default): the stack adds the notification to the bucket (a CDK custom resource that keeps the bucket's
         * other notifications). manual: the stack only creates the queue and admits the bucket; you add the
         * notification yourself (the bucket is in another account, or its notifications are managed elsewhere).
         */
        notification: z.enum(['create', 'manual']).optional(),
        /** The bucket's account, when not the stack's (with notification: manual): the queue admits only that account's bucket. */
        bucketAccount: account.optional(),
      })
      .optional(),
    /** The CIS monitoring metric filters and alarms `trailguard audit --fix` writes, created by the stack on the trail's log group. */
    cisAlarms: z
      .strictObject({
        /** The CloudWatch Logs log group the trail delivers to (in the home region). */
        logGroupName: z.string().regex(/^[\w\-./#]{1,512}$/, 'must be a CloudWatch Logs log group name'),
        /** Metric namespace (default CloudTrailMetrics). */
        namespace: z.string().min(1).max(255).optional(),
        /** cis (default) or security-hub: which filter texts (see trailguard audit --fix --patterns). */
        patterns: z.enum(['cis', 'security-hub']).optional(),
        /** Notify this existing topic; default: the deployment's alarm topic. */
        topicArn: arn('sns', 'an SNS topic').optional(),
        /** Only these controls (rule ids of rules/cis/); default all fifteen. */
        only: z.array(z.string().min(1)).optional(),
      })
      .optional(),
    /** Defaults for every function. */
    lambda: functionSettingsSchema.optional(),
    /** Per-function settings over `lambda`. */
    functions: z
      .strictObject({
        detect: functionSettingsSchema.optional(),
        backfill: functionSettingsSchema.optional(),
        remediate: functionSettingsSchema.optional(),
        deliver: functionSettingsSchema.optional(),
      })
      .optional(),
    queues: z
      .strictObject({
        /** Receives before a message moves to the queue's dead-letter queue (default 5). */
        maxReceiveCount: z.number().int().min(1).max(1000).optional(),
        /** Seconds the detect function waits to fill a batch of 10 (default 2). */
        maxBatchingWindowSeconds: z.number().int().min(0).max(300).optional(),
        /** EventBridge target retries (default 185, EventBridge's own default) and maximum event age (default 86400). */
        targetRetryAttempts: z.number().int().min(0).max(185).optional(),
        targetMaxEventAgeSeconds: z.number().int().min(60).max(86400).optional(),
      })
      .optional(),
    /** Where the operational alarms (dead-letter queues, function errors and throttles) go: a new topic with this subscriber, or an existing topic. */
    alarms: z
      .strictObject({
        email: z.email().optional(),
        topicArn: arn('sns', 'an SNS topic').optional(),
      })
      .refine((a) => a.email === undefined || a.topicArn === undefined, { message: 'give email (a new topic) or topicArn (an existing one), not both', path: ['topicArn'] })
      .optional(),
    /** An SSM parameter (name, starting with /) holding trailguard.config.yaml text; its notifications and remediation sections replace the bundled ones at cold start. */
    configParameter: z.string().regex(/^\/[\w.\-/]{1,1010}$/, 'must be an SSM parameter name starting with /').optional(),
    /** Tags on every resource. */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
    /** Keep the store table when the stack is deleted (default true). */
    retainData: z.boolean().optional(),
  })
  .superRefine((deploy, ctx) => {
    if (deploy.organization && deploy.account === undefined) {
      ctx.addIssue({ code: 'custom', path: ['account'], message: 'required with organization: the central account the member accounts forward to' });
    }
    if (deploy.backfill?.bucketAccount !== undefined && deploy.backfill.notification !== 'manual') {
      ctx.addIssue({ code: 'custom', path: ['backfill', 'bucketAccount'], message: 'a bucket in another account cannot be configured by this stack: set notification: manual' });
    }
    const regions = deploy.regions ?? [];
    if (deploy.region && regions.includes(deploy.region)) {
      ctx.addIssue({ code: 'custom', path: ['regions'], message: `lists the home region ${deploy.region}: list only the other regions` });
    }
    if (new Set(regions).size !== regions.length) ctx.addIssue({ code: 'custom', path: ['regions'], message: 'lists a region twice' });
  });

export type DeployConfig = z.infer<typeof deployConfigSchema>;
export type FunctionSettings = z.infer<typeof functionSettingsSchema>;
