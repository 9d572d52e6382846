/**
 * Does a trail record this event? Judged by running the trail's own event selectors (basic or advanced) against the
 * record, the same way the filters are judged: a write-only trail still records every gateway change, but not the
 * refused DescribeInstances that 4.1 must count.
 *
 * Basic selectors (EventSelector): an event is logged when it matches any selector; for management events that means
 * IncludeManagementEvents (default true), ReadWriteType (All / ReadOnly / WriteOnly, default All) against the record's
 * readOnly, and eventSource not in ExcludeManagementEventSources. Without any selector a trail logs all read and write
 * management events (the documented default, and what CloudTrail reports for a new trail).
 *
 * Advanced selectors: an event is logged when every field selector of some advanced selector holds. For trails the
 * management-event fields are eventCategory (required, Equals Management), readOnly and eventSource; the others are
 * evaluated generically (Equals / StartsWith / EndsWith: one value must hold; NotEquals / NotStartsWith /
 * NotEndsWith: none may).
 */
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import type { AdvancedEventSelector, AdvancedFieldSelector, BasicEventSelector, TrailSelectors } from './types.js';

export interface RecordedVerdict {
  recorded: boolean;
  /** Why not, in words: "records write-only management events". */
  why?: string;
}

export function trailRecords(selectors: TrailSelectors, record: CloudTrailRecord): RecordedVerdict {
  if (selectors.advanced.length > 0) return advancedRecords(selectors.advanced, record);
  return basicRecords(selectors.basic, record);
}

function isManagement(record: CloudTrailRecord): boolean {
  if (record.eventCategory !== undefined) return record.eventCategory === 'Management';
  return record.managementEvent !== false;
}

function basicRecords(selectors: readonly BasicEventSelector[], record: CloudTrailRecord): RecordedVerdict {
  if (!isManagement(record)) return { recorded: false, why: 'basic event selectors are judged for management events only' };
  if (selectors.length === 0) return { recorded: true };
  const reasons: string[] = [];
  for (const selector of selectors) {
    if (selector.IncludeManagementEvents === false) {
      reasons.push('does not include management events');
      continue;
    }
    const rw = selector.ReadWriteType ?? 'All';
    if (rw === 'ReadOnly' && record.readOnly !== true) {
      reasons.push('records read-only management events only');
      continue;
    }
    if (rw === 'WriteOnly' && record.readOnly === true) {
      reasons.push('records write-only management events only');
      continue;
    }
    if ((selector.ExcludeManagementEventSources ?? []).includes(record.eventSource)) {
      reasons.push(`excludes management events from ${record.eventSource}`);
      continue;
    }
    return { recorded: true };
  }
  return { recorded: false, why: [...new Set(reasons)].join('; ') };
}

function fieldValue(record: CloudTrailRecord, field: string): string | undefined {
  let value: unknown = record;
  for (const key of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'boolean' || typeof value === 'number' ? String(value) : undefined;
}

function fieldHolds(selector: AdvancedFieldSelector, value: string | undefined): boolean {
  const any = (values: string[] | undefined, test: (v: string) => boolean) => values === undefined || values.length === 0 || values.some(test);
  const none = (values: string[] | undefined, test: (v: string) => boolean) => values === undefined || !values.some(test);
  if (selector.Equals?.length && (value === undefined || !any(selector.Equals, (v) => v === value))) return false;
  if (selector.StartsWith?.length && (value === undefined || !any(selector.StartsWith, (v) => value.startsWith(v)))) return false;
  if (selector.EndsWith?.length && (value === undefined || !any(selector.EndsWith, (v) => value.endsWith(v)))) return false;
  if (value !== undefined) {
    if (!none(selector.NotEquals, (v) => v === value)) return false;
    if (!none(selector.NotStartsWith, (v) => value.startsWith(v))) return false;
    if (!none(selector.NotEndsWith, (v) => value.endsWith(v))) return false;
  }
  return true;
}

function describeField(selector: AdvancedFieldSelector): string {
  const parts: string[] = [];
  const ops: [keyof AdvancedFieldSelector, string][] = [
    ['Equals', '='],
    ['NotEquals', '!='],
    ['StartsWith', 'starts with'],
    ['NotStartsWith', 'does not start with'],
    ['EndsWith', 'ends with'],
    ['NotEndsWith', 'does not end with'],
  ];
  for (const [key, word] of ops) {
    const values = selector[key] as string[] | undefined;
    if (values?.length) parts.push(`${selector.Field ?? '?'} ${word} ${values.join('|')}`);
  }
  return parts.join(' and ');
}

function advancedRecords(selectors: readonly AdvancedEventSelector[], record: CloudTrailRecord): RecordedVerdict {
  const reasons: string[] = [];
  for (const selector of selectors) {
    const failing = (selector.FieldSelectors ?? []).find((field) => !fieldHolds(field, field.Field ? fieldValue(record, field.Field) : undefined));
    if (!failing) return { recorded: true };
    const name = selector.Name ? `"${selector.Name}"` : 'an advanced event selector';
    reasons.push(`${name} requires ${describeField(failing)}`);
  }
  return { recorded: false, why: reasons.length > 0 ? `no advanced event selector selects it (${reasons.join('; ')})` : 'it has no advanced event selector' };
}

/** Management-event probes for "records all read and write management events, excluding no source" (CIS 3.1 / CloudTrail.1). */
export function managementCoverageGaps(selectors: TrailSelectors): string[] {
  const probe = (eventSource: string, eventName: string, readOnly: boolean): CloudTrailRecord => ({
    eventTime: '2026-01-01T00:00:00Z',
    eventSource,
    eventName,
    readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    eventCategory: 'Management',
  });
  const probes: [string, CloudTrailRecord][] = [
    ['read management events', probe('ec2.amazonaws.com', 'DescribeInstances', true)],
    ['write management events', probe('ec2.amazonaws.com', 'RunInstances', false)],
    ['AWS KMS management events', probe('kms.amazonaws.com', 'DisableKey', false)],
    ['Amazon RDS Data API management events', probe('rdsdata.amazonaws.com', 'ExecuteStatement', false)],
  ];
  const gaps: string[] = [];
  for (const [what, record] of probes) {
    const verdict = trailRecords(selectors, record);
    if (!verdict.recorded) gaps.push(`does not record ${what} (${verdict.why ?? 'not selected'})`);
  }
  return gaps;
}
