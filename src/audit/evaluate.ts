/**
 * From an account snapshot to verdicts.
 *
 * A CIS monitoring control is met when some trail that records the whole account (multi-region, logging) delivers to
 * a CloudWatch Logs log group whose metric filters, taken together per metric, count every event of the control's
 * battery that the trail records and none it must not, and every such event reaches an alarm on that metric (same
 * namespace, name, dimensions and region) that alerts someone (actions enabled, an SNS topic with a confirmed
 * subscription or another notifying action, fires on one event, not stuck in ALARM).
 *
 * ERROR rather than FAIL when the answer depended on something trailguard could not read (a permission, throttling,
 * a log group in another account, a pattern it cannot parse).
 */
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import type { RuleDefinition } from '../rules/types.js';
import { assessAlarm, describeErrors, type AlarmAssessment } from './alarm-check.js';
import { groupKey } from './account.js';
import { describeCallError } from './aws-call.js';
import { buildBattery, type RulesById } from './controls/battery.js';
import type { TRAIL_CONTROL_IDS} from './controls/catalog.js';
import { MONITORING_CONTROLS, type MonitoringControl } from './controls/catalog.js';

export { TRAIL_CONTROL_IDS, allControlIds } from './controls/catalog.js';
import { managementCoverageGaps, trailRecords } from './event-selectors.js';
import { compileAccountFilter, joinWords, judgeMatcher, listLabels, type FilterJudgement } from './judge-filter.js';
import type {
  AccountSnapshot,
  AlarmInfo,
  AlarmMetricRef,
  AuditReport,
  AwsCallError,
  BatteryCase,
  ComplianceRef,
  ControlResult,
  LogGroupFilters,
  MetricFilterInfo,
  MetricTransformationInfo,
  TopicInfo,
  TrailInfo,
  Verdict,
} from './types.js';


export interface EvaluateOptions {
  rules: RulesById;
  controls?: readonly MonitoringControl[];
  /** Control ids to evaluate (rule ids, cloudtrail-* ids); default all. */
  only?: readonly string[];
  exclude?: readonly string[];
  now?: Date;
  /** Latest CloudWatch Logs delivery older than this is stale (CIS 3.4 uses one day). */
  maxDeliveryAgeHours?: number;
}

export function evaluateAccount(snapshot: AccountSnapshot, options: EvaluateOptions): AuditReport {
  const controls = options.controls ?? MONITORING_CONTROLS;
  const selected = (id: string) => (!options.only?.length || options.only.includes(id)) && !options.exclude?.includes(id);
  const context = new Context(snapshot, options);
  const results: ControlResult[] = [];
  for (const control of controls) if (selected(control.ruleId)) results.push(evaluateMonitoring(control, context));
  if (selected('cloudtrail-multi-region')) results.push(evaluateMultiRegion(context));
  if (selected('cloudtrail-log-file-validation')) results.push(evaluateLogFileValidation(context));
  if (selected('cloudtrail-cloudwatch-logs')) results.push(evaluateCloudWatchLogs(context, options.maxDeliveryAgeHours ?? 24, options.now ?? new Date()));
  const counts: Record<Verdict, number> = { PASS: 0, FAIL: 0, ERROR: 0 };
  for (const r of results) counts[r.verdict]++;
  return {
    ...(snapshot.accountId !== undefined ? { accountId: snapshot.accountId } : {}),
    partition: snapshot.partition,
    primaryRegion: snapshot.primaryRegion,
    regions: snapshot.regions,
    generatedAt: (options.now ?? new Date()).toISOString(),
    trails: snapshot.trails.map((t) => ({
      arn: t.arn,
      name: t.name,
      homeRegion: t.homeRegion,
      multiRegion: t.isMultiRegion,
      organization: t.isOrganization,
      ...(t.status ? { logging: t.status.isLogging } : {}),
      ...(t.logGroup ? { logGroup: `${t.logGroup.name} (${t.logGroup.region})` } : {}),
    })),
    controls: results,
    errors: snapshot.errors,
    counts,
  };
}

/** Lookups shared by all controls of one evaluation. */
class Context {
  readonly topics: Map<string, TopicInfo>;
  readonly groups: Map<string, LogGroupFilters>;
  readonly alarmsByRegion: Map<string, { alarms?: AlarmInfo[]; error?: AwsCallError }>;

  constructor(
    readonly snapshot: AccountSnapshot,
    readonly options: EvaluateOptions,
  ) {
    this.topics = new Map(snapshot.topics.map((t) => [t.arn, t]));
    this.groups = new Map(snapshot.logGroups.map((g) => [groupKey(g.logGroup), g]));
    this.alarmsByRegion = new Map(snapshot.alarms.map((a) => [a.region, a]));
  }

  private readonly batteries = new Map<string, BatteryCase[]>();
  private readonly groupCache = new Map<string, MetricGroup[]>();
  private readonly homes = new Map<MetricGroup, Set<string>>();

  battery(control: MonitoringControl): BatteryCase[] {
    let battery = this.batteries.get(control.ruleId);
    if (!battery) {
      battery = buildBattery(control, this.options.rules);
      this.batteries.set(control.ruleId, battery);
    }
    return battery;
  }

  metricGroups(key: string, filters: readonly MetricFilterInfo[]): MetricGroup[] {
    let groups = this.groupCache.get(key);
    if (!groups) {
      groups = buildMetricGroups(filters);
      this.groupCache.set(key, groups);
    }
    return groups;
  }

  /**
   * The controls a metric is for: those of which it counts the largest share of must-match events. A root-user filter
   * also counts the root's failed sign-in, but it is not an attempt at 4.6, and naming it there would mislead.
   */
  homeControls(group: MetricGroup): Set<string> {
    let home = this.homes.get(group);
    if (!home) {
      let best = 0;
      home = new Set<string>();
      for (const control of this.options.controls ?? MONITORING_CONTROLS) {
        const must = this.battery(control).filter((c) => c.expect === 'match');
        const share = must.length === 0 ? 0 : must.filter((c) => group.matcher(c.record)).length / must.length;
        if (share > best + 1e-9) {
          best = share;
          home = new Set([control.ruleId]);
        } else if (share > 0 && Math.abs(share - best) <= 1e-9) home.add(control.ruleId);
      }
      this.homes.set(group, home);
    }
    return home;
  }

  ownsTrail(trail: TrailInfo): boolean {
    return this.snapshot.accountId === undefined || trail.accountId === this.snapshot.accountId;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Monitoring controls

/** All filters of one log group that publish one metric: CloudWatch adds their counts, so they are judged together. */
export interface MetricGroup {
  region: string;
  logGroup: string;
  namespace: string;
  metricName: string;
  filters: { info: MetricFilterInfo; transformation: MetricTransformationInfo; matches?: (r: object) => boolean }[];
  /** Any filter of the group counts the record (filters that publish 0 or cannot be parsed excluded). */
  matcher: (record: object) => boolean;
  parseErrors: string[];
  notes: string[];
}

export interface JudgedGroup extends MetricGroup {
  judgement: FilterJudgement;
}

interface MetricAssessment {
  group: JudgedGroup;
  alarms: AlarmAssessment[];
  /** Alarms that watch the metric in the same region but with other dimensions, or in another region / namespace. */
  mismatches: string[];
  alarmsError?: AwsCallError;
}

const filterLabel = (group: MetricGroup) => {
  const names = group.filters.map((f) => f.info.name);
  return names.length === 1 ? `metric filter ${names[0]}` : `metric filters ${joinWords(names)}`;
};
const metricLabel = (group: { namespace: string; metricName: string }) => `${group.namespace}/${group.metricName}`;

export function buildMetricGroups(filters: readonly MetricFilterInfo[]): MetricGroup[] {
  const byMetric = new Map<string, MetricGroup>();
  for (const info of filters) {
    for (const transformation of info.transformations) {
      const key = `${transformation.metricNamespace}|${transformation.metricName}`;
      let group = byMetric.get(key);
      if (!group) {
        group = { region: info.region, logGroup: info.logGroup, namespace: transformation.metricNamespace, metricName: transformation.metricName, filters: [], matcher: () => false, parseErrors: [], notes: [] };
        byMetric.set(key, group);
      }
      const compiled = compileAccountFilter(info.pattern);
      if (!compiled.ok) {
        group.parseErrors.push(`trailguard cannot parse metric filter ${info.name} (${compiled.error}); CloudWatch Logs accepted it, so it cannot be judged`);
        group.filters.push({ info, transformation });
        continue;
      }
      const value = Number(transformation.metricValue);
      if (Number.isFinite(value) && value === 0) {
        group.notes.push(`metric filter ${info.name} publishes the value 0 for every match, so it never raises an alarm`);
        group.filters.push({ info, transformation });
        continue;
      }
      if (info.applyOnTransformedLogs) group.notes.push(`metric filter ${info.name} runs on transformed log events; trailguard judged it against the CloudTrail records as delivered`);
      if (info.fieldSelectionCriteria) group.notes.push(`metric filter ${info.name} only processes events selected by "${info.fieldSelectionCriteria}"; trailguard did not apply that selection`);
      group.filters.push({ info, transformation, matches: compiled.matches });
    }
  }
  for (const group of byMetric.values()) {
    const matchers = group.filters.flatMap((f) => (f.matches ? [f.matches] : []));
    group.matcher = (record) => matchers.some((m) => m(record));
  }
  return [...byMetric.values()];
}

export function judgeGroups(groups: readonly MetricGroup[], battery: readonly BatteryCase[]): JudgedGroup[] {
  return groups.map((g) => ({ ...g, judgement: judgeMatcher(g.matcher, battery) }));
}

function valueAtPath(record: CloudTrailRecord, path: string): string | undefined {
  if (!path.startsWith('$.')) return undefined;
  let value: unknown = record;
  for (const key of path.slice(2).split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** The dimensions a filter publishes one record's datapoint with. */
function publishedDimensions(info: MetricFilterInfo, transformation: MetricTransformationInfo, record: CloudTrailRecord): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, path] of Object.entries(transformation.dimensions ?? {})) out[key] = valueAtPath(record, path);
  for (const field of info.emitSystemFieldDimensions ?? []) out[field] = field === '@aws.region' ? record.awsRegion : field === '@aws.account' ? record.recipientAccountId : undefined;
  return out;
}

function sameDimensions(published: Record<string, string | undefined>, watched: Record<string, string>): boolean {
  const keys = Object.keys(published);
  if (keys.length !== Object.keys(watched).length) return false;
  return keys.every((k) => published[k] !== undefined && watched[k] === published[k]);
}

function watches(alarm: AlarmInfo): AlarmMetricRef[] {
  return [...(alarm.metric ? [alarm.metric] : []), ...(alarm.mathMetrics ?? [])];
}

/** Does this alarm receive the datapoint a filter of the group publishes for this record? */
function alarmSees(alarm: AlarmInfo, group: MetricGroup, record: CloudTrailRecord): boolean {
  return group.filters.some(
    (f) =>
      f.matches?.(record) === true &&
      watches(alarm).some((m) => m.namespace === group.namespace && m.metricName === group.metricName && sameDimensions(publishedDimensions(f.info, f.transformation, record), m.dimensions)),
  );
}

function assessMetric(group: JudgedGroup, control: MonitoringControl, context: Context): MetricAssessment {
  const regionAlarms = context.alarmsByRegion.get(group.region);
  const assessment: MetricAssessment = { group, alarms: [], mismatches: [] };
  if (!regionAlarms || regionAlarms.error) {
    if (regionAlarms?.error) assessment.alarmsError = regionAlarms.error;
    return assessment;
  }
  const all = regionAlarms.alarms ?? [];
  const onMetric = all.filter((a) => a.kind === 'metric' && watches(a).some((m) => m.namespace === group.namespace && m.metricName === group.metricName));
  const composites = all.filter((a) => a.kind === 'composite');
  const caught = group.judgement.caught.map((c) => c.record);
  const example = caught[0];
  for (const alarm of onMetric) {
    if (example && !caught.some((r) => alarmSees(alarm, group, r))) {
      const watched = watches(alarm).find((m) => m.namespace === group.namespace && m.metricName === group.metricName);
      const published = group.filters[0] ? publishedDimensions(group.filters[0].info, group.filters[0].transformation, example) : {};
      assessment.mismatches.push(
        `alarm ${alarm.name} watches ${metricLabel(group)} with dimensions ${JSON.stringify(watched?.dimensions ?? {})}, but ${filterLabel(group)} publishes it with ${JSON.stringify(Object.fromEntries(Object.keys(published).map((k) => [k, published[k] ?? '(from the event)'])))}: the alarm receives none of its datapoints`,
      );
      continue;
    }
    assessment.alarms.push(
      assessAlarm(alarm, { topics: context.topics, composites, transformations: group.filters.map((f) => f.transformation), singleEventMustAlarm: control.singleEventMustAlarm }),
    );
  }
  // Near misses that explain a missing alarm: same name in another namespace, or the metric in another region.
  if (onMetric.length === 0) {
    for (const alarm of all) {
      for (const m of watches(alarm)) {
        if (m.metricName === group.metricName && m.namespace !== group.namespace) {
          assessment.mismatches.push(`alarm ${alarm.name} watches ${metricLabel(m)}, but ${filterLabel(group)} publishes ${metricLabel(group)}: the namespaces differ`);
        } else if (m.namespace === group.namespace && m.metricName !== group.metricName && m.metricName.toLowerCase() === group.metricName.toLowerCase()) {
          assessment.mismatches.push(`alarm ${alarm.name} watches ${metricLabel(m)}, but ${filterLabel(group)} publishes ${metricLabel(group)}: metric names are case-sensitive`);
        }
      }
    }
    for (const other of context.snapshot.alarms) {
      if (other.region === group.region) continue;
      for (const alarm of other.alarms ?? []) {
        if (watches(alarm).some((m) => m.namespace === group.namespace && m.metricName === group.metricName)) {
          assessment.mismatches.push(
            `alarm ${alarm.name} watches ${metricLabel(group)} in ${other.region}, but ${filterLabel(group)} publishes it in ${group.region}: an alarm sees only its own region's metrics`,
          );
        }
      }
    }
  }
  return assessment;
}

interface TrailAssessment {
  trail: TrailInfo;
  pass: boolean;
  /** The trail itself cannot meet the control (single-region, stopped, does not record the events): certain, whatever could not be read. */
  blocked: boolean;
  reasons: string[];
  unknown: string[];
  passNotes: string[];
  notes: string[];
}

function assessTrailForControl(trail: TrailInfo, control: MonitoringControl, context: Context): TrailAssessment {
  const result: TrailAssessment = { trail, pass: false, blocked: false, reasons: [], unknown: [], passNotes: [], notes: [] };
  const battery = context.battery(control);
  const name = `trail ${trail.name}`;
  // What keeps the trail itself from counting, whatever its log group holds.
  const blocking: string[] = [];
  const trailUnknown: string[] = [];
  if (!trail.isMultiRegion) blocking.push(`${name} is not multi-region: changes made in other regions never reach its log group`);
  if (trail.statusError) trailUnknown.push(describeCallError(trail.statusError));
  else if (trail.status && !trail.status.isLogging) blocking.push(`${name} is not logging: nothing reaches its log group`);
  if (trail.selectorsError) trailUnknown.push(describeCallError(trail.selectorsError));

  const must = battery.filter((c) => c.expect === 'match');
  const recordedMust: BatteryCase[] = [];
  const unrecorded = new Map<string, BatteryCase[]>();
  for (const testCase of must) {
    const verdict = trail.selectors ? trailRecords(trail.selectors, testCase.record) : { recorded: true };
    if (verdict.recorded) recordedMust.push(testCase);
    else {
      const why = verdict.why ?? 'not selected';
      unrecorded.set(why, [...(unrecorded.get(why) ?? []), testCase]);
    }
  }
  for (const [why, cases] of unrecorded) blocking.push(`${name} does not record ${listLabels(cases)} (its event selectors: ${why})`);
  result.reasons.push(...blocking);
  result.unknown.push(...trailUnknown);
  result.blocked = blocking.length > 0;

  const logGroup = trail.logGroup!;
  const groupInfo = context.groups.get(groupKey(logGroup));
  const where = `log group ${logGroup.name} (${logGroup.region})`;
  if (!groupInfo || groupInfo.external) {
    result.unknown.push(
      `${name} is ${trail.isOrganization ? 'an organization trail ' : ''}delivering to ${where} in account ${logGroup.accountId}; its metric filters and alarms can only be audited from that account (run trailguard audit there, or with a role in it)`,
    );
    return result;
  }
  if (groupInfo.error) {
    if (groupInfo.error.kind === 'not-found') result.reasons.push(`${name} delivers to ${where}, which does not exist`);
    else result.unknown.push(describeCallError(groupInfo.error));
    return result;
  }
  const filters = groupInfo.filters ?? [];
  const groups = judgeGroups(context.metricGroups(groupKey(logGroup), filters), battery);
  const relevant = groups.filter((g) => g.judgement.caught.length > 0).sort((a, b) => b.judgement.caught.length - a.judgement.caught.length);
  for (const g of relevant) result.notes.push(...g.notes);
  // The metrics that are meant for this control: only those are explained when it is not met.
  const intended = relevant.filter((g) => context.homeControls(g).has(control.ruleId));
  if (relevant.length === 0) {
    if (filters.length === 0) result.reasons.push(`${where} has no metric filters`);
    else result.reasons.push(`no metric filter on ${where} counts any of the control's events (such as ${listLabels(must, 3)}); ${filters.length} filter${filters.length === 1 ? '' : 's'} checked`);
    result.unknown.push(...groups.flatMap((g) => g.parseErrors));
    return result;
  }

  // Which must-match events reach a live alarm through a metric that counts nothing it must not?
  const covered = new Set<BatteryCase>();
  const used: string[] = [];
  const advisoryMissed = new Map<string, BatteryCase>();
  const assessments = relevant.map((g) => assessMetric(g, control, context));
  for (const assessment of assessments) {
    const { group } = assessment;
    if (group.judgement.unexpected.length > 0) continue;
    const live = assessment.alarms.filter((a) => a.live);
    let contributed = false;
    for (const testCase of recordedMust) {
      if (live.some((a) => alarmSees(a.alarm, group, testCase.record))) {
        if (!covered.has(testCase)) contributed = true;
        covered.add(testCase);
      }
    }
    if (contributed) {
      for (const a of live) used.push(`${filterLabel(group)} (${metricLabel(group)} on ${where}) → alarm ${a.alarm.name} → ${joinWords(a.reaches)}`);
      for (const c of group.judgement.advisoryMissed) advisoryMissed.set(c.record.eventName, c);
      for (const a of live) result.notes.push(...a.notes);
    }
  }
  const allCovered = recordedMust.length > 0 && recordedMust.every((c) => covered.has(c));

  if (allCovered && blocking.length === 0 && trailUnknown.length === 0) {
    result.pass = true;
    result.passNotes.push(`met by ${name}: ${used.join('; ')}`);
    if (advisoryMissed.size > 0) {
      result.notes.push(`trailguard's rule ${control.ruleId} also counts ${joinWords([...advisoryMissed.keys()])}, which CIS does not list (advice, not required)`);
    }
    return result;
  }
  if (allCovered) {
    result.reasons.push(`${where} has working metric filters and alarms for this control (${used.join('; ')}); only the trail needs fixing`);
    return result;
  }

  // Explain each metric meant for this control.
  if (intended.length === 0) {
    const others = relevant.map((g) => `${filterLabel(g)} counts ${listLabels(g.judgement.caught, 2)} but is for ${joinWords([...context.homeControls(g)])}`);
    result.reasons.push(`no metric filter on ${where} is for this control${others.length > 0 ? ` (${others.slice(0, 2).join('; ')})` : ''}`);
  }
  for (const assessment of assessments.filter((a) => intended.includes(a.group)).slice(0, 3)) {
    const { group } = assessment;
    const label = `${filterLabel(group)} (${metricLabel(group)} on ${where})`;
    result.unknown.push(...group.parseErrors);
    const missedHere = group.judgement.missed.filter((c) => recordedMust.includes(c) && !covered.has(c));
    if (missedHere.length > 0) result.reasons.push(`${label} misses ${listLabels(missedHere)}`);
    if (group.judgement.unexpected.length > 0) {
      const first = group.judgement.unexpected[0]!;
      const why = group.judgement.unexpected.every((c) => c.why === first.why) && first.why ? first.why : 'calls outside the control: an alarm that counts them fires on routine activity';
      result.reasons.push(`${label} also counts ${listLabels(group.judgement.unexpected, 3)} (${why})`);
    }
    if (assessment.alarmsError) {
      result.unknown.push(describeCallError(assessment.alarmsError));
      continue;
    }
    result.reasons.push(...assessment.mismatches);
    if (assessment.alarms.length === 0 && assessment.mismatches.length === 0) {
      result.reasons.push(`no alarm on metric ${metricLabel(group)} in ${group.region}: ${filterLabel(group)} counts the events but nobody is alerted`);
    }
    for (const alarm of assessment.alarms) {
      if (alarm.live) continue;
      result.reasons.push(...alarm.problems);
      result.unknown.push(...describeErrors(alarm.errors));
    }
  }
  if (result.reasons.length === 0 && result.unknown.length === 0) {
    const uncovered = recordedMust.filter((c) => !covered.has(c));
    result.reasons.push(`${listLabels(uncovered)} reach${uncovered.length === 1 ? 'es' : ''} no alarm that alerts someone`);
  }
  return result;
}

function evaluateMonitoring(control: MonitoringControl, context: Context): ControlResult {
  const rule = context.options.rules.get(control.ruleId);
  if (!rule) throw new Error(`rule ${control.ruleId} is not in the loaded rule catalog`);
  const base = monitoringHeader(control, rule);
  const { snapshot } = context;
  // Multi-region and organization trails are listed in every region, so a region whose DescribeTrails failed hides
  // only single-region trails, which cannot meet the control; it matters only when no region could be listed.
  const unknown = listedNowhere(snapshot) ? snapshot.trailErrors.map(describeCallError) : [];

  if (snapshot.trails.length === 0) {
    if (unknown.length > 0) return { ...base, verdict: 'ERROR', reasons: unknown, notes: [] };
    return { ...base, verdict: 'FAIL', reasons: [`no CloudTrail trail in ${joinWords(snapshot.regions)}: nothing records the events this control alarms on`], notes: [] };
  }
  const withLogs = snapshot.trails.filter((t) => t.logGroup);
  if (withLogs.length === 0) {
    const reasons = [`no trail delivers to CloudWatch Logs (${joinWords(snapshot.trails.map((t) => t.name))}): metric filters need a trail with a CloudWatch Logs log group`];
    return { ...base, verdict: unknown.length > 0 ? 'ERROR' : 'FAIL', reasons: [...reasons, ...unknown], notes: [] };
  }
  const assessments = withLogs.map((t) => assessTrailForControl(t, control, context));
  const passing = assessments.find((a) => a.pass);
  const notes = [...new Set(assessments.flatMap((a) => a.notes))];
  if (passing) {
    const accepted = control.acceptance ? [`accepted: ${control.acceptance}`] : [];
    return { ...base, verdict: 'PASS', reasons: [], notes: [...passing.passNotes, ...notes, ...accepted, ...(unknown.length > 0 ? [`also: ${joinWords(unknown)}`] : [])] };
  }
  const prefix = withLogs.length > 1;
  const reasons: string[] = [];
  const unknowns: string[] = [...unknown];
  for (const a of assessments) {
    for (const r of a.reasons) reasons.push(prefix && !r.startsWith(`trail ${a.trail.name}`) ? `trail ${a.trail.name}: ${r}` : r);
    for (const u of a.unknown) unknowns.push(prefix && !u.startsWith(`trail ${a.trail.name}`) ? `trail ${a.trail.name}: ${u}` : u);
  }
  const without = snapshot.trails.filter((t) => !t.logGroup);
  if (without.length > 0) notes.push(`trail${without.length === 1 ? '' : 's'} ${joinWords(without.map((t) => t.name))} deliver${without.length === 1 ? 's' : ''} to no CloudWatch Logs log group`);
  if (control.acceptance) notes.push(`accepted: ${control.acceptance}`);
  // ERROR only when what could not be read might have changed the answer: not for a trail that cannot qualify anyway.
  const uncertain = unknown.length > 0 || assessments.some((a) => !a.blocked && a.unknown.length > 0);
  const verdict: Verdict = uncertain ? 'ERROR' : 'FAIL';
  return { ...base, verdict, reasons: [...new Set(verdict === 'ERROR' ? [...unknowns, ...reasons] : [...reasons, ...unknowns])], notes };
}

function monitoringHeader(control: MonitoringControl, rule: RuleDefinition): Omit<ControlResult, 'verdict' | 'reasons' | 'notes'> {
  const compliance = complianceOf(rule);
  const securityHub = (rule.compliance?.['aws-security-hub'] ?? []).filter((id) => id.startsWith('CloudWatch.'));
  return {
    id: control.ruleId,
    kind: 'monitoring',
    ruleId: control.ruleId,
    title: control.title,
    severity: rule.severity,
    cisLabel: cisLabel(rule.compliance?.['cis-aws-foundations'] ?? {}),
    securityHub,
    compliance: compliance.map((c) => (c.framework === 'aws-security-hub' ? { ...c, ids: securityHub } : c)).filter((c) => c.ids.length > 0),
  };
}

function complianceOf(rule: RuleDefinition): ComplianceRef[] {
  const out: ComplianceRef[] = [];
  for (const [framework, value] of Object.entries(rule.compliance ?? {})) {
    if (Array.isArray(value)) out.push({ framework, ids: [...value] });
    else if (value && typeof value === 'object') for (const [version, ids] of Object.entries(value as Record<string, string[]>)) out.push({ framework, version, ids: [...ids] });
  }
  return out;
}

const versionOrder = (v: string) => v.replace(/^v/, '').split('.').map((n) => n.padStart(3, '0')).join('.');

/** "4.12 (v1.2.0: 3.12)": the ids of the newest version, and those of v1.2.0 when they differ. */
export function cisLabel(byVersion: Record<string, string[]>): string {
  const versions = Object.keys(byVersion).sort((a, b) => versionOrder(b).localeCompare(versionOrder(a)));
  if (versions.length === 0) return '';
  const newest = byVersion[versions[0]!]!.join(', ');
  const oldest = versions[versions.length - 1]!;
  const old = byVersion[oldest]!.join(', ');
  return old !== newest ? `${newest} (${oldest}: ${old})` : newest;
}

// ---------------------------------------------------------------------------------------------------------------
// CloudTrail basics

const TRAIL_CONTROLS: Record<(typeof TRAIL_CONTROL_IDS)[number], { title: string; severity: string; cis: Record<string, string[]>; securityHub: string[] }> = {
  'cloudtrail-multi-region': {
    title: 'Multi-region trail logging all management events',
    severity: 'high',
    cis: { 'v1.2.0': ['2.1'], 'v1.4.0': ['3.1'] },
    securityHub: ['CloudTrail.1'],
  },
  'cloudtrail-log-file-validation': { title: 'CloudTrail log file validation', severity: 'low', cis: { 'v1.2.0': ['2.2'], 'v1.4.0': ['3.2'] }, securityHub: ['CloudTrail.4'] },
  'cloudtrail-cloudwatch-logs': {
    title: 'Trails deliver to CloudWatch Logs (recently)',
    severity: 'low',
    cis: { 'v1.2.0': ['2.4'], 'v1.4.0': ['3.4'] },
    securityHub: ['CloudTrail.5'],
  },
};

function trailHeader(id: (typeof TRAIL_CONTROL_IDS)[number]): Omit<ControlResult, 'verdict' | 'reasons' | 'notes'> {
  const c = TRAIL_CONTROLS[id];
  return {
    id,
    kind: 'trail',
    title: c.title,
    severity: c.severity,
    cisLabel: cisLabel(c.cis),
    securityHub: c.securityHub,
    compliance: [...Object.entries(c.cis).map(([version, ids]) => ({ framework: 'cis-aws-foundations', version, ids })), { framework: 'aws-security-hub', ids: c.securityHub }],
  };
}

function listedNowhere(snapshot: AccountSnapshot): boolean {
  return snapshot.trailErrors.length > 0 && snapshot.trailErrors.length >= snapshot.regions.length;
}

function verdictOf(pass: boolean, reasons: readonly string[], unknown: readonly string[]): Verdict {
  if (pass) return 'PASS';
  return reasons.length === 0 && unknown.length > 0 ? 'ERROR' : 'FAIL';
}

function evaluateMultiRegion(context: Context): ControlResult {
  const base = trailHeader('cloudtrail-multi-region');
  const { trails } = context.snapshot;
  const unknown = listedNowhere(context.snapshot) ? context.snapshot.trailErrors.map(describeCallError) : [];
  const reasons: string[] = [];
  const multi = trails.filter((t) => t.isMultiRegion);
  for (const trail of multi) {
    const problems: string[] = [];
    const unknowns: string[] = [];
    if (trail.statusError) unknowns.push(describeCallError(trail.statusError));
    else if (!trail.status?.isLogging) problems.push('is not logging');
    if (trail.selectorsError) unknowns.push(describeCallError(trail.selectorsError));
    else if (trail.selectors) problems.push(...managementCoverageGaps(trail.selectors));
    if (problems.length === 0 && unknowns.length === 0) {
      return { ...base, verdict: 'PASS', reasons: [], notes: [`met by trail ${trail.name} (home region ${trail.homeRegion}${trail.isOrganization ? ', organization trail' : ''})`] };
    }
    for (const p of problems) reasons.push(`multi-region trail ${trail.name} ${p}`);
    unknown.push(...unknowns);
  }
  if (multi.length === 0) {
    const single = trails.map((t) => `${t.name} (${t.homeRegion})`);
    reasons.push(single.length > 0 ? `no multi-region trail; single-region trails: ${joinWords(single)}` : `no CloudTrail trail in ${joinWords(context.snapshot.regions)}`);
  }
  // At least one trail must qualify: a trail that could not be read might have.
  return { ...base, verdict: unknown.length > 0 ? 'ERROR' : 'FAIL', reasons: [...reasons, ...unknown], notes: [] };
}

function evaluateLogFileValidation(context: Context): ControlResult {
  const base = trailHeader('cloudtrail-log-file-validation');
  const own = context.snapshot.trails.filter((t) => context.ownsTrail(t));
  const others = context.snapshot.trails.filter((t) => !context.ownsTrail(t));
  const notes = others.map((t) => `trail ${t.name} belongs to account ${t.accountId} and is judged there`);
  const unknown = context.snapshot.trailErrors.map(describeCallError);
  if (own.length === 0) {
    return { ...base, verdict: unknown.length > 0 ? 'ERROR' : 'FAIL', reasons: [`no trail of this account to check`, ...unknown], notes };
  }
  const off = own.filter((t) => !t.logFileValidation);
  const reasons = off.map((t) => `trail ${t.name} (${t.homeRegion}) has log file validation off: tampering with its log files cannot be detected`);
  return { ...base, verdict: off.length === 0 && unknown.length === 0 ? 'PASS' : verdictOf(false, reasons, unknown), reasons: [...reasons, ...unknown], notes };
}

function evaluateCloudWatchLogs(context: Context, maxAgeHours: number, now: Date): ControlResult {
  const base = trailHeader('cloudtrail-cloudwatch-logs');
  const own = context.snapshot.trails.filter((t) => context.ownsTrail(t));
  const notes = context.snapshot.trails.filter((t) => !context.ownsTrail(t)).map((t) => `trail ${t.name} belongs to account ${t.accountId} and is judged there`);
  const unknown = context.snapshot.trailErrors.map(describeCallError);
  const reasons: string[] = [];
  if (own.length === 0) {
    return { ...base, verdict: unknown.length > 0 ? 'ERROR' : 'FAIL', reasons: ['no trail of this account to check', ...unknown], notes };
  }
  for (const trail of own) {
    if (!trail.logGroup) {
      reasons.push(`trail ${trail.name} (${trail.homeRegion}) does not deliver to CloudWatch Logs`);
      continue;
    }
    if (trail.statusError) {
      unknown.push(describeCallError(trail.statusError));
      continue;
    }
    const status = trail.status;
    if (!status) continue;
    if (status.latestCloudWatchLogsDeliveryError) reasons.push(`trail ${trail.name}: the latest CloudWatch Logs delivery failed (${status.latestCloudWatchLogsDeliveryError})`);
    const latest = status.latestCloudWatchLogsDeliveryTime;
    if (!latest) reasons.push(`trail ${trail.name}: CloudTrail reports no delivery to ${trail.logGroup.name} yet (check its CloudWatch Logs role)`);
    else {
      const ageHours = (now.getTime() - Date.parse(latest)) / 3_600_000;
      if (ageHours > maxAgeHours) reasons.push(`trail ${trail.name}: the latest delivery to ${trail.logGroup.name} was ${latest} (${Math.floor(ageHours)} h ago, more than ${maxAgeHours} h)`);
    }
  }
  return { ...base, verdict: reasons.length === 0 && unknown.length === 0 ? 'PASS' : verdictOf(false, reasons, unknown), reasons: [...reasons, ...unknown], notes };
}
