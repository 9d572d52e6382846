import { describe, expect, it } from 'vitest';
import {
  DETAIL_TYPE_BY_EVENT_TYPE,
  eventBridgeDetailType,
  eventBridgeId,
  eventBridgeSource,
  eventBridgeTime,
  toEventBridgeEnvelope,
} from '../../src/cloudtrail/envelope.js';
import { assumedRoleRecord, iamUserRecord, rootConsoleLoginRecord, serviceEventRecord } from './fixtures.js';

describe('toEventBridgeEnvelope', () => {
  it('builds the event EventBridge delivers for a CloudTrail API call', () => {
    const rec = iamUserRecord();
    const env = toEventBridgeEnvelope(rec);
    expect(env).toEqual({
      version: '0',
      id: env.id,
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.iam',
      account: '123456789012',
      time: '2023-07-19T21:11:57Z',
      region: 'us-east-1',
      resources: [],
      detail: rec,
    });
    expect(env.detail).toBe(rec);
    expect(env.id).toBe(rec.eventID);
  });

  it('id is the eventID (stable across runs, free to compute); without one, a deterministic UUID of the record', () => {
    const a = iamUserRecord();
    expect(eventBridgeId(a)).toBe(a.eventID);
    expect(eventBridgeId(a)).not.toBe(eventBridgeId(assumedRoleRecord()));
    const noId = iamUserRecord();
    delete noId.eventID;
    expect(eventBridgeId(noId)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventBridgeId(noId)).toBe(eventBridgeId({ ...noId }));
    expect(eventBridgeId(noId)).not.toBe(eventBridgeId({ ...noId, eventName: 'Other' }));
  });

  it('detail-type from eventType', () => {
    expect(toEventBridgeEnvelope(rootConsoleLoginRecord())['detail-type']).toBe('AWS Console Sign In via CloudTrail');
    expect(toEventBridgeEnvelope(serviceEventRecord())['detail-type']).toBe('AWS Service Event via CloudTrail');
    expect(eventBridgeDetailType('AwsConsoleAction')).toBe('AWS Console Action via CloudTrail');
    expect(eventBridgeDetailType('AwsCloudTrailInsight')).toBe('AWS Insight via CloudTrail');
    expect(eventBridgeDetailType(undefined)).toBe('AWS API Call via CloudTrail');
    expect(eventBridgeDetailType('AwsVpceEvent')).toBe('AWS API Call via CloudTrail');
    for (const dt of Object.values(DETAIL_TYPE_BY_EVENT_TYPE)) expect(dt).toMatch(/ via CloudTrail$/);
  });

  it('source: aws. + the first label of eventSource, with the documented exceptions', () => {
    expect(eventBridgeSource('signin.amazonaws.com')).toBe('aws.signin');
    expect(eventBridgeSource('macie2.amazonaws.com')).toBe('aws.macie2');
    expect(eventBridgeSource('inspector2.amazonaws.com')).toBe('aws.inspector2');
    expect(eventBridgeSource('elasticloadbalancing.amazonaws.com')).toBe('aws.elasticloadbalancing');
    expect(eventBridgeSource('monitoring.amazonaws.com')).toBe('aws.cloudwatch');
    expect(eventBridgeSource('email.amazonaws.com')).toBe('aws.ses');
    expect(eventBridgeSource('ses.amazonaws.com')).toBe('aws.ses');
    expect(eventBridgeSource('weird')).toBe('aws.weird');
  });

  it('account: recipientAccountId, else userIdentity.accountId', () => {
    const rec = assumedRoleRecord();
    rec.recipientAccountId = '111122223333';
    expect(toEventBridgeEnvelope(rec).account).toBe('111122223333');
    delete rec.recipientAccountId;
    expect(toEventBridgeEnvelope(rec).account).toBe('123456789012');
  });

  it('time at second precision', () => {
    expect(eventBridgeTime('2023-07-19T21:11:57Z')).toBe('2023-07-19T21:11:57Z');
    expect(eventBridgeTime('2020-09-14T00:44:23.000Z')).toBe('2020-09-14T00:44:23Z');
    expect(eventBridgeTime('2020-09-14T02:44:23+02:00')).toBe('2020-09-14T00:44:23Z');
    expect(eventBridgeTime('not a time')).toBe('not a time');
  });
});
