/**
 * decodeRecords: CloudTrail records out of whatever carried them, told apart by content (never by file name).
 *
 * Recognised inputs (nested in any order, up to MAX_DEPTH envelopes deep):
 * - gzip (magic bytes 1f 8b) or plain bytes/text; a UTF-8 byte-order mark is ignored
 * - CloudTrail log files `{"Records":[...]}` and CloudTrail digest files (skipped: they hold hashes, not events)
 * - EventBridge events whose detail-type ends in "via CloudTrail" (the record is `detail`)
 * - CloudWatch Logs subscription payloads: the Lambda form `{"awslogs":{"data":"<base64 gzip>"}}` and the
 *   decoded form `{messageType, logGroup, logEvents:[{message}]}`; CONTROL_MESSAGE is skipped
 * - SNS notifications `{Type:"Notification", Message}`, Lambda SNS events, Lambda SQS events,
 *   `aws sqs receive-message` output, Lambda Kinesis and Firehose events (base64 data), `aws cloudtrail
 *   lookup-events` output (`Events[].CloudTrailEvent`), `aws logs filter-log-events` output
 * - S3 event notifications and CloudTrail log-delivery notifications: rejected (`unknown-envelope`) with the
 *   bucket and key, because they point at an object that must be fetched
 * - JSON Lines (one record or envelope per line), concatenated JSON values (Firehose output), JSON arrays,
 *   a bare record
 *
 * Nothing throws: broken input becomes rejects, and every record of the input is either in `records` or
 * counted by a reject. Speed: one JSON.parse per document, records are the parsed objects themselves (never
 * copied), validation is a few typeof checks.
 */
import { constants as bufferConstants } from 'node:buffer';
import { constants as zconst, gunzipSync } from 'node:zlib';
import {
  byteOffsetOf,
  countRecordKeys,
  findJsonError,
  findValueEnd,
  lineColumn,
  salvageElements,
  skipWs,
} from './json-scan.js';
import type { CloudTrailRecord, DecodeResult, DecodedRecord, RecordLocation, Reject, RejectKind } from './types.js';

export interface DecodeOptions {
  /** Label for locations: a file path, `-` for stdin, or anything meaningful to the caller. Default `<input>`. */
  source?: string;
}

/** Deepest envelope nesting followed (SQS → SNS → EventBridge → record is 3). */
export const MAX_DEPTH = 8;

type Env = readonly string[] | undefined;

interface Ctx {
  source: string;
  records: DecodedRecord[];
  rejects: Reject[];
  depth: number;
}

type Obj = Record<string, unknown>;

/** Every "<...> via CloudTrail" detail-type EventBridge uses for CloudTrail events. */
export const CLOUDTRAIL_DETAIL_TYPE_SUFFIX = 'via CloudTrail';

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array (${v.length} elements)`;
  switch (typeof v) {
    case 'string':
      return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)})`;
    case 'number':
      return `a number (${v})`;
    case 'boolean':
      return `a boolean (${v})`;
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

function keysOf(o: Obj): string {
  const k = Object.keys(o);
  if (k.length === 0) return 'no keys';
  const shown = k.slice(0, 8).map((x) => JSON.stringify(x)).join(', ');
  return k.length > 8 ? `keys ${shown}, … (${k.length} keys)` : `keys ${shown}`;
}

function push(env: Env, name: string): readonly string[] {
  return env ? [...env, name] : [name];
}

function loc(ctx: Ctx, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): RecordLocation {
  return { source: ctx.source, index, line, offset, envelope: env as string[] | undefined };
}

function reject(
  ctx: Ctx,
  kind: RejectKind,
  reason: string,
  location: RecordLocation,
  extra?: { skipped?: boolean; count?: number; bytes?: number },
): void {
  const r: Reject = { kind, reason, location };
  if (extra) {
    if (extra.skipped) r.skipped = true;
    if (extra.count !== undefined) r.count = extra.count;
    if (extra.bytes !== undefined) r.bytes = extra.bytes;
  }
  ctx.rejects.push(r);
}


// ---------------------------------------------------------------------------------------------------------
// Records

/**
 * Validate one candidate CloudTrail record and add it to the records, or reject it with the precise problem.
 * Evaluable: string eventSource and eventName, and a string eventTime — or, for the Logstash-shaped variant
 * that replaced it, a string `@timestamp`, which then becomes eventTime (the record is otherwise untouched).
 */
function checkRecord(ctx: Ctx, o: Obj, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): void {
  const es = o.eventSource;
  const en = o.eventName;
  const et = o.eventTime;
  if (typeof es === 'string' && typeof en === 'string' && typeof et === 'string' && es !== '' && en !== '' && et !== '') {
    ctx.records.push({ record: o as CloudTrailRecord, location: { source: ctx.source, index, line, offset, envelope: env as string[] | undefined } });
    return;
  }
  if (et === undefined && typeof es === 'string' && typeof en === 'string' && es !== '' && en !== '') {
    const ts = o['@timestamp'];
    if (typeof ts === 'string' && ts !== '') {
      o.eventTime = ts;
      ctx.records.push({ record: o as CloudTrailRecord, location: { source: ctx.source, index, line, offset, envelope: env as string[] | undefined } });
      return;
    }
  }
  const problems: string[] = [];
  const field = (name: string, v: unknown): void => {
    if (v === undefined) problems.push(`missing ${name}`);
    else if (typeof v !== 'string') problems.push(`${name} is ${describe(v)}, expected a string`);
    else if (v === '') problems.push(`${name} is empty`);
  };
  field('eventSource', es);
  field('eventName', en);
  if (et === undefined) {
    const ts = o['@timestamp'];
    if (ts === undefined) problems.push('missing eventTime (and no @timestamp)');
    else if (typeof ts !== 'string' || ts === '') problems.push(`missing eventTime, and @timestamp is ${describe(ts)}`);
  } else field('eventTime', et);
  const what = typeof en === 'string' && en !== '' ? ` (eventName ${JSON.stringify(en)})` : '';
  reject(ctx, 'invalid-record', `not an evaluable CloudTrail record${what}: ${problems.join('; ')}`, loc(ctx, env, index, line, offset), { count: 1 });
}

function looksLikeRecord(o: Obj): boolean {
  return (
    o.eventSource !== undefined ||
    o.eventName !== undefined ||
    o.eventTime !== undefined ||
    o['@timestamp'] !== undefined ||
    o.eventVersion !== undefined ||
    o.userIdentity !== undefined ||
    o.eventID !== undefined
  );
}

// ---------------------------------------------------------------------------------------------------------
// Values (parsed JSON) → records / rejects. Returns the name of the recognised format.

function decodeValue(ctx: Ctx, v: unknown, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): string {
  if (Array.isArray(v)) {
    ctx.depth++;
    if (ctx.depth > MAX_DEPTH) {
      ctx.depth--;
      reject(ctx, 'unknown-envelope', `JSON arrays nested deeper than ${MAX_DEPTH} levels: not a CloudTrail container`, loc(ctx, env, index, line, offset), { count: v.length });
      return 'json-array';
    }
    for (let i = 0; i < v.length; i++) decodeValue(ctx, v[i], env, i, line, offset);
    ctx.depth--;
    return 'json-array';
  }
  if (!isObj(v)) {
    reject(ctx, 'unknown-envelope', `${describe(v)} is not a CloudTrail record or a known envelope`, loc(ctx, env, index, line, offset), { count: 1 });
    return 'unknown';
  }
  const recs = v.Records;
  if (recs !== undefined) {
    if (Array.isArray(recs)) return decodeRecordsArray(ctx, recs, env, line, offset);
    reject(ctx, 'unknown-envelope', `"Records" is ${describe(recs)}, expected an array of records`, loc(ctx, env, index, line, offset));
    return 'unknown';
  }
  const dt = v['detail-type'];
  if (typeof dt === 'string') return decodeEventBridge(ctx, v, dt, env, index, line, offset);
  const es = v.eventSource;
  if (typeof es === 'string' && es.startsWith('aws:')) {
    // A lone element of a Lambda event (SQS message, S3 notification, Kinesis record).
    return decodeAwsElement(ctx, v, es, env, index, line, offset);
  }
  if (v.EventSource === 'aws:sns') return decodeSnsRecord(ctx, v, env, index, line, offset);
  if (es !== undefined || v.eventName !== undefined || v.eventTime !== undefined || v['@timestamp'] !== undefined) {
    checkRecord(ctx, v, env, index, line, offset);
    return 'cloudtrail-record';
  }
  return decodeOtherEnvelope(ctx, v, env, index, line, offset);
}

function decodeRecordsArray(ctx: Ctx, recs: unknown[], env: Env, line: number | undefined, offset: number | undefined): string {
  let format = 'cloudtrail-log-file';
  const first = recs[0];
  if (isObj(first)) {
    const es = first.eventSource;
    if (first.EventSource === 'aws:sns') format = 'sns-lambda-event';
    else if (es === 'aws:sqs') format = 'sqs-lambda-event';
    else if (es === 'aws:s3') format = 's3-event-notification';
    else if (es === 'aws:kinesis') format = 'kinesis-lambda-event';
    else if (typeof es === 'string' && es.startsWith('aws:')) format = 'lambda-event';
  }
  for (let i = 0; i < recs.length; i++) {
    const el = recs[i];
    if (isObj(el)) {
      const es = el.eventSource;
      if (typeof es === 'string' && es.charCodeAt(3) === 58 && es.startsWith('aws:')) decodeAwsElement(ctx, el, es, env, i, line, offset);
      else if (el.EventSource === 'aws:sns') decodeSnsRecord(ctx, el, env, i, line, offset);
      else checkRecord(ctx, el, env, i, line, offset);
    } else {
      reject(ctx, 'invalid-record', `Records[${i}] is ${describe(el)}, not a record object`, loc(ctx, env, i, line, offset), { count: 1 });
    }
  }
  return format;
}

function nested(ctx: Ctx, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): boolean {
  if (ctx.depth >= MAX_DEPTH) {
    reject(ctx, 'unknown-envelope', `envelopes nested deeper than ${MAX_DEPTH} levels (${(env ?? []).join(' → ')}): not followed further`, loc(ctx, env, index, line, offset));
    return false;
  }
  return true;
}

/** A JSON document carried as a string inside an envelope (SNS Message, SQS body, CloudWatch Logs message...). */
function decodeEmbedded(ctx: Ctx, s: unknown, what: string, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): void {
  if (typeof s !== 'string') {
    reject(ctx, 'invalid-record', `${what} is ${s === undefined ? 'missing' : describe(s)}, expected a JSON string`, loc(ctx, env, index, line, offset), { count: 1 });
    return;
  }
  if (!nested(ctx, env, index, line, offset)) return;
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    const err = findJsonError(s);
    const lc = err ? lineColumn(s, err.offset) : undefined;
    const at = err && lc ? ` at line ${lc.line}, column ${lc.column}: ${err.message}` : '';
    const k = s.trim() === '' ? 'empty' : `${JSON.stringify(s.length > 60 ? s.slice(0, 60) + '…' : s)}`;
    reject(ctx, 'invalid-json', `${what} is not valid JSON${at} (${k})`, loc(ctx, env, index, line, offset), { count: Math.max(1, countRecordKeys(s, 0, s.length)) });
    return;
  }
  ctx.depth++;
  decodeValue(ctx, v, env, index, line, offset);
  ctx.depth--;
}

/** Bytes carried base64-encoded inside an envelope (CloudWatch Logs `awslogs.data`, Kinesis, Firehose). */
function decodeBase64(ctx: Ctx, data: unknown, what: string, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): void {
  if (typeof data !== 'string') {
    reject(ctx, 'invalid-record', `${what} is ${data === undefined ? 'missing' : describe(data)}, expected base64 data`, loc(ctx, env, index, line, offset), { count: 1 });
    return;
  }
  if (!nested(ctx, env, index, line, offset)) return;
  const buf = Buffer.from(data, 'base64');
  ctx.depth++;
  decodeBytes(ctx, buf, env, index, what);
  ctx.depth--;
}

function decodeAwsElement(ctx: Ctx, el: Obj, es: string, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): string {
  switch (es) {
    case 'aws:sqs':
      decodeEmbedded(ctx, el.body, 'SQS message body', push(env, 'sqs'), index, line, offset);
      return 'sqs-lambda-event';
    case 'aws:kinesis': {
      const k = el.kinesis;
      decodeBase64(ctx, isObj(k) ? k.data : undefined, 'Kinesis record data', push(env, 'kinesis'), index, line, offset);
      return 'kinesis-lambda-event';
    }
    case 'aws:s3': {
      const s3 = isObj(el.s3) ? el.s3 : {};
      const bucket = isObj(s3.bucket) && typeof s3.bucket.name === 'string' ? s3.bucket.name : '?';
      const key = isObj(s3.object) && typeof s3.object.key === 'string' ? s3Key(s3.object.key) : '?';
      const name = typeof el.eventName === 'string' ? el.eventName : 'event';
      reject(
        ctx,
        'unknown-envelope',
        `S3 event notification (${name}) for s3://${bucket}/${key}: it points at an object and holds no CloudTrail record; fetch the object and decode it`,
        loc(ctx, env, index, line, offset),
      );
      return 's3-event-notification';
    }
    default:
      reject(ctx, 'unknown-envelope', `Lambda event record from ${es} is not a CloudTrail record or a supported envelope`, loc(ctx, env, index, line, offset), { count: 1 });
      return 'lambda-event';
  }
}

/** S3 event notifications carry object keys URL-encoded (spaces as '+'); show the key as stored. */
function s3Key(k: string): string {
  try {
    return decodeURIComponent(k.replace(/\+/g, ' '));
  } catch {
    return k;
  }
}

function decodeSnsRecord(ctx: Ctx, el: Obj, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): string {
  const sns = el.Sns;
  decodeEmbedded(ctx, isObj(sns) ? sns.Message : undefined, 'SNS Message', push(env, 'sns'), index, line, offset);
  return 'sns-lambda-event';
}

function decodeEventBridge(ctx: Ctx, v: Obj, dt: string, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): string {
  const e = push(env, 'eventbridge');
  if (dt.endsWith(CLOUDTRAIL_DETAIL_TYPE_SUFFIX)) {
    const d = v.detail;
    if (isObj(d)) checkRecord(ctx, d, e, index, line, offset);
    else reject(ctx, 'invalid-record', `EventBridge "${dt}" event has ${d === undefined ? 'no detail' : `a detail that is ${describe(d)}`}; the CloudTrail record should be its detail object`, loc(ctx, e, index, line, offset), { count: 1 });
    return 'eventbridge-event';
  }
  const src = typeof v.source === 'string' ? v.source : '?';
  reject(
    ctx,
    'unknown-envelope',
    `EventBridge event from ${src} with detail-type ${JSON.stringify(dt)} is not a CloudTrail event (CloudTrail events have a detail-type ending in "via CloudTrail")`,
    loc(ctx, e, index, line, offset),
    { count: 0 },
  );
  return 'eventbridge-event';
}

function decodeCloudWatchLogs(ctx: Ctx, v: Obj, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): string {
  const e = push(env, 'cloudwatch-logs');
  const mt = v.messageType;
  const events = v.logEvents;
  if (mt === 'CONTROL_MESSAGE') {
    const first = Array.isArray(events) && isObj(events[0]) && typeof events[0].message === 'string' ? `: ${JSON.stringify(events[0].message)}` : '';
    reject(ctx, 'control-message', `CloudWatch Logs CONTROL_MESSAGE (a health check of the subscription destination, holds no log events)${first}`, loc(ctx, e, index, line, offset), {
      skipped: true,
      count: 0,
    });
    return 'cloudwatch-logs-control-message';
  }
  if (!Array.isArray(events)) {
    reject(ctx, 'unknown-envelope', `CloudWatch Logs ${typeof mt === 'string' ? mt : 'payload'} has no logEvents array`, loc(ctx, e, index, line, offset));
    return 'cloudwatch-logs-subscription';
  }
  const group = typeof v.logGroup === 'string' ? ` of log group ${v.logGroup}` : '';
  for (let i = 0; i < events.length; i++) {
    const ev = events[i];
    decodeEmbedded(ctx, isObj(ev) ? ev.message : undefined, `logEvents[${i}].message${group}`, e, i, line, offset);
  }
  return 'cloudwatch-logs-subscription';
}

function decodeDigest(ctx: Ctx, v: Obj, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): string {
  const files = Array.isArray(v.logFiles) ? v.logFiles.length : undefined;
  const span = typeof v.digestStartTime === 'string' && typeof v.digestEndTime === 'string' ? ` for ${v.digestStartTime} to ${v.digestEndTime}` : '';
  const obj = typeof v.digestS3Object === 'string' ? ` (${v.digestS3Object})` : '';
  reject(
    ctx,
    'digest-file',
    `CloudTrail digest file${span}${obj}: it lists ${files ?? 'the'} log file${files === 1 ? '' : 's'} with their hashes for log file integrity validation and holds no events; skipped`,
    loc(ctx, env, index, line, offset),
    { skipped: true, count: 0 },
  );
  return 'cloudtrail-digest-file';
}

function decodeOtherEnvelope(ctx: Ctx, v: Obj, env: Env, index: number | undefined, line: number | undefined, offset: number | undefined): string {
  const aws = v.awslogs;
  if (isObj(aws) && aws.data !== undefined) {
    decodeBase64(ctx, aws.data, 'awslogs.data', env, index, line, offset);
    return 'cloudwatch-logs-lambda';
  }
  if (typeof v.messageType === 'string' || (Array.isArray(v.logEvents) && typeof v.logGroup === 'string')) return decodeCloudWatchLogs(ctx, v, env, index, line, offset);
  const type = v.Type;
  if (typeof type === 'string' && typeof v.Message === 'string' && (v.TopicArn !== undefined || v.MessageId !== undefined)) {
    if (type === 'Notification') {
      decodeEmbedded(ctx, v.Message, 'SNS Message', push(env, 'sns'), index, line, offset);
      return 'sns-notification';
    }
    reject(ctx, 'control-message', `SNS ${type} message (subscription handshake, holds no record)`, loc(ctx, push(env, 'sns'), index, line, offset), { skipped: true, count: 0 });
    return 'sns-notification';
  }
  if (typeof v.digestStartTime === 'string' || typeof v.digestEndTime === 'string' || (Array.isArray(v.logFiles) && v.previousDigestSignature !== undefined)) {
    return decodeDigest(ctx, v, env, index, line, offset);
  }
  if (Array.isArray(v.Events)) {
    const e = push(env, 'lookup-events');
    const evs = v.Events;
    for (let i = 0; i < evs.length; i++) {
      const ev = evs[i];
      decodeEmbedded(ctx, isObj(ev) ? ev.CloudTrailEvent : undefined, `Events[${i}].CloudTrailEvent`, e, i, line, offset);
    }
    return 'cloudtrail-lookup-events';
  }
  if (Array.isArray(v.Messages)) {
    const e = push(env, 'sqs');
    const ms = v.Messages;
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i];
      decodeEmbedded(ctx, isObj(m) ? m.Body : undefined, `Messages[${i}].Body`, e, i, line, offset);
    }
    return 'sqs-receive-message';
  }
  if (Array.isArray(v.records) && (typeof v.deliveryStreamArn === 'string' || typeof v.invocationId === 'string')) {
    const e = push(env, 'firehose');
    const rs = v.records;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      decodeBase64(ctx, isObj(r) ? r.data : undefined, `records[${i}].data`, e, i, line, offset);
    }
    return 'firehose-lambda-event';
  }
  if (Array.isArray(v.events) && (v.searchedLogStreams !== undefined || (isObj(v.events[0]) && typeof v.events[0].message === 'string'))) {
    const e = push(env, 'cloudwatch-logs');
    const evs = v.events;
    for (let i = 0; i < evs.length; i++) {
      const ev = evs[i];
      decodeEmbedded(ctx, isObj(ev) ? ev.message : undefined, `events[${i}].message`, e, i, line, offset);
    }
    return 'cloudwatch-logs-events';
  }
  if (typeof v.s3Bucket === 'string' && v.s3ObjectKey !== undefined) {
    const keys = Array.isArray(v.s3ObjectKey) ? v.s3ObjectKey : [v.s3ObjectKey];
    const shown = keys.slice(0, 3).map((k) => `s3://${String(v.s3Bucket)}/${String(k)}`).join(', ');
    reject(
      ctx,
      'unknown-envelope',
      `CloudTrail log-delivery notification: CloudTrail delivered ${keys.length} log file${keys.length === 1 ? '' : 's'} (${shown}${keys.length > 3 ? ', …' : ''}); it holds no records: fetch the object${keys.length === 1 ? '' : 's'} and decode ${keys.length === 1 ? 'it' : 'them'}`,
      loc(ctx, env, index, line, offset),
    );
    return 'cloudtrail-delivery-notification';
  }
  if (v.Event === 's3:TestEvent') {
    const b = typeof v.Bucket === 'string' ? ` for bucket ${v.Bucket}` : '';
    reject(ctx, 'control-message', `Amazon S3 s3:TestEvent${b} (sent when an event notification is configured, holds no record)`, loc(ctx, env, index, line, offset), {
      skipped: true,
      count: 0,
    });
    return 's3-test-event';
  }
  if (looksLikeRecord(v)) {
    checkRecord(ctx, v, env, index, line, offset);
    return 'cloudtrail-record';
  }
  // An object holding arrays of record-like objects under an unexpected key (e.g. a damaged "Records" key).
  let held = 0;
  for (const k in v) {
    const a = v[k];
    if (Array.isArray(a) && a.length > 0 && isObj(a[0]) && looksLikeRecord(a[0])) held += a.length;
  }
  reject(
    ctx,
    'unknown-envelope',
    `object with ${keysOf(v)} is neither a CloudTrail record (no eventSource, eventName, eventTime) nor a known envelope${held > 0 ? `; it holds ${held} record-like objects under other keys` : ''}`,
    loc(ctx, env, index, line, offset),
    { count: held > 0 ? held : 1 },
  );
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------------------
// Text → values

/** A JSON Lines line qualifies when it is a complete JSON object (or array of objects) on its own. */
function lineIsJsonObject(s: string): boolean {
  const i = skipWs(s, 0);
  const c = s.charCodeAt(i);
  if (c !== 123 && c !== 91) return false;
  try {
    const v: unknown = JSON.parse(s);
    if (isObj(v)) return Object.keys(v).length > 0;
    return Array.isArray(v) && isObj(v[0]);
  } catch {
    return false;
  }
}

/**
 * Whether the text is JSON Lines: one of its first non-empty lines is a complete JSON object by itself
 * (a pretty-printed document never has one). Works on a prefix of the input too.
 */
export function looksLikeJsonLines(t: string): boolean {
  let pos = 0;
  let seen = 0;
  let lines = 0;
  const n = t.length;
  while (pos < n && seen < 5) {
    let nl = t.indexOf('\n', pos);
    if (nl < 0) nl = n;
    lines++;
    const s = t.slice(pos, nl);
    if (skipWs(s, 0) < s.length) {
      seen++;
      if (lineIsJsonObject(s)) return nl < n || lines > 1;
    }
    pos = nl + 1;
  }
  return false;
}

function decodeLines(ctx: Ctx, t: string, env: Env, ascii: boolean, baseOffset: number): void {
  let pos = 0;
  let line = 1;
  let off = baseOffset;
  const n = t.length;
  while (pos < n) {
    let nl = t.indexOf('\n', pos);
    if (nl < 0) nl = n;
    const s = t.slice(pos, nl);
    decodeLine(ctx, s, line, off, env, ascii);
    off += (ascii ? s.length : Buffer.byteLength(s, 'utf8')) + 1;
    pos = nl + 1;
    line++;
  }
}

/** `ascii` undefined: not known yet (computed only if the line turns out to be broken). */
function decodeLine(ctx: Ctx, s: string, line: number, offset: number, env: Env, ascii: boolean | undefined): void {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    if (skipWs(s, 0) >= s.length) return; // blank lines are ignored
    decodeBrokenPiece(ctx, s, env, line, offset, ascii ?? isAscii(s), true);
    return;
  }
  decodeValue(ctx, v, env, undefined, line, offset);
}

/**
 * Decode one line of JSON Lines input (for callers that stream lines themselves). `offset` is the byte
 * offset of the line's first byte in the (decompressed) input; results are appended to `into`.
 */
export function decodeJsonLine(text: string, line: number, offset: number, source: string, into: Pick<DecodeResult, 'records' | 'rejects'>): void {
  const ctx: Ctx = { source, records: into.records, rejects: into.rejects, depth: 0 };
  decodeLine(ctx, text, line, offset, undefined, undefined);
}

/**
 * A JSON Lines decoder for streams: decode lines one by one into `result`, and `take()` the records and
 * rejects decoded so far (a fresh result then collects the next ones). Cheaper than decodeJsonLine per line.
 */
export class JsonLinesDecoder {
  private ctx: Ctx;
  private current: DecodeResult;

  constructor(
    readonly source: string,
    private readonly compression?: 'gzip',
  ) {
    this.current = this.fresh();
    this.ctx = { source, records: this.current.records, rejects: this.current.rejects, depth: 0 };
  }

  private fresh(): DecodeResult {
    const r: DecodeResult = { records: [], rejects: [], format: 'jsonl' };
    if (this.compression) r.compression = this.compression;
    return r;
  }

  /** Records and rejects decoded since the last take(). */
  get size(): number {
    return this.current.records.length + this.current.rejects.length;
  }

  /** The result collecting the lines decoded since the last take(). */
  get result(): DecodeResult {
    return this.current;
  }

  /** Decode one line (without its newline); `line` is 1-based, `offset` the byte offset of its first byte. */
  decode(text: string, line: number, offset: number): void {
    decodeLine(this.ctx, text, line, offset, undefined, undefined);
  }

  /** Hand out what was decoded so far and start a new result. */
  take(): DecodeResult {
    const r = this.current;
    this.current = this.fresh();
    this.ctx.records = this.current.records;
    this.ctx.rejects = this.current.rejects;
    return r;
  }
}

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[^\x00-\x7f]/.test(s);
}

/**
 * Concatenated JSON values (`{...}{...}` as Kinesis Data Firehose writes them, or several values on one line).
 * Returns false (having done nothing) when the text does not start with a complete value followed by another.
 */
function decodeSequence(ctx: Ctx, t: string, env: Env, line: number | undefined, lineOffset: number, ascii: boolean): boolean {
  const n = t.length;
  let i = skipWs(t, 0, n);
  const firstEnd = findValueEnd(t, i, n);
  if (firstEnd <= i) return false;
  // The next value must start right there with '{' or '[' (as in "}{"); anything else is damage, not a sequence.
  const next = skipWs(t, firstEnd, n);
  if (next >= n || (t.charCodeAt(next) !== 123 && t.charCodeAt(next) !== 91)) return false;
  let first: unknown;
  try {
    first = JSON.parse(t.slice(i, firstEnd));
  } catch {
    return false;
  }
  if (!isObj(first) && !Array.isArray(first)) return false;
  decodeValue(ctx, first, env, 0, line, lineOffset + byteOffsetOf(t, i, ascii));
  let idx = 1;
  i = skipWs(t, firstEnd, n);
  while (i < n) {
    const e = findValueEnd(t, i, n);
    let v: unknown;
    let ok = e > i;
    if (ok) {
      try {
        v = JSON.parse(t.slice(i, e));
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      const rest = t.slice(i);
      const err = findJsonError(rest);
      const lc = lineColumn(t, i + (err?.offset ?? 0));
      const k = countRecordKeys(t, i, n);
      const partial = /[{"[]/.test(rest) ? 1 : 0;
      reject(
        ctx,
        'invalid-json',
        `invalid JSON in value ${idx} of a sequence of concatenated JSON values, at ${line !== undefined ? `line ${line}, ` : `line ${lc.line}, `}column ${lc.column}: ${err?.message ?? 'unreadable value'}; the ${n - i} characters from there on are unreadable`,
        { source: ctx.source, index: idx, line: line ?? lc.line, column: lc.column, offset: lineOffset + byteOffsetOf(t, i + (err?.offset ?? 0), ascii), envelope: env as string[] | undefined },
        { count: k > 0 ? k : partial, bytes: ascii ? n - i : Buffer.byteLength(rest, 'utf8') },
      );
      return true;
    }
    decodeValue(ctx, v, env, idx, line, lineOffset + byteOffsetOf(t, i, ascii));
    idx++;
    i = skipWs(t, e, n);
  }
  return true;
}

/** Names well-known binary formats by their magic bytes (as they appear after UTF-8 decoding). */
function sniffBinary(t: string, i: number): string | undefined {
  if (t.startsWith('PK\u0003\u0004', i)) return 'a ZIP archive (extract it first)';
  if (t.startsWith('BZh', i)) return 'bzip2-compressed data (decompress it first)';
  if (t.startsWith('\ufffd7zXZ', i) || t.startsWith('7z\ufffd', i)) return 'xz/7z-compressed data (decompress it first)';
  if (t.startsWith('(\ufffd/\ufffd', i)) return 'zstd-compressed data (decompress it first)';
  if (t.startsWith('PAR1', i)) return 'a Parquet file';
  return undefined;
}

function looksLikeCsv(t: string): string | undefined {
  let nl = t.indexOf('\n');
  if (nl < 0) nl = t.length;
  const first = t.slice(0, nl).replace(/\r$/, '');
  const commas = first.split(',').length - 1;
  if (commas >= 2 && !first.includes('{')) return first.length > 120 ? first.slice(0, 120) + '…' : first;
  return undefined;
}

/**
 * Text that JSON.parse refused, as a whole document (`asLine` false) or as one JSON Lines line.
 * Tries, in order: concatenated values, "not JSON at all" (e.g. CSV), and salvage of a damaged
 * `{"Records":[...]}` / `[...]` document; always leaves a reject that says where and how much.
 */
function decodeBrokenPiece(
  ctx: Ctx,
  t: string,
  env: Env,
  line: number | undefined,
  baseOffset: number,
  ascii: boolean,
  asLine: boolean,
  index?: number,
): string {
  if (decodeSequence(ctx, t, env, line, baseOffset, ascii)) return 'json-sequence';
  const start = skipWs(t, 0);
  const c = t.charCodeAt(start);
  const err = findJsonError(t) ?? { offset: t.length, message: 'unreadable JSON' };
  const lc = lineColumn(t, err.offset);
  const errLine = line ?? lc.line;
  const errAt = `line ${errLine}, column ${lc.column} (byte ${baseOffset + byteOffsetOf(t, err.offset, ascii)})`;
  const errLoc: RecordLocation = {
    source: ctx.source,
    index,
    line: errLine,
    column: lc.column,
    offset: baseOffset + byteOffsetOf(t, err.offset, ascii),
    envelope: env as string[] | undefined,
  };
  const isJsonStart = c === 123 || c === 91;
  if (!isJsonStart) {
    const totalBytes = ascii ? t.length : Buffer.byteLength(t, 'utf8');
    const magic = sniffBinary(t, start);
    if (magic !== undefined && !asLine) {
      reject(ctx, 'invalid-json', `not JSON: this is ${magic}; trailguard reads CloudTrail JSON, plain or gzip-compressed`, { ...errLoc, line: 1, column: 1, offset: baseOffset }, {
        bytes: totalBytes,
      });
      return 'binary';
    }
    const csv = asLine ? undefined : looksLikeCsv(t.slice(start));
    if (csv !== undefined) {
      const rows = t.split('\n').filter((x) => x.trim() !== '').length;
      reject(
        ctx,
        'invalid-json',
        `not JSON: this looks like CSV (${rows} lines; first line ${JSON.stringify(csv)}); trailguard reads CloudTrail JSON (log files, JSON Lines, EventBridge/SNS/SQS/CloudWatch Logs envelopes); convert the rows to CloudTrail JSON records first`,
        { ...errLoc, line: 1, column: 1, offset: baseOffset },
        { bytes: totalBytes },
      );
      return 'csv';
    }
    const k = countRecordKeys(t, 0, t.length);
    reject(ctx, 'invalid-json', `invalid JSON at ${errAt}: ${err.message}${asLine ? '' : '; the input is not JSON'}`, errLoc, {
      count: asLine ? 1 : k > 0 ? k : undefined,
      bytes: totalBytes,
    });
    return 'unknown';
  }
  const sal = salvageElements(t);
  const recovered = sal.before.length + sal.after.length;
  for (const el of sal.before) decodeSalvaged(ctx, el.value, sal.container, env, el.index, line, baseOffset + byteOffsetOf(t, el.offset, ascii));
  for (const el of sal.after) decodeSalvaged(ctx, el.value, sal.container, env, el.index, line, baseOffset + byteOffsetOf(t, el.offset, ascii));
  const damagedBytes = ascii ? sal.damagedTo - sal.damagedFrom : Buffer.byteLength(t.slice(sal.damagedFrom, sal.damagedTo), 'utf8');
  let reason: string;
  let count: number | undefined = sal.lost;
  if (sal.container === 'none' && recovered === 0) {
    // One broken object: as many records as its record keys show, at least the object itself.
    reason = `invalid JSON at ${errAt}: ${err.message}`;
    // (A truncated log-file opening such as `{"Reco` holds no record; a lone `{` may be anything.)
    const compact = t.length < 64 ? t.replace(/\s+/g, '') : '';
    count = asLine ? 1 : compact.length >= 3 && '{"Records":['.startsWith(compact) ? 0 : Math.max(1, sal.lost ?? 0);
  } else {
    const what = sal.container === 'records' ? 'Records array' : 'array';
    const parts: string[] = [];
    if (sal.truncated) parts.push(`the document ends early (truncated): recovered ${sal.before.length} complete element${sal.before.length === 1 ? '' : 's'} of the ${what}`);
    else if (sal.after.length > 0) parts.push(`recovered ${sal.before.length} complete element${sal.before.length === 1 ? '' : 's'} of the ${what} before the damage and ${sal.after.length} after it`);
    else parts.push(`recovered ${recovered} complete element${recovered === 1 ? '' : 's'} of the ${what}${sal.lost === 0 && sal.damagedTo >= t.length ? '' : ' before the damage'}`);
    if (sal.lost === undefined) parts.push('an unknown number of records in the rest is unreadable');
    else if (sal.lost === 0) parts.push(sal.truncated ? 'no record is missing (only closing brackets)' : 'no record was lost (only brackets or separators are damaged)');
    else parts.push(`${sal.lost} record${sal.lost === 1 ? '' : 's'} in the damaged ${sal.truncated ? 'end' : 'stretch'} (${damagedBytes} bytes) ${sal.lost === 1 ? 'is' : 'are'} unreadable`);
    reason = `invalid JSON at ${errAt}: ${err.message}; ${parts.join('; ')}`;
  }
  reject(ctx, 'invalid-json', reason, errLoc, { count, bytes: damagedBytes });
  return sal.container === 'records' ? 'cloudtrail-log-file' : sal.container === 'array' ? 'json-array' : 'unknown';
}

function decodeSalvaged(ctx: Ctx, v: unknown, container: 'records' | 'array' | 'none', env: Env, index: number, line: number | undefined, offset: number): void {
  if (container === 'records') {
    // Same element rules as decodeRecordsArray.
    if (isObj(v)) {
      const es = v.eventSource;
      if (typeof es === 'string' && es.startsWith('aws:')) decodeAwsElement(ctx, v, es, env, index, line, offset);
      else if (v.EventSource === 'aws:sns') decodeSnsRecord(ctx, v, env, index, line, offset);
      else checkRecord(ctx, v, env, index, line, offset);
    } else reject(ctx, 'invalid-record', `Records[${index}] is ${describe(v)}, not a record object`, loc(ctx, env, index, line, offset), { count: 1 });
  } else {
    decodeValue(ctx, v, env, index, line, offset);
  }
}

function decodeText(ctx: Ctx, t: string, env: Env, index: number | undefined, ascii: boolean, baseOffset: number, what: string): string {
  if (t.charCodeAt(0) === 0xfeff) {
    t = t.slice(1);
    baseOffset += 3;
  }
  const start = skipWs(t, 0);
  if (start >= t.length) {
    reject(ctx, 'empty-input', `${what === 'input' ? 'the input' : what} is empty${t.length > 0 ? ' (whitespace only)' : ''}: no records`, loc(ctx, env, index, undefined, baseOffset), {
      skipped: true,
      count: 0,
    });
    return 'empty';
  }
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    if (!ascii) ascii = isAscii(t);
    if (looksLikeJsonLines(t)) {
      decodeLines(ctx, t, env, ascii, baseOffset);
      return 'jsonl';
    }
    return decodeBrokenPiece(ctx, t, env, undefined, baseOffset, ascii, false, index);
  }
  return decodeValue(ctx, v, env, index, undefined, undefined);
}

// ---------------------------------------------------------------------------------------------------------
// Bytes → text (gzip or plain)

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

interface Gunzipped {
  data: Buffer;
  /** Compressed bytes read before the damage (or all of them). */
  consumed: number;
  cause: string;
}

function explainZlib(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (m.includes('incorrect data check')) return 'CRC-32 check failed (the compressed data was altered)';
  if (m.includes('incorrect length check')) return 'length check failed (the compressed data was altered)';
  if (m.includes('incorrect header check')) return 'bytes that are not a gzip member follow the gzip data (trailing garbage or a damaged second member)';
  if (m.includes('unknown compression method')) return 'the gzip header names an unknown compression method';
  if (m.includes('unexpected end of file')) return 'the gzip stream ends early (truncated)';
  return `corrupt deflate data (${m})`;
}

const SYNC = { finishFlush: zconst.Z_SYNC_FLUSH };

/** Decompress as much as possible of damaged gzip data: what is readable before the damage, and where it is. */
export function gunzipSalvage(buf: Uint8Array, firstError: unknown): Gunzipped {
  try {
    const data = gunzipSync(buf, SYNC);
    return { data, consumed: buf.length, cause: explainZlib(firstError) };
  } catch (e2) {
    // The damage is inside: find the longest prefix that still decompresses (truncation is tolerated with
    // Z_SYNC_FLUSH, so this is monotonic) by bisection.
    let lo = 0;
    let hi = buf.length;
    let best: Buffer = Buffer.alloc(0);
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      try {
        best = gunzipSync(buf.subarray(0, mid), SYNC);
        lo = mid;
      } catch {
        hi = mid;
      }
    }
    if (lo > 0 && best.length === 0) {
      try {
        best = gunzipSync(buf.subarray(0, lo), SYNC);
      } catch {
        best = Buffer.alloc(0);
      }
    }
    return { data: best, consumed: lo, cause: explainZlib(e2) };
  }
}

function decodeBytes(ctx: Ctx, buf: Uint8Array, env: Env, index: number | undefined, what: string, into?: DecodeResult): string {
  let data: Buffer;
  let gz: Gunzipped | undefined;
  const gzip = isGzip(buf);
  if (gzip) {
    try {
      data = gunzipSync(buf);
    } catch (e) {
      gz = gunzipSalvage(buf, e);
      data = gz.data;
    }
    if (into) into.compression = 'gzip';
  } else {
    data = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  if (into) into.bytes = data.length;
  if (data.length > bufferConstants.MAX_STRING_LENGTH) {
    reject(
      ctx,
      'invalid-json',
      `${what === 'input' ? 'the input' : what} is ${data.length} bytes${gzip ? ' decompressed' : ''}, more than the largest single JSON document this runtime can hold (${bufferConstants.MAX_STRING_LENGTH} characters); split it or convert it to JSON Lines`,
      loc(ctx, env, index, undefined, 0),
      { bytes: data.length },
    );
    return 'too-large';
  }
  const t = data.toString('utf8');
  const recordsBefore = ctx.records.length;
  const rejectAt = ctx.rejects.length;
  let format: string;
  if (gz && data.length === 0) {
    format = 'unknown';
  } else {
    format = decodeText(ctx, t, env, index, t.length === data.length, 0, what);
  }
  if (gz) {
    const recovered = ctx.records.length - recordsBefore;
    const r: Reject = {
      kind: 'invalid-gzip',
      reason: `${what === 'input' ? 'gzip data' : `${what} (gzip)`} is damaged at compressed byte ${gz.consumed} of ${buf.length}: ${gz.cause}; decompressed ${data.length} bytes before that and recovered ${recovered} record${recovered === 1 ? '' : 's'} from them; ${gz.consumed >= buf.length ? 'whatever followed in the missing part of the file is lost (count unknown)' : `the remaining ${buf.length - gz.consumed} compressed bytes are unreadable (record count unknown)`}`,
      location: { source: ctx.source, index, offset: data.length, compressedOffset: gz.consumed, envelope: env as string[] | undefined },
      bytes: buf.length - gz.consumed,
    };
    ctx.rejects.splice(rejectAt, 0, r);
  }
  return format;
}

// ---------------------------------------------------------------------------------------------------------
// Public entry points

/**
 * Decode CloudTrail records from a Buffer (gzip or plain), a string, or an already-parsed JSON value.
 * Never throws; every input record ends up in `records` or counted by a reject.
 */
export function decodeRecords(input: Buffer | Uint8Array | string | object, options?: DecodeOptions): DecodeResult {
  const result: DecodeResult = { records: [], rejects: [], format: 'unknown' };
  const ctx: Ctx = { source: options?.source ?? '<input>', records: result.records, rejects: result.rejects, depth: 0 };
  try {
    if (typeof input === 'string') {
      result.format = decodeText(ctx, input, undefined, undefined, false, 0, 'input');
    } else if (input instanceof Uint8Array) {
      result.format = decodeBytes(ctx, input, undefined, undefined, 'input', result);
    } else {
      result.format = decodeValue(ctx, input as unknown, undefined, undefined, undefined, undefined);
    }
  } catch (e) {
    // Defensive: a bug must not stop a scan. Report it as a reject of the whole input.
    result.rejects.push({
      kind: 'unknown-envelope',
      reason: `internal decoder error: ${e instanceof Error ? e.message : String(e)}`,
      location: { source: ctx.source },
    });
  }
  return result;
}
