import * as z from 'zod';

/**
 * `store:` in trailguard.config.yaml — shared by every feature that keeps state (findings, the notification
 * outbox, the remediation log and approvals). Local by default: an SQLite file at `path` (relative to the
 * config file; default `.trailguard/trailguard.db` under the working directory). With `dynamodb`, the
 * commands work on a deployed trailguard's table instead (e.g. `remediate approve` on a plan the deployed
 * remediate function holds, `notify status` of the deployed outbox).
 */
export const storeConfigSchema = z
  .strictObject({
    path: z.string().min(1).optional(),
    dynamodb: z
      .strictObject({
        table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name'),
        region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region like us-east-1').optional(),
        profile: z.string().min(1).optional(),
      })
      .optional(),
    /**
     * Delivered notifications older than this are purged when delivery runs (failed and pending ones
     * never are); default: kept. Re-scanning logs older than the retention may notify their findings again.
     */
    retainDeliveredDays: z.number().int().positive().optional(),
  })
  .refine((store) => store.path === undefined || store.dynamodb === undefined, { message: 'give path (a local SQLite store) or dynamodb (a deployed table), not both', path: ['dynamodb'] });

export type StoreConfig = z.infer<typeof storeConfigSchema>;
