/**
 * The least-privilege IAM policy for the actions that are enabled: what the role trailguard acts with
 * (the deployment's Lambda role, or the role `assumeRole` names in each account) needs, and no more.
 *
 * Each action declares its permissions next to it (resource ARN patterns with ${Partition},
 * ${Account}, ${Region}); here they are resolved for the configured scope (accounts and regions when
 * the config names them, * otherwise) and merged: one statement per (purpose, resource set, condition).
 */
import { ACTIONS, getAction } from './actions/index.js';
import { partitionOfRegion as partitionOf } from '../util/aws-partition.js';
import type { RemediationConfig } from './config.js';
import { configuredActions } from './settings.js';
import type { PermissionSpec } from './types.js';

export interface IamPolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: IamPolicyStatement[];
}

export interface PolicyScope {
  accounts?: string[];
  regions?: string[];
  partition?: string;
}

export interface EnabledAction {
  actionId: string;
  options?: Record<string, unknown>;
}

function expand(pattern: string, scope: PolicyScope): string[] {
  if (pattern === '*') return ['*'];
  const partition = scope.partition ?? (scope.regions?.[0] ? partitionOf(scope.regions[0]) : 'aws');
  const accounts = scope.accounts && scope.accounts.length > 0 ? scope.accounts : ['*'];
  const regions = scope.regions && scope.regions.length > 0 ? scope.regions : ['*'];
  const out = new Set<string>();
  for (const account of pattern.includes('${Account}') ? accounts : ['']) {
    for (const region of pattern.includes('${Region}') ? regions : ['']) {
      out.add(pattern.replaceAll('${Partition}', partition).replaceAll('${Account}', account).replaceAll('${Region}', region));
    }
  }
  return [...out].sort();
}

function sidOf(text: string): string {
  return text.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toUpperCase());
}

/** The policy document for these actions (with their options) in this scope. */
export function buildIamPolicy(enabled: readonly EnabledAction[], scope: PolicyScope = {}): IamPolicyDocument {
  const merged = new Map<string, { purpose: string; actions: Set<string>; resources: string[]; condition?: PermissionSpec['condition']; owners: Set<string> }>();
  const seen = new Set<string>();
  for (const { actionId, options } of enabled) {
    const action = getAction(actionId);
    if (!action) throw new Error(`no remediation action ${actionId}`);
    const specs = action.permissionsFor ? action.permissionsFor(options ?? {}) : action.permissions;
    for (const spec of specs) {
      const resources = expand(spec.resource, scope);
      const key = `${spec.purpose}|${resources.join(',')}|${JSON.stringify(spec.condition ?? null)}`;
      const entry = merged.get(key) ?? { purpose: spec.purpose, actions: new Set<string>(), resources, ...(spec.condition ? { condition: spec.condition } : {}), owners: new Set<string>() };
      for (const a of spec.actions) entry.actions.add(a);
      entry.owners.add(actionId);
      merged.set(key, entry);
    }
    seen.add(actionId);
  }
  const statements: IamPolicyStatement[] = [];
  const sids = new Set<string>();
  for (const entry of merged.values()) {
    let sid = sidOf(`${entry.purpose === 'lookup' ? 'Read' : 'Remediate'} ${[...entry.actions].map((a) => a.split(':')[1] ?? a).slice(0, 2).join(' ')}`).slice(0, 100);
    for (let n = 2; sids.has(sid); n++) sid = `${sid.replace(/\d+$/, '')}${n}`;
    sids.add(sid);
    statements.push({ Sid: sid, Effect: 'Allow', Action: [...entry.actions].sort(), Resource: entry.resources, ...(entry.condition ? { Condition: entry.condition } : {}) });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** The actions the config enables (every rule's actions, whatever their mode: a dry-run still makes its lookups). */
export function enabledActions(config: RemediationConfig): EnabledAction[] {
  const out = new Map<string, EnabledAction>();
  for (const { entry } of configuredActions(config)) {
    const prior = out.get(entry.action);
    // The same action twice with different options: the union of what they need.
    out.set(entry.action, { actionId: entry.action, options: { ...(prior?.options ?? {}), ...(entry.options ?? {}) } });
  }
  return [...out.values()];
}

/** Every action (for `trailguard remediate policy --all`). */
export function allActions(): EnabledAction[] {
  return ACTIONS.map((a) => ({ actionId: a.id, options: a.id === 'cancel-key-deletion' ? { enable: true } : {} }));
}
