/**
 * `trailguard audit` as a command: options, output formats, exit codes (0 / 1 by --fail-on / 2 for usage errors),
 * --fix dry run, --fix --apply and --cloudformation, against moto_server with the real SDK.
 *
 * The command runs in-process (auditCommand with the AWS clients pointed at moto), because `audit` is registered in
 * src/cli/main.ts by a separate change; the last test runs the built binary end to end (AWS_ENDPOINT_URL pointing at
 * moto) once it is registered, and says why it is skipped until then.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeMetricFiltersCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTopicCommand, ListTopicsCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createAwsClients } from '../../src/audit/clients.js';
import { auditCommand, type AuditCommandDeps } from '../../src/cli/audit-command.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { startMoto } from '../support/moto.js';
import { CLI, makeTempDir, removeTempDirs } from './helpers.js';

const moto = await startMoto();
afterAll(async () => {
  await moto?.stop();
  removeTempDirs();
});

const ACCOUNT = '123456789012';
const GROUP = 'aws-cloudtrail-logs';
const SEED_FILTER =
  '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) }';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `trailguard audit ...args` the way main.ts does: usage errors exit 2, --fail-on decides 0 / 1. */
async function audit(args: string[], deps: Partial<AuditCommandDeps> = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const program = new Command('trailguard').exitOverride().configureOutput({ writeErr: (t) => void (stderr.text += t), writeOut: (t) => void (stdout.text += t) });
  const command = auditCommand({
    clients: () => createAwsClients((region) => moto!.clientConfig(region)),
    stdout,
    stderr: stderr as unknown as NodeJS.WriteStream,
    resolveRegion: async () => 'us-east-1',
    ...deps,
  });
  command.exitOverride().configureOutput({ writeErr: (t) => void (stderr.text += t) });
  program.addCommand(command);
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'trailguard', 'audit', ...args]);
    return { status: typeof process.exitCode === 'number' ? process.exitCode : 0, stdout: stdout.text, stderr: stderr.text };
  } catch (error) {
    if (error instanceof UsageError) return { status: 2, stdout: stdout.text, stderr: `${stderr.text}trailguard: ${error.message}\n` };
    if (error instanceof CommanderError) return { status: 2, stdout: stdout.text, stderr: stderr.text };
    throw error;
  } finally {
    process.exitCode = saved;
  }
}

async function seedAccount(filterPattern = SEED_FILTER): Promise<void> {
  const config = moto!.clientConfig('us-east-1');
  expect((await fetch(`${moto!.endpoint}/trailguard-cli-trail-bucket`, { method: 'PUT' })).ok).toBe(true);
  const logs = new CloudWatchLogsClient(config);
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  const ct = new CloudTrailClient(config);
  await ct.send(
    new CreateTrailCommand({
      Name: 'main',
      S3BucketName: 'trailguard-cli-trail-bucket',
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${GROUP}:*`,
      CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/CloudTrail_CloudWatchLogs_Role`,
    }),
  );
  await ct.send(new StartLoggingCommand({ Name: 'main' }));
  await logs.send(
    new PutMetricFilterCommand({ logGroupName: GROUP, filterName: 'VPCGatewayConfigChanges', filterPattern, metricTransformations: [{ metricName: 'GatewayEventCount', metricNamespace: 'CloudTrailMetrics', metricValue: '1' }] }),
  );
}

describe('trailguard audit: usage errors exit 2', () => {
  it.each([
    [['--apply'], '--apply makes the calls of a --fix plan: use --fix --apply'],
    [['--only', 'cis-4.12'], '--only: unknown control cis-4.12 (controls: unauthorized-api-calls,'],
    [['--fix', '--email', 'not-an-address'], '--email not-an-address: not an email address'],
    [['--fix', '--topic-arn', 'arn:aws:sqs:us-east-1:123456789012:q'], '--topic-arn arn:aws:sqs:us-east-1:123456789012:q: not an SNS topic ARN'],
    [['--fail-on', 'WARN'], '--fail-on: WARN is not FAIL, ERROR or none'],
    [['--cloudformation', 'x.yaml'], '--cloudformation only applies with --fix'],
    [['--max-delivery-age', '-1'], '--max-delivery-age -1: expected a positive number of hours'],
    [['--regions', 'bogus-9'], '--regions bogus-9: not an AWS region name (like us-east-1)'],
    [['--regions', 'eu-west-1,useast1,mars'], '--regions useast1, mars: not AWS region names (like us-east-1)'],
    [['--region', 'Europe'], '--region Europe: not an AWS region name (like us-east-1)'],
    [['--only', 'network-gateway-change'], '--only: unknown control network-gateway-change (did you mean network-gateway-changes?) (controls: '],
  ])('%j', async (args, message) => {
    const r = await audit(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('an invalid --format is refused by commander', async () => {
    const r = await audit(['--format', 'xml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("argument 'xml' is invalid");
  });

  it('no region anywhere', async () => {
    const r = await audit([], { resolveRegion: async () => undefined });
    expect(r).toMatchObject({ status: 2, stderr: expect.stringContaining('no region: pass --region or set AWS_REGION') });
  });

  it('no usable credentials', async () => {
    const stsMock = mockClient(STSClient);
    stsMock.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    try {
      const r = await audit(['--profile', 'nobody']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('no usable AWS credentials for profile nobody: Could not load credentials from any providers');
    } finally {
      stsMock.restore();
    }
  });
});

describe.skipIf(!moto)('trailguard audit against moto_server', () => {
  beforeEach(() => moto!.reset());

  it('table: the failing control, the event its filter misses, the compliance summary; exit 1', async () => {
    await seedAccount();
    const r = await audit(['--region', 'us-east-1']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL    4.12 (v1.2.0: 3.12)     CloudWatch.12  network-gateway-changes');
    expect(r.stdout).toContain('- metric filter VPCGatewayConfigChanges (CloudTrailMetrics/GatewayEventCount on log group aws-cloudtrail-logs (us-east-1)) misses DetachInternetGateway');
    expect(r.stdout).toContain('Compliance (only the controls this audit covers):');
    expect(r.stdout).toMatch(/CIS AWS Foundations v1\.2\.0 +2\/18 pass; FAIL 1\.1 2\.4 3\.1 /);
    expect(r.stderr).toContain('2 pass, 16 fail, 0 error (exit 1: --fail-on FAIL,ERROR)');
  });

  it('--fail-on takes verdicts in any case', async () => {
    await seedAccount();
    for (const failOn of ['fail', 'FAIL', 'Fail,error']) expect((await audit(['--only', 'network-gateway-changes', '--fail-on', failOn, '-q'])).status, failOn).toBe(1);
    for (const failOn of ['error', 'NONE', 'None']) expect((await audit(['--only', 'network-gateway-changes', '--fail-on', failOn, '-q'])).status, failOn).toBe(0);
  });

  it('--fix --apply with nobody to notify is refused (exit 2) and nothing is created', async () => {
    await seedAccount();
    const r = await audit(['--fix', '--apply', '-q']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`trailguard: --apply would create alarms that notify no one: topic arn:aws:sns:us-east-1:${ACCOUNT}:trailguard-cis-alarms would be created with no subscriber. Pass --email <address>`);
    const filters = await new CloudWatchLogsClient(moto!.clientConfig('us-east-1')).send(new DescribeMetricFiltersCommand({ logGroupName: GROUP }));
    expect(filters.metricFilters?.map((f) => f.filterName)).toEqual(['VPCGatewayConfigChanges']);
    expect((await new SNSClient(moto!.clientConfig('us-east-1')).send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);

    // A named topic nobody is subscribed to: refused the same way; one that does not exist likewise.
    const { TopicArn: lonely } = await new SNSClient(moto!.clientConfig('us-east-1')).send(new CreateTopicCommand({ Name: 'lonely' }));
    const named = await audit(['--fix', '--apply', '--topic-arn', lonely!, '-q']);
    expect(named).toMatchObject({ status: 2, stderr: expect.stringContaining(`topic ${lonely} has no subscriptions`) });
    const byName = await audit(['--fix', '--apply', '--topic-name', 'lonely', '-q']);
    expect(byName).toMatchObject({ status: 2, stderr: expect.stringContaining(`topic ${lonely} has no subscriptions`) });
    const missing = await audit(['--fix', '--apply', '--topic-arn', `arn:aws:sns:us-east-1:${ACCOUNT}:no-such-topic`, '-q']);
    expect(missing).toMatchObject({ status: 2, stderr: expect.stringContaining(`topic arn:aws:sns:us-east-1:${ACCOUNT}:no-such-topic does not exist`) });
    // The dry run still shows the plan, with the warning.
    const dry = await audit(['--fix', '-q']);
    expect(dry.stdout).toContain('warning: the topic has no confirmed subscriber, so the alarms will notify no one');
  });

  it('--fix --apply --topic-arn of a topic with a confirmed subscriber: the alarms notify it and every monitoring control passes', async () => {
    await seedAccount();
    const sns = new SNSClient(moto!.clientConfig('us-east-1'));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'secops' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'secops@example.com' })); // moto confirms at once
    const r = await audit(['--fix', '--apply', '--topic-arn', TopicArn!, '--exclude', 'cloudtrail-cloudwatch-logs', '-q']);
    expect(r.status).toBe(0);
    expect(r.stdout.slice(r.stdout.indexOf('After --apply:'))).toContain('Controls: 17 pass, 0 fail, 0 error (of 17)');
    expect(((await sns.send(new ListTopicsCommand({}))).Topics ?? []).map((t) => t.TopicArn)).toEqual([TopicArn]);
  });

  it('--fail-on none and --only decide the exit code', async () => {
    await seedAccount();
    expect((await audit(['--fail-on', 'none', '-q'])).status).toBe(0);
    expect((await audit(['--only', 'cloudtrail-multi-region,cloudtrail-log-file-validation', '-q'])).status).toBe(0);
    expect((await audit(['--only', 'network-gateway-changes', '--fail-on', 'ERROR', '-q'])).status).toBe(0);
  });

  it("the config file's audit section gives defaults; the command line wins", async () => {
    await seedAccount();
    const config = join(mkdtempSync(join(tmpdir(), 'tg-audit-config-')), 'trailguard.config.yaml');
    writeFileSync(config, 'audit:\n  region: us-east-1\n  only: [network-gateway-changes]\n  failOn: []\n');
    const fromConfig = await audit(['-c', config, '--format', 'json', '-q']);
    expect(fromConfig.status).toBe(0);
    expect((JSON.parse(fromConfig.stdout) as { controls: Array<{ id: string }> }).controls.map((c) => c.id)).toEqual(['network-gateway-changes']);
    expect((await audit(['-c', config, '--fail-on', 'FAIL', '-q'])).status).toBe(1);
    writeFileSync(config, 'audit:\n  failOn: [FAILED]\n');
    // main() turns a ConfigError into exit 2 with this message (test/cli/scan.test.ts runs that path end to end).
    await expect(audit(['-c', config, '-q'])).rejects.toThrow(/trailguard\.config\.yaml:2:\d+: audit\.failOn\[0\]: Invalid option/);
  });

  it('--format json: the report, the compliance summary, parseable; -o writes it to a file', async () => {
    await seedAccount();
    const dir = makeTempDir('trailguard-audit-');
    const r = await audit(['--format', 'json', '-o', join(dir, 'report.json'), '-q']);
    expect(r.stdout).toBe('');
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report).toMatchObject({ accountId: ACCOUNT, primaryRegion: 'us-east-1', counts: { PASS: 2, FAIL: 16, ERROR: 0 } });
    expect(report.controls.find((c: { id: string }) => c.id === 'network-gateway-changes').reasons[0]).toContain('misses DetachInternetGateway');
    expect(report.compliance.map((c: { name: string }) => c.name)).toContain('AWS Security Hub');
  });

  it('--fix is a dry run: the plan and the aws CLI commands, nothing created', async () => {
    await seedAccount();
    const r = await audit(['--fix', '--email', 'secops@example.com', '-q']);
    expect(r.stdout).toContain('Plan (dry run; add --apply to make these calls): 32 calls in us-east-1 for log group aws-cloudtrail-logs of trail main');
    expect(r.stdout).toContain("aws logs put-metric-filter --region us-east-1 --log-group-name aws-cloudtrail-logs --filter-name trailguard-network-gateway-changes --filter-pattern '{ ($.eventName = CreateCustomerGateway)");
    const filters = await new CloudWatchLogsClient(moto!.clientConfig('us-east-1')).send(new DescribeMetricFiltersCommand({ logGroupName: GROUP }));
    expect(filters.metricFilters?.map((f) => f.filterName)).toEqual(['VPCGatewayConfigChanges']);
    expect(r.status).toBe(1);
  });

  it('--fix --apply creates what is missing and audits again: every monitoring control passes', async () => {
    await seedAccount();
    const r = await audit(['--fix', '--apply', '--email', 'secops@example.com', '--exclude', 'cloudtrail-cloudwatch-logs', '-q']);
    expect(r.stdout).toContain('done     create-topic (arn:aws:sns:us-east-1:123456789012:trailguard-cis-alarms)');
    expect(r.stdout).toContain('Applied 32 calls.');
    const after = r.stdout.slice(r.stdout.indexOf('After --apply:'));
    expect(after).toContain('Controls: 17 pass, 0 fail, 0 error (of 17)');
    expect(after).toContain('Email subscriptions stay pending until the recipient follows the link AWS sends');
    expect(r.status).toBe(0);
    // A second run finds nothing to do.
    const again = await audit(['--fix', '--exclude', 'cloudtrail-cloudwatch-logs', '-q']);
    expect(again.stdout).toContain('Nothing to create.');
    expect(again.status).toBe(0);
  });

  it('--cloudformation writes the plan as a template; JSON when the file ends in .json', async () => {
    await seedAccount();
    const dir = makeTempDir('trailguard-cfn-');
    await audit(['--fix', '--email', 'secops@example.com', '--cloudformation', join(dir, 'cis.yaml'), '-q']);
    const template = parse(readFileSync(join(dir, 'cis.yaml'), 'utf8'));
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(template.Resources.AlarmTopic.Type).toBe('AWS::SNS::Topic');
    expect(template.Resources.MetricFilterNetworkGatewayChanges.Properties.LogGroupName).toBe(GROUP);
    await audit(['--fix', '--patterns', 'security-hub', '--cloudformation', join(dir, 'cis.json'), '-q']);
    const json = JSON.parse(readFileSync(join(dir, 'cis.json'), 'utf8'));
    expect(json.Resources.MetricFilterUnauthorizedApiCalls.Properties.FilterPattern).toBe('{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}');
    // "-": only the template on stdout, so it can be piped; the report and the plan go to stderr.
    const piped = await audit(['--fix', '--cloudformation', '-', '-q']);
    expect(Object.keys(parse(piped.stdout).Resources)).toContain('AlarmNetworkGatewayChanges');
    // Plain YAML: every alarm names the topic itself, no &anchor / *alias (CloudFormation rejects them).
    expect(readFileSync(join(dir, 'cis.yaml'), 'utf8')).not.toMatch(/(^|[\s[{,:-])[&*]a\d+/m);
    expect(piped.stdout).not.toMatch(/(^|[\s[{,:-])[&*]a\d+/m);
    expect(template.Resources.AlarmNetworkGatewayChanges.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(piped.stderr).toContain('Plan (dry run; add --apply to make these calls)');
  });
});

describe.skipIf(!moto)('the built binary', () => {
  const registered = existsSync(CLI) && spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout.includes('audit');
  if (!registered) console.warn(`skipping the binary test: ${CLI} has no audit command yet (add program.addCommand(auditCommand()) to src/cli/main.ts and build)`);

  it.skipIf(!registered)('runs audit end to end with the standard credential chain and AWS_ENDPOINT_URL', async () => {
    await moto!.reset();
    await seedAccount();
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', AWS_ENDPOINT_URL: moto!.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
    delete env.AWS_PROFILE;
    const r = spawnSync(process.execPath, [CLI, 'audit', '--only', 'network-gateway-changes', '--format', 'json'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).controls[0].reasons[0]).toContain('misses DetachInternetGateway');
  });
});
