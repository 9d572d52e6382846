/**
 * What the remediation policy says, read without validating it again: the actions configured for a rule, the
 * defaults, durations. Kept apart from the config's schema (config.ts) so that what only reads a config that was
 * validated already — the deployed functions — never builds the schema.
 */
import { parseDuration } from '../util/duration.js';
import type { ActionEntry, IdentityEntry, RemediationConfig } from './config.js';

/** Milliseconds of a duration in the one syntax (util/duration.ts): "90s", "30m", "24h", "7d". */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new Error(`${text}: not a duration (90s, 30m, 24h, 7d)`);
  return ms;
}

/** The loop-guard identity when none is configured: sessions of the role trailguard is deployed with. */
export const DEFAULT_IDENTITY: IdentityEntry[] = [{ role: 'trailguard-remediation' }];
export const DEFAULT_APPROVAL_EXPIRY = '24h';
export const DEFAULT_SKIP_TAGS: Record<string, string> = { 'trailguard:ignore': '*' };

/** The actions configured for a rule, in order. */
export function actionEntriesFor(config: RemediationConfig, ruleId: string): ActionEntry[] {
  const value = config.rules?.[ruleId];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every configured (rule, action) pair. */
export function configuredActions(config: RemediationConfig): Array<{ ruleId: string; entry: ActionEntry }> {
  return Object.keys(config.rules ?? {}).flatMap((ruleId) => actionEntriesFor(config, ruleId).map((entry) => ({ ruleId, entry })));
}
