/**
 * The shapes `trailguard audit` works with: what was read from the account (a snapshot, plain JSON data so it can be
 * printed, stored and built by hand in tests), and what was concluded from it (per-control verdicts with reasons).
 */
import type { CloudTrailRecord } from '../cloudtrail/types.js';

/** PASS: the control is met. FAIL: it is not, for the reasons given. ERROR: trailguard could not tell (permissions, another account's resources, throttling). */
export type Verdict = 'PASS' | 'FAIL' | 'ERROR';
export const VERDICTS: readonly Verdict[] = ['PASS', 'FAIL', 'ERROR'];

/** An AWS call that did not succeed, kept as data: the audit goes on and the controls that needed the answer say ERROR. */
export interface AwsCallError {
  /** IAM action of the call, e.g. "logs:DescribeMetricFilters". */
  action: string;
  region: string;
  /** What the call was about (log group, trail ARN, topic ARN), when it was about one thing. */
  resource?: string;
  /** The service's error code (AccessDeniedException, AuthorizationError, ThrottlingException, ...) or the JavaScript error name. */
  code: string;
  message: string;
  kind: 'access-denied' | 'throttled' | 'not-found' | 'other';
}

/** Basic event selector, as GetEventSelectors returns it. */
export interface BasicEventSelector {
  ReadWriteType?: string;
  IncludeManagementEvents?: boolean;
  ExcludeManagementEventSources?: string[];
  DataResources?: { Type?: string; Values?: string[] }[];
}

export interface AdvancedFieldSelector {
  Field?: string;
  Equals?: string[];
  NotEquals?: string[];
  StartsWith?: string[];
  NotStartsWith?: string[];
  EndsWith?: string[];
  NotEndsWith?: string[];
}

export interface AdvancedEventSelector {
  Name?: string;
  FieldSelectors?: AdvancedFieldSelector[];
}

export interface TrailSelectors {
  basic: BasicEventSelector[];
  advanced: AdvancedEventSelector[];
}

export interface TrailStatusInfo {
  isLogging: boolean;
  /** ISO time of the latest delivery to CloudWatch Logs, when CloudTrail reports one. */
  latestCloudWatchLogsDeliveryTime?: string;
  latestCloudWatchLogsDeliveryError?: string;
}

export interface LogGroupRef {
  region: string;
  accountId: string;
  name: string;
  arn: string;
}

export interface TrailInfo {
  arn: string;
  name: string;
  homeRegion: string;
  /** Account that owns the trail (from its ARN): the management account for an organization trail seen from a member. */
  accountId: string;
  isMultiRegion: boolean;
  isOrganization: boolean;
  includeGlobalServiceEvents: boolean;
  logFileValidation: boolean;
  logGroup?: LogGroupRef;
  /** Regions whose DescribeTrails listed the trail (a multi-region trail shows up in every region as a shadow trail). */
  seenInRegions: string[];
  status?: TrailStatusInfo;
  statusError?: AwsCallError;
  selectors?: TrailSelectors;
  selectorsError?: AwsCallError;
}

export interface MetricTransformationInfo {
  metricName: string;
  metricNamespace: string;
  metricValue: string;
  defaultValue?: number;
  dimensions?: Record<string, string>;
}

export interface MetricFilterInfo {
  name: string;
  pattern: string;
  logGroup: string;
  region: string;
  transformations: MetricTransformationInfo[];
  applyOnTransformedLogs?: boolean;
  fieldSelectionCriteria?: string;
  emitSystemFieldDimensions?: string[];
}

export interface LogGroupFilters {
  logGroup: LogGroupRef;
  filters?: MetricFilterInfo[];
  error?: AwsCallError;
  /** The log group belongs to another account (an organization trail seen from a member): not readable from here. */
  external?: boolean;
}

export interface AlarmMetricRef {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

export interface AlarmInfo {
  name: string;
  arn: string;
  region: string;
  kind: 'metric' | 'composite';
  actionsEnabled: boolean;
  alarmActions: string[];
  stateValue?: string;
  /** Metric alarms on one metric. */
  metric?: AlarmMetricRef;
  /** Metric-math alarms: every metric the expression reads. */
  mathMetrics?: AlarmMetricRef[];
  statistic?: string;
  extendedStatistic?: string;
  threshold?: number;
  comparisonOperator?: string;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  period?: number;
  treatMissingData?: string;
  /** Composite alarms: the rule text, e.g. ALARM("a") OR ALARM("b"). */
  alarmRule?: string;
}

export interface RegionAlarms {
  region: string;
  alarms?: AlarmInfo[];
  error?: AwsCallError;
}

export interface SubscriptionInfo {
  arn: string;
  protocol: string;
  endpoint: string;
  /** SubscriptionArn is a real ARN (not "PendingConfirmation"). */
  confirmed: boolean;
}

export interface TopicInfo {
  arn: string;
  region: string;
  subscriptions?: SubscriptionInfo[];
  error?: AwsCallError;
}

/** Everything `trailguard audit` read from one account. */
export interface AccountSnapshot {
  accountId?: string;
  callerArn?: string;
  partition: string;
  /** The region the audit was started in (--region or the profile's). */
  primaryRegion: string;
  /** Regions whose trails were listed. */
  regions: string[];
  readAt: string;
  trails: TrailInfo[];
  /** Regions where DescribeTrails failed. */
  trailErrors: AwsCallError[];
  logGroups: LogGroupFilters[];
  alarms: RegionAlarms[];
  topics: TopicInfo[];
  /** Every failed call, in the order made (the same errors also sit next to what they were about). */
  errors: AwsCallError[];
}

/** One event of a control's battery, with what a correct filter must do with it. */
export interface BatteryCase {
  /** How a human names it in a reason: the eventName for event lists, a short phrase otherwise. */
  label: string;
  record: CloudTrailRecord;
  /** match: the control exists to catch it; no-match: a filter that counts it is noise; either: both answers are defensible. */
  expect: 'match' | 'no-match' | 'either';
  /** Why, for either / no-match cases. */
  why?: string;
  /** trailguard's rule catches it although CIS does not ask for it: missing it is advice, never a failure. */
  advisory?: boolean;
}

export interface ComplianceRef {
  framework: string;
  /** e.g. "v1.4.0" for CIS, undefined for frameworks without versions. */
  version?: string;
  ids: string[];
}

export interface ControlResult {
  /** The control's id: the rule id for monitoring controls, a cloudtrail-* id for trail basics. */
  id: string;
  kind: 'monitoring' | 'trail';
  ruleId?: string;
  title: string;
  severity: string;
  /** "CIS 4.12 (v1.4.0+), 3.12 (v1.2.0)" style label and the Security Hub ids, for tables. */
  cisLabel: string;
  securityHub: string[];
  compliance: ComplianceRef[];
  verdict: Verdict;
  /** Why it is not PASS; actionable sentences. */
  reasons: string[];
  /** What satisfied it, what was accepted, advice that does not change the verdict. */
  notes: string[];
}

export interface AuditReport {
  accountId?: string;
  partition: string;
  primaryRegion: string;
  regions: string[];
  generatedAt: string;
  trails: { arn: string; name: string; homeRegion: string; multiRegion: boolean; organization: boolean; logging?: boolean; logGroup?: string }[];
  controls: ControlResult[];
  errors: AwsCallError[];
  counts: Record<Verdict, number>;
}
