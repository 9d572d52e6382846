import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeJsonLine, decodeRecords, looksLikeJsonLines, MAX_DEPTH } from '../../src/cloudtrail/decode.js';
import type { DecodeResult } from '../../src/cloudtrail/types.js';
import {
  assumedRoleRecord,
  awslogsLambdaEvent,
  cwlControlMessage,
  cwlPayload,
  digestFile,
  eventBridgeEvent,
  gz,
  iamUserRecord,
  logFile,
  rootConsoleLoginRecord,
  s3Notification,
  serviceEventRecord,
  simpleRecord,
  snsLambdaEvent,
  snsNotification,
  sqsLambdaEvent,
} from './fixtures.js';

function names(r: DecodeResult): string[] {
  return r.records.map((x) => x.record.eventName);
}

function kinds(r: DecodeResult): string[] {
  return r.rejects.map((x) => x.kind);
}

describe('decodeRecords: CloudTrail log files', () => {
  const file = logFile([iamUserRecord(), assumedRoleRecord(), rootConsoleLoginRecord(), serviceEventRecord()]);

  it('decodes a plain log file from a string, a Buffer and a parsed object alike', () => {
    for (const input of [file, Buffer.from(file), JSON.parse(file) as object]) {
      const r = decodeRecords(input, { source: 'trail.json' });
      expect(r.format).toBe('cloudtrail-log-file');
      expect(names(r)).toEqual(['CreateUser', 'AuthorizeSecurityGroupIngress', 'ConsoleLogin', 'RotateKey']);
      expect(r.rejects).toEqual([]);
      expect(r.records[1]?.location).toEqual({ source: 'trail.json', index: 1 });
    }
  });

  it('detects gzip by its magic bytes, not by a file name', () => {
    const r = decodeRecords(gz(file), { source: 'no-extension' });
    expect(r.format).toBe('cloudtrail-log-file');
    expect(r.compression).toBe('gzip');
    expect(r.bytes).toBe(Buffer.byteLength(file));
    expect(r.records).toHaveLength(4);
  });

  it('decodes multi-member gzip (concatenated .gz files) as a sequence of log files', () => {
    const z = Buffer.concat([gz(logFile([simpleRecord(1)])), gz(logFile([simpleRecord(2), simpleRecord(3)]))]);
    const r = decodeRecords(z);
    expect(r.format).toBe('json-sequence');
    expect(r.records.map((x) => x.record.eventID)).toEqual([1, 2, 3].map((i) => simpleRecord(i).eventID));
    expect(r.rejects).toEqual([]);
  });

  it('returns the parsed objects themselves, not copies', () => {
    const parsed = JSON.parse(file) as { Records: object[] };
    const r = decodeRecords(parsed);
    expect(r.records[0]?.record).toBe(parsed.Records[0]);
  });

  it('accepts userIdentity without type (AWS service events) and requestParameters: null', () => {
    const r = decodeRecords(logFile([serviceEventRecord(), rootConsoleLoginRecord()]));
    expect(r.records).toHaveLength(2);
    expect(r.records[0]?.record.userIdentity?.type).toBeUndefined();
    expect(r.records[1]?.record.requestParameters).toBeNull();
  });

  it('ignores a UTF-8 byte order mark', () => {
    const r = decodeRecords(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(file)]));
    expect(r.records).toHaveLength(4);
  });

  it('decodes an empty Records array to nothing, without a reject', () => {
    const r = decodeRecords('{"Records":[]}');
    expect(r).toMatchObject({ records: [], rejects: [], format: 'cloudtrail-log-file' });
  });
});

describe('decodeRecords: invalid records', () => {
  it('rejects a record without eventSource/eventName/eventTime, naming each missing key', () => {
    const bad = { eventVersion: '1.08', eventTime: '2023-07-19T21:11:57Z' };
    const r = decodeRecords(logFile([iamUserRecord(), bad, 42]), { source: 'f' });
    expect(r.records).toHaveLength(1);
    expect(r.rejects).toHaveLength(2);
    expect(r.rejects[0]).toMatchObject({ kind: 'invalid-record', count: 1, location: { source: 'f', index: 1 } });
    expect(r.rejects[0]?.reason).toBe('not an evaluable CloudTrail record: missing eventSource; missing eventName');
    expect(r.rejects[1]?.reason).toBe('Records[2] is a number (42), not a record object');
  });

  it('names a key of the wrong type or empty', () => {
    const r = decodeRecords({ eventSource: 'iam.amazonaws.com', eventName: 7, eventTime: '' });
    expect(r.rejects[0]?.reason).toBe('not an evaluable CloudTrail record: eventName is a number (7), expected a string; eventTime is empty');
  });

  it('says when eventTime is missing and there is no @timestamp either', () => {
    const r = decodeRecords({ eventSource: 'iam.amazonaws.com', eventName: 'GetUser' });
    expect(r.rejects[0]?.reason).toBe('not an evaluable CloudTrail record (eventName "GetUser"): missing eventTime (and no @timestamp)');
  });

  it('accepts the Logstash variant: eventTime from @timestamp, the record otherwise intact', () => {
    const rec = { ...iamUserRecord(), '@timestamp': '2020-09-14T00:44:23.000Z', '@version': '1' } as Record<string, unknown>;
    delete rec.eventTime;
    const line = JSON.stringify(rec);
    const r = decodeRecords(`${line}\n${line}\n`);
    expect(r.format).toBe('jsonl');
    expect(r.records).toHaveLength(2);
    const got = r.records[0]?.record as Record<string, unknown>;
    expect(got.eventTime).toBe('2020-09-14T00:44:23.000Z');
    expect(got['@timestamp']).toBe('2020-09-14T00:44:23.000Z');
    expect(got['@version']).toBe('1');
    expect(r.records[1]?.location).toMatchObject({ line: 2, offset: line.length + 1 });
  });

  it('rejects a non-CloudTrail object as an unknown envelope, listing its keys', () => {
    const r = decodeRecords({ foo: 1, bar: [1] });
    expect(r.rejects).toEqual([
      {
        kind: 'unknown-envelope',
        reason: 'object with keys "foo", "bar" is neither a CloudTrail record (no eventSource, eventName, eventTime) nor a known envelope',
        location: { source: '<input>' },
        count: 1,
      },
    ]);
  });

  it('counts record-like objects held under an unexpected key', () => {
    const r = decodeRecords({ Recordz: [simpleRecord(1), simpleRecord(2)] });
    expect(r.rejects[0]).toMatchObject({ kind: 'unknown-envelope', count: 2 });
    expect(r.rejects[0]?.reason).toContain('it holds 2 record-like objects under other keys');
  });

  it('rejects JSON scalars', () => {
    for (const v of ['42', '"x"', 'null', 'true']) {
      const r = decodeRecords(v);
      expect(kinds(r)).toEqual(['unknown-envelope']);
      expect(r.rejects[0]?.reason).toMatch(/is not a CloudTrail record or a known envelope$/);
    }
  });
});

describe('decodeRecords: JSON arrays and JSON Lines', () => {
  it('decodes a JSON array of records (the Stratus detonation log shape)', () => {
    const r = decodeRecords(JSON.stringify([simpleRecord(1), simpleRecord(2)], null, 2));
    expect(r.format).toBe('json-array');
    expect(r.records.map((x) => x.location.index)).toEqual([0, 1]);
  });

  it('decodes a JSON array of envelopes', () => {
    const r = decodeRecords([eventBridgeEvent(simpleRecord(1)), logFile([simpleRecord(2)])]);
    expect(r.records).toHaveLength(1);
    expect(r.rejects[0]?.kind).toBe('unknown-envelope'); // a JSON string element
  });

  it('decodes JSON Lines: one record or envelope per line, blank lines ignored, 1-based lines and byte offsets', () => {
    const lines = [
      JSON.stringify(simpleRecord(1)),
      '',
      '   ',
      JSON.stringify(eventBridgeEvent(simpleRecord(2))),
      JSON.stringify({ Records: [simpleRecord(3), simpleRecord(4)] }),
    ];
    const text = lines.join('\r\n') + '\n';
    const r = decodeRecords(Buffer.from(text), { source: 'x.jsonl' });
    expect(r.format).toBe('jsonl');
    expect(r.rejects).toEqual([]);
    expect(r.records.map((x) => [x.location.line, x.location.index])).toEqual([
      [1, undefined],
      [4, undefined],
      [5, 0],
      [5, 1],
    ]);
    const off = text.indexOf(lines[3] as string);
    expect(r.records[1]?.location).toEqual({ source: 'x.jsonl', line: 4, offset: off, envelope: ['eventbridge'] });
  });

  it('rejects a broken JSON Lines line with line, column and byte offset, and still decodes the others', () => {
    const good = JSON.stringify(simpleRecord(1));
    const broken = '{"eventSource":"iam.amazonaws.com","eventName":,"x":1}';
    const text = `${good}\n${broken}\n${good}\n`;
    const r = decodeRecords(text, { source: 'x.jsonl' });
    expect(r.records).toHaveLength(2);
    expect(r.rejects).toHaveLength(1);
    const rej = r.rejects[0];
    expect(rej).toMatchObject({ kind: 'invalid-json', count: 1, location: { source: 'x.jsonl', line: 2, column: 48, offset: good.length + 1 + 47 } });
    expect(rej?.reason).toContain("invalid JSON at line 2, column 48 (byte");
    expect(rej?.reason).toContain("unexpected ',': expected a value");
  });

  it('computes byte offsets for non-ASCII lines', () => {
    const a = JSON.stringify({ ...simpleRecord(1), userAgent: 'héllo ✓' });
    const b = JSON.stringify(simpleRecord(2));
    const r = decodeRecords(Buffer.from(`${a}\n${b}\n`));
    expect(r.records[1]?.location.offset).toBe(Buffer.byteLength(a) + 1);
  });

  it('decodes concatenated JSON values (Firehose output) without separators', () => {
    const text = [eventBridgeEvent(simpleRecord(1)), eventBridgeEvent(simpleRecord(2)), eventBridgeEvent(simpleRecord(3))].map((e) => JSON.stringify(e)).join('');
    const r = decodeRecords(gzipSync(text));
    expect(r.format).toBe('json-sequence');
    expect(r.records.map((x) => x.location.index)).toEqual([0, 1, 2]);
    expect(r.rejects).toEqual([]);
  });

  it('tells JSON Lines from a pretty-printed document', () => {
    expect(looksLikeJsonLines(`${JSON.stringify(simpleRecord(1))}\n{"a"`)).toBe(true);
    expect(looksLikeJsonLines(JSON.stringify({ Records: [simpleRecord(1)] }, null, 2))).toBe(false);
    expect(looksLikeJsonLines('[\n  1,\n  2\n]')).toBe(false);
  });

  it('decodeJsonLine decodes one streamed line into a result', () => {
    const into: DecodeResult = { records: [], rejects: [], format: 'jsonl' };
    decodeJsonLine(JSON.stringify(simpleRecord(1)), 7, 700, 'big.jsonl', into);
    decodeJsonLine('{"broken', 8, 800, 'big.jsonl', into);
    decodeJsonLine('  ', 9, 810, 'big.jsonl', into);
    expect(into.records[0]?.location).toEqual({ source: 'big.jsonl', line: 7, offset: 700 });
    expect(into.rejects).toHaveLength(1);
    expect(into.rejects[0]).toMatchObject({ kind: 'invalid-json', count: 1, location: { line: 8, column: 9, offset: 808 } });
  });
});

describe('decodeRecords: envelopes', () => {
  it('EventBridge "AWS API Call via CloudTrail": the record is detail', () => {
    const ev = eventBridgeEvent(iamUserRecord());
    const r = decodeRecords(ev);
    expect(r.format).toBe('eventbridge-event');
    expect(r.records[0]?.record).toBe(ev.detail);
    expect(r.records[0]?.location.envelope).toEqual(['eventbridge']);
  });

  it.each([
    'AWS Console Sign In via CloudTrail',
    'AWS Console Signin via CloudTrail',
    'AWS Service Event via CloudTrail',
    'AWS Console Action via CloudTrail',
    'AWS Insight via CloudTrail',
  ])('EventBridge %s', (dt) => {
    const r = decodeRecords(eventBridgeEvent(rootConsoleLoginRecord(), dt, 'aws.signin'));
    expect(r.records).toHaveLength(1);
  });

  it('rejects EventBridge events that are not CloudTrail events', () => {
    const r = decodeRecords(eventBridgeEvent({ bucket: { name: 'amzn-s3-demo-bucket' } }, 'Object Created', 'aws.s3'));
    expect(r.rejects[0]).toMatchObject({ kind: 'unknown-envelope', count: 0 });
    expect(r.rejects[0]?.reason).toBe(
      'EventBridge event from aws.s3 with detail-type "Object Created" is not a CloudTrail event (CloudTrail events have a detail-type ending in "via CloudTrail")',
    );
  });

  it('rejects a CloudTrail EventBridge event without a detail object', () => {
    const ev = eventBridgeEvent(undefined);
    const r = decodeRecords(ev);
    expect(r.rejects[0]).toMatchObject({ kind: 'invalid-record', count: 1 });
  });

  it('CloudWatch Logs subscription payload, decoded form: each message is a record', () => {
    const p = cwlPayload([JSON.stringify(iamUserRecord()), JSON.stringify(assumedRoleRecord())]);
    const r = decodeRecords(p);
    expect(r.format).toBe('cloudwatch-logs-subscription');
    expect(names(r)).toEqual(['CreateUser', 'AuthorizeSecurityGroupIngress']);
    expect(r.records[1]?.location).toEqual({ source: '<input>', index: 1, envelope: ['cloudwatch-logs'] });
  });

  it('CloudWatch Logs subscription payload, Lambda form (base64 gzip)', () => {
    const r = decodeRecords(awslogsLambdaEvent(cwlPayload([JSON.stringify(iamUserRecord())])));
    expect(r.format).toBe('cloudwatch-logs-lambda');
    expect(names(r)).toEqual(['CreateUser']);
    expect(r.records[0]?.location.envelope).toEqual(['cloudwatch-logs']);
  });

  it('CloudWatch Logs CONTROL_MESSAGE is skipped with its message', () => {
    for (const input of [cwlControlMessage(), awslogsLambdaEvent(cwlControlMessage())]) {
      const r = decodeRecords(input);
      expect(r.records).toEqual([]);
      expect(r.rejects).toHaveLength(1);
      expect(r.rejects[0]).toMatchObject({ kind: 'control-message', skipped: true, count: 0 });
      expect(r.rejects[0]?.reason).toContain('CWL CONTROL MESSAGE: Checking health of destination Firehose.');
    }
  });

  it('rejects a CloudWatch Logs message that is not JSON, naming the log group', () => {
    const r = decodeRecords(cwlPayload(['START RequestId: 8c9e Version: $LATEST', JSON.stringify(simpleRecord(1))]));
    expect(r.records).toHaveLength(1);
    expect(r.rejects[0]).toMatchObject({ kind: 'invalid-json', count: 1, location: { index: 0, envelope: ['cloudwatch-logs'] } });
    expect(r.rejects[0]?.reason).toMatch(/^logEvents\[0\]\.message of log group aws-cloudtrail-logs-123456789012-e0ee6ab2 is not valid JSON at line 1, column 1/);
  });

  it('SNS notification → EventBridge event → record', () => {
    const r = decodeRecords(snsNotification(JSON.stringify(eventBridgeEvent(iamUserRecord()))));
    expect(r.format).toBe('sns-notification');
    expect(r.records[0]?.location.envelope).toEqual(['sns', 'eventbridge']);
  });

  it('Lambda SNS event carrying a CloudTrail log file', () => {
    const r = decodeRecords(snsLambdaEvent([logFile([simpleRecord(1), simpleRecord(2)])]));
    expect(r.format).toBe('sns-lambda-event');
    expect(r.records.map((x) => x.location)).toEqual([
      { source: '<input>', index: 0, envelope: ['sns'] },
      { source: '<input>', index: 1, envelope: ['sns'] },
    ]);
  });

  it('SQS → SNS → EventBridge → record (a real delivery chain), index of the SQS message', () => {
    const body = (n: number): string => JSON.stringify(snsNotification(JSON.stringify(eventBridgeEvent(simpleRecord(n)))));
    const r = decodeRecords(sqsLambdaEvent([body(1), body(2), body(3)]));
    expect(r.format).toBe('sqs-lambda-event');
    expect(r.records.map((x) => x.location)).toEqual([0, 1, 2].map((i) => ({ source: '<input>', index: i, envelope: ['sqs', 'sns', 'eventbridge'] })));
  });

  it('SQS message with a broken body: rejected, the other messages still decoded', () => {
    const r = decodeRecords(sqsLambdaEvent(['{"Type":"Notification",', JSON.stringify(eventBridgeEvent(simpleRecord(1)))]));
    expect(r.records).toHaveLength(1);
    expect(r.rejects[0]).toMatchObject({ kind: 'invalid-json', location: { index: 0, envelope: ['sqs'] } });
    expect(r.rejects[0]?.reason).toMatch(/^SQS message body is not valid JSON at line 1, column 24: unexpected end of input: expected a property name/);
  });

  it('S3 event notifications inside SQS are not records: rejected naming bucket and key', () => {
    const r = decodeRecords(sqsLambdaEvent([JSON.stringify(s3Notification('amzn-s3-demo-bucket', 'AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/19/x.json.gz'))]));
    expect(r.records).toEqual([]);
    expect(r.rejects).toEqual([
      {
        kind: 'unknown-envelope',
        reason:
          'S3 event notification (ObjectCreated:Put) for s3://amzn-s3-demo-bucket/AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/19/x.json.gz: it points at an object and holds no CloudTrail record; fetch the object and decode it',
        location: { source: '<input>', index: 0, envelope: ['sqs'] },
      },
    ]);
  });

  it('S3 notification keys are shown URL-decoded', () => {
    const r = decodeRecords(s3Notification('amzn-s3-demo-bucket', 'my+logs/a%3Db.json.gz'));
    expect(r.format).toBe('s3-event-notification');
    expect(r.rejects[0]?.reason).toContain('s3://amzn-s3-demo-bucket/my logs/a=b.json.gz');
  });

  it('CloudTrail log-delivery SNS notifications point at S3 objects', () => {
    const msg = JSON.stringify({ s3Bucket: 'amzn-s3-demo-bucket', s3ObjectKey: ['AWSLogs/123456789012/CloudTrail/us-east-2/2013/12/13/a.json.gz'] });
    const r = decodeRecords(snsNotification(msg));
    expect(r.rejects[0]?.kind).toBe('unknown-envelope');
    expect(r.rejects[0]?.reason).toContain('CloudTrail delivered 1 log file (s3://amzn-s3-demo-bucket/AWSLogs/123456789012/CloudTrail/us-east-2/2013/12/13/a.json.gz)');
  });

  it('S3 test events and SNS subscription confirmations are skipped control messages', () => {
    const t = decodeRecords({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2014-10-13T15:57:02.089Z', Bucket: 'amzn-s3-demo-bucket', RequestId: '5582815E1AEA5ADF', HostId: '8cLeGAmw9' });
    expect(t.rejects[0]).toMatchObject({ kind: 'control-message', skipped: true, count: 0 });
    const c = decodeRecords({ ...snsNotification('You have chosen to subscribe to the topic'), Type: 'SubscriptionConfirmation' });
    expect(c.rejects[0]).toMatchObject({ kind: 'control-message', skipped: true });
  });

  it('aws cloudtrail lookup-events output: CloudTrailEvent strings', () => {
    const out = {
      Events: [
        { EventId: 'a', EventName: 'CreateUser', EventTime: '2023-07-19T21:11:57Z', EventSource: 'iam.amazonaws.com', CloudTrailEvent: JSON.stringify(iamUserRecord()) },
        { EventId: 'b', EventName: 'X' },
      ],
    };
    const r = decodeRecords(out);
    expect(r.format).toBe('cloudtrail-lookup-events');
    expect(names(r)).toEqual(['CreateUser']);
    expect(r.rejects[0]?.reason).toBe('Events[1].CloudTrailEvent is missing, expected a JSON string');
  });

  it('aws sqs receive-message output, Kinesis and Firehose Lambda events', () => {
    const sqs = decodeRecords({ Messages: [{ MessageId: 'm', ReceiptHandle: 'r', MD5OfBody: 'x', Body: JSON.stringify(eventBridgeEvent(simpleRecord(1))) }] });
    expect(sqs.records[0]?.location.envelope).toEqual(['sqs', 'eventbridge']);
    const data = gzipSync(JSON.stringify(cwlPayload([JSON.stringify(simpleRecord(2))]))).toString('base64');
    const kin = decodeRecords({ Records: [{ kinesis: { partitionKey: 'p', data }, eventSource: 'aws:kinesis', eventID: 'shardId-000000000000:1' }] });
    expect(kin.format).toBe('kinesis-lambda-event');
    expect(kin.records[0]?.location.envelope).toEqual(['kinesis', 'cloudwatch-logs']);
    const fh = decodeRecords({
      invocationId: 'i',
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/x',
      region: 'us-east-1',
      records: [{ recordId: '1', data: Buffer.from(JSON.stringify(eventBridgeEvent(simpleRecord(3)))).toString('base64') }],
    });
    expect(fh.records[0]?.location.envelope).toEqual(['firehose', 'eventbridge']);
  });

  it('aws logs filter-log-events output', () => {
    const r = decodeRecords({ events: [{ logStreamName: 's', timestamp: 1, message: JSON.stringify(simpleRecord(1)), ingestionTime: 2, eventId: 'e' }], searchedLogStreams: [] });
    expect(r.format).toBe('cloudwatch-logs-events');
    expect(r.records).toHaveLength(1);
  });

  it('digest files are recognised by their fields and skipped with a reason', () => {
    const r = decodeRecords(gz(JSON.stringify(digestFile())), { source: 'x.json.gz' });
    expect(r.format).toBe('cloudtrail-digest-file');
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]).toMatchObject({ kind: 'digest-file', skipped: true, count: 0, location: { source: 'x.json.gz' } });
    expect(r.rejects[0]?.reason).toBe(
      'CloudTrail digest file for 2015-08-17T14:01:31Z to 2015-08-17T15:01:31Z (AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2015/08/17/123456789012_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz): it lists 1 log file with their hashes for log file integrity validation and holds no events; skipped',
    );
  });

  it('stops following envelopes nested deeper than MAX_DEPTH', () => {
    let msg = JSON.stringify(simpleRecord(1));
    for (let i = 0; i < MAX_DEPTH + 2; i++) msg = JSON.stringify(snsNotification(msg));
    const r = decodeRecords(msg);
    expect(r.records).toEqual([]);
    expect(r.rejects[0]?.reason).toMatch(/^envelopes nested deeper than 8 levels/);
  });
});

describe('decodeRecords: broken input', () => {
  it('empty and whitespace-only input is an empty-input reject', () => {
    expect(decodeRecords('').rejects[0]).toMatchObject({ kind: 'empty-input', reason: 'the input is empty: no records', skipped: true, count: 0 });
    expect(decodeRecords(Buffer.from(' \n\t')).rejects[0]?.reason).toBe('the input is empty (whitespace only): no records');
    expect(decodeRecords(gzipSync('')).rejects[0]?.kind).toBe('empty-input');
  });

  it('invalid JSON: reject with line, column and offset', () => {
    const text = '{\n  "Records": [\n    {"eventSource": "iam.amazonaws.com" "eventName": "X"}\n  ]\n}\n';
    const r = decodeRecords(text, { source: 'bad.json' });
    expect(r.records).toEqual([]);
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]).toMatchObject({ kind: 'invalid-json', count: 1, location: { source: 'bad.json', line: 3, column: 41, offset: 57 } });
    expect(r.rejects[0]?.reason).toMatch(
      /^invalid JSON at line 3, column 41 \(byte 57\): unexpected '"': expected ',' or '}' after a property value; recovered 0 complete elements of the Records array before the damage; 1 record in the damaged stretch \(\d+ bytes\) is unreadable$/,
    );
  });

  it('recovers the records before and after damage in the middle of a log file', () => {
    const recs = Array.from({ length: 10 }, (_, i) => simpleRecord(i));
    const text = logFile(recs);
    const at = text.indexOf('"object-4"');
    const damaged = text.slice(0, at) + '#' + text.slice(at + 1);
    const r = decodeRecords(damaged);
    expect(r.records.map((x) => x.location.index)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    expect(r.records.map((x) => (x.record.requestParameters as { key: string }).key)).toEqual(
      [0, 1, 2, 3, 5, 6, 7, 8, 9].map((i) => `object-${i}`),
    );
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]).toMatchObject({ kind: 'invalid-json', count: 1 });
    expect(r.rejects[0]?.reason).toContain('recovered 4 complete elements of the Records array before the damage and 5 after it; 1 record in the damaged stretch');
    expect(r.records[0]?.location.offset).toBe(text.indexOf('{"eventVersion"'));
  });

  it('a truncated (plain) log file: the complete records before the cut, the partial one counted', () => {
    const text = logFile(Array.from({ length: 5 }, (_, i) => simpleRecord(i)));
    const cut = text.slice(0, text.indexOf('"object-3"'));
    const r = decodeRecords(cut);
    expect(r.records).toHaveLength(3);
    expect(r.rejects[0]).toMatchObject({ kind: 'invalid-json', count: 1 });
    expect(r.rejects[0]?.reason).toContain('the document ends early (truncated): recovered 3 complete elements of the Records array; 1 record in the damaged end');
  });

  it('damage after the last record loses nothing', () => {
    const text = logFile([simpleRecord(1), simpleRecord(2)]);
    const r = decodeRecords(text.slice(0, -1) + '#');
    expect(r.records).toHaveLength(2);
    expect(r.rejects[0]).toMatchObject({ kind: 'invalid-json', count: 0 });
  });

  it('a damaged separator between records loses only those two (counted)', () => {
    const text = logFile([simpleRecord(1), simpleRecord(2), simpleRecord(3), simpleRecord(4)]);
    const sep = text.indexOf('},{', text.indexOf('object-1'));
    const r = decodeRecords(text.slice(0, sep + 1) + 'x' + text.slice(sep + 2));
    expect(r.records.length + (r.rejects[0]?.count ?? 0)).toBe(4);
  });

  it('not JSON at all: CSV is rejected with a clear reason', () => {
    const csv = 'Event Type,Event Name,Request ID,User ID\nAwsApiCall,ListObjects,E2E91AQVN6DJHZ91,"{\'type\': \'AWSAccount\'}"\n';
    const r = decodeRecords(Buffer.from(csv), { source: 'logs.csv' });
    expect(r.format).toBe('csv');
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]?.kind).toBe('invalid-json');
    expect(r.rejects[0]?.reason).toMatch(/^not JSON: this looks like CSV \(2 lines; first line "Event Type,Event Name,Request ID,User ID"\)/);
  });

  it('ZIP archives and other binaries are named', () => {
    const zip = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(30, 1)]);
    expect(decodeRecords(zip).rejects[0]?.reason).toBe('not JSON: this is a ZIP archive (extract it first); trailguard reads CloudTrail JSON, plain or gzip-compressed');
    const junk = decodeRecords('hello world');
    expect(junk.rejects[0]?.reason).toBe("invalid JSON at line 1, column 1 (byte 0): unexpected 'h': expected a value; the input is not JSON");
  });
});

describe('decodeRecords: damaged gzip', () => {
  const recs = Array.from({ length: 300 }, (_, i) => simpleRecord(i));
  const text = logFile(recs);
  const good = gzipSync(text);

  it('truncated gzip: invalid-gzip with compressed/decompressed offsets, and every complete record before the cut', () => {
    const cut = good.subarray(0, Math.floor(good.length * 0.6));
    const partial = gunzipSync(cut, { finishFlush: 2 });
    const r = decodeRecords(cut, { source: 'trail.json.gz' });
    const expected = JSON.parse(partial.toString('utf8').slice(0, partial.toString('utf8').lastIndexOf('},{') + 1) + ']}') as { Records: unknown[] };
    expect(r.compression).toBe('gzip');
    expect(r.records).toHaveLength(expected.Records.length);
    expect(r.records.map((x) => x.location.index)).toEqual(expected.Records.map((_, i) => i));
    expect(kinds(r)).toEqual(['invalid-gzip', 'invalid-json']);
    const g = r.rejects[0];
    expect(g?.location).toEqual({ source: 'trail.json.gz', offset: partial.length, compressedOffset: cut.length });
    expect(g?.count).toBeUndefined();
    expect(g?.reason).toBe(
      `gzip data is damaged at compressed byte ${cut.length} of ${cut.length}: the gzip stream ends early (truncated); decompressed ${partial.length} bytes before that and recovered ${expected.Records.length} records from them; whatever followed in the missing part of the file is lost (count unknown)`,
    );
    expect(r.rejects[1]).toMatchObject({ kind: 'invalid-json', count: 1 });
  });

  it('corrupt compressed bytes: decodes what decompresses before the damage', () => {
    const bad = Buffer.from(good);
    for (let i = Math.floor(bad.length / 2); i < Math.floor(bad.length / 2) + 40; i++) bad[i] = 0xff;
    const r = decodeRecords(bad);
    expect(r.rejects[0]?.kind).toBe('invalid-gzip');
    expect(r.rejects[0]?.location.compressedOffset).toBeLessThan(bad.length);
    expect(r.records.length).toBeGreaterThan(0);
    expect(r.records.length).toBeLessThan(300);
    r.records.forEach((x, i) => expect((x.record.requestParameters as { key: string }).key).toBe(`object-${i}`));
  });

  it('CRC mismatch with all data present: records decoded, the damage reported', () => {
    const bad = Buffer.from(good);
    bad[bad.length - 6] = (bad[bad.length - 6] ?? 0) ^ 1;
    const r = decodeRecords(bad);
    expect(r.records).toHaveLength(300);
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]?.reason).toContain('CRC-32 check failed');
  });

  it('a truncated gzip JSON Lines file keeps every complete line', () => {
    const lines = recs.map((x) => JSON.stringify(x)).join('\n') + '\n';
    const cut = gzipSync(lines).subarray(0, 2000);
    const partial = gunzipSync(cut, { finishFlush: 2 }).toString('utf8');
    const complete = partial.split('\n').length - 1;
    const r = decodeRecords(cut);
    expect(r.format).toBe('jsonl');
    expect(r.records).toHaveLength(complete);
    expect(kinds(r)).toEqual(partial.endsWith('\n') ? ['invalid-gzip'] : ['invalid-gzip', 'invalid-json']);
  });

  it('only a gzip header: nothing decoded, the damage reported', () => {
    const r = decodeRecords(good.subarray(0, 5));
    expect(kinds(r)).toEqual(['invalid-gzip']);
    expect(r.records).toEqual([]);
  });
});
