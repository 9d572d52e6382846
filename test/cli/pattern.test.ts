import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeTempDir, removeTempDirs, requireBuiltCli, run, SAMPLES } from './helpers.js';

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

  it('--event DIR reads the directory recursively, in a fixed order, as scan does (gzipped logs, digest files skipped)', () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'b', 'deeper'), { recursive: true });
    mkdirSync(join(tree, 'a'));
    writeFileSync(join(tree, 'a', 'one.json'), JSON.stringify({ Records: [record('DetachInternetGateway')] }));
    writeFileSync(join(tree, 'b', 'deeper', 'two.json.gz'), gzipSync(JSON.stringify({ Records: [record('DescribeInstances'), record('AttachInternetGateway')] })));
    writeFileSync(join(tree, 'b', 'digest.json'), JSON.stringify({ awsAccountId: '123456789012', digestStartTime: '2026-11-20T09:00:00Z', digestEndTime: '2026-11-20T10:00:00Z', digestS3Bucket: 'b', digestS3Object: 'x', logFiles: [] }));
    const r = run(['pattern', 'test', '--eventbridge', '{"detail":{"eventName":[{"suffix":"Gateway"}]}}', '--event', tree]);
    expect(r.stderr).not.toContain('EISDIR');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^MATCH +${esc(join(tree, 'a', 'one.json'))}#0 ec2\\.amazonaws\\.com DetachInternetGateway `));
    expect(lines[1]).toMatch(new RegExp(`^no match +${esc(join(tree, 'b', 'deeper', 'two.json.gz'))}#0 ec2\\.amazonaws\\.com DescribeInstances `));
    expect(lines[2]).toMatch(new RegExp(`^MATCH +${esc(join(tree, 'b', 'deeper', 'two.json.gz'))}#1 ec2\\.amazonaws\\.com AttachInternetGateway `));
    expect(lines[3]).toBe('2 of 3 events matched');
    expect(r.stderr).toMatch(/^skipped: .*digest\.json/m);
  });

  it('--matches-only prints only the events that matched; the count goes to stderr', () => {
    const r = run(['pattern', 'test', '--eventbridge', '{"detail":{"eventName":[{"suffix":"Gateway"}]}}', '--event', logFile, '--matches-only']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^MATCH +\S+#\d ec2\.amazonaws\.com (DetachInternetGateway|CreateCustomerGateway)/);
    expect(r.stderr).toBe('2 of 3 events matched\n');
    const none = run(['pattern', 'test', '--eventbridge', '{"detail":{"eventName":["Nothing"]}}', '--event', logFile, '--matches-only']);
    expect(none.status).toBe(1);
    expect(none.stdout).toBe('');
  });

  it('an --event path that does not exist is a usage error (exit 2)', () => {
    const r = run(['pattern', 'test', '--filter', 'ERROR', '--event', join(dir, 'missing.log')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`trailguard: --event not found: ${join(dir, 'missing.log')}\n`);
  });

  it('output to a reader that closes the pipe early (| head -n 1): stops quietly with exit 141, no stack trace', () => {
    const r = spawnSync(
      'bash',
      ['-c', `'${process.execPath}' '${CLI}' pattern test --eventbridge '{"source":[{"prefix":"aws."}]}' --event '${SAMPLES}' 2>'${join(dir, 'head-stderr.txt')}' | head -n 1; echo "status=\${PIPESTATUS[0]}"; cat '${join(dir, 'head-stderr.txt')}'`],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    const [first, status, ...rest] = r.stdout.split('\n');
    expect(first).toMatch(/^MATCH /);
    expect(status).toBe('status=141');
    // Only the digest skip of the sample set: no EPIPE, no stack.
    expect(rest.filter((l) => l !== '' && !l.startsWith('skipped: '))).toEqual([]);
  });
});

