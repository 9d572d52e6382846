/**
 * Reading what the CIS monitoring controls depend on, with the AWS SDK v3:
 *
 *   sts:GetCallerIdentity                  who we are (account, partition)
 *   ec2:DescribeRegions                    the enabled regions (--all-regions only)
 *   cloudtrail:DescribeTrails              per region, shadow trails included (a multi-region trail and an organization
 *                                          trail appear in every region; they are merged by ARN)
 *   cloudtrail:GetTrailStatus              per trail, in its home region, by ARN (shadow and organization trails need it)
 *   cloudtrail:GetEventSelectors           per trail, likewise (basic or advanced selectors)
 *   logs:DescribeMetricFilters             per CloudWatch Logs log group a trail delivers to, in the log group's region
 *   cloudwatch:DescribeAlarms              metric and composite alarms, in every region read
 *   sns:ListSubscriptionsByTopic           the SNS topics the relevant alarms notify, in each topic's region
 *
 * Every failure (a missing permission, throttling after retries, a deleted resource) is recorded as data next to what
 * it was about; nothing here throws because of AWS.
 */
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { DescribeAlarmsCommand, type CompositeAlarm, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeMetricFiltersCommand, type MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { parseArn, parseLogGroupArn, partitionOfRegion } from './arn.js';
import { callAws, type CallResult, type RetryOptions } from './aws-call.js';
import type { AwsClients } from './clients.js';
import { mapLimit } from '../util/map-limit.js';
import type {
  AccountSnapshot,
  AlarmInfo,
  AlarmMetricRef,
  AwsCallError,
  LogGroupFilters,
  LogGroupRef,
  MetricFilterInfo,
  RegionAlarms,
  SubscriptionInfo,
  TopicInfo,
  TrailInfo,
  TrailSelectors,
} from './types.js';

export interface ReadAccountOptions {
  /** Where to start: STS, DescribeRegions and the first DescribeTrails run here. */
  primaryRegion: string;
  /** More regions whose trails to list (--regions). */
  regions?: readonly string[];
  /** List trails in every enabled region of the partition (ec2:DescribeRegions). */
  allRegions?: boolean;
  retry?: RetryOptions;
  /** Parallel calls at most (default 8). */
  concurrency?: number;
  now?: () => Date;
}

export async function readAccount(clients: AwsClients, options: ReadAccountOptions): Promise<AccountSnapshot> {
  const errors: AwsCallError[] = [];
  const limit = options.concurrency ?? 8;
  const call = async <T>(action: string, region: string, resource: string | undefined, fn: () => Promise<T>) => {
    const result = await callAws(action, region, resource, fn, options.retry);
    if (!result.ok) errors.push(result.error);
    return result;
  };
  const primary = options.primaryRegion;

  const identity = await call('sts:GetCallerIdentity', primary, undefined, () => clients.sts(primary).send(new GetCallerIdentityCommand({})));
  const accountId = identity.ok ? identity.value.Account : undefined;
  const callerArn = identity.ok ? identity.value.Arn : undefined;
  const partition = (callerArn && parseArn(callerArn)?.partition) || partitionOfRegion(primary);
  const empty = { partition, primaryRegion: primary, regions: [primary], readAt: (options.now?.() ?? new Date()).toISOString(), trails: [], trailErrors: [], logGroups: [], alarms: [], topics: [], errors };
  // Without usable credentials every other call fails the same way (slowly, when the chain probes instance metadata).
  if (!identity.ok && isCredentialsError(identity.error)) return empty;

  let regions = unique([primary, ...(options.regions ?? [])]);
  if (options.allRegions) {
    const described = await call('ec2:DescribeRegions', primary, undefined, () => clients.ec2(primary).send(new DescribeRegionsCommand({ AllRegions: false })));
    if (described.ok) {
      const enabled = (described.value.Regions ?? [])
        .filter((r) => r.RegionName && r.OptInStatus !== 'not-opted-in' && partitionOfRegion(r.RegionName) === partition)
        .map((r) => r.RegionName!)
        .sort();
      regions = unique([primary, ...enabled, ...(options.regions ?? [])]);
    }
  }

  // Trails, merged by ARN across the regions that list them.
  const trailErrors: AwsCallError[] = [];
  const trails = new Map<string, TrailInfo>();
  await mapLimit(regions, limit, async (region) => {
    const listed = await call('cloudtrail:DescribeTrails', region, undefined, () => clients.cloudTrail(region).send(new DescribeTrailsCommand({ includeShadowTrails: true })));
    if (!listed.ok) {
      trailErrors.push(listed.error);
      return;
    }
    for (const trail of listed.value.trailList ?? []) {
      const info = toTrailInfo(trail, region);
      if (!info) continue;
      const known = trails.get(info.arn);
      if (known) known.seenInRegions = unique([...known.seenInRegions, region]);
      else trails.set(info.arn, info);
    }
  });
  const trailList = [...trails.values()].sort((a, b) => a.arn.localeCompare(b.arn));
  for (const t of trailList) t.seenInRegions.sort();

  await mapLimit(trailList, limit, async (trail) => {
    const client = clients.cloudTrail(trail.homeRegion);
    const [status, selectors] = await Promise.all([
      call('cloudtrail:GetTrailStatus', trail.homeRegion, `trail ${trail.arn}`, () => client.send(new GetTrailStatusCommand({ Name: trail.arn }))),
      call('cloudtrail:GetEventSelectors', trail.homeRegion, `trail ${trail.arn}`, () => client.send(new GetEventSelectorsCommand({ TrailName: trail.arn }))),
    ]);
    if (status.ok) {
      trail.status = {
        isLogging: status.value.IsLogging === true,
        ...(isoTime(status.value.LatestCloudWatchLogsDeliveryTime) ? { latestCloudWatchLogsDeliveryTime: isoTime(status.value.LatestCloudWatchLogsDeliveryTime)! } : {}),
        ...(status.value.LatestCloudWatchLogsDeliveryError ? { latestCloudWatchLogsDeliveryError: status.value.LatestCloudWatchLogsDeliveryError } : {}),
      };
    } else trail.statusError = status.error;
    if (selectors.ok) trail.selectors = toSelectors(selectors.value);
    else trail.selectorsError = selectors.error;
  });

  // Metric filters on each log group a trail delivers to.
  const groups = new Map<string, LogGroupRef>();
  for (const trail of trailList) if (trail.logGroup) groups.set(groupKey(trail.logGroup), trail.logGroup);
  const logGroups: LogGroupFilters[] = await mapLimit([...groups.values()], limit, async (logGroup) => {
    if (accountId !== undefined && logGroup.accountId !== accountId) return { logGroup, external: true };
    const filters: MetricFilterInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call('logs:DescribeMetricFilters', logGroup.region, `log group ${logGroup.name}`, () =>
        clients.logs(logGroup.region).send(new DescribeMetricFiltersCommand({ logGroupName: logGroup.name, ...(nextToken ? { nextToken } : {}) })),
      );
      if (!page.ok) return { logGroup, error: page.error };
      for (const filter of page.value.metricFilters ?? []) filters.push(toFilterInfo(filter, logGroup));
      nextToken = page.value.nextToken;
    } while (nextToken);
    return { logGroup, filters };
  });

  // Alarms in the regions of the log groups and in every region read (an alarm in the wrong region is worth naming).
  const alarmRegions = unique([...logGroups.filter((g) => !g.external).map((g) => g.logGroup.region), ...regions]).sort();
  const alarms: RegionAlarms[] = await mapLimit(alarmRegions, limit, async (region) => {
    const found: AlarmInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call('cloudwatch:DescribeAlarms', region, undefined, () =>
        clients.cloudWatch(region).send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100, ...(nextToken ? { NextToken: nextToken } : {}) })),
      );
      if (!page.ok) return { region, error: page.error };
      for (const alarm of page.value.MetricAlarms ?? []) found.push(toMetricAlarm(alarm, region));
      for (const alarm of page.value.CompositeAlarms ?? []) found.push(toCompositeAlarm(alarm, region));
      nextToken = page.value.NextToken;
    } while (nextToken);
    return { region, alarms: found };
  });

  // Subscriptions of the topics that alarms on the trails' metrics notify.
  const topicArns = relevantTopicArns(logGroups, alarms);
  const topics: TopicInfo[] = await mapLimit(topicArns, limit, (arn) => readTopic(clients, arn, primary, call));

  return {
    ...(accountId !== undefined ? { accountId } : {}),
    ...(callerArn !== undefined ? { callerArn } : {}),
    partition,
    primaryRegion: primary,
    regions,
    readAt: (options.now?.() ?? new Date()).toISOString(),
    trails: trailList,
    trailErrors,
    logGroups,
    alarms,
    topics,
    errors,
  };
}

type Call = <T>(action: string, region: string, resource: string | undefined, fn: () => Promise<T>) => Promise<CallResult<T>>;

/** One topic's subscriptions (sns:ListSubscriptionsByTopic, every page), in the topic's region. */
async function readTopic(clients: AwsClients, arn: string, fallbackRegion: string, call: Call): Promise<TopicInfo> {
  const region = parseArn(arn)?.region ?? fallbackRegion;
  const subscriptions: SubscriptionInfo[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('sns:ListSubscriptionsByTopic', region, `topic ${arn}`, () =>
      clients.sns(region).send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, ...(nextToken ? { NextToken: nextToken } : {}) })),
    );
    if (!page.ok) return { arn, region, error: page.error };
    for (const s of page.value.Subscriptions ?? []) {
      const subscriptionArn = s.SubscriptionArn ?? '';
      subscriptions.push({ arn: subscriptionArn, protocol: s.Protocol ?? '', endpoint: s.Endpoint ?? '', confirmed: subscriptionArn.startsWith('arn:') });
    }
    nextToken = page.value.NextToken;
  } while (nextToken);
  return { arn, region, subscriptions };
}

/**
 * The subscriptions of topics the account snapshot did not read (a topic named with --topic-arn / --topic-name that
 * no alarm notifies yet), so that --fix can tell whether alarms notifying it would reach anyone. A topic that does not
 * exist comes back with a not-found error.
 */
export async function readTopics(clients: AwsClients, arns: readonly string[], options: { primaryRegion: string; retry?: RetryOptions }): Promise<TopicInfo[]> {
  const call: Call = (action, region, resource, fn) => callAws(action, region, resource, fn, options.retry);
  return mapLimit(arns, 8, (arn) => readTopic(clients, arn, options.primaryRegion, call));
}

const CREDENTIAL_CODES = new Set(['CredentialsProviderError', 'InvalidClientTokenId', 'ExpiredToken', 'ExpiredTokenException', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'InvalidAccessKeyId']);

/** The caller's credentials are missing, invalid or expired: nothing else can be read. */
export function isCredentialsError(error: AwsCallError): boolean {
  return CREDENTIAL_CODES.has(error.code) || /credential/i.test(error.code);
}

export function groupKey(group: { region: string; accountId: string; name: string }): string {
  return `${group.accountId}:${group.region}:${group.name}`;
}

function toTrailInfo(trail: Trail, listedIn: string): TrailInfo | undefined {
  if (!trail.TrailARN) return undefined;
  const arn = parseArn(trail.TrailARN);
  const homeRegion = trail.HomeRegion ?? arn?.region ?? listedIn;
  const logGroupArn = trail.CloudWatchLogsLogGroupArn;
  const parsedGroup = logGroupArn ? parseLogGroupArn(logGroupArn) : undefined;
  return {
    arn: trail.TrailARN,
    name: trail.Name ?? arn?.resource.replace(/^trail\//, '') ?? trail.TrailARN,
    homeRegion,
    accountId: arn?.accountId ?? '',
    isMultiRegion: trail.IsMultiRegionTrail === true,
    isOrganization: trail.IsOrganizationTrail === true,
    includeGlobalServiceEvents: trail.IncludeGlobalServiceEvents !== false,
    logFileValidation: trail.LogFileValidationEnabled === true,
    ...(parsedGroup && logGroupArn ? { logGroup: { ...parsedGroup, arn: logGroupArn } } : {}),
    seenInRegions: [listedIn],
  };
}

function toSelectors(output: { EventSelectors?: TrailSelectors['basic']; AdvancedEventSelectors?: TrailSelectors['advanced'] }): TrailSelectors {
  return { basic: output.EventSelectors ?? [], advanced: output.AdvancedEventSelectors ?? [] };
}

function toFilterInfo(filter: MetricFilter, group: LogGroupRef): MetricFilterInfo {
  return {
    name: filter.filterName ?? '',
    pattern: filter.filterPattern ?? '',
    logGroup: filter.logGroupName ?? group.name,
    region: group.region,
    transformations: (filter.metricTransformations ?? []).map((t) => ({
      metricName: t.metricName ?? '',
      metricNamespace: t.metricNamespace ?? '',
      metricValue: t.metricValue ?? '',
      ...(t.defaultValue !== undefined ? { defaultValue: t.defaultValue } : {}),
      ...(t.dimensions && Object.keys(t.dimensions).length > 0 ? { dimensions: { ...t.dimensions } } : {}),
    })),
    ...(filter.applyOnTransformedLogs ? { applyOnTransformedLogs: true } : {}),
    ...(filter.fieldSelectionCriteria ? { fieldSelectionCriteria: filter.fieldSelectionCriteria } : {}),
    ...(filter.emitSystemFieldDimensions?.length ? { emitSystemFieldDimensions: [...filter.emitSystemFieldDimensions] } : {}),
  };
}

const dims = (list: { Name?: string; Value?: string }[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).filter((d) => d.Name !== undefined).map((d) => [d.Name!, d.Value ?? '']));

function toMetricAlarm(alarm: MetricAlarm, region: string): AlarmInfo {
  const mathMetrics: AlarmMetricRef[] = (alarm.Metrics ?? []).flatMap((q) =>
    q.MetricStat?.Metric?.MetricName && q.MetricStat.Metric.Namespace
      ? [{ namespace: q.MetricStat.Metric.Namespace, metricName: q.MetricStat.Metric.MetricName, dimensions: dims(q.MetricStat.Metric.Dimensions) }]
      : [],
  );
  return {
    name: alarm.AlarmName ?? '',
    arn: alarm.AlarmArn ?? '',
    region,
    kind: 'metric',
    actionsEnabled: alarm.ActionsEnabled !== false,
    alarmActions: alarm.AlarmActions ?? [],
    ...(alarm.StateValue ? { stateValue: alarm.StateValue } : {}),
    ...(alarm.MetricName && alarm.Namespace ? { metric: { namespace: alarm.Namespace, metricName: alarm.MetricName, dimensions: dims(alarm.Dimensions) } } : {}),
    ...(mathMetrics.length > 0 ? { mathMetrics } : {}),
    ...(alarm.Statistic ? { statistic: alarm.Statistic } : {}),
    ...(alarm.ExtendedStatistic ? { extendedStatistic: alarm.ExtendedStatistic } : {}),
    ...(alarm.Threshold !== undefined ? { threshold: alarm.Threshold } : {}),
    ...(alarm.ComparisonOperator ? { comparisonOperator: alarm.ComparisonOperator } : {}),
    ...(alarm.EvaluationPeriods !== undefined ? { evaluationPeriods: alarm.EvaluationPeriods } : {}),
    ...(alarm.DatapointsToAlarm !== undefined ? { datapointsToAlarm: alarm.DatapointsToAlarm } : {}),
    ...(alarm.Period !== undefined ? { period: alarm.Period } : {}),
    ...(alarm.TreatMissingData ? { treatMissingData: alarm.TreatMissingData } : {}),
  };
}

function toCompositeAlarm(alarm: CompositeAlarm, region: string): AlarmInfo {
  return {
    name: alarm.AlarmName ?? '',
    arn: alarm.AlarmArn ?? '',
    region,
    kind: 'composite',
    actionsEnabled: alarm.ActionsEnabled !== false,
    alarmActions: alarm.AlarmActions ?? [],
    ...(alarm.StateValue ? { stateValue: alarm.StateValue } : {}),
    ...(alarm.AlarmRule ? { alarmRule: alarm.AlarmRule } : {}),
  };
}

/** Does a composite alarm's rule refer to this alarm (ALARM("name"), ALARM(arn), OK(...), ...)? */
export function compositeReferences(composite: AlarmInfo, alarm: AlarmInfo): boolean {
  const rule = composite.alarmRule ?? '';
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [alarm.name, alarm.arn].filter(Boolean).some((ref) => new RegExp(`\\(\\s*"?${escape(ref)}"?\\s*\\)`).test(rule));
}

function relevantTopicArns(logGroups: readonly LogGroupFilters[], alarms: readonly RegionAlarms[]): string[] {
  const metricKeys = new Set<string>();
  for (const group of logGroups) for (const filter of group.filters ?? []) for (const t of filter.transformations) metricKeys.add(`${filter.region}|${t.metricNamespace}|${t.metricName}`);
  const arns = new Set<string>();
  for (const regionAlarms of alarms) {
    const all = regionAlarms.alarms ?? [];
    const relevant = all.filter(
      (a) => a.kind === 'metric' && [a.metric, ...(a.mathMetrics ?? [])].some((m) => m && metricKeys.has(`${a.region}|${m.namespace}|${m.metricName}`)),
    );
    const composites = all.filter((c) => c.kind === 'composite' && relevant.some((a) => compositeReferences(c, a)));
    for (const alarm of [...relevant, ...composites]) for (const action of alarm.alarmActions) if (parseArn(action)?.service === 'sns') arns.add(action);
  }
  return [...arns].sort();
}

function isoTime(value: Date | string | number | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
