/** Small helpers the single-call actions share. */
import type { CloudTrailRecord } from '../../cloudtrail/types.js';
import { executePlan } from '../execute.js';
import type { PlannedCall, PlanResult, RemediationAction, RemediationInput, ResourceRef } from '../types.js';

export function param(record: CloudTrailRecord, key: string): string | undefined {
  const params = record.requestParameters;
  const value = params && typeof params === 'object' ? (params as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function response(record: CloudTrailRecord, key: string): unknown {
  const r = record.responseElements;
  return r && typeof r === 'object' ? (r as Record<string, unknown>)[key] : undefined;
}

export function eventKey(record: CloudTrailRecord): string {
  return `${record.eventSource}:${record.eventName}`;
}

/** The skip for an event the action does not undo. */
export function notApplicable(action: Pick<RemediationAction, 'id' | 'triggers'>, record: CloudTrailRecord, why?: string): PlanResult {
  const undoes = action.triggers.events.map((e) => e.split(':')[1]).join(', ');
  return { kind: 'skip', reason: 'not-applicable', detail: why ?? `${action.id} undoes ${undoes}, not ${eventKey(record)}` };
}

export function by(input: RemediationInput): string {
  return input.actor.arn ?? input.actor.name;
}

export function singlePlan(
  actionId: string,
  calls: PlannedCall[],
  effect: { done: string; todo: string },
  resources: ResourceRef[],
  notes: string[] = [],
): PlanResult {
  return { kind: 'plan', plan: { actionId, calls, effect, kept: [], notes, resources } };
}

export const execute: RemediationAction['execute'] = (plan, clients) => executePlan(plan, clients);

/** The region in an ARN (arn:partition:service:region:account:...), if any. */
export function arnRegion(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts[3] ? parts[3] : undefined;
}

export function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts[4] ? parts[4] : undefined;
}

export function tagsFromList(list: unknown, key = 'Key', value = 'Value'): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(list)) for (const t of list as Array<Record<string, unknown>>) if (typeof t[key] === 'string') out[t[key] as string] = typeof t[value] === 'string' ? (t[value] as string) : '';
  return out;
}
