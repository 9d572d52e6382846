/**
 * toEventBridgeEnvelope: a CloudTrail record as the event EventBridge delivers for it to a rule target, so the
 * same event pattern matches locally (files, CloudWatch Logs, LookupEvents) and in EventBridge.
 *
 * Sources:
 * - detail-type values: "AWS service events delivered via AWS CloudTrail", Amazon EventBridge User Guide
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html — it lists
 *   "AWS API Call via CloudTrail", "AWS Console Signin via CloudTrail" (spelled so in that page; the events
 *   EventBridge actually delivers for ConsoleLogin read "AWS Console Sign In via CloudTrail", which is what
 *   we emit), "AWS Console Action via CloudTrail", "AWS Service Event via CloudTrail" and
 *   "AWS Insight via CloudTrail".
 * - source: "aws." + the service; the per-service pages of the Amazon EventBridge Events Reference
 *   (https://docs.aws.amazon.com/eventbridge/latest/ref/events.html, e.g. events-ref-macie2.html:
 *   source aws.macie2 / eventSource macie2.amazonaws.com; events-ref-signin.html: aws.signin /
 *   signin.amazonaws.com; events-ref-ses.html: aws.ses / ses.amazonaws.com) name it after the first label of
 *   the eventSource host, which is our default. EVENTBRIDGE_SOURCE_EXCEPTIONS lists the hosts where that
 *   rule is known not to hold.
 * - envelope fields: version "0", time at second precision, resources [] for CloudTrail events (the
 *   record's own `resources` stay in detail).
 */
import type { CloudTrailRecord, EventBridgeEnvelope } from './types.js';

/** EventBridge detail-type for each CloudTrail eventType. */
export const DETAIL_TYPE_BY_EVENT_TYPE: Readonly<Record<string, string>> = Object.freeze({
  AwsApiCall: 'AWS API Call via CloudTrail',
  AwsConsoleSignIn: 'AWS Console Sign In via CloudTrail',
  AwsConsoleAction: 'AWS Console Action via CloudTrail',
  AwsServiceEvent: 'AWS Service Event via CloudTrail',
  AwsCloudTrailInsight: 'AWS Insight via CloudTrail',
});

/** detail-type for records without an eventType (old records) or with one EventBridge does not document. */
export const DEFAULT_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * eventSource hosts whose EventBridge `source` is not "aws." + the host's first label.
 *
 * - monitoring.amazonaws.com → aws.cloudwatch: CloudWatch's own events use source "aws.cloudwatch"
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
 *   NOTE: the generated EventBridge reference page events-ref-monitoring.html says "aws.monitoring" for both
 *   CloudWatch's own events and its CloudTrail events, which contradicts CloudWatch's documented alarm
 *   events; verify against a real delivered PutMetricAlarm event before relying on either.
 * - email.amazonaws.com → aws.ses: SES's endpoint host; SES events use source "aws.ses" (events-ref-ses.html).
 */
export const EVENTBRIDGE_SOURCE_EXCEPTIONS: Readonly<Record<string, string>> = Object.freeze({
  'monitoring.amazonaws.com': 'aws.cloudwatch',
  'email.amazonaws.com': 'aws.ses',
});

const sourceCache = new Map<string, string>();

/** EventBridge `source` for a CloudTrail eventSource host, e.g. `iam.amazonaws.com` → `aws.iam`. */
export function eventBridgeSource(eventSource: string): string {
  let s = sourceCache.get(eventSource);
  if (s !== undefined) return s;
  s = EVENTBRIDGE_SOURCE_EXCEPTIONS[eventSource];
  if (s === undefined) {
    const dot = eventSource.indexOf('.');
    s = 'aws.' + (dot > 0 ? eventSource.slice(0, dot) : eventSource);
  }
  if (sourceCache.size < 4096) sourceCache.set(eventSource, s);
  return s;
}

/** EventBridge detail-type for a CloudTrail eventType. */
export function eventBridgeDetailType(eventType: string | undefined): string {
  return (eventType !== undefined && DETAIL_TYPE_BY_EVENT_TYPE[eventType]) || DEFAULT_DETAIL_TYPE;
}

/** eventTime at second precision, as EventBridge's `time` ("2023-07-10T11:42:18Z"). */
export function eventBridgeTime(eventTime: string): string {
  // Fast path: already "YYYY-MM-DDTHH:MM:SSZ".
  if (eventTime.length === 20 && eventTime.charCodeAt(19) === 90 /* Z */) return eventTime;
  // "YYYY-MM-DDTHH:MM:SS.sssZ" (Logstash @timestamp) or other UTC fractions.
  if (eventTime.length > 20 && eventTime.charCodeAt(19) === 46 /* . */ && eventTime.charCodeAt(eventTime.length - 1) === 90) {
    return eventTime.slice(0, 19) + 'Z';
  }
  const ms = Date.parse(eventTime);
  if (Number.isNaN(ms)) return eventTime;
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

function hex32(h: number): string {
  return (HEX[(h >>> 24) & 255] ?? '') + (HEX[(h >>> 16) & 255] ?? '') + (HEX[(h >>> 8) & 255] ?? '') + (HEX[h & 255] ?? '');
}

/**
 * The envelope's id. EventBridge assigns each delivered event an id of its own; locally the id must be
 * stable across runs so findings deduplicate, and cheap, since every record gets an envelope. CloudTrail's
 * eventID is already a unique UUID, so it is the id. Records without one (rare) get a deterministic hash of
 * source, name, time and requestID: four FNV-1a lanes formatted as an RFC 9562 version-8 UUID.
 */
export function eventBridgeId(record: CloudTrailRecord): string {
  if (typeof record.eventID === 'string' && record.eventID !== '') return record.eventID;
  const key = `${record.eventSource}|${record.eventName}|${record.eventTime}|${typeof record.requestID === 'string' ? record.requestID : ''}`;
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  let c = 0x2545f491;
  let d = 0x6a09e667;
  const seed = 'eventbridge:';
  for (let i = 0; i < seed.length + key.length; i++) {
    const ch = i < seed.length ? seed.charCodeAt(i) : key.charCodeAt(i - seed.length);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x01000193);
    c = Math.imul(c ^ ch, 0x01000193);
    d = Math.imul(d ^ ch, 0x01000193);
    b ^= a >>> 13;
    c ^= b >>> 11;
    d ^= c >>> 7;
  }
  const h = hex32(a) + hex32(b) + hex32(c) + hex32(d);
  // 8-4-4-4-12, version digit 8, variant digit 8..b.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${'89ab'[(d >>> 28) & 3] ?? '8'}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The EventBridge event for a CloudTrail record. `detail` is the record object itself (not a copy).
 * Cheap enough to run for every record: a few property reads and one small object.
 */
export function toEventBridgeEnvelope(record: CloudTrailRecord): EventBridgeEnvelope {
  const ui = record.userIdentity;
  const account =
    typeof record.recipientAccountId === 'string' && record.recipientAccountId !== ''
      ? record.recipientAccountId
      : ui && typeof ui.accountId === 'string'
        ? ui.accountId
        : '';
  return {
    version: '0',
    id: eventBridgeId(record),
    'detail-type': eventBridgeDetailType(record.eventType),
    source: eventBridgeSource(record.eventSource),
    account,
    time: eventBridgeTime(record.eventTime),
    region: typeof record.awsRegion === 'string' ? record.awsRegion : '',
    resources: [],
    detail: record,
  };
}
