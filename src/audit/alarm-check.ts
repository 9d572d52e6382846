/**
 * Would an alarm tell someone about one matching event? Checked from the alarm's own configuration:
 *  - actions enabled, and at least one action that reaches a person (an SNS topic with a confirmed subscription, a
 *    Lambda function, a Systems Manager OpsItem or incident);
 *  - the threshold: one event publishes one datapoint of the filter's metricValue (1 for CIS filters); Sum, Average,
 *    Minimum, Maximum and percentiles of that datapoint are the value, SampleCount is 1;
 *  - datapoints to alarm: one event fills one period, so an alarm that needs 2 breaching periods never fires on it;
 *  - missing data: notifications are sent only on state changes. An alarm that treats missing data as breaching sits
 *    in ALARM between events (no change, no notification when the event comes); one that ignores missing data never
 *    leaves ALARM after the first event. Both are fine when the metric filter publishes a default value (0).
 */
import { compositeReferences } from './account.js';
import { parseArn } from './arn.js';
import { describeCallError } from './aws-call.js';
import type { AlarmInfo, AwsCallError, MetricTransformationInfo, TopicInfo } from './types.js';

export interface AlarmAssessment {
  alarm: AlarmInfo;
  /** Reasons it does not alert anyone about one event. */
  problems: string[];
  /** Reads that failed and could have changed the answer. */
  errors: AwsCallError[];
  /** Who it reaches: "topic arn:... (2 confirmed subscriptions)". */
  reaches: string[];
  /** True when it alerts someone on one event (or, where bursts are accepted, on a burst). */
  live: boolean;
  notes: string[];
}

export interface AlarmContext {
  topics: ReadonlyMap<string, TopicInfo>;
  /** Composite alarms of the alarm's region. */
  composites: readonly AlarmInfo[];
  /** The transformations that publish the metric (for metricValue and defaultValue). */
  transformations: readonly MetricTransformationInfo[];
  singleEventMustAlarm: boolean;
}

export function assessAlarm(alarm: AlarmInfo, context: AlarmContext): AlarmAssessment {
  const assessment: AlarmAssessment = { alarm, problems: [], errors: [], reaches: [], live: false, notes: [] };
  const own = reach(alarm, context.topics);
  assessment.errors.push(...own.errors);
  if (own.reaches.length > 0) assessment.reaches.push(...own.reaches);
  else {
    // A composite alarm that watches this one may carry the actions instead.
    for (const composite of context.composites.filter((c) => compositeReferences(c, alarm))) {
      const via = reach(composite, context.topics);
      assessment.errors.push(...via.errors);
      if (via.reaches.length > 0) assessment.reaches.push(...via.reaches.map((r) => `${r} through composite alarm ${composite.name}`));
      else own.problems.push(...via.problems.map((p) => `${p} (composite alarm ${composite.name}, which watches it)`));
    }
    if (assessment.reaches.length === 0) assessment.problems.push(...own.problems);
  }

  const fires = firesOnOneEvent(alarm, context.transformations);
  if (fires.problem) {
    if (context.singleEventMustAlarm) assessment.problems.push(fires.problem);
    else assessment.notes.push(`${fires.problem} (accepted for this control: alarming on bursts is a legitimate choice)`);
  }
  if (fires.note) assessment.notes.push(fires.note);
  const missing = missingDataProblem(alarm, context.transformations);
  if (missing) assessment.problems.push(missing);
  if (alarm.stateValue === 'ALARM') assessment.notes.push(`alarm ${alarm.name} is in ALARM now: it notifies again only after it returns to OK or INSUFFICIENT_DATA`);
  assessment.live = assessment.problems.length === 0 && assessment.reaches.length > 0;
  return assessment;
}

function reach(alarm: AlarmInfo, topics: ReadonlyMap<string, TopicInfo>): { reaches: string[]; problems: string[]; errors: AwsCallError[] } {
  const result = { reaches: [] as string[], problems: [] as string[], errors: [] as AwsCallError[] };
  const kind = alarm.kind === 'composite' ? 'composite alarm' : 'alarm';
  if (alarm.alarmActions.length === 0) {
    result.problems.push(`${kind} ${alarm.name} has no actions: it changes state and tells no one`);
    return result;
  }
  if (!alarm.actionsEnabled) {
    result.problems.push(`${kind} ${alarm.name} has its actions disabled (ActionsEnabled is false)`);
    return result;
  }
  for (const action of alarm.alarmActions) {
    const arn = parseArn(action);
    if (arn?.service === 'sns') {
      const topic = topics.get(action);
      if (!topic) {
        result.problems.push(`${kind} ${alarm.name} notifies topic ${action}, which was not read`);
      } else if (topic.error) {
        if (topic.error.kind === 'not-found') result.problems.push(`${kind} ${alarm.name} notifies topic ${action}, which does not exist`);
        else result.errors.push(topic.error);
      } else {
        const subscriptions = topic.subscriptions ?? [];
        const confirmed = subscriptions.filter((s) => s.confirmed);
        const pending = subscriptions.length - confirmed.length;
        if (confirmed.length > 0) result.reaches.push(`topic ${action} (${confirmed.length} confirmed subscription${confirmed.length === 1 ? '' : 's'}: ${confirmed.map((s) => s.protocol).join(', ')})`);
        else if (pending > 0) result.problems.push(`topic ${action} has no confirmed subscription (${pending} pending confirmation: the recipient must confirm it)`);
        else result.problems.push(`topic ${action} has no subscriptions: ${kind} ${alarm.name} notifies no one`);
      }
    } else if (arn?.service === 'lambda') {
      result.reaches.push(`Lambda function ${action} (trailguard cannot see whom it notifies)`);
    } else if (arn?.service === 'ssm' || arn?.service === 'ssm-incidents') {
      result.reaches.push(`Systems Manager ${arn.resource.startsWith('opsitem') ? 'OpsItem' : 'incident'} ${action}`);
    } else {
      result.problems.push(`${kind} ${alarm.name} action ${action} is not a notification (EC2 or Auto Scaling action)`);
    }
  }
  if (result.reaches.length > 0) result.problems = [];
  return result;
}

/** The value one event publishes: metricValue when it is a number, undefined when it is taken from the event ($.field). */
function eventValue(transformations: readonly MetricTransformationInfo[]): number | undefined {
  const values = transformations.map((t) => Number(t.metricValue)).filter((v) => Number.isFinite(v));
  if (values.length === 0) return undefined;
  return Math.min(...values);
}

export function firesOnOneEvent(alarm: AlarmInfo, transformations: readonly MetricTransformationInfo[]): { problem?: string; note?: string } {
  if (alarm.kind !== 'metric') return {};
  if (!alarm.metric) return { note: `alarm ${alarm.name} uses metric math: trailguard does not evaluate its expression and assumes it alarms on the metric` };
  const periods = alarm.datapointsToAlarm ?? alarm.evaluationPeriods ?? 1;
  if (periods > 1) {
    return {
      problem: `alarm ${alarm.name} needs ${periods} breaching periods (of ${alarm.evaluationPeriods ?? periods}); one event fills one period, so a single change never raises it`,
    };
  }
  const value = eventValue(transformations);
  if (value === undefined) return { note: `the metric value is taken from the event; trailguard assumes one event reaches the alarm threshold` };
  const statistic = alarm.statistic ?? alarm.extendedStatistic ?? 'Sum';
  const datapoint = statistic === 'SampleCount' ? 1 : value;
  const threshold = alarm.threshold;
  if (threshold === undefined || !alarm.comparisonOperator) return {};
  const ops: Record<string, (a: number, b: number) => boolean> = {
    GreaterThanOrEqualToThreshold: (a, b) => a >= b,
    GreaterThanThreshold: (a, b) => a > b,
    LessThanThreshold: (a, b) => a < b,
    LessThanOrEqualToThreshold: (a, b) => a <= b,
  };
  const compare = ops[alarm.comparisonOperator];
  if (!compare) return { note: `alarm ${alarm.name} compares with ${alarm.comparisonOperator}; trailguard does not evaluate that comparison` };
  if (compare(datapoint, threshold)) return {};
  const symbol: Record<string, string> = { GreaterThanOrEqualToThreshold: '>=', GreaterThanThreshold: '>', LessThanThreshold: '<', LessThanOrEqualToThreshold: '<=' };
  return {
    problem: `alarm ${alarm.name} fires when ${statistic} ${symbol[alarm.comparisonOperator]} ${threshold} per ${alarm.period ?? '?'} s; one event gives ${datapoint}, so a single change does not raise it`,
  };
}

function missingDataProblem(alarm: AlarmInfo, transformations: readonly MetricTransformationInfo[]): string | undefined {
  if (alarm.kind !== 'metric') return undefined;
  const hasDefault = transformations.length > 0 && transformations.every((t) => t.defaultValue !== undefined);
  if (hasDefault) return undefined;
  if (alarm.treatMissingData === 'breaching') {
    return `alarm ${alarm.name} treats missing data as breaching: it stays in ALARM between events, and alarms notify only on state changes, so a new event notifies no one`;
  }
  if (alarm.treatMissingData === 'ignore') {
    return `alarm ${alarm.name} ignores missing data: after its first alarm it never returns to OK (the metric has no default value), so later events notify no one`;
  }
  return undefined;
}

export function describeErrors(errors: readonly AwsCallError[]): string[] {
  return [...new Set(errors.map(describeCallError))];
}
