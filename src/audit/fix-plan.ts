/**
 * `trailguard audit --fix`: what to create so the failing monitoring controls pass, as the exact SDK calls and the
 * equivalent `aws` CLI commands. A dry run unless --apply (apply.ts); the same resources can be written as a
 * CloudFormation template (cloudformation.ts).
 *
 * What it creates, all in the region of the CloudWatch Logs log group the chosen trail delivers to (alarms see only
 * their own region's metrics; the seed's `--region us-east-1` is right only when the log group is there):
 *  - an SNS topic (or uses --topic-arn; or, given neither a topic nor --email, reuses the topic the account's CIS
 *    alarms already notify when it has a confirmed subscriber), and an email subscription when --email is given (it
 *    stays pending until the recipient confirms it; until then the audit still reports the topic as having no
 *    confirmed subscription). --apply refuses a plan whose alarms would notify no one (alarmsReachNobody);
 *  - per failing control: a metric filter with the canonical CIS pattern on the trail's log group, unless a filter on
 *    that log group already counts exactly the control's events (then only the alarm is added, on that metric);
 *  - per failing control: an alarm on the metric (Sum >= 1 over 300 s, one datapoint, missing data not breaching) that
 *    notifies the topic.
 * Nothing of the account's own is modified or deleted: trailguard's resources have their own names
 * (trailguard-<rule id>), so a second --apply overwrites only them.
 */
import type { RulesById } from './controls/battery.js';
import { buildBattery } from './controls/battery.js';
import { DEFAULT_NAMESPACE, DEFAULT_TOPIC_NAME, findControl, patternFor, type MonitoringControl, type PatternSet } from './controls/catalog.js';

export { DEFAULT_NAMESPACE, DEFAULT_TOPIC_NAME } from './controls/catalog.js';
import { groupKey } from './account.js';
import { buildMetricGroups, judgeGroups } from './evaluate.js';
import type { AccountSnapshot, AuditReport, LogGroupRef, TopicInfo, TrailInfo } from './types.js';

export interface FixOptions {
  rules: RulesById;
  /** Metric namespace for new metric filters (default CloudTrailMetrics). */
  namespace?: string;
  /** Name of the SNS topic to create (default trailguard-cis-alarms). */
  topicName?: string;
  /** Use this existing topic instead of creating one. */
  topicArn?: string;
  /** Subscribe this address to the topic. */
  email?: string;
  patterns?: PatternSet;
  /** Added to the CLI commands (never credentials). */
  profile?: string;
}

export type FixOperation = 'CreateTopic' | 'Subscribe' | 'PutMetricFilter' | 'PutMetricAlarm';

export interface FixStep {
  id: string;
  service: 'sns' | 'logs' | 'cloudwatch';
  operation: FixOperation;
  region: string;
  /** The SDK command input, exactly as sent (the topic ARN is replaced by CreateTopic's answer at apply time). */
  input: Record<string, unknown>;
  /** The same call with the AWS CLI. */
  cli: string;
  description: string;
  /** Control ids this step is for. */
  controls: string[];
}

export interface FixPlan {
  accountId?: string;
  region?: string;
  trail?: string;
  logGroup?: LogGroupRef;
  /** The topic the alarms notify: the given one, or the ARN CreateTopic will return. */
  topicArn?: string;
  createsTopic: boolean;
  /** Set when the alarms notify a topic the account's CIS alarms already notify (no topic or --email was given). */
  reusedTopic?: { arn: string; confirmedSubscriptions: number };
  steps: FixStep[];
  /** Failing controls the plan does not fix, and why. */
  skipped: { control: string; reason: string }[];
  warnings: string[];
}

/** Stands for the created topic's ARN where it is not known in advance (no account id). */
export const TOPIC_ARN_PLACEHOLDER = '<topic-arn-from-CreateTopic>';
const MAX_FILTERS_PER_LOG_GROUP = 100;

/** Single-quotes a shell word when it needs it. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_\-./:=,@+%]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function chooseTrail(snapshot: AccountSnapshot): TrailInfo | undefined {
  const readable = (t: TrailInfo) => {
    if (!t.logGroup) return false;
    const group = snapshot.logGroups.find((g) => groupKey(g.logGroup) === groupKey(t.logGroup!));
    return group !== undefined && !group.external && !group.error;
  };
  const candidates = snapshot.trails.filter(readable);
  const score = (t: TrailInfo) => (t.isMultiRegion ? 4 : 0) + (t.status?.isLogging ? 2 : 0) + (t.isOrganization ? 0 : 1);
  return [...candidates].sort((a, b) => score(b) - score(a) || a.arn.localeCompare(b.arn))[0];
}

export function planFixes(snapshot: AccountSnapshot, report: AuditReport, options: FixOptions): FixPlan {
  const plan: FixPlan = { ...(snapshot.accountId ? { accountId: snapshot.accountId } : {}), createsTopic: false, steps: [], skipped: [], warnings: [] };
  const failing = report.controls.filter((c) => c.kind === 'monitoring' && c.verdict !== 'PASS');
  for (const c of report.controls.filter((c) => c.kind === 'trail' && c.verdict !== 'PASS')) {
    plan.skipped.push({ control: c.id, reason: `--fix does not change trails: ${c.reasons[0] ?? 'see the audit'}` });
  }
  if (failing.length === 0) return plan;

  const trail = chooseTrail(snapshot);
  if (!trail || !trail.logGroup) {
    const reason =
      'no trail of this account delivers to a CloudWatch Logs log group trailguard can read; create a multi-region trail with CloudWatch Logs delivery first ' +
      '(aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>)';
    for (const c of failing) plan.skipped.push({ control: c.id, reason });
    return plan;
  }
  const logGroup = trail.logGroup;
  const region = logGroup.region;
  plan.region = region;
  plan.trail = trail.name;
  plan.logGroup = logGroup;
  if (!trail.isMultiRegion) plan.warnings.push(`trail ${trail.name} is not multi-region: the controls keep failing until it is (aws cloudtrail update-trail --name ${shellQuote(trail.name)} --is-multi-region-trail)`);
  if (trail.status && !trail.status.isLogging) plan.warnings.push(`trail ${trail.name} is not logging: aws cloudtrail start-logging --name ${shellQuote(trail.arn)}`);

  const profile = options.profile ? ` --profile ${shellQuote(options.profile)}` : '';
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const filters = snapshot.logGroups.find((g) => groupKey(g.logGroup) === groupKey(logGroup))?.filters ?? [];

  // The topic.
  let topicRef: string;
  let cliTopic: string;
  const existingTopic = options.topicArn ? snapshot.topics.find((t) => t.arn === options.topicArn) : undefined;
  const reusable = options.topicArn === undefined && options.topicName === undefined && options.email === undefined ? reusableTopic(snapshot.topics, region) : undefined;
  if (reusable) {
    plan.topicArn = reusable.arn;
    plan.reusedTopic = { arn: reusable.arn, confirmedSubscriptions: confirmedCount(reusable) };
    topicRef = reusable.arn;
    cliTopic = shellQuote(reusable.arn);
  } else if (options.topicArn) {
    plan.topicArn = options.topicArn;
    topicRef = options.topicArn;
    cliTopic = shellQuote(options.topicArn);
    const topicRegion = options.topicArn.split(':')[3];
    if (topicRegion && topicRegion !== region) plan.warnings.push(`topic ${options.topicArn} is in ${topicRegion}, the alarms will be in ${region}: use a topic in ${region}`);
  } else {
    const name = options.topicName ?? DEFAULT_TOPIC_NAME;
    topicRef = snapshot.accountId ? `arn:${snapshot.partition}:sns:${region}:${snapshot.accountId}:${name}` : TOPIC_ARN_PLACEHOLDER;
    plan.topicArn = topicRef;
    plan.createsTopic = true;
    cliTopic = '"$TOPIC_ARN"';
    plan.steps.push({
      id: 'create-topic',
      service: 'sns',
      operation: 'CreateTopic',
      region,
      input: { Name: name },
      cli: `TOPIC_ARN=$(aws sns create-topic${profile} --region ${region} --name ${shellQuote(name)} --query TopicArn --output text)`,
      description: `create SNS topic ${name} in ${region} (CreateTopic returns the existing topic if it is already there)`,
      controls: failing.map((c) => c.id),
    });
  }
  const knownSubscriptions = existingTopic?.subscriptions ?? snapshot.topics.find((t) => t.arn === topicRef)?.subscriptions ?? [];
  if (options.email) {
    if (knownSubscriptions.some((s) => s.protocol === 'email' && s.endpoint.toLowerCase() === options.email!.toLowerCase())) {
      plan.warnings.push(`${options.email} is already subscribed to ${topicRef}${knownSubscriptions.some((s) => s.endpoint === options.email && !s.confirmed) ? ' (pending confirmation)' : ''}`);
    } else {
      plan.steps.push({
        id: 'subscribe-email',
        service: 'sns',
        operation: 'Subscribe',
        region,
        input: { TopicArn: topicRef, Protocol: 'email', Endpoint: options.email, ReturnSubscriptionArn: true },
        cli: `aws sns subscribe${profile} --region ${region} --topic-arn ${cliTopic} --protocol email --notification-endpoint ${shellQuote(options.email)}`,
        description: `subscribe ${options.email} to the topic (AWS emails a confirmation link; the subscription is pending until it is followed)`,
        controls: failing.map((c) => c.id),
      });
    }
  } else if (!knownSubscriptions.some((s) => s.confirmed)) {
    plan.warnings.push('the topic has no confirmed subscriber, so the alarms will notify no one: pass --email <address> (or subscribe an endpoint yourself)');
  }

  const filterSteps: FixStep[] = [];
  const alarmSteps: FixStep[] = [];
  for (const result of failing) {
    const control = findControl(result.id);
    if (!control) continue;
    if (result.verdict === 'ERROR') {
      plan.skipped.push({ control: result.id, reason: `trailguard could not read everything this control depends on (${result.reasons[0] ?? 'see the audit'}); fix that first` });
      continue;
    }
    const battery = buildBattery(control, options.rules);
    const reusable = judgeGroups(buildMetricGroups(filters), battery).find((g) => g.judgement.ok && g.filters.every((f) => f.matches));
    let metricName: string;
    let metricNamespace: string;
    if (reusable) {
      metricName = reusable.metricName;
      metricNamespace = reusable.namespace;
    } else {
      metricName = control.metricName;
      metricNamespace = namespace;
      filterSteps.push(filterStep(control, logGroup, metricNamespace, options.patterns ?? 'cis', profile));
    }
    alarmSteps.push(alarmStep(control, result.cisLabel, result.securityHub, region, metricNamespace, metricName, topicRef, cliTopic, profile, reusable ? `on the existing metric of ${reusable.filters.map((f) => f.info.name).join(', ')}` : undefined));
    if (result.reasons.some((r) => r.includes('does not record'))) {
      plan.warnings.push(`${result.id}: trail ${trail.name} does not record some of the control's events; the alarm cannot fire for them until its event selectors do`);
    }
  }
  const existingOwn = new Set(filters.filter((f) => f.name.startsWith('trailguard-')).map((f) => f.name));
  const added = filterSteps.filter((s) => !existingOwn.has(String(s.input.filterName))).length;
  if (filters.length + added > MAX_FILTERS_PER_LOG_GROUP) {
    plan.warnings.push(`log group ${logGroup.name} has ${filters.length} metric filters; ${added} more exceed the limit of ${MAX_FILTERS_PER_LOG_GROUP} per log group`);
  }
  plan.steps.push(...filterSteps, ...alarmSteps);
  return plan;
}

const confirmedCount = (topic: TopicInfo) => (topic.subscriptions ?? []).filter((s) => s.confirmed).length;

/**
 * A topic the account's CIS alarms already notify (the snapshot reads exactly those) in the alarms' region, with a
 * confirmed subscriber: the one with the most confirmed subscriptions (then the first by ARN).
 */
function reusableTopic(topics: readonly TopicInfo[], region: string): TopicInfo | undefined {
  return topics
    .filter((t) => t.region === region && !t.error && confirmedCount(t) > 0)
    .sort((a, b) => confirmedCount(b) - confirmedCount(a) || a.arn.localeCompare(b.arn))[0];
}

/**
 * Why the plan's alarms would notify no one, or undefined when they reach someone: --apply refuses such a plan (the
 * alarms would be made, and the audit after them would still fail every control). They reach someone when --email is
 * given (a subscription is made; it must then be confirmed) or the topic has a confirmed subscriber. `topics`: the
 * snapshot's, plus any read for the plan (readTopics) — a topic not among them counts as having no subscriber.
 */
export function alarmsReachNobody(plan: FixPlan, topics: readonly TopicInfo[], options: { email?: string }): string | undefined {
  if (!plan.steps.some((s) => s.operation === 'PutMetricAlarm') || options.email !== undefined) return undefined;
  const arn = plan.topicArn ?? TOPIC_ARN_PLACEHOLDER;
  const topic = topics.find((t) => t.arn === arn);
  if (topic && confirmedCount(topic) > 0) return undefined;
  let why: string;
  if (!topic || (plan.createsTopic && topic.error?.kind === 'not-found')) {
    why = plan.createsTopic ? `topic ${arn} would be created with no subscriber` : `topic ${arn} has no subscriber trailguard can see`;
  } else if (topic.error?.kind === 'not-found') why = `topic ${arn} does not exist`;
  else if (topic.error) why = `the subscriptions of topic ${arn} cannot be read (${topic.error.code})`;
  else if ((topic.subscriptions ?? []).length > 0) why = `topic ${arn} has no confirmed subscription (${topic.subscriptions!.length} pending confirmation)`;
  else why = `topic ${arn} has no subscriptions`;
  return (
    `--apply would create alarms that notify no one: ${why}. Pass --email <address> (and confirm the subscription AWS sends), ` +
    'or --topic-arn / --topic-name of a topic with a confirmed subscriber'
  );
}

function filterStep(control: MonitoringControl, logGroup: LogGroupRef, namespace: string, patterns: PatternSet, profile: string): FixStep {
  const filterName = `trailguard-${control.ruleId}`;
  const pattern = patternFor(control, patterns);
  const input = {
    logGroupName: logGroup.name,
    filterName,
    filterPattern: pattern,
    metricTransformations: [{ metricName: control.metricName, metricNamespace: namespace, metricValue: '1' }],
  };
  return {
    id: `put-metric-filter:${control.ruleId}`,
    service: 'logs',
    operation: 'PutMetricFilter',
    region: logGroup.region,
    input,
    cli:
      `aws logs put-metric-filter${profile} --region ${logGroup.region} --log-group-name ${shellQuote(logGroup.name)} --filter-name ${shellQuote(filterName)}` +
      ` --filter-pattern ${shellQuote(pattern)} --metric-transformations ${shellQuote(`metricName=${control.metricName},metricNamespace=${namespace},metricValue=1`)}`,
    description: `metric filter ${filterName} on ${logGroup.name}: counts ${control.title.toLowerCase()} as ${namespace}/${control.metricName}`,
    controls: [control.ruleId],
  };
}

function alarmStep(
  control: MonitoringControl,
  cisLabel: string,
  securityHub: readonly string[],
  region: string,
  namespace: string,
  metricName: string,
  topicArn: string,
  cliTopic: string,
  profile: string,
  reuse: string | undefined,
): FixStep {
  const alarmName = `trailguard-${control.ruleId}`;
  const description = `CIS ${cisLabel}${securityHub.length ? ` / ${securityHub.join(', ')}` : ''}: ${control.title}. Created by trailguard audit --fix.`;
  const input = {
    AlarmName: alarmName,
    AlarmDescription: description,
    MetricName: metricName,
    Namespace: namespace,
    Statistic: 'Sum',
    Period: 300,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    ActionsEnabled: true,
    AlarmActions: [topicArn],
  };
  return {
    id: `put-metric-alarm:${control.ruleId}`,
    service: 'cloudwatch',
    operation: 'PutMetricAlarm',
    region,
    input,
    cli:
      `aws cloudwatch put-metric-alarm${profile} --region ${region} --alarm-name ${shellQuote(alarmName)} --alarm-description ${shellQuote(description)}` +
      ` --metric-name ${shellQuote(metricName)} --namespace ${shellQuote(namespace)} --statistic Sum --period 300 --evaluation-periods 1 --datapoints-to-alarm 1` +
      ` --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --treat-missing-data notBreaching --actions-enabled --alarm-actions ${cliTopic}`,
    description: `alarm ${alarmName} on ${namespace}/${metricName}${reuse ? ` (${reuse})` : ''}, notifying the topic`,
    controls: [control.ruleId],
  };
}

export function renderFixPlan(plan: FixPlan, options: { apply: boolean }): string {
  const out: string[] = [];
  if (plan.steps.length === 0) out.push('Nothing to create.');
  else {
    out.push(
      `${options.apply ? 'Applying' : 'Plan (dry run; add --apply to make these calls)'}: ${plan.steps.length} call${plan.steps.length === 1 ? '' : 's'} in ${plan.region}` +
        `${plan.logGroup ? ` for log group ${plan.logGroup.name} of trail ${plan.trail}` : ''}`,
    );
    if (plan.reusedTopic) {
      const n = plan.reusedTopic.confirmedSubscriptions;
      out.push(
        `The alarms notify ${plan.reusedTopic.arn}, the topic the account's CIS alarms already notify (${n} confirmed subscription${n === 1 ? '' : 's'}); ` +
          'pass --topic-arn, --topic-name or --email for another.',
      );
    }
    plan.steps.forEach((step, i) => {
      out.push(`${i + 1}. ${step.description}`);
      out.push(`   SDK: ${step.service}:${step.operation} ${JSON.stringify(step.input)}`);
      out.push(`   CLI: ${step.cli}`);
    });
  }
  for (const s of plan.skipped) out.push(`not fixed: ${s.control}: ${s.reason}`);
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
