/**
 * Verdicts from hand-made account snapshots: every way the filter → metric → alarm → topic chain breaks, named.
 */
import { describe, expect, it } from 'vitest';
import { evaluateAccount, allControlIds } from '../../src/audit/evaluate.js';
import type { AccountSnapshot, ControlResult } from '../../src/audit/types.js';
import { summarizeCompliance } from '../../src/audit/render.js';
import {
  ACCOUNT,
  GATEWAY_EVENTS,
  LOG_GROUP,
  NOW,
  OTHER_ACCOUNT,
  REGION,
  SEED_GATEWAY_FILTER,
  TOPIC,
  alarm,
  cisRules,
  denied,
  filter,
  snapshot,
  topic,
  trail,
} from './support/fixtures.js';

const ROOT_FILTER = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';

function evaluate(s: AccountSnapshot, only?: string[]): ControlResult[] {
  return evaluateAccount(s, { rules: cisRules(), now: NOW, ...(only ? { only } : {}) }).controls;
}
function one(s: AccountSnapshot, id: string): ControlResult {
  return evaluate(s, [id])[0]!;
}
const gatewaySetup = (overrides: Parameters<typeof snapshot>[0] = {}) =>
  snapshot({ filters: [filter('VPCGatewayConfigChanges', SEED_GATEWAY_FILTER, 'GatewayEventCount')], alarms: [alarm('VPCGatewayConfigChangesAlarm', 'GatewayEventCount')], ...overrides });

describe('network gateway changes: the seed 000 chain', () => {
  it('PASS with the seed filter, an alarm with an action and a topic with a confirmed subscription, naming the chain', () => {
    const result = one(gatewaySetup(), 'network-gateway-changes');
    expect(result.verdict).toBe('PASS');
    expect(result.notes[0]).toContain('metric filter VPCGatewayConfigChanges (CISBenchmark/GatewayEventCount on log group aws-cloudtrail-logs (us-east-1)) → alarm VPCGatewayConfigChangesAlarm');
    expect(result.notes.join('\n')).toContain('also counts');
    expect(result).toMatchObject({ cisLabel: '4.12 (v1.2.0: 3.12)', securityHub: ['CloudWatch.12'], ruleId: 'network-gateway-changes' });
  });

  it('FAIL naming DetachInternetGateway when the filter misses it', () => {
    const s = gatewaySetup({ filters: [filter('VPCGatewayConfigChanges', SEED_GATEWAY_FILTER.replace(' || ($.eventName = DetachInternetGateway)', ''), 'GatewayEventCount')] });
    const result = one(s, 'network-gateway-changes');
    expect(result.verdict).toBe('FAIL');
    expect(result.reasons).toEqual(['metric filter VPCGatewayConfigChanges (CISBenchmark/GatewayEventCount on log group aws-cloudtrail-logs (us-east-1)) misses DetachInternetGateway']);
  });

  it('two filters that publish the same metric are judged together', () => {
    const half = (names: string[]) => `{ ${names.map((n) => `$.eventName = ${n}`).join(' || ')} }`;
    const s = gatewaySetup({ filters: [filter('gw-a', half(GATEWAY_EVENTS.slice(0, 3)), 'GatewayEventCount'), filter('gw-b', half(GATEWAY_EVENTS.slice(3)), 'GatewayEventCount')] });
    expect(one(s, 'network-gateway-changes').verdict).toBe('PASS');
  });

  it('two metrics with an alarm each also cover the control together', () => {
    const half = (names: string[]) => `{ ${names.map((n) => `$.eventName = ${n}`).join(' || ')} }`;
    const s = snapshot({
      filters: [filter('gw-a', half(GATEWAY_EVENTS.slice(0, 3)), 'GwA'), filter('gw-b', half(GATEWAY_EVENTS.slice(3)), 'GwB')],
      alarms: [alarm('gw-a', 'GwA'), alarm('gw-b', 'GwB')],
    });
    expect(one(s, 'network-gateway-changes').verdict).toBe('PASS');
    const onlyA = snapshot({ filters: [filter('gw-a', half(GATEWAY_EVENTS.slice(0, 3)), 'GwA'), filter('gw-b', half(GATEWAY_EVENTS.slice(3)), 'GwB')], alarms: [alarm('gw-a', 'GwA')] });
    const result = one(onlyA, 'network-gateway-changes');
    expect(result.verdict).toBe('FAIL');
    expect(result.reasons).toContain('no alarm on metric CISBenchmark/GwB in us-east-1: metric filter gw-b counts the events but nobody is alerted');
  });

  it('FAIL when the alarm has no actions, or its actions are disabled', () => {
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { alarmActions: [] })] }), 'network-gateway-changes').reasons).toEqual([
      'alarm gw has no actions: it changes state and tells no one',
    ]);
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { actionsEnabled: false })] }), 'network-gateway-changes').reasons).toEqual([
      'alarm gw has its actions disabled (ActionsEnabled is false)',
    ]);
  });

  it('FAIL when the topic has no subscriber, or only one pending confirmation', () => {
    expect(one(gatewaySetup({ topics: [topic(TOPIC, 0, 0)] }), 'network-gateway-changes').reasons).toEqual([
      `topic ${TOPIC} has no subscriptions: alarm VPCGatewayConfigChangesAlarm notifies no one`,
    ]);
    expect(one(gatewaySetup({ topics: [topic(TOPIC, 0, 1)] }), 'network-gateway-changes').reasons).toEqual([
      `topic ${TOPIC} has no confirmed subscription (1 pending confirmation: the recipient must confirm it)`,
    ]);
  });

  it('ERROR (not FAIL) when the topic cannot be read, naming the permission', () => {
    const result = one(gatewaySetup({ topics: [{ arn: TOPIC, region: REGION, error: { ...denied('sns:ListSubscriptionsByTopic', REGION, `topic ${TOPIC}`), code: 'AuthorizationError' } }] }), 'network-gateway-changes');
    expect(result.verdict).toBe('ERROR');
    expect(result.reasons).toEqual([`no permission to call sns:ListSubscriptionsByTopic on topic ${TOPIC} in us-east-1 (AuthorizationError)`]);
  });

  it('a topic that no longer exists is a FAIL', () => {
    const gone = { arn: TOPIC, region: REGION, error: { action: 'sns:ListSubscriptionsByTopic', region: REGION, code: 'NotFound', message: 'Topic does not exist', kind: 'not-found' as const } };
    expect(one(gatewaySetup({ topics: [gone] }), 'network-gateway-changes').reasons).toEqual([`alarm VPCGatewayConfigChangesAlarm notifies topic ${TOPIC}, which does not exist`]);
  });

  it('ERROR when the metric filters cannot be read', () => {
    const result = one(gatewaySetup({ filtersError: denied('logs:DescribeMetricFilters', REGION, `log group ${LOG_GROUP}`) }), 'network-gateway-changes');
    expect(result.verdict).toBe('ERROR');
    expect(result.reasons).toEqual([`no permission to call logs:DescribeMetricFilters on log group ${LOG_GROUP} in us-east-1 (AccessDeniedException)`]);
  });

  it('ERROR when the alarms cannot be read', () => {
    const result = one(gatewaySetup({ alarmErrors: { [REGION]: denied('cloudwatch:DescribeAlarms') } }), 'network-gateway-changes');
    expect(result.verdict).toBe('ERROR');
    expect(result.reasons).toContain('no permission to call cloudwatch:DescribeAlarms in us-east-1 (AccessDeniedException)');
  });

  it('the alarm must watch the same namespace, name and region', () => {
    const wrongNamespace = one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { metric: { namespace: 'LogMetrics', metricName: 'GatewayEventCount', dimensions: {} } })] }), 'network-gateway-changes');
    expect(wrongNamespace.reasons).toEqual(['alarm gw watches LogMetrics/GatewayEventCount, but metric filter VPCGatewayConfigChanges publishes CISBenchmark/GatewayEventCount: the namespaces differ']);
    const wrongCase = one(gatewaySetup({ alarms: [alarm('gw', 'gatewayeventcount')] }), 'network-gateway-changes');
    expect(wrongCase.reasons[0]).toContain('metric names are case-sensitive');
    const wrongRegion = one(gatewaySetup({ regions: [REGION, 'eu-west-1'], alarms: [alarm('gw', 'GatewayEventCount', {}, 'eu-west-1')] }), 'network-gateway-changes');
    expect(wrongRegion.reasons).toEqual([
      'alarm gw watches CISBenchmark/GatewayEventCount in eu-west-1, but metric filter VPCGatewayConfigChanges publishes it in us-east-1: an alarm sees only its own region\'s metrics',
    ]);
  });

  it('dimensions: an alarm without them sees nothing of a filter that publishes them; one with the right value does', () => {
    const withDims = filter('gw', SEED_GATEWAY_FILTER, 'GatewayEventCount', { transformations: [{ metricName: 'GatewayEventCount', metricNamespace: 'CISBenchmark', metricValue: '1', dimensions: { Source: '$.eventSource' } }] });
    const blind = one(snapshot({ filters: [withDims], alarms: [alarm('gw', 'GatewayEventCount')] }), 'network-gateway-changes');
    expect(blind.verdict).toBe('FAIL');
    expect(blind.reasons[0]).toContain('alarm gw watches CISBenchmark/GatewayEventCount with dimensions {}');
    const sighted = snapshot({ filters: [withDims], alarms: [alarm('gw', 'GatewayEventCount', { metric: { namespace: 'CISBenchmark', metricName: 'GatewayEventCount', dimensions: { Source: 'ec2.amazonaws.com' } } })] });
    expect(one(sighted, 'network-gateway-changes').verdict).toBe('PASS');
  });

  it('an alarm that needs more than one event, or two periods, does not count; for 4.1 a burst threshold is accepted', () => {
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { threshold: 5 })] }), 'network-gateway-changes').reasons).toEqual([
      'alarm gw fires when Sum >= 5 per 300 s; one event gives 1, so a single change does not raise it',
    ]);
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { evaluationPeriods: 3, datapointsToAlarm: 2 })] }), 'network-gateway-changes').reasons[0]).toContain('needs 2 breaching periods');
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { statistic: 'SampleCount', threshold: 1 })] }), 'network-gateway-changes').verdict).toBe('PASS');
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { comparisonOperator: 'GreaterThanThreshold', threshold: 0 })] }), 'network-gateway-changes').verdict).toBe('PASS');
    const unauthorized = snapshot({ filters: [filter('unauth', '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }', 'Unauth')], alarms: [alarm('unauth', 'Unauth', { threshold: 10 })] });
    const burst = one(unauthorized, 'unauthorized-api-calls');
    expect(burst.verdict).toBe('PASS');
    expect(burst.notes.join('\n')).toContain('accepted for this control');
  });

  it('missing data treated as breaching (or ignored) keeps the alarm in ALARM, unless the filter publishes a default value', () => {
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { treatMissingData: 'breaching' })] }), 'network-gateway-changes').reasons[0]).toContain('treats missing data as breaching');
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { treatMissingData: 'ignore' })] }), 'network-gateway-changes').reasons[0]).toContain('ignores missing data');
    const withDefault = filter('VPCGatewayConfigChanges', SEED_GATEWAY_FILTER, 'GatewayEventCount', {
      transformations: [{ metricName: 'GatewayEventCount', metricNamespace: 'CISBenchmark', metricValue: '1', defaultValue: 0 }],
    });
    expect(one(gatewaySetup({ filters: [withDefault], alarms: [alarm('gw', 'GatewayEventCount', { treatMissingData: 'breaching' })] }), 'network-gateway-changes').verdict).toBe('PASS');
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { treatMissingData: 'notBreaching' })] }), 'network-gateway-changes').verdict).toBe('PASS');
  });

  it('a filter that publishes 0 never raises the alarm', () => {
    const zero = filter('VPCGatewayConfigChanges', SEED_GATEWAY_FILTER, 'GatewayEventCount', { transformations: [{ metricName: 'GatewayEventCount', metricNamespace: 'CISBenchmark', metricValue: '0' }] });
    const result = one(gatewaySetup({ filters: [zero] }), 'network-gateway-changes');
    expect(result.verdict).toBe('FAIL');
    expect(result.reasons[0]).toContain('no metric filter on log group aws-cloudtrail-logs (us-east-1) counts any of the control');
  });

  it('a composite alarm can carry the actions; Lambda and OpsItem actions reach someone; EC2 actions do not', () => {
    const composite = { ...alarm('cis-composite', 'x'), kind: 'composite' as const, alarmRule: 'ALARM("gw") OR ALARM("other")' };
    delete (composite as Partial<typeof composite>).metric;
    const viaComposite = one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { alarmActions: [] }), composite] }), 'network-gateway-changes');
    expect(viaComposite.verdict).toBe('PASS');
    expect(viaComposite.notes[0]).toContain('through composite alarm cis-composite');
    const lambda = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:page-oncall`;
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { alarmActions: [lambda] })] }), 'network-gateway-changes').verdict).toBe('PASS');
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { alarmActions: [`arn:aws:ssm:${REGION}:${ACCOUNT}:opsitem:2`] })] }), 'network-gateway-changes').verdict).toBe('PASS');
    expect(one(gatewaySetup({ alarms: [alarm('gw', 'GatewayEventCount', { alarmActions: [`arn:aws:automate:${REGION}:ec2:stop`] })] }), 'network-gateway-changes').reasons[0]).toContain('is not a notification');
  });

  it('a pattern trailguard cannot parse is ERROR when it matters, with the parser\'s message', () => {
    const result = one(snapshot({ filters: [filter('broken', '{ $.eventName = ', 'Broken')], alarms: [] }), 'network-gateway-changes');
    expect(result.verdict).toBe('ERROR');
    expect(result.reasons[0]).toContain('trailguard cannot parse metric filter broken');
  });

  it('a filter meant for another control is not named as this control\'s attempt', () => {
    const result = one(snapshot({ filters: [filter('root', ROOT_FILTER, 'Root')], alarms: [alarm('root', 'Root')] }), 'console-auth-failures');
    expect(result.reasons).toEqual(['no metric filter on log group aws-cloudtrail-logs (us-east-1) is for this control (metric filter root counts Root wrong password but is for root-account-usage)']);
  });
});

describe('the trail behind the log group', () => {
  it('no trail: FAIL; trails unreadable everywhere: ERROR', () => {
    expect(one(snapshot({ trails: [] }), 'root-account-usage').reasons).toEqual(['no CloudTrail trail in us-east-1: nothing records the events this control alarms on']);
    const unreadable = one(snapshot({ trails: [], trailErrors: [denied('cloudtrail:DescribeTrails')] }), 'root-account-usage');
    expect(unreadable.verdict).toBe('ERROR');
    expect(unreadable.reasons).toEqual(['no permission to call cloudtrail:DescribeTrails in us-east-1 (AccessDeniedException)']);
  });

  it('no CloudWatch Logs delivery: FAIL naming the trails', () => {
    const t = trail();
    delete t.logGroup;
    expect(one(snapshot({ trails: [t] }), 'root-account-usage').reasons).toEqual([
      'no trail delivers to CloudWatch Logs (management-events): metric filters need a trail with a CloudWatch Logs log group',
    ]);
  });

  it('a single-region or stopped trail does not count, even with working filters and alarms', () => {
    const single = one(gatewaySetup({ trails: [trail({ isMultiRegion: false })] }), 'network-gateway-changes');
    expect(single.verdict).toBe('FAIL');
    expect(single.reasons[0]).toBe('trail management-events is not multi-region: changes made in other regions never reach its log group');
    expect(single.reasons[1]).toContain('only the trail needs fixing');
    const stopped = one(gatewaySetup({ trails: [trail({ status: { isLogging: false } })] }), 'network-gateway-changes');
    expect(stopped.reasons[0]).toBe('trail management-events is not logging: nothing reaches its log group');
  });

  it('a write-only trail still meets 4.12 but not 4.3, naming the read-only root call it never records', () => {
    const writeOnly = trail({ selectors: { basic: [], advanced: [{ Name: 'writes', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] }] } });
    const s = snapshot({ trails: [writeOnly], filters: [filter('gw', SEED_GATEWAY_FILTER, 'Gw'), filter('root', ROOT_FILTER, 'Root')], alarms: [alarm('gw', 'Gw'), alarm('root', 'Root')] });
    expect(one(s, 'network-gateway-changes').verdict).toBe('PASS');
    const root = one(s, 'root-account-usage');
    expect(root.verdict).toBe('FAIL');
    expect(root.reasons).toEqual([
      'trail management-events does not record Root lists buckets from the CLI (its event selectors: no advanced event selector selects it ("writes" requires readOnly = false))',
      expect.stringContaining('has working metric filters and alarms for this control (metric filter root'),
    ]);
  });

  it('a trail that excludes KMS events cannot meet 4.7', () => {
    const noKms = trail({ selectors: { basic: [{ ReadWriteType: 'All', IncludeManagementEvents: true, ExcludeManagementEventSources: ['kms.amazonaws.com'] }], advanced: [] } });
    const kmsFilter = '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }';
    const result = one(snapshot({ trails: [noKms], filters: [filter('kms', kmsFilter, 'Kms')], alarms: [alarm('kms', 'Kms')] }), 'kms-cmk-disabled-or-scheduled-deletion');
    expect(result.verdict).toBe('FAIL');
    expect(result.reasons[0]).toMatch(/^trail management-events does not record DisableKey, ScheduleKeyDeletion.*excludes management events from kms\.amazonaws\.com/);
  });

  it('unreadable status or selectors: ERROR', () => {
    const t = trail({ statusError: denied('cloudtrail:GetTrailStatus') });
    delete t.status;
    expect(one(gatewaySetup({ trails: [t] }), 'network-gateway-changes').verdict).toBe('ERROR');
  });

  it('a multi-region trail whose home region is elsewhere is judged in its home region (shadow trail)', () => {
    const shadow = trail({ homeRegion: 'eu-west-1', seenInRegions: ['eu-west-1', REGION] });
    const s = snapshot({ trails: [shadow], filters: [filter('gw', SEED_GATEWAY_FILTER, 'Gw', {}, 'eu-west-1')], alarms: [alarm('gw', 'Gw', { alarmActions: [TOPIC.replace(REGION, 'eu-west-1')] }, 'eu-west-1')], topics: [topic(TOPIC.replace(REGION, 'eu-west-1'))] });
    const result = one(s, 'network-gateway-changes');
    expect(result.verdict).toBe('PASS');
    expect(result.notes[0]).toContain('log group aws-cloudtrail-logs (eu-west-1)');
  });

  it('an organization trail of another account: ERROR (its log group can only be audited there); a local trail that passes still passes', () => {
    const org = trail({ name: 'org-trail', accountId: OTHER_ACCOUNT, isOrganization: true, homeRegion: REGION });
    const alone = one(snapshot({ trails: [org] }), 'network-gateway-changes');
    expect(alone.verdict).toBe('ERROR');
    expect(alone.reasons[0]).toBe(
      `trail org-trail is an organization trail delivering to log group ${LOG_GROUP} (us-east-1) in account ${OTHER_ACCOUNT}; its metric filters and alarms can only be audited from that account (run trailguard audit there, or with a role in it)`,
    );
    const withLocal = one(gatewaySetup({ trails: [org, trail()] }), 'network-gateway-changes');
    expect(withLocal.verdict).toBe('PASS');
  });
});

describe('CloudTrail basics', () => {
  it('multi-region trail recording all management events (CIS 3.1 / CloudTrail.1)', () => {
    expect(one(snapshot(), 'cloudtrail-multi-region').verdict).toBe('PASS');
    const single = one(snapshot({ trails: [trail({ isMultiRegion: false })] }), 'cloudtrail-multi-region');
    expect(single.reasons).toEqual(['no multi-region trail; single-region trails: management-events (us-east-1)']);
    const writeOnly = one(snapshot({ trails: [trail({ selectors: { basic: [{ ReadWriteType: 'WriteOnly' }], advanced: [] } })] }), 'cloudtrail-multi-region');
    expect(writeOnly.reasons).toEqual(['multi-region trail management-events does not record read management events (records write-only management events only)']);
    const org = one(snapshot({ trails: [trail({ accountId: OTHER_ACCOUNT, isOrganization: true })] }), 'cloudtrail-multi-region');
    expect(org.verdict).toBe('PASS');
  });

  it('log file validation on every trail of the account (CIS 3.2 / CloudTrail.4)', () => {
    expect(one(snapshot(), 'cloudtrail-log-file-validation').verdict).toBe('PASS');
    expect(one(snapshot({ trails: [trail(), trail({ name: 'dev', logFileValidation: false, isMultiRegion: false })] }), 'cloudtrail-log-file-validation').reasons).toEqual([
      'trail dev (us-east-1) has log file validation off: tampering with its log files cannot be detected',
    ]);
  });

  it('recent CloudWatch Logs delivery (CIS 3.4 / CloudTrail.5)', () => {
    expect(one(snapshot(), 'cloudtrail-cloudwatch-logs').verdict).toBe('PASS');
    const stale = one(snapshot({ trails: [trail({ status: { isLogging: true, latestCloudWatchLogsDeliveryTime: '2026-11-18T00:00:00.000Z' } })] }), 'cloudtrail-cloudwatch-logs');
    expect(stale.reasons).toEqual(['trail management-events: the latest delivery to aws-cloudtrail-logs was 2026-11-18T00:00:00.000Z (60 h ago, more than 24 h)']);
    const never = one(snapshot({ trails: [trail({ status: { isLogging: true } })] }), 'cloudtrail-cloudwatch-logs');
    expect(never.reasons[0]).toContain('reports no delivery');
    const failing = one(snapshot({ trails: [trail({ status: { isLogging: true, latestCloudWatchLogsDeliveryTime: NOW.toISOString(), latestCloudWatchLogsDeliveryError: 'AccessDenied' } })] }), 'cloudtrail-cloudwatch-logs');
    expect(failing.reasons).toEqual(['trail management-events: the latest CloudWatch Logs delivery failed (AccessDenied)']);
  });
});

describe('the report', () => {
  it('evaluates every control by default, and --only / --exclude', () => {
    const report = evaluateAccount(gatewaySetup(), { rules: cisRules(), now: NOW });
    expect(report.controls.map((c) => c.id)).toEqual(allControlIds());
    expect(report.counts.PASS + report.counts.FAIL + report.counts.ERROR).toBe(18);
    expect(evaluateAccount(gatewaySetup(), { rules: cisRules(), now: NOW, exclude: ['cloudtrail-cloudwatch-logs'] }).controls).toHaveLength(17);
  });

  it('maps controls to frameworks through their rules', () => {
    const report = evaluateAccount(gatewaySetup(), { rules: cisRules(), now: NOW, only: ['network-gateway-changes', 'root-account-usage', 'cloudtrail-multi-region'] });
    const summary = summarizeCompliance(report);
    const cis12 = summary.find((s) => s.framework === 'cis-aws-foundations' && s.version === 'v1.2.0')!;
    expect(cis12.controls).toEqual([
      { id: '1.1', verdict: 'FAIL', auditControls: ['root-account-usage'] },
      { id: '2.1', verdict: 'PASS', auditControls: ['cloudtrail-multi-region'] },
      { id: '3.3', verdict: 'FAIL', auditControls: ['root-account-usage'] },
      { id: '3.12', verdict: 'PASS', auditControls: ['network-gateway-changes'] },
    ]);
    const sh = summary.find((s) => s.framework === 'aws-security-hub')!;
    expect(sh.controls.map((c) => c.id)).toEqual(['CloudTrail.1', 'CloudWatch.1', 'CloudWatch.12']);
  });
});
