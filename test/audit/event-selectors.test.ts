import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../src/cloudtrail/types.js';
import { managementCoverageGaps, trailRecords } from '../../src/audit/event-selectors.js';
import type { TrailSelectors } from '../../src/audit/types.js';

const event = (eventSource: string, eventName: string, readOnly: boolean, extra: Partial<CloudTrailRecord> = {}): CloudTrailRecord => ({
  eventTime: '2026-11-20T10:00:00Z',
  eventSource,
  eventName,
  readOnly,
  eventType: 'AwsApiCall',
  managementEvent: true,
  eventCategory: 'Management',
  ...extra,
});
const read = event('ec2.amazonaws.com', 'DescribeInternetGateways', true);
const write = event('ec2.amazonaws.com', 'DetachInternetGateway', false);
const kms = event('kms.amazonaws.com', 'DisableKey', false);
const basic = (...selectors: TrailSelectors['basic']): TrailSelectors => ({ basic: selectors, advanced: [] });
const advanced = (...selectors: TrailSelectors['advanced']): TrailSelectors => ({ basic: [], advanced: selectors });

describe('basic event selectors', () => {
  it('no selector at all is the documented default: every read and write management event', () => {
    for (const e of [read, write, kms]) expect(trailRecords(basic(), e).recorded).toBe(true);
  });

  it('ReadWriteType decides by the record\'s readOnly', () => {
    expect(trailRecords(basic({ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }), read)).toEqual({ recorded: false, why: 'records write-only management events only' });
    expect(trailRecords(basic({ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }), write).recorded).toBe(true);
    expect(trailRecords(basic({ ReadWriteType: 'ReadOnly' }), write).recorded).toBe(false);
  });

  it('ExcludeManagementEventSources and IncludeManagementEvents false', () => {
    expect(trailRecords(basic({ ReadWriteType: 'All', IncludeManagementEvents: true, ExcludeManagementEventSources: ['kms.amazonaws.com'] }), kms)).toEqual({
      recorded: false,
      why: 'excludes management events from kms.amazonaws.com',
    });
    expect(trailRecords(basic({ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }), write).recorded).toBe(false);
  });

  it('an event is logged when any selector takes it', () => {
    const selectors = basic({ ReadWriteType: 'WriteOnly' }, { ReadWriteType: 'ReadOnly' });
    expect(trailRecords(selectors, read).recorded).toBe(true);
    expect(trailRecords(selectors, write).recorded).toBe(true);
  });
});

describe('advanced event selectors', () => {
  const management = { Field: 'eventCategory', Equals: ['Management'] };

  it('all management events', () => {
    for (const e of [read, write, kms]) expect(trailRecords(advanced({ Name: 'mgmt', FieldSelectors: [management] }), e).recorded).toBe(true);
  });

  it('readOnly = false records writes only, and says which selector refused', () => {
    const selectors = advanced({ Name: 'writes', FieldSelectors: [management, { Field: 'readOnly', Equals: ['false'] }] });
    expect(trailRecords(selectors, write).recorded).toBe(true);
    expect(trailRecords(selectors, read)).toEqual({ recorded: false, why: 'no advanced event selector selects it ("writes" requires readOnly = false)' });
  });

  it('eventSource NotEquals kms.amazonaws.com drops KMS management events', () => {
    const selectors = advanced({ FieldSelectors: [management, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }] });
    expect(trailRecords(selectors, kms).recorded).toBe(false);
    expect(trailRecords(selectors, write).recorded).toBe(true);
  });

  it('a data-event selector records no management event', () => {
    const selectors = advanced({ Name: 's3 objects', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] });
    expect(trailRecords(selectors, write).recorded).toBe(false);
  });

  it('StartsWith / EndsWith / Not* operators', () => {
    const selectors = advanced({ FieldSelectors: [management, { Field: 'eventSource', StartsWith: ['ec2.'], NotEndsWith: ['.cn'] }] });
    expect(trailRecords(selectors, write).recorded).toBe(true);
    expect(trailRecords(selectors, kms).recorded).toBe(false);
  });
});

describe('managementCoverageGaps (CIS 3.1 / CloudTrail.1)', () => {
  it('none for all management events', () => {
    expect(managementCoverageGaps(basic({ ReadWriteType: 'All', IncludeManagementEvents: true }))).toEqual([]);
    expect(managementCoverageGaps(advanced({ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }))).toEqual([]);
  });

  it('names what is not recorded', () => {
    const gaps = managementCoverageGaps(basic({ ReadWriteType: 'WriteOnly', ExcludeManagementEventSources: ['kms.amazonaws.com'] }));
    expect(gaps).toEqual([
      'does not record read management events (records write-only management events only)',
      'does not record AWS KMS management events (excludes management events from kms.amazonaws.com)',
    ]);
  });
});
