/**
 * Builders for audit tests: account snapshots (what account.ts reads) made by hand, the built-in rule catalog, and
 * the published CIS filter texts with correct variants written differently.
 */
import { loadRules } from '../../../src/rules/load.js';
import type { RuleDefinition } from '../../../src/rules/types.js';
import { MONITORING_CONTROLS } from '../../../src/audit/controls/catalog.js';
import type {
  AccountSnapshot,
  AlarmInfo,
  AwsCallError,
  MetricFilterInfo,
  TopicInfo,
  TrailInfo,
} from '../../../src/audit/types.js';

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '210987654321';
export const REGION = 'us-east-1';
export const LOG_GROUP = 'aws-cloudtrail-logs';
export const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:security-alarms`;
export const NOW = new Date('2026-11-20T12:00:00Z');

let rulesCache: Map<string, RuleDefinition> | undefined;
export function cisRules(): Map<string, RuleDefinition> {
  rulesCache ??= new Map(loadRules().rules.map((r) => [r.id, r]));
  return rulesCache;
}

export function control(ruleId: string) {
  const found = MONITORING_CONTROLS.find((c) => c.ruleId === ruleId);
  if (!found) throw new Error(`no control ${ruleId}`);
  return found;
}

export function trail(overrides: Partial<TrailInfo> = {}): TrailInfo {
  const homeRegion = overrides.homeRegion ?? REGION;
  const name = overrides.name ?? 'management-events';
  const accountId = overrides.accountId ?? ACCOUNT;
  return {
    arn: `arn:aws:cloudtrail:${homeRegion}:${accountId}:trail/${name}`,
    name,
    homeRegion,
    accountId,
    isMultiRegion: true,
    isOrganization: false,
    includeGlobalServiceEvents: true,
    logFileValidation: true,
    logGroup: { region: homeRegion, accountId, name: LOG_GROUP, arn: `arn:aws:logs:${homeRegion}:${accountId}:log-group:${LOG_GROUP}:*` },
    seenInRegions: [REGION],
    status: { isLogging: true, latestCloudWatchLogsDeliveryTime: '2026-11-20T11:55:00.000Z' },
    selectors: { basic: [{ ReadWriteType: 'All', IncludeManagementEvents: true }], advanced: [] },
    ...overrides,
  };
}

export function filter(name: string, pattern: string, metricName = name, overrides: Partial<MetricFilterInfo> = {}, region = REGION): MetricFilterInfo {
  return { name, pattern, logGroup: LOG_GROUP, region, transformations: [{ metricName, metricNamespace: 'CISBenchmark', metricValue: '1' }], ...overrides };
}

export function alarm(name: string, metricName: string, overrides: Partial<AlarmInfo> = {}, region = REGION): AlarmInfo {
  return {
    name,
    arn: `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${name}`,
    region,
    kind: 'metric',
    actionsEnabled: true,
    alarmActions: [TOPIC],
    stateValue: 'OK',
    metric: { namespace: 'CISBenchmark', metricName, dimensions: {} },
    statistic: 'Sum',
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    evaluationPeriods: 1,
    period: 300,
    ...overrides,
  };
}

export function topic(arn = TOPIC, confirmed = 1, pending = 0): TopicInfo {
  const subscriptions = [
    ...Array.from({ length: confirmed }, (_, i) => ({ arn: `${arn}:0000000${i}-aaaa-bbbb-cccc-dddddddddddd`, protocol: 'email', endpoint: `sec${i}@example.com`, confirmed: true })),
    ...Array.from({ length: pending }, (_, i) => ({ arn: 'PendingConfirmation', protocol: 'email', endpoint: `new${i}@example.com`, confirmed: false })),
  ];
  return { arn, region: arn.split(':')[3]!, subscriptions };
}

export function denied(action: string, region = REGION, resource?: string): AwsCallError {
  return { action, region, ...(resource ? { resource } : {}), code: 'AccessDeniedException', message: `User is not authorized to perform: ${action}`, kind: 'access-denied' };
}

export interface SnapshotParts {
  trails?: TrailInfo[];
  filters?: MetricFilterInfo[];
  alarms?: AlarmInfo[];
  topics?: TopicInfo[];
  filtersError?: AwsCallError;
  alarmErrors?: Record<string, AwsCallError>;
  trailErrors?: AwsCallError[];
  regions?: string[];
  accountId?: string;
}

/** A snapshot as readAccount would return it; log groups and alarm regions follow from the trails. */
export function snapshot(parts: SnapshotParts = {}): AccountSnapshot {
  const trails = parts.trails ?? [trail()];
  const accountId = 'accountId' in parts ? parts.accountId : ACCOUNT;
  const groups = new Map<string, AccountSnapshot['logGroups'][number]>();
  for (const t of trails) {
    if (!t.logGroup) continue;
    const key = `${t.logGroup.accountId}:${t.logGroup.region}:${t.logGroup.name}`;
    if (groups.has(key)) continue;
    if (accountId !== undefined && t.logGroup.accountId !== accountId) groups.set(key, { logGroup: t.logGroup, external: true });
    else if (parts.filtersError) groups.set(key, { logGroup: t.logGroup, error: parts.filtersError });
    else groups.set(key, { logGroup: t.logGroup, filters: (parts.filters ?? []).filter((f) => f.region === t.logGroup!.region && f.logGroup === t.logGroup!.name) });
  }
  const regions = parts.regions ?? [REGION];
  const alarmRegions = [...new Set([...regions, ...[...groups.values()].map((g) => g.logGroup.region)])];
  const alarms = alarmRegions.map((region) =>
    parts.alarmErrors?.[region] ? { region, error: parts.alarmErrors[region]! } : { region, alarms: (parts.alarms ?? []).filter((a) => a.region === region) },
  );
  const errors = [...(parts.trailErrors ?? []), ...(parts.filtersError ? [parts.filtersError] : []), ...Object.values(parts.alarmErrors ?? {})];
  return {
    ...(accountId !== undefined ? { accountId } : {}),
    partition: 'aws',
    primaryRegion: REGION,
    regions,
    readAt: NOW.toISOString(),
    trails,
    trailErrors: parts.trailErrors ?? [],
    logGroups: [...groups.values()],
    alarms,
    topics: parts.topics ?? [topic()],
    errors,
  };
}

/** The seed 000 filter (the "Internet Gateway Changes Alarm" every CIS scanner runs), as published. */
export const SEED_GATEWAY_FILTER =
  '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }';
export const GATEWAY_EVENTS = ['CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway', 'CreateInternetGateway', 'DeleteInternetGateway', 'DetachInternetGateway'];
