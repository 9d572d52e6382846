/**
 * Per-control batteries: the CloudTrail events a correct metric filter for the control must count, must not count, and
 * may count either way. A filter is judged only by what it does with these events, never by its text.
 *
 * Sources of the events:
 *  - the rule's own test records (rules/cis/<rule>.yaml): real-shaped, reviewed, and classified here by what the CIS
 *    control asks for (which is not always what the rule does: the rules add events CIS does not list and drop refused
 *    calls, so their expectations cannot be reused as they are);
 *  - one generated record per event name of the control, made from the rule's first test record with the eventName
 *    (and readOnly, errorCode) replaced, so every listed name is tested and a missing one can be named;
 *  - near misses: read-only calls of the same service and unrelated writes (must not count: an alarm on them fires on
 *    routine activity), refused and DryRun calls and same-named calls of other services (either).
 */
import type { CloudTrailRecord } from '../../cloudtrail/types.js';
import type { RuleDefinition } from '../../rules/types.js';
import type { BatteryCase } from '../types.js';
import type { EventListSpec, MonitoringControl } from './catalog.js';

export type RulesById = ReadonlyMap<string, RuleDefinition>;

const clone = <T>(value: T): T => structuredClone(value);

/** A copy of `template` with top-level fields replaced (undefined removes one). */
export function variant(template: CloudTrailRecord, overrides: Partial<Record<keyof CloudTrailRecord, unknown>> & Record<string, unknown>): CloudTrailRecord {
  const record = clone(template) as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete record[key];
    else record[key] = value;
  }
  return record as CloudTrailRecord;
}

let counter = 0;
/** Distinct, deterministic event ids for generated records (the battery is built once per run). */
function eventId(seed: string): string {
  let h = 0x811c9dc5;
  for (const c of `${seed}:${counter++}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}${hex.slice(0, 4)}`;
}

function ruleRecords(rule: RuleDefinition, which: 'match' | 'noMatch'): { name: string; record: CloudTrailRecord }[] {
  return (rule.tests?.[which] ?? []).flatMap((t) => (t.record ? [{ name: t.name, record: t.record }] : t.event?.detail ? [{ name: t.name, record: t.event.detail as CloudTrailRecord }] : []));
}

function requireRule(rules: RulesById, id: string): RuleDefinition {
  const rule = rules.get(id);
  if (!rule) throw new Error(`the audit needs rule ${id} from the built-in catalog, and it is not loaded`);
  return rule;
}

function templateOf(rule: RuleDefinition): CloudTrailRecord {
  const first = ruleRecords(rule, 'match')[0];
  if (!first) throw new Error(`rule ${rule.id} has no must-match test record to build its battery from`);
  return first.record;
}

/** The event names a rule's pattern pins (detail.eventName), for the advisory list. */
function ruleEventNames(rule: RuleDefinition): string[] {
  const detail = rule.match?.detail as Record<string, unknown> | undefined;
  const names = detail?.eventName;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}

export function buildBattery(control: MonitoringControl, rules: RulesById): BatteryCase[] {
  const rule = requireRule(rules, control.ruleId);
  switch (control.spec.kind) {
    case 'event-list':
      return eventListBattery(control.spec, rule);
    case 'unauthorized-api-calls':
      return unauthorizedBattery(rule, rules);
    case 'console-signin-without-mfa':
      return consoleWithoutMfaBattery(rule, rules);
    case 'root-account-usage':
      return rootBattery(rule);
    case 'console-auth-failures':
      return consoleFailuresBattery(rule);
  }
}

function eventListBattery(spec: EventListSpec, rule: RuleDefinition): BatteryCase[] {
  const template = templateOf(rule);
  const call = (eventName: string, extra: Record<string, unknown> = {}) =>
    variant(template, { eventSource: spec.eventSource, eventName, readOnly: false, errorCode: undefined, errorMessage: undefined, eventID: eventId(eventName), ...extra });
  const cases: BatteryCase[] = [];
  const retired = new Set(spec.retired?.names ?? []);
  for (const name of spec.required) cases.push({ label: name, record: call(name), expect: 'match' });
  for (const name of retired) cases.push({ label: name, record: call(name), expect: 'either', why: spec.retired!.why });
  const required = new Set(spec.required);
  for (const name of ruleEventNames(rule)) {
    if (required.has(name) || retired.has(name)) continue;
    cases.push({ label: name, record: call(name), expect: 'either', advisory: true, why: `not in the CIS list; trailguard's rule ${rule.id} counts it` });
  }
  for (const name of spec.readOnlyNeighbours) {
    cases.push({ label: `${name} (read-only)`, record: call(name, { readOnly: true }), expect: 'no-match', why: 'a read-only call: an alarm that counts it fires on routine activity' });
  }
  for (const name of spec.unrelatedWrites) {
    cases.push({ label: name, record: call(name), expect: 'no-match', why: `an unrelated ${spec.eventSource} write: an alarm that counts it fires on routine activity` });
  }
  for (const other of spec.otherSources ?? []) {
    cases.push({ label: `${other.eventName} from ${other.eventSource}`, record: call(other.eventName, { eventSource: other.eventSource }), expect: 'either', why: other.why });
  }
  const first = spec.required[0]!;
  cases.push({
    label: `${first} refused (AccessDenied)`,
    record: call(first, { errorCode: spec.eventSource === 'ec2.amazonaws.com' ? 'Client.UnauthorizedOperation' : 'AccessDenied', errorMessage: 'not authorized' }),
    expect: 'either',
    why: 'a refused attempt: CIS counts it, a filter that counts only successful calls is accepted (4.1 reports refusals)',
  });
  if (spec.eventSource === 'ec2.amazonaws.com') {
    cases.push({
      label: `${first} DryRun`,
      record: call(first, { errorCode: 'Client.DryRunOperation', errorMessage: 'Request would have succeeded, but DryRun flag is set.' }),
      expect: 'either',
      why: 'a DryRun changes nothing: CIS counts it, a filter that ignores it is accepted',
    });
  }
  for (const { name, record } of [...ruleRecords(rule, 'match'), ...ruleRecords(rule, 'noMatch')]) {
    cases.push({ label: name, ...classifyEventListRecord(spec, record, retired, rule) });
  }
  return cases;
}

function classifyEventListRecord(spec: EventListSpec, record: CloudTrailRecord, retired: ReadonlySet<string>, rule: RuleDefinition): Omit<BatteryCase, 'label'> {
  if (record.eventSource !== spec.eventSource) return { record, expect: 'either', why: `another service (${record.eventSource})` };
  if (record.errorCode !== undefined) return { record, expect: 'either', why: `a call that failed (${record.errorCode})` };
  if (spec.required.includes(record.eventName)) return { record, expect: 'match' };
  if (retired.has(record.eventName)) return { record, expect: 'either', why: spec.retired!.why };
  if (ruleEventNames(rule).includes(record.eventName)) return { record, expect: 'either', advisory: true, why: `not in the CIS list; trailguard's rule ${rule.id} counts it` };
  if (record.readOnly === true) return { record, expect: 'no-match', why: 'a read-only call' };
  return { record, expect: 'either', why: 'a neighbouring change CIS does not list' };
}

const isUnauthorized = (code: string | undefined) => code !== undefined && (code.endsWith('UnauthorizedOperation') || code.startsWith('AccessDenied'));
const isDelivery = (r: CloudTrailRecord) => r.sourceIPAddress === 'delivery.logs.amazonaws.com' || r.userIdentity?.invokedBy === 'delivery.logs.amazonaws.com';

function unauthorizedBattery(rule: RuleDefinition, rules: RulesById): BatteryCase[] {
  const cases: BatteryCase[] = [];
  const template = templateOf(rule);
  const ec2Write = templateOf(requireRule(rules, 'network-gateway-changes'));
  for (const { name, record } of [...ruleRecords(rule, 'match'), ...ruleRecords(rule, 'noMatch')]) {
    if (!isUnauthorized(record.errorCode)) {
      cases.push({ label: name, record, expect: 'no-match', why: 'not an authorization failure' });
    } else if (isDelivery(record) || record.eventName === 'HeadBucket') {
      cases.push({ label: name, record, expect: 'either', why: 'CIS v1.2.0 / Security Hub count it, CIS v1.4.0+ excludes it' });
    } else {
      cases.push({ label: name, record, expect: 'match' });
    }
  }
  cases.push({
    label: 'AccessDenied on iam:CreateUser by an assumed role',
    record: variant(template, {
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      readOnly: false,
      errorCode: 'AccessDenied',
      errorMessage: 'User: arn:aws:sts::123456789012:assumed-role/Deploy/deploy is not authorized to perform: iam:CreateUser',
      userIdentity: ec2Write.userIdentity,
      eventID: eventId('CreateUser'),
    }),
    expect: 'match',
  });
  cases.push({
    label: 'Client.UnauthorizedOperation by the log delivery service',
    record: variant(template, { sourceIPAddress: 'delivery.logs.amazonaws.com', userIdentity: { type: 'AWSService', invokedBy: 'delivery.logs.amazonaws.com' }, eventID: eventId('delivery') }),
    expect: 'either',
    why: 'CIS v1.2.0 counts it; the literal CIS v1.4.0 text counts it too (its exclusions guard only AccessDenied*); the grouped text does not',
  });
  cases.push({
    label: 'DryRun that would have succeeded (Client.DryRunOperation)',
    record: variant(ec2Write, { errorCode: 'Client.DryRunOperation', errorMessage: 'Request would have succeeded, but DryRun flag is set.', eventID: eventId('dryrun') }),
    expect: 'no-match',
    why: 'not an authorization failure',
  });
  return cases;
}

function consoleWithoutMfaBattery(rule: RuleDefinition, rules: RulesById): BatteryCase[] {
  const cases: BatteryCase[] = [];
  const records = [...ruleRecords(rule, 'match'), ...ruleRecords(rule, 'noMatch'), ...ruleRecords(requireRule(rules, 'console-auth-failures'), 'noMatch')];
  for (const { name, record } of records) {
    const mfa = (record.additionalEventData as Record<string, unknown> | null | undefined)?.MFAUsed;
    const success = (record.responseElements as Record<string, unknown> | null | undefined)?.ConsoleLogin === 'Success';
    if (record.eventName !== 'ConsoleLogin') cases.push({ label: name, record, expect: 'no-match', why: 'not a console sign-in' });
    else if (mfa === 'Yes') cases.push({ label: name, record, expect: 'no-match', why: 'MFA was used' });
    else if (success && record.userIdentity?.type === 'IAMUser') cases.push({ label: name, record, expect: 'match' });
    else cases.push({ label: name, record, expect: 'either', why: 'CIS v1.2.0 counts it, the SSO alternative of CIS v1.4.0 (Security Hub CloudWatch.3) does not' });
  }
  return cases;
}

function rootBattery(rule: RuleDefinition): BatteryCase[] {
  const cases: BatteryCase[] = [];
  for (const { name, record } of [...ruleRecords(rule, 'match'), ...ruleRecords(rule, 'noMatch')]) {
    const root = record.userIdentity?.type === 'Root';
    if (!root) cases.push({ label: name, record, expect: 'no-match', why: 'not the root user' });
    else if (record.userIdentity?.invokedBy !== undefined) cases.push({ label: name, record, expect: 'no-match', why: "an AWS service acting on root's behalf (CIS excludes invokedBy)" });
    else if (record.eventType === 'AwsServiceEvent') cases.push({ label: name, record, expect: 'no-match', why: 'a service event (CIS excludes AwsServiceEvent)' });
    else cases.push({ label: name, record, expect: 'match' });
  }
  const template = templateOf(rule);
  cases.push({
    label: 'Root call refused (AccessDenied)',
    record: variant(template, { errorCode: 'AccessDenied', errorMessage: 'denied by a service control policy', eventID: eventId('root-denied') }),
    expect: 'either',
    why: 'CIS counts it; a filter that counts only successful root calls is accepted',
  });
  return cases;
}

function consoleFailuresBattery(rule: RuleDefinition): BatteryCase[] {
  const cases: BatteryCase[] = [];
  for (const { name, record } of [...ruleRecords(rule, 'match'), ...ruleRecords(rule, 'noMatch')]) {
    const failed = (record.responseElements as Record<string, unknown> | null | undefined)?.ConsoleLogin === 'Failure';
    if (record.eventName !== 'ConsoleLogin') cases.push({ label: name, record, expect: 'no-match', why: 'not a console sign-in' });
    else if (record.errorMessage === 'Failed authentication') cases.push({ label: name, record, expect: 'match' });
    else if (failed) cases.push({ label: name, record, expect: 'either', why: 'a failure recorded with another message: CIS does not count it, trailguard does' });
    else cases.push({ label: name, record, expect: 'no-match', why: 'a successful sign-in' });
  }
  const template = templateOf(rule);
  cases.push({
    label: 'Sign-in failure for an unknown user name',
    record: variant(template, { errorMessage: 'No username found in supplied account', eventID: eventId('unknown-user') }),
    expect: 'either',
    why: 'a failure recorded with another message: CIS does not count it, trailguard does',
  });
  return cases;
}
