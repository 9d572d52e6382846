/**
 * The audit with the real AWS SDK v3 against moto_server: real trails, log groups, metric filters, alarms, topics and
 * subscriptions are created in the emulator, the account is read back and judged, and --fix --apply creates what is
 * missing (read back with the SDK; a second audit then passes). One moto per file, reset between tests.
 *
 * What moto 5.2 does not do, and is therefore tested with mocks elsewhere (account.test.ts, evaluate.test.ts):
 * IAM denials (no AccessDenied), throttling, HasCustomEventSelectors (always false), LatestCloudWatchLogsDeliveryTime
 * (never returned), pending email subscriptions (confirmed at once), filter-pattern validation (any text is stored).
 */
import { CloudTrailClient, CreateTrailCommand, DescribeTrailsCommand, GetTrailStatusCommand, PutEventSelectorsCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeMetricFiltersCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readAccount, readTopics } from '../../src/audit/account.js';
import { applyPlan } from '../../src/audit/apply.js';
import { createAwsClients } from '../../src/audit/clients.js';
import { MONITORING_CONTROLS } from '../../src/audit/controls/catalog.js';
import { evaluateAccount } from '../../src/audit/evaluate.js';
import { alarmsReachNobody, planFixes } from '../../src/audit/fix-plan.js';
import type { ControlResult } from '../../src/audit/types.js';
import { startMoto } from '../support/moto.js';
import { ACCOUNT, GATEWAY_EVENTS, SEED_GATEWAY_FILTER, cisRules } from './support/fixtures.js';

const moto = await startMoto();
afterAll(() => moto?.stop());

const BUCKET = 'trailguard-audit-trail-logs';
const GROUP = 'aws-cloudtrail-logs-main';

function sdk(region = 'us-east-1') {
  const config = moto!.clientConfig(region);
  return { ct: new CloudTrailClient(config), logs: new CloudWatchLogsClient(config), cw: new CloudWatchClient(config), sns: new SNSClient(config) };
}
const auditClients = () => createAwsClients((region) => moto!.clientConfig(region));

interface TrailSetup {
  name?: string;
  region?: string;
  multiRegion?: boolean;
  organization?: boolean;
  logging?: boolean;
}

/** A bucket (path-style PUT; moto checks that a trail's bucket exists), a log group, and a trail delivering to it. */
async function createTrail(setup: TrailSetup = {}): Promise<string> {
  const region = setup.region ?? 'us-east-1';
  const { ct, logs } = sdk(region);
  const bucket = await fetch(`${moto!.endpoint}/${BUCKET}`, { method: 'PUT' });
  expect(bucket.ok).toBe(true);
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  const created = await ct.send(
    new CreateTrailCommand({
      Name: setup.name ?? 'main',
      S3BucketName: BUCKET,
      IsMultiRegionTrail: setup.multiRegion ?? true,
      IsOrganizationTrail: setup.organization ?? false,
      EnableLogFileValidation: true,
      CloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${ACCOUNT}:log-group:${GROUP}:*`,
      CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/CloudTrail_CloudWatchLogs_Role`,
    }),
  );
  if (setup.logging ?? true) await ct.send(new StartLoggingCommand({ Name: setup.name ?? 'main' }));
  return created.TrailARN!;
}

async function createTopic(region = 'us-east-1', email?: string): Promise<string> {
  const { sns } = sdk(region);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'security-alarms' }));
  if (email) await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: email }));
  return TopicArn!;
}

/** A metric filter and, unless told otherwise, an alarm on its metric that notifies the topic. */
async function monitor(name: string, pattern: string, options: { region?: string; topicArn?: string; alarm?: boolean; alarmRegion?: string; actions?: string[] } = {}) {
  const region = options.region ?? 'us-east-1';
  await sdk(region).logs.send(
    new PutMetricFilterCommand({ logGroupName: GROUP, filterName: name, filterPattern: pattern, metricTransformations: [{ metricName: name, metricNamespace: 'CISBenchmark', metricValue: '1' }] }),
  );
  if (options.alarm === false) return;
  await sdk(options.alarmRegion ?? region).cw.send(
    new PutMetricAlarmCommand({
      AlarmName: `${name}-alarm`,
      MetricName: name,
      Namespace: 'CISBenchmark',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      ...(options.actions ? { AlarmActions: options.actions } : options.topicArn ? { AlarmActions: [options.topicArn] } : {}),
    }),
  );
}

async function audit(primaryRegion = 'us-east-1', only?: string[]): Promise<Map<string, ControlResult>> {
  const snapshot = await readAccount(auditClients(), { primaryRegion });
  expect(snapshot.errors).toEqual([]);
  const report = evaluateAccount(snapshot, { rules: cisRules(), ...(only ? { only } : {}) });
  return new Map(report.controls.map((c) => [c.id, c]));
}

describe.skipIf(!moto)('trailguard audit against moto_server (real SDK)', () => {
  beforeEach(() => moto!.reset());

  it('correct filters written differently pass; a filter missing an event fails with the event named', async () => {
    await createTrail();
    const topicArn = await createTopic('us-east-1', 'secops@example.com');
    await monitor('gateways', `{ ${[...GATEWAY_EVENTS].reverse().map((n) => `($.eventName = "${n}")`).join(' || ')} }`, { topicArn });
    await monitor('root', '{ ($.userIdentity.type=Root) && ($.userIdentity.invokedBy NOT EXISTS && $.eventType !=AwsServiceEvent) }', { topicArn });
    await monitor('unauthorized', '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }', { topicArn });
    await monitor('kms', '{ (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) && ($.eventSource = "kms.amazonaws.com") && ($.errorCode NOT EXISTS) }', { topicArn });
    await monitor('routes', '{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) }', { topicArn });
    await monitor('all-ec2', '{ $.eventSource = ec2.amazonaws.com }', { topicArn });

    const results = await audit();
    for (const id of ['network-gateway-changes', 'root-account-usage', 'unauthorized-api-calls', 'kms-cmk-disabled-or-scheduled-deletion']) {
      expect({ id, verdict: results.get(id)!.verdict, reasons: results.get(id)!.reasons }).toEqual({ id, verdict: 'PASS', reasons: [] });
    }
    expect(results.get('network-gateway-changes')!.notes[0]).toContain('metric filter gateways (CISBenchmark/gateways on log group aws-cloudtrail-logs-main (us-east-1)) → alarm gateways-alarm → topic');
    expect(results.get('route-table-changes')!.verdict).toBe('FAIL');
    expect(results.get('route-table-changes')!.reasons).toContain('metric filter routes (CISBenchmark/routes on log group aws-cloudtrail-logs-main (us-east-1)) misses DisassociateRouteTable');
    // The catch-all EC2 filter is not a security group control: it counts every read and unrelated write.
    expect(results.get('security-group-changes')).toMatchObject({ verdict: 'FAIL' });
    expect(results.get('security-group-changes')!.reasons).toEqual([
      'metric filter all-ec2 (CISBenchmark/all-ec2 on log group aws-cloudtrail-logs-main (us-east-1)) also counts DescribeSecurityGroups (read-only), DescribeSecurityGroupRules (read-only), RunInstances and 2 more (calls outside the control: an alarm that counts them fires on routine activity)',
    ]);
    expect(results.get('vpc-changes')!.verdict).toBe('FAIL');
  });

  it('an alarm without actions fails; a topic without subscribers fails', async () => {
    await createTrail();
    const lonely = await createTopic('us-east-1');
    await monitor('gateways', SEED_GATEWAY_FILTER, { actions: [] });
    await monitor('root', '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }', { topicArn: lonely });
    const results = await audit('us-east-1', ['network-gateway-changes', 'root-account-usage']);
    expect(results.get('network-gateway-changes')).toMatchObject({ verdict: 'FAIL', reasons: ['alarm gateways-alarm has no actions: it changes state and tells no one'] });
    expect(results.get('root-account-usage')).toMatchObject({ verdict: 'FAIL', reasons: [`topic ${lonely} has no subscriptions: alarm root-alarm notifies no one`] });
  });

  it('a multi-region trail whose home region is eu-west-1 is found from us-east-1 (shadow trail) and judged where its log group is', async () => {
    const arn = await createTrail({ region: 'eu-west-1' });
    const listed = await sdk('us-east-1').ct.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
    expect(listed.trailList?.map((t) => [t.TrailARN, t.HomeRegion])).toEqual([[arn, 'eu-west-1']]);
    const topicArn = await createTopic('eu-west-1', 'secops@example.com');
    await monitor('gateways', SEED_GATEWAY_FILTER, { region: 'eu-west-1', topicArn });
    // The same metric name alarmed in us-east-1, where no filter publishes it.
    await monitor('root', '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }', { region: 'eu-west-1', alarmRegion: 'us-east-1', topicArn: await createTopic('us-east-1', 'x@example.com') });

    const results = await audit('us-east-1', ['network-gateway-changes', 'root-account-usage']);
    expect(results.get('network-gateway-changes')!.verdict).toBe('PASS');
    expect(results.get('network-gateway-changes')!.notes[0]).toContain('log group aws-cloudtrail-logs-main (eu-west-1)');
    expect(results.get('root-account-usage')).toMatchObject({
      verdict: 'FAIL',
      reasons: ['alarm root-alarm watches CISBenchmark/root in us-east-1, but metric filter root publishes it in eu-west-1: an alarm sees only its own region\'s metrics'],
    });
  });

  it('single-region and stopped trails do not count', async () => {
    await createTrail({ multiRegion: false, logging: false });
    await monitor('gateways', SEED_GATEWAY_FILTER, { topicArn: await createTopic('us-east-1', 'secops@example.com') });
    const results = await audit('us-east-1', ['network-gateway-changes', 'cloudtrail-multi-region']);
    expect(results.get('network-gateway-changes')!.reasons.slice(0, 2)).toEqual([
      'trail main is not multi-region: changes made in other regions never reach its log group',
      'trail main is not logging: nothing reaches its log group',
    ]);
    expect(results.get('cloudtrail-multi-region')!.reasons).toEqual(['no multi-region trail; single-region trails: main (us-east-1)']);
  });

  it('an organization trail of this (management) account is audited like any trail', async () => {
    await createTrail({ name: 'org-trail', organization: true });
    await monitor('gateways', SEED_GATEWAY_FILTER, { topicArn: await createTopic('us-east-1', 'secops@example.com') });
    const snapshot = await readAccount(auditClients(), { primaryRegion: 'us-east-1' });
    expect(snapshot.trails[0]).toMatchObject({ name: 'org-trail', isOrganization: true, accountId: ACCOUNT });
    const results = evaluateAccount(snapshot, { rules: cisRules(), only: ['network-gateway-changes', 'cloudtrail-multi-region'] }).controls;
    expect(results.map((r) => r.verdict)).toEqual(['PASS', 'PASS']);
  });

  it('write-only advanced event selectors: 4.12 passes, 4.3 fails naming the read-only root call the trail never records', async () => {
    await createTrail();
    await sdk().ct.send(
      new PutEventSelectorsCommand({ TrailName: 'main', AdvancedEventSelectors: [{ Name: 'writes', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] }] }),
    );
    const topicArn = await createTopic('us-east-1', 'secops@example.com');
    await monitor('gateways', SEED_GATEWAY_FILTER, { topicArn });
    await monitor('root', '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }', { topicArn });
    const results = await audit('us-east-1', ['network-gateway-changes', 'root-account-usage', 'cloudtrail-multi-region']);
    expect(results.get('network-gateway-changes')!.verdict).toBe('PASS');
    expect(results.get('root-account-usage')!.reasons[0]).toBe(
      'trail main does not record Root lists buckets from the CLI (its event selectors: no advanced event selector selects it ("writes" requires readOnly = false))',
    );
    expect(results.get('cloudtrail-multi-region')!.verdict).toBe('FAIL');
  });

  it('--fix --apply creates what is missing; it is read back with the SDK and a second audit passes', async () => {
    await createTrail();
    await monitor('gateways', SEED_GATEWAY_FILTER.replace(' || ($.eventName = DetachInternetGateway)', ''), { alarm: false });
    const clients = auditClients();
    const before = await readAccount(clients, { primaryRegion: 'us-east-1' });
    const report = evaluateAccount(before, { rules: cisRules() });
    expect(report.controls.filter((c) => c.kind === 'monitoring').every((c) => c.verdict === 'FAIL')).toBe(true);

    const plan = planFixes(before, report, { rules: cisRules(), email: 'secops@example.com' });
    const applied = await applyPlan(plan, clients);
    expect(applied.ok).toBe(true);
    expect(applied.topicArn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:trailguard-cis-alarms`);

    const { logs, cw, sns } = sdk();
    const filters = (await logs.send(new DescribeMetricFiltersCommand({ logGroupName: GROUP }))).metricFilters ?? [];
    expect(filters.map((f) => f.filterName).sort()).toEqual(['gateways', ...MONITORING_CONTROLS.map((c) => `trailguard-${c.ruleId}`)].sort());
    const gateway = filters.find((f) => f.filterName === 'trailguard-network-gateway-changes')!;
    expect(gateway.filterPattern).toBe(SEED_GATEWAY_FILTER);
    expect(gateway.metricTransformations).toEqual([{ metricName: 'NetworkGatewayChanges', metricNamespace: 'CloudTrailMetrics', metricValue: '1' }]);
    const alarms = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'trailguard-' }))).MetricAlarms ?? [];
    expect(alarms).toHaveLength(15);
    expect(alarms.find((a) => a.AlarmName === 'trailguard-network-gateway-changes')).toMatchObject({
      MetricName: 'NetworkGatewayChanges',
      Namespace: 'CloudTrailMetrics',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ActionsEnabled: true,
      AlarmActions: [applied.topicArn],
    });
    const subscriptions = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: applied.topicArn }))).Subscriptions ?? [];
    expect(subscriptions.map((s) => [s.Protocol, s.Endpoint])).toEqual([['email', 'secops@example.com']]);

    const after = await audit();
    for (const c of MONITORING_CONTROLS) expect({ id: c.ruleId, verdict: after.get(c.ruleId)!.verdict, reasons: after.get(c.ruleId)!.reasons }).toEqual({ id: c.ruleId, verdict: 'PASS', reasons: [] });

    // Idempotent: a second plan has nothing left to do for the monitoring controls.
    const again = await readAccount(clients, { primaryRegion: 'us-east-1' });
    const second = planFixes(again, evaluateAccount(again, { rules: cisRules() }), { rules: cisRules(), email: 'secops@example.com' });
    expect(second.steps).toEqual([]);
  });

  it("--fix without a topic or --email reuses the topic the account's CIS alarms already notify: no second topic, and every control passes", async () => {
    await createTrail();
    const topicArn = await createTopic('us-east-1', 'secops@example.com');
    await monitor('gateways', SEED_GATEWAY_FILTER, { topicArn });
    const clients = auditClients();
    const before = await readAccount(clients, { primaryRegion: 'us-east-1' });
    const plan = planFixes(before, evaluateAccount(before, { rules: cisRules() }), { rules: cisRules() });
    expect(plan).toMatchObject({ createsTopic: false, topicArn, reusedTopic: { arn: topicArn, confirmedSubscriptions: 1 } });
    expect(alarmsReachNobody(plan, before.topics, {})).toBeUndefined();
    expect((await applyPlan(plan, clients)).ok).toBe(true);
    const topics = (await sdk().sns.send(new ListTopicsCommand({}))).Topics ?? [];
    expect(topics.map((t) => t.TopicArn)).toEqual([topicArn]);
    const after = await audit();
    for (const c of MONITORING_CONTROLS) expect({ id: c.ruleId, verdict: after.get(c.ruleId)!.verdict }).toEqual({ id: c.ruleId, verdict: 'PASS' });
  });

  it('readTopics: the subscriptions of a topic no alarm notifies yet; a topic that does not exist is not-found', async () => {
    const withSubscriber = await createTopic('us-east-1', 'secops@example.com');
    const { TopicArn: lonely } = await sdk().sns.send(new CreateTopicCommand({ Name: 'lonely' }));
    const missing = `arn:aws:sns:us-east-1:${ACCOUNT}:no-such-topic`;
    const read = await readTopics(auditClients(), [withSubscriber, lonely!, missing], { primaryRegion: 'us-east-1', retry: { attempts: 1 } });
    expect(read[0]).toMatchObject({ arn: withSubscriber, region: 'us-east-1', subscriptions: [{ protocol: 'email', endpoint: 'secops@example.com', confirmed: true }] });
    expect(read[1]).toEqual({ arn: lonely, region: 'us-east-1', subscriptions: [] });
    expect(read[2]).toMatchObject({ arn: missing, error: { action: 'sns:ListSubscriptionsByTopic', kind: 'not-found' } });
  });

  it('records what moto does and does not emulate, so the mocked tests cover the rest', async () => {
    const arn = await createTrail();
    await sdk().ct.send(new PutEventSelectorsCommand({ TrailName: 'main', EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] }));
    const trail = (await sdk().ct.send(new DescribeTrailsCommand({}))).trailList![0]!;
    expect(trail.HasCustomEventSelectors).toBe(false); // real CloudTrail says true; the audit reads GetEventSelectors regardless
    const status = await sdk().ct.send(new GetTrailStatusCommand({ Name: arn }));
    expect(status.IsLogging).toBe(true);
    expect(status.LatestCloudWatchLogsDeliveryTime).toBeUndefined();
    const topicArn = await createTopic('us-east-1', 'secops@example.com');
    const subscription = (await sdk().sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions![0]!;
    expect(subscription.SubscriptionArn).toMatch(/^arn:aws:sns:/); // real SNS: "PendingConfirmation" until the link is followed
    await sdk().logs.send(new PutMetricFilterCommand({ logGroupName: GROUP, filterName: 'broken', filterPattern: '{ ($.eventName = ', metricTransformations: [{ metricName: 'B', metricNamespace: 'N', metricValue: '1' }] }));

    const results = await audit('us-east-1', ['cloudtrail-cloudwatch-logs', 'network-gateway-changes', 'root-account-usage']);
    expect(results.get('cloudtrail-cloudwatch-logs')!.reasons).toEqual(['trail main: CloudTrail reports no delivery to aws-cloudtrail-logs-main yet (check its CloudWatch Logs role)']);
    expect(results.get('network-gateway-changes')!.verdict).toBe('ERROR');
    expect(results.get('network-gateway-changes')!.reasons[0]).toContain('trailguard cannot parse metric filter broken');
    // The write-only selectors moto stored are applied: root's read-only calls are not recorded.
    expect(results.get('root-account-usage')!.verdict).toBe('FAIL');
    expect(results.get('root-account-usage')!.reasons.join('\n')).toContain('records write-only management events only');
  });
});
