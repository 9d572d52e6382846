/**
 * Policy: from the config and an event, what an action may do. Scope (accounts, regions, resource
 * tags) and allowlisted principals are judged here; which security-group entries are allowed is
 * judged in security-group.ts. Pure functions; the tag lookup itself is the runner's.
 */
import type { Actor } from '../cloudtrail/types.js';
import type { ActionEntry, RemediationConfig, Scope } from './config.js';
import { DEFAULT_SKIP_TAGS } from './settings.js';
import { matchesArn } from './loop-guard.js';
import { globMatch } from '../util/glob.js';

export interface ScopeVerdict {
  inScope: boolean;
  detail?: string;
}

/** The global scope and the action's own (both must pass). */
function scopes(config: RemediationConfig, entry: ActionEntry): Scope[] {
  return [config.scope ?? {}, entry.scope ?? {}];
}

export function judgeAccountRegion(config: RemediationConfig, entry: ActionEntry, account: string, region: string): ScopeVerdict {
  for (const scope of scopes(config, entry)) {
    if (scope.accounts && !scope.accounts.includes(account)) return { inScope: false, detail: `account ${account || '(unknown)'} is not in scope (${scope.accounts.join(', ')})` };
    if (scope.excludeAccounts?.includes(account)) return { inScope: false, detail: `account ${account} is excluded` };
    if (scope.regions && !scope.regions.includes(region)) return { inScope: false, detail: `region ${region || '(unknown)'} is not in scope (${scope.regions.join(', ')})` };
    if (scope.excludeRegions?.includes(region)) return { inScope: false, detail: `region ${region} is excluded` };
  }
  return { inScope: true };
}

/** The allowlisted principal pattern the actor matches (their changes are never undone), or undefined. */
export function allowlistedPrincipal(config: RemediationConfig, entry: ActionEntry, actor: Actor): string | undefined {
  const patterns = [...(config.allowPrincipals ?? []), ...(entry.allowPrincipals ?? [])];
  return patterns.find((p) => matchesArn(p, actor.arn, actor.sessionIssuerArn));
}

export interface TagRules {
  skip: Record<string, string | string[]>;
  require: Record<string, string | string[]>;
}

/** The tag rules in force: the global skipTags (default `trailguard:ignore: "*"`) and requireTags, plus the action's. */
export function tagRules(config: RemediationConfig, entry: ActionEntry): TagRules {
  return {
    skip: { ...(config.scope?.skipTags ?? DEFAULT_SKIP_TAGS), ...(entry.scope?.skipTags ?? {}) },
    require: { ...(config.scope?.requireTags ?? {}), ...(entry.scope?.requireTags ?? {}) },
  };
}

export function hasTagRules(rules: TagRules): boolean {
  return Object.keys(rules.skip).length + Object.keys(rules.require).length > 0;
}

/** A tag value against the configured ones: "*" is any value, and a `*` within a value any run (src/util/glob.ts). */
function valueMatches(expected: string | string[], actual: string): boolean {
  const list = Array.isArray(expected) ? expected : [expected];
  return list.some((v) => globMatch(v, actual));
}

/** Why the tags put a resource out of bounds, or undefined when they do not. */
export function judgeTags(rules: TagRules, tags: Record<string, string>, resource: string): { reason: 'tagged' | 'out-of-scope'; detail: string } | undefined {
  for (const [key, expected] of Object.entries(rules.skip)) {
    const actual = tags[key];
    if (actual !== undefined && valueMatches(expected, actual)) return { reason: 'tagged', detail: `${resource} is tagged ${key}=${actual}` };
  }
  for (const [key, expected] of Object.entries(rules.require)) {
    const actual = tags[key];
    if (actual === undefined || !valueMatches(expected, actual)) return { reason: 'out-of-scope', detail: `${resource} lacks tag ${key}=${Array.isArray(expected) ? expected.join('|') : expected}` };
  }
  return undefined;
}
