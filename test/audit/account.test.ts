/**
 * readAccount with mocked SDK clients (aws-sdk-client-mock): the calls made, in which region and with which
 * arguments, pagination, and faults (AccessDenied, throttling, missing credentials) kept as data.
 */
import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAccount } from '../../src/audit/account.js';
import { callAws, describeCallError } from '../../src/audit/aws-call.js';
import { createAwsClients } from '../../src/audit/clients.js';
import { evaluateAccount } from '../../src/audit/evaluate.js';
import { ACCOUNT, NOW, OTHER_ACCOUNT, SEED_GATEWAY_FILTER, cisRules } from './support/fixtures.js';

const ct = mockClient(CloudTrailClient);
const logs = mockClient(CloudWatchLogsClient);
const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
// The stubs sit on the client classes: give them back for the test files that run after this one in the worker.
afterAll(() => {
  for (const mock of [ct, logs, cw, sns, sts, ec2]) mock.restore();
});

const awsError = (name: string, message = name, status = 400) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
const clients = () => createAwsClients(() => ({ credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-a-secret' }, maxAttempts: 1 }));
const noSleep = { sleep: async () => {} };
const TRAIL_ARN = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/main`;
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:alarms`;

async function regionOf(client: unknown): Promise<string> {
  return (client as { config: { region: () => Promise<string> } }).config.region();
}

beforeEach(() => {
  for (const m of [ct, logs, cw, sns, sts, ec2]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/auditor`, UserId: 'AIDAEXAMPLE' });
  ct.on(DescribeTrailsCommand).resolves({
    trailList: [
      {
        Name: 'main',
        TrailARN: TRAIL_ARN,
        HomeRegion: 'eu-west-1',
        IsMultiRegionTrail: true,
        IsOrganizationTrail: false,
        IncludeGlobalServiceEvents: true,
        LogFileValidationEnabled: true,
        HasCustomEventSelectors: true,
        CloudWatchLogsLogGroupArn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:cloudtrail/main:*`,
        CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/CloudTrail_CloudWatchLogs`,
      },
    ],
  });
  ct.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestCloudWatchLogsDeliveryTime: new Date('2026-11-20T11:58:00Z') });
  ct.on(GetEventSelectorsCommand).resolves({
    TrailARN: TRAIL_ARN,
    AdvancedEventSelectors: [{ Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }],
  });
  logs.on(DescribeMetricFiltersCommand).resolves({
    metricFilters: [{ filterName: 'gateways', filterPattern: SEED_GATEWAY_FILTER, logGroupName: 'cloudtrail/main', metricTransformations: [{ metricName: 'GatewayEventCount', metricNamespace: 'CloudTrailMetrics', metricValue: '1' }] }],
  });
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
  sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
});
afterEach(() => {
  for (const m of [ct, logs, cw, sns, sts, ec2]) m.reset();
});

function gatewayAlarm(extra: Record<string, unknown> = {}) {
  return {
    AlarmName: 'gateways',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:gateways`,
    ActionsEnabled: true,
    AlarmActions: [TOPIC],
    StateValue: 'OK' as const,
    MetricName: 'GatewayEventCount',
    Namespace: 'CloudTrailMetrics',
    Statistic: 'Sum' as const,
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold' as const,
    ...extra,
  };
}

describe('readAccount', () => {
  it('reads a shadow trail in its home region by ARN, its log group, alarms and topics, and maps every field', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [gatewayAlarm()], CompositeAlarms: [] });
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { SubscriptionArn: `${TOPIC}:1b2c`, Protocol: 'email', Endpoint: 'sec@example.com', TopicArn: TOPIC, Owner: ACCOUNT },
        { SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'new@example.com', TopicArn: TOPIC, Owner: ACCOUNT },
      ],
    });
    const snapshot = await readAccount(clients(), { primaryRegion: 'us-east-1', now: () => NOW });

    expect(snapshot).toMatchObject({ accountId: ACCOUNT, partition: 'aws', regions: ['us-east-1'], errors: [] });
    expect(snapshot.trails).toEqual([
      expect.objectContaining({
        arn: TRAIL_ARN,
        homeRegion: 'eu-west-1',
        seenInRegions: ['us-east-1'],
        logGroup: { region: 'eu-west-1', accountId: ACCOUNT, name: 'cloudtrail/main', arn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:cloudtrail/main:*` },
        status: { isLogging: true, latestCloudWatchLogsDeliveryTime: '2026-11-20T11:58:00.000Z' },
        selectors: { basic: [], advanced: [{ Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] },
      }),
    ]);
    // Status and selectors of a shadow trail: by ARN, from a client of its home region.
    const statusCall = ct.commandCalls(GetTrailStatusCommand)[0]!;
    expect(statusCall.args[0].input).toEqual({ Name: TRAIL_ARN });
    expect(await regionOf(statusCall.thisValue)).toBe('eu-west-1');
    expect(ct.commandCalls(GetEventSelectorsCommand)[0]!.args[0].input).toEqual({ TrailName: TRAIL_ARN });
    const filterCall = logs.commandCalls(DescribeMetricFiltersCommand)[0]!;
    expect(filterCall.args[0].input).toEqual({ logGroupName: 'cloudtrail/main' });
    expect(await regionOf(filterCall.thisValue)).toBe('eu-west-1');
    // Alarms in the log group's region and the region started in.
    const alarmRegions = await Promise.all(cw.commandCalls(DescribeAlarmsCommand).map((c) => regionOf(c.thisValue)));
    expect(alarmRegions.sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(cw.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toMatchObject({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(snapshot.topics).toEqual([
      {
        arn: TOPIC,
        region: 'eu-west-1',
        subscriptions: [
          { arn: `${TOPIC}:1b2c`, protocol: 'email', endpoint: 'sec@example.com', confirmed: true },
          { arn: 'PendingConfirmation', protocol: 'email', endpoint: 'new@example.com', confirmed: false },
        ],
      },
    ]);
    const report = evaluateAccount(snapshot, { rules: cisRules(), now: NOW, only: ['network-gateway-changes'] });
    expect(report.controls[0]!.verdict).toBe('PASS');
  });

  it('follows nextToken / NextToken on every paginated call', async () => {
    logs
      .on(DescribeMetricFiltersCommand)
      .resolvesOnce({ metricFilters: [{ filterName: 'a', filterPattern: '{ $.eventName = CreateCustomerGateway }', metricTransformations: [{ metricName: 'G', metricNamespace: 'N', metricValue: '1' }] }], nextToken: 't1' })
      .resolvesOnce({ metricFilters: [{ filterName: 'b', filterPattern: SEED_GATEWAY_FILTER, metricTransformations: [{ metricName: 'G', metricNamespace: 'N', metricValue: '1' }] }] });
    cw.on(DescribeAlarmsCommand, { NextToken: 'p2' }).resolves({ MetricAlarms: [gatewayAlarm({ AlarmName: 'second', MetricName: 'G', Namespace: 'N' })] });
    cw.on(DescribeAlarmsCommand, { NextToken: undefined }).resolves({ MetricAlarms: [gatewayAlarm({ MetricName: 'G', Namespace: 'N' })], NextToken: 'p2' });
    sns.on(ListSubscriptionsByTopicCommand).resolvesOnce({ Subscriptions: [], NextToken: 's2' }).resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:x`, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:eu-west-1:1:q' }] });
    const snapshot = await readAccount(clients(), { primaryRegion: 'eu-west-1' });
    expect(snapshot.logGroups[0]!.filters!.map((f) => f.name)).toEqual(['a', 'b']);
    expect(logs.commandCalls(DescribeMetricFiltersCommand)[1]!.args[0].input).toEqual({ logGroupName: 'cloudtrail/main', nextToken: 't1' });
    expect(snapshot.alarms[0]!.alarms!.map((a) => a.name)).toEqual(['gateways', 'second']);
    expect(snapshot.topics[0]!.subscriptions).toHaveLength(1);
  });

  it('AccessDenied is recorded next to what it was about, never thrown, and becomes ERROR', async () => {
    logs.on(DescribeMetricFiltersCommand).rejects(awsError('AccessDeniedException', 'User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: logs:DescribeMetricFilters'));
    const snapshot = await readAccount(clients(), { primaryRegion: 'us-east-1', retry: noSleep });
    expect(snapshot.logGroups[0]!.error).toMatchObject({ action: 'logs:DescribeMetricFilters', region: 'eu-west-1', resource: 'log group cloudtrail/main', code: 'AccessDeniedException', kind: 'access-denied' });
    expect(snapshot.errors).toHaveLength(1);
    const result = evaluateAccount(snapshot, { rules: cisRules(), now: NOW, only: ['network-gateway-changes'] }).controls[0]!;
    expect(result.verdict).toBe('ERROR');
    expect(result.reasons).toEqual(['no permission to call logs:DescribeMetricFilters on log group cloudtrail/main in eu-west-1 (AccessDeniedException)']);
  });

  it('every CloudTrail read denied: ERROR for the controls, with the permission named', async () => {
    ct.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException'));
    const snapshot = await readAccount(clients(), { primaryRegion: 'us-east-1', retry: noSleep });
    expect(snapshot.trails).toEqual([]);
    const results = evaluateAccount(snapshot, { rules: cisRules(), now: NOW }).controls;
    expect(new Set(results.map((r) => r.verdict))).toEqual(new Set(['ERROR']));
    expect(results[0]!.reasons).toEqual(['no permission to call cloudtrail:DescribeTrails in us-east-1 (AccessDeniedException)']);
  });

  it('SNS AuthorizationError on a cross-account topic is ERROR, as Security Hub warns', async () => {
    const foreign = `arn:aws:sns:eu-west-1:${OTHER_ACCOUNT}:central-alarms`;
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [gatewayAlarm({ AlarmActions: [foreign] })] });
    sns.on(ListSubscriptionsByTopicCommand).rejects(awsError('AuthorizationErrorException', 'not authorized to perform: SNS:ListSubscriptionsByTopic', 403));
    const snapshot = await readAccount(clients(), { primaryRegion: 'eu-west-1', retry: noSleep });
    const result = evaluateAccount(snapshot, { rules: cisRules(), now: NOW, only: ['network-gateway-changes'] }).controls[0]!;
    expect(result.verdict).toBe('ERROR');
    expect(result.reasons).toEqual([`no permission to call sns:ListSubscriptionsByTopic on topic ${foreign} in eu-west-1 (AuthorizationErrorException)`]);
  });

  it('throttling is retried with backoff and succeeds; when it persists it is an ERROR saying so', async () => {
    logs.on(DescribeMetricFiltersCommand).rejectsOnce(awsError('ThrottlingException', 'Rate exceeded')).resolves({ metricFilters: [] });
    const delays: number[] = [];
    const ok = await readAccount(clients(), { primaryRegion: 'eu-west-1', retry: { sleep: async (ms) => void delays.push(ms) } });
    expect(ok.errors).toEqual([]);
    expect(delays).toEqual([250]);

    logs.on(DescribeMetricFiltersCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const throttled = await readAccount(clients(), { primaryRegion: 'eu-west-1', retry: { attempts: 3, ...noSleep } });
    expect(throttled.logGroups[0]!.error).toMatchObject({ kind: 'throttled', code: 'ThrottlingException' });
    expect(describeCallError(throttled.logGroups[0]!.error!)).toBe('logs:DescribeMetricFilters on log group cloudtrail/main in eu-west-1 was throttled and retries ran out (ThrottlingException)');
    expect(logs.commandCalls(DescribeMetricFiltersCommand).length).toBe(2 + 3);
  });

  it('an organization trail of another account: status read by ARN, its log group not read', async () => {
    const orgArn = `arn:aws:cloudtrail:us-east-1:${OTHER_ACCOUNT}:trail/org`;
    ct.on(DescribeTrailsCommand).resolves({
      trailList: [{ Name: 'org', TrailARN: orgArn, HomeRegion: 'us-east-1', IsMultiRegionTrail: true, IsOrganizationTrail: true, CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${OTHER_ACCOUNT}:log-group:org-trail:*` }],
    });
    const snapshot = await readAccount(clients(), { primaryRegion: 'us-east-1' });
    expect(ct.commandCalls(GetTrailStatusCommand)[0]!.args[0].input).toEqual({ Name: orgArn });
    expect(logs.commandCalls(DescribeMetricFiltersCommand)).toHaveLength(0);
    expect(snapshot.logGroups).toEqual([{ logGroup: expect.objectContaining({ accountId: OTHER_ACCOUNT, name: 'org-trail' }), external: true }]);
  });

  it('--all-regions lists trails in the enabled regions of the caller\'s partition, merging shadow trails by ARN', async () => {
    ec2.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'af-south-1', OptInStatus: 'not-opted-in' },
        { RegionName: 'cn-north-1', OptInStatus: 'opt-in-not-required' },
      ],
    });
    const snapshot = await readAccount(clients(), { primaryRegion: 'us-east-1', allRegions: true });
    expect(ec2.commandCalls(DescribeRegionsCommand)[0]!.args[0].input).toEqual({ AllRegions: false });
    expect(snapshot.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(snapshot.trails).toHaveLength(1);
    expect(snapshot.trails[0]!.seenInRegions).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('stops early without usable credentials', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const snapshot = await readAccount(clients(), { primaryRegion: 'us-east-1' });
    expect(snapshot.errors.map((e) => e.code)).toEqual(['CredentialsProviderError']);
    expect(ct.commandCalls(DescribeTrailsCommand)).toHaveLength(0);
  });

  it('maps metric-math and composite alarms', async () => {
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        {
          AlarmName: 'math',
          AlarmArn: 'arn:aws:cloudwatch:eu-west-1:1:alarm:math',
          ActionsEnabled: true,
          AlarmActions: [],
          EvaluationPeriods: 1,
          Metrics: [
            { Id: 'm1', MetricStat: { Metric: { Namespace: 'CloudTrailMetrics', MetricName: 'GatewayEventCount', Dimensions: [{ Name: 'k', Value: 'v' }] }, Period: 300, Stat: 'Sum' }, ReturnData: false },
            { Id: 'e1', Expression: 'm1 * 2', ReturnData: true },
          ],
        },
      ],
      CompositeAlarms: [{ AlarmName: 'all', AlarmArn: 'arn:aws:cloudwatch:eu-west-1:1:alarm:all', ActionsEnabled: true, AlarmActions: [TOPIC], AlarmRule: 'ALARM("math")' }],
    });
    const snapshot = await readAccount(clients(), { primaryRegion: 'eu-west-1' });
    const alarms = snapshot.alarms[0]!.alarms!;
    expect(alarms[0]).toMatchObject({ kind: 'metric', mathMetrics: [{ namespace: 'CloudTrailMetrics', metricName: 'GatewayEventCount', dimensions: { k: 'v' } }] });
    expect(alarms[1]).toMatchObject({ kind: 'composite', alarmRule: 'ALARM("math")' });
    expect(snapshot.topics.map((t) => t.arn)).toEqual([TOPIC]);
  });
});

describe('callAws', () => {
  it('classifies what AWS answers', async () => {
    const fail = async (error: Error) => {
      const r = await callAws('x:Y', 'us-east-1', undefined, () => Promise.reject(error), { attempts: 1 });
      return r.ok ? undefined : r.error.kind;
    };
    expect(await fail(awsError('AccessDenied'))).toBe('access-denied');
    expect(await fail(awsError('UnauthorizedOperation'))).toBe('access-denied');
    expect(await fail(awsError('Throttling'))).toBe('throttled');
    expect(await fail(awsError('SomethingElse', 'x', 429))).toBe('throttled');
    expect(await fail(awsError('ResourceNotFoundException'))).toBe('not-found');
    expect(await fail(new Error('socket hang up'))).toBe('other');
  });
});
