import { z } from 'zod';

/**
 * `store:` in trailguard.config.yaml — shared by every feature that keeps state (notification
 * outbox, remediation log). `path` is relative to the config file; default `.trailguard/trailguard.db`
 * under the working directory.
 */
export const storeConfigSchema = z.strictObject({
  path: z.string().min(1).optional(),
  /**
   * Delivered notifications older than this are purged when delivery runs (failed and pending ones
   * never are); default: kept. Re-scanning logs older than the retention may notify their findings again.
   */
  retainDeliveredDays: z.number().int().positive().optional(),
});

export type StoreConfig = z.infer<typeof storeConfigSchema>;
