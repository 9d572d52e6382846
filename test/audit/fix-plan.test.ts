/**
 * --fix: the plan (SDK calls + aws CLI commands), --apply with mocked clients, and the CloudFormation template.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { isAlias, isNode, parse, parseDocument, visit } from 'yaml';
import { applyPlan, renderApplyResult } from '../../src/audit/apply.js';
import { createAwsClients } from '../../src/audit/clients.js';
import { planToTemplate, renderTemplate } from '../../src/audit/cloudformation.js';
import { MONITORING_CONTROLS } from '../../src/audit/controls/catalog.js';
import { evaluateAccount } from '../../src/audit/evaluate.js';
import { alarmsReachNobody, planFixes, renderFixPlan, shellQuote, TOPIC_ARN_PLACEHOLDER, type FixOptions } from '../../src/audit/fix-plan.js';
import { judgeFilter } from '../../src/audit/judge-filter.js';
import { buildBattery } from '../../src/audit/controls/battery.js';
import type { AccountSnapshot } from '../../src/audit/types.js';
import { ACCOUNT, LOG_GROUP, NOW, SEED_GATEWAY_FILTER, TOPIC, alarm, cisRules, denied, filter, snapshot, topic, trail } from './support/fixtures.js';

function plan(s: AccountSnapshot, options: Partial<FixOptions> = {}) {
  const report = evaluateAccount(s, { rules: cisRules(), now: NOW });
  return planFixes(s, report, { rules: cisRules(), ...options });
}

describe('planFixes', () => {
  it('an empty log group: a topic, then a filter and an alarm per monitoring control, in the log group\'s region', () => {
    const p = plan(snapshot({ filters: [], alarms: [], topics: [] }), { email: 'secops@example.com' });
    expect(p).toMatchObject({ region: 'us-east-1', trail: 'management-events', topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:trailguard-cis-alarms`, createsTopic: true });
    expect(p.steps.map((s) => s.operation)).toEqual(['CreateTopic', 'Subscribe', ...Array(15).fill('PutMetricFilter'), ...Array(15).fill('PutMetricAlarm')]);
    expect(p.steps.every((s) => s.region === 'us-east-1')).toBe(true);
    const gateway = p.steps.find((s) => s.id === 'put-metric-filter:network-gateway-changes')!;
    expect(gateway.input).toEqual({
      logGroupName: LOG_GROUP,
      filterName: 'trailguard-network-gateway-changes',
      filterPattern: SEED_GATEWAY_FILTER,
      metricTransformations: [{ metricName: 'NetworkGatewayChanges', metricNamespace: 'CloudTrailMetrics', metricValue: '1' }],
    });
    expect(gateway.cli).toBe(
      `aws logs put-metric-filter --region us-east-1 --log-group-name ${LOG_GROUP} --filter-name trailguard-network-gateway-changes --filter-pattern '${SEED_GATEWAY_FILTER}' --metric-transformations metricName=NetworkGatewayChanges,metricNamespace=CloudTrailMetrics,metricValue=1`,
    );
    const gatewayAlarm = p.steps.find((s) => s.id === 'put-metric-alarm:network-gateway-changes')!;
    expect(gatewayAlarm.input).toMatchObject({
      AlarmName: 'trailguard-network-gateway-changes',
      MetricName: 'NetworkGatewayChanges',
      Namespace: 'CloudTrailMetrics',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [`arn:aws:sns:us-east-1:${ACCOUNT}:trailguard-cis-alarms`],
    });
    // Unlike seed 000's CLI, the alarm action is the whole topic ARN, taken from create-topic.
    expect(gatewayAlarm.cli).toContain('--alarm-actions "$TOPIC_ARN"');
    expect(p.steps[0]!.cli).toBe('TOPIC_ARN=$(aws sns create-topic --region us-east-1 --name trailguard-cis-alarms --query TopicArn --output text)');
    expect(p.skipped).toEqual([]);
  });

  it('the filters it writes pass the audit\'s own batteries (cis and security-hub sets)', () => {
    for (const patterns of ['cis', 'security-hub'] as const) {
      const p = plan(snapshot({ filters: [], alarms: [], topics: [] }), { patterns });
      for (const step of p.steps.filter((s) => s.operation === 'PutMetricFilter')) {
        const c = MONITORING_CONTROLS.find((m) => step.id.endsWith(m.ruleId))!;
        const j = judgeFilter(String(step.input.filterPattern), buildBattery(c, cisRules()));
        expect('ok' in j && j.ok, `${patterns} ${step.id}`).toBe(true);
      }
    }
  });

  it('reuses a metric that already counts exactly the control\'s events: only the alarm is added', () => {
    const s = snapshot({ filters: [filter('VPCGatewayConfigChanges', SEED_GATEWAY_FILTER, 'GatewayEventCount')], alarms: [alarm('gw', 'GatewayEventCount', { alarmActions: [] })] });
    const p = plan(s, { topicArn: TOPIC });
    expect(p.createsTopic).toBe(false);
    expect(p.steps.find((st) => st.id === 'put-metric-filter:network-gateway-changes')).toBeUndefined();
    const a = p.steps.find((st) => st.id === 'put-metric-alarm:network-gateway-changes')!;
    expect(a.input).toMatchObject({ MetricName: 'GatewayEventCount', Namespace: 'CISBenchmark', AlarmActions: [TOPIC] });
    expect(a.cli).toContain(`--alarm-actions ${TOPIC}`);
    expect(a.description).toContain('on the existing metric of VPCGatewayConfigChanges');
  });

  it('a filter that misses an event is not reused: trailguard adds its own (and leaves the account\'s alone)', () => {
    const broken = filter('VPCGatewayConfigChanges', SEED_GATEWAY_FILTER.replace(' || ($.eventName = DetachInternetGateway)', ''), 'GatewayEventCount');
    const p = plan(snapshot({ filters: [broken], alarms: [alarm('gw', 'GatewayEventCount')] }));
    expect(p.steps.find((st) => st.id === 'put-metric-filter:network-gateway-changes')).toBeDefined();
  });

  it('controls that pass are left alone; ERROR controls and trail basics are not fixed, with the reason', () => {
    const s = snapshot({ filters: [filter('gw', SEED_GATEWAY_FILTER, 'Gw')], alarms: [alarm('gw', 'Gw')], trails: [trail({ logFileValidation: false })] });
    const p = plan(s);
    expect(p.steps.some((st) => st.controls.includes('network-gateway-changes'))).toBe(false);
    expect(p.skipped).toContainEqual({ control: 'cloudtrail-log-file-validation', reason: expect.stringContaining('--fix does not change trails') });
    const denyAlarms = snapshot({ alarmErrors: { 'us-east-1': denied('cloudwatch:DescribeAlarms') }, filters: [filter('gw', SEED_GATEWAY_FILTER, 'Gw')] });
    const p2 = plan(denyAlarms);
    expect(p2.skipped).toContainEqual({ control: 'network-gateway-changes', reason: expect.stringContaining('could not read everything') });
  });

  it('without a trail delivering to CloudWatch Logs nothing can be created, and it says what to do', () => {
    const t = trail();
    delete t.logGroup;
    const p = plan(snapshot({ trails: [t] }));
    expect(p.steps).toEqual([]);
    expect(p.skipped.find((x) => x.control === 'network-gateway-changes')!.reason).toContain('aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn');
  });

  it('warns when nobody will receive the alarms, and when the account id is unknown uses a placeholder ARN', () => {
    const p = plan(snapshot({ filters: [], alarms: [], topics: [], accountId: undefined }));
    expect(p.warnings).toContain('the topic has no confirmed subscriber, so the alarms will notify no one: pass --email <address> (or subscribe an endpoint yourself)');
    expect(p.topicArn).toBe(TOPIC_ARN_PLACEHOLDER);
  });

  it('adds --profile to the commands and quotes what the shell would split', () => {
    const p = plan(snapshot({ filters: [], alarms: [], topics: [] }), { profile: 'audit profile' });
    expect(p.steps[0]!.cli).toContain("--profile 'audit profile'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('plain-name_1.2')).toBe('plain-name_1.2');
  });

  it("given no topic and no --email, the alarms notify the topic the account's CIS alarms already notify when it has a confirmed subscriber", () => {
    const p = plan(snapshot({ filters: [], alarms: [], topics: [topic(TOPIC, 2, 1)] }));
    expect(p).toMatchObject({ createsTopic: false, topicArn: TOPIC, reusedTopic: { arn: TOPIC, confirmedSubscriptions: 2 } });
    expect(p.steps.some((s) => s.operation === 'CreateTopic' || s.operation === 'Subscribe')).toBe(false);
    expect(p.steps.filter((s) => s.operation === 'PutMetricAlarm').every((s) => (s.input.AlarmActions as string[])[0] === TOPIC)).toBe(true);
    expect(p.warnings.join('\n')).not.toContain('no confirmed subscriber');
    expect(renderFixPlan(p, { apply: false })).toContain(`The alarms notify ${TOPIC}, the topic the account's CIS alarms already notify (2 confirmed subscriptions)`);
    // The one with most confirmed subscribers wins; one with only pending subscriptions, or in another region, never.
    const other = TOPIC.replace('security-alarms', 'more-alarms');
    expect(plan(snapshot({ filters: [], alarms: [], topics: [topic(TOPIC, 1), topic(other, 3)] })).topicArn).toBe(other);
    expect(plan(snapshot({ filters: [], alarms: [], topics: [topic(TOPIC, 0, 2)] })).createsTopic).toBe(true);
    expect(plan(snapshot({ filters: [], alarms: [], topics: [topic(TOPIC.replace('us-east-1', 'eu-west-1'), 2)] })).createsTopic).toBe(true);
    // What is asked for wins over reuse.
    expect(plan(snapshot({ filters: [], alarms: [], topics: [topic()] }), { email: 'secops@example.com' })).toMatchObject({ createsTopic: true });
    expect(plan(snapshot({ filters: [], alarms: [], topics: [topic()] }), { topicName: 'mine' }).topicArn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:mine`);
  });

  it('alarmsReachNobody: why --apply refuses a plan whose alarms would notify no one', () => {
    const empty = snapshot({ filters: [], alarms: [], topics: [] });
    const created = plan(empty);
    expect(alarmsReachNobody(created, [], {})).toBe(
      `--apply would create alarms that notify no one: topic arn:aws:sns:us-east-1:${ACCOUNT}:trailguard-cis-alarms would be created with no subscriber. ` +
        'Pass --email <address> (and confirm the subscription AWS sends), or --topic-arn / --topic-name of a topic with a confirmed subscriber',
    );
    expect(alarmsReachNobody(plan(empty, { email: 'secops@example.com' }), [], { email: 'secops@example.com' })).toBeUndefined();
    const given = plan(empty, { topicArn: TOPIC });
    expect(alarmsReachNobody(given, [topic(TOPIC, 1)], {})).toBeUndefined();
    expect(alarmsReachNobody(given, [topic(TOPIC, 0, 1)], {})).toContain(`topic ${TOPIC} has no confirmed subscription (1 pending confirmation)`);
    expect(alarmsReachNobody(given, [topic(TOPIC, 0, 0)], {})).toContain(`topic ${TOPIC} has no subscriptions`);
    expect(alarmsReachNobody(given, [{ arn: TOPIC, region: 'us-east-1', error: { action: 'sns:ListSubscriptionsByTopic', region: 'us-east-1', code: 'NotFound', message: 'Topic does not exist', kind: 'not-found' } }], {})).toContain(
      `topic ${TOPIC} does not exist`,
    );
    expect(alarmsReachNobody(given, [{ ...topic(TOPIC), subscriptions: undefined, error: denied('sns:ListSubscriptionsByTopic') }], {})).toContain('cannot be read (AccessDeniedException)');
    // Nothing to alarm: nothing to refuse.
    expect(alarmsReachNobody({ ...given, steps: given.steps.filter((s) => s.operation !== 'PutMetricAlarm') }, [], {})).toBeUndefined();
  });

  it('renders a readable dry run', () => {
    const text = renderFixPlan(plan(snapshot({ filters: [], alarms: [], topics: [] }), { email: 'secops@example.com' }), { apply: false });
    expect(text).toMatch(/^Plan \(dry run; add --apply to make these calls\): 32 calls in us-east-1 for log group aws-cloudtrail-logs of trail management-events/);
    expect(text).toContain('   SDK: logs:PutMetricFilter {"logGroupName":"aws-cloudtrail-logs"');
    expect(text).toContain('   CLI: aws sns subscribe --region us-east-1 --topic-arn "$TOPIC_ARN" --protocol email --notification-endpoint secops@example.com');
  });
});

describe('applyPlan (mocked clients)', () => {
  const snsMock = mockClient(SNSClient);
  const logsMock = mockClient(CloudWatchLogsClient);
  const cwMock = mockClient(CloudWatchClient);
  const clients = () => createAwsClients(() => ({ credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 }));
  beforeEach(() => {
    snsMock.reset();
    logsMock.reset();
    cwMock.reset();
  });
  afterAll(() => {
    for (const mock of [snsMock, logsMock, cwMock]) mock.restore();
  });

  it('creates the topic first and puts its real ARN in the later calls', async () => {
    const real = 'arn:aws:sns:us-east-1:999999999999:trailguard-cis-alarms';
    snsMock.on(CreateTopicCommand).resolves({ TopicArn: real });
    snsMock.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    logsMock.on(PutMetricFilterCommand).resolves({});
    cwMock.on(PutMetricAlarmCommand).resolves({});
    const p = plan(snapshot({ filters: [], alarms: [], topics: [] }), { email: 'secops@example.com' });
    const result = await applyPlan(p, clients());
    expect(result.ok).toBe(true);
    expect(result.topicArn).toBe(real);
    expect(snsMock.commandCalls(SubscribeCommand)[0]!.args[0].input).toMatchObject({ TopicArn: real, Protocol: 'email', Endpoint: 'secops@example.com' });
    expect(cwMock.commandCalls(PutMetricAlarmCommand).every((c) => c.args[0].input.AlarmActions?.[0] === real)).toBe(true);
    expect(logsMock.commandCalls(PutMetricFilterCommand)).toHaveLength(15);
    expect(renderApplyResult(result)).toContain('done     subscribe-email (pending confirmation)');
  });

  it('stops at the first failure: no alarm points at a topic that was not created', async () => {
    snsMock.on(CreateTopicCommand).rejects(Object.assign(new Error('User is not authorized to perform: SNS:CreateTopic'), { name: 'AuthorizationErrorException' }));
    const p = plan(snapshot({ filters: [], alarms: [], topics: [] }));
    const result = await applyPlan(p, clients(), { attempts: 1 });
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatchObject({ id: 'create-topic', status: 'failed', error: { action: 'sns:CreateTopic', kind: 'access-denied' } });
    expect(result.steps.slice(1).every((s) => s.status === 'not-run')).toBe(true);
    expect(cwMock.commandCalls(PutMetricAlarmCommand)).toHaveLength(0);
    expect(renderApplyResult(result)).toContain('Stopped at the first failure');
  });
});

describe('CloudFormation', () => {
  it('the same resources as the plan, with the topic referenced', () => {
    const p = plan(snapshot({ filters: [], alarms: [], topics: [] }), { email: 'secops@example.com' });
    const template = planToTemplate(p);
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Logs::MetricFilter')).toHaveLength(15);
    expect(types.filter((t) => t === 'AWS::CloudWatch::Alarm')).toHaveLength(15);
    expect(template.Resources.AlarmTopic).toEqual({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 'trailguard-cis-alarms' } });
    expect(template.Resources.AlarmTopicEmailSubscription!.Properties).toEqual({ TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } });
    expect(template.Resources.MetricFilterNetworkGatewayChanges!.Properties).toEqual({
      LogGroupName: LOG_GROUP,
      FilterName: 'trailguard-network-gateway-changes',
      FilterPattern: SEED_GATEWAY_FILTER,
      MetricTransformations: [{ MetricName: 'NetworkGatewayChanges', MetricNamespace: 'CloudTrailMetrics', MetricValue: '1' }],
    });
    expect(template.Resources.AlarmNetworkGatewayChanges!.Properties).toMatchObject({ AlarmName: 'trailguard-network-gateway-changes', AlarmActions: [{ Ref: 'AlarmTopic' }], TreatMissingData: 'notBreaching' });
    // Every logical id is distinct and alphanumeric.
    for (const id of Object.keys(template.Resources)) expect(id).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('YAML is plain, without anchors or aliases (CloudFormation accepts neither), and parses to the same template', () => {
    const p = plan(snapshot({ filters: [], alarms: [], topics: [] }), { email: 'secops@example.com' });
    const yaml = renderTemplate(p, 'yaml');
    // Fifteen alarms refer to the same topic: each with its own { Ref: AlarmTopic }, not *a1 pointing at &a1.
    expect(yaml).not.toMatch(/(^|[\s[{,:-])[&*][A-Za-z0-9_-]+/m);
    expect(yaml.match(/Ref: AlarmTopic/g)).toHaveLength(15 + 2); // alarms, the subscription and the output
    let aliases = 0;
    let anchors = 0;
    visit(parseDocument(yaml), (_key, node) => {
      if (isAlias(node)) aliases++;
      else if (isNode(node) && node.anchor) anchors++;
    });
    expect({ aliases, anchors }).toEqual({ aliases: 0, anchors: 0 });
    expect(parse(yaml)).toEqual(JSON.parse(JSON.stringify(planToTemplate(p))));
  });

  it('YAML and JSON renderings parse back to the same template; an existing topic is used by ARN', () => {
    const p = plan(snapshot({ filters: [], alarms: [], topics: [topic()] }), { topicArn: TOPIC });
    const template = planToTemplate(p);
    expect(parse(renderTemplate(p, 'yaml'))).toEqual(JSON.parse(JSON.stringify(template)));
    expect(JSON.parse(renderTemplate(p, 'json'))).toEqual(JSON.parse(JSON.stringify(template)));
    expect(template.Resources.AlarmTopic).toBeUndefined();
    expect(template.Resources.AlarmRootAccountUsage!.Properties.AlarmActions).toEqual([TOPIC]);
  });
});
