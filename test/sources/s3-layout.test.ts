import { describe, expect, it } from 'vitest';
import { dayPrefixes, keyDay, parseS3Url, prefixPosition, windowDays } from '../../src/sources/s3-layout.js';

describe('s3 layout', () => {
  it('parses s3:// URLs and refuses bad bucket names', () => {
    expect(parseS3Url('s3://trail')).toEqual({ bucket: 'trail', prefix: '' });
    expect(parseS3Url('s3://trail/AWSLogs/1')).toEqual({ bucket: 'trail', prefix: 'AWSLogs/1' });
    expect(parseS3Url('s3://Not_A_Bucket/x')).toBeUndefined();
    expect(parseS3Url('s3:///x')).toBeUndefined();
  });

  it('places a prefix in the layout, organization trails and trail key prefixes included', () => {
    expect(prefixPosition('')).toMatchObject({ level: 'above', dir: '', partial: '' });
    expect(prefixPosition('team/logs/')).toMatchObject({ level: 'above' });
    expect(prefixPosition('team/AWSLogs/')).toMatchObject({ level: 'awslogs', dir: 'team/AWSLogs/' });
    expect(prefixPosition('AWSLogs/1234')).toMatchObject({ level: 'awslogs', partial: '1234' });
    expect(prefixPosition('AWSLogs/o-abcdefghij/')).toMatchObject({ level: 'org' });
    expect(prefixPosition('AWSLogs/o-abcdefghij/123456789012/')).toMatchObject({ level: 'account' });
    expect(prefixPosition('AWSLogs/123456789012/CloudTrail-Digest/')).toMatchObject({ level: 'folder', folder: 'digest' });
    expect(prefixPosition('AWSLogs/123456789012/CloudTrail/us-east-1/')).toMatchObject({ level: 'region', regionDir: 'AWSLogs/123456789012/CloudTrail/us-east-1/' });
    expect(prefixPosition('AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/1')).toMatchObject({ level: 'inside-region', regionDir: 'AWSLogs/123456789012/CloudTrail/us-east-1/' });
    expect(prefixPosition('AWSLogs/123456789012/vpcflowlogs/')).toMatchObject({ level: 'unknown' });
  });

  it('the days of a window: from --since\'s day to an hour past --until', () => {
    const days = windowDays(new Date('2026-11-16T23:00:00Z'), new Date('2026-11-17T23:30:00Z'))!;
    expect(dayPrefixes({ first: days.first!, last: days.last! })).toEqual(['2026/11/16/', '2026/11/17/', '2026/11/18/']);
    const exact = windowDays(new Date('2026-11-16T00:00:00Z'), new Date('2026-11-17T00:00:00Z'))!;
    expect(dayPrefixes({ first: exact.first!, last: exact.last! })).toEqual(['2026/11/16/', '2026/11/17/']);
    expect(windowDays(undefined, undefined)).toBeUndefined();
    expect(keyDay('R/2026/11/17/f.json.gz', 'R/')).toBe(Date.UTC(2026, 10, 17));
    expect(keyDay('R/notaday/f.json.gz', 'R/')).toBeUndefined();
  });
});
