import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs, requireBuiltCli, run } from './helpers.js';

const record = (eventName: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: '1.09',
  eventTime: '2026-11-20T10:00:00Z',
  eventSource: 'ec2.amazonaws.com',
  eventName,
  awsRegion: 'us-east-1',
  eventID: `00000000-0000-4000-8000-${eventName.length.toString().padStart(12, '0')}`,
  eventType: 'AwsApiCall',
  recipientAccountId: '123456789012',
  userIdentity: { type: 'IAMUser', userName: 'bob', arn: 'arn:aws:iam::123456789012:user/bob', accountId: '123456789012' },
  ...extra,
});

let dir: string;
let logFile: string;
beforeAll(() => {
  requireBuiltCli();
  dir = makeTempDir();
  logFile = join(dir, 'trail.json');
  writeFileSync(logFile, JSON.stringify({ Records: [record('DetachInternetGateway'), record('DescribeInstances'), record('CreateCustomerGateway', { errorCode: 'Client.UnauthorizedOperation' })] }));
});
afterAll(removeTempDirs);

describe('trailguard pattern test', () => {
  it('--eventbridge matches CloudTrail records in their EventBridge envelope', () => {
    const r = run(['pattern', 'test', '--eventbridge', '{"source":["aws.ec2"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":[{"suffix":"Gateway"}]}}', '--event', logFile]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('MATCH'))).toHaveLength(2);
    expect(r.stdout).toContain('2 of 3 events matched');
  });

  it('--filter runs a CloudWatch Logs filter pattern on the records (seed 000 gateway filter)', () => {
    const seedFilter = '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }';
    const r = run(['pattern', 'test', '--filter', seedFilter, '--event', logFile]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^MATCH .* DetachInternetGateway/m);
    expect(r.stdout).toMatch(/^MATCH .* CreateCustomerGateway/m);
    expect(r.stdout).toMatch(/^no match .* DescribeInstances/m);
  });

  it('--filter on plain log lines, and exit 1 when nothing matches', () => {
    const lines = join(dir, 'app.log');
    writeFileSync(lines, 'ERROR disk full\nINFO all good\n');
    expect(run(['pattern', 'test', '--filter', 'ERROR', '--event', lines]).stdout).toBe('MATCH     ' + `${lines}:1 ERROR disk full\nno match  ${lines}:2 INFO all good\n1 of 2 events matched\n`);
    expect(run(['pattern', 'test', '--filter', '"no such text"', '--event', lines]).status).toBe(1);
  });

  it('reads the pattern from @file and stdin events with -', () => {
    const patternFile = join(dir, 'p.json');
    writeFileSync(patternFile, '{"detail":{"eventName":["DescribeInstances"]}}');
    const r = run(['pattern', 'test', '--eventbridge', `@${patternFile}`, '--event', '-'], { input: JSON.stringify(record('DescribeInstances')) });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 of 1 events matched');
  });

  it('refuses an invalid pattern with exit 2, naming the problem and pointing at the offset', () => {
    const r = run(['pattern', 'test', '--filter', '{ $.eventName = }', '--event', logFile]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('invalid CloudWatch Logs filter pattern');
    expect(r.stderr).toContain('offset 16\n  { $.eventName = }\n                  ^');
    const eb = run(['pattern', 'test', '--eventbridge', '{"detail":{"eventName":[{"prefx":"A"}]}}', '--event', logFile]);
    expect(eb.status).toBe(2);
    expect(eb.stderr).toMatch(/invalid EventBridge pattern: .*detail\.eventName.*prefx/);
    expect(run(['pattern', 'test', '--event', logFile]).status).toBe(2);
  });
});
