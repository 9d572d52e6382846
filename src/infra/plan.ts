/**
 * The deployment plan: everything `trailguard synth` decides from trailguard.config.yaml and the selected rules before
 * a single CDK construct exists — resolved settings, the EventBridge rules (names, patterns verbatim, which rules get
 * none and why), the forwarder pattern, the permissions the configured channels and actions need, the deployment
 * document the functions embed — and what cannot work deployed, refused with the config key or rule id named.
 *
 * Free of aws-cdk-lib, so it is cheap to test and the refusals come before any bundling.
 */
import { TrailguardError } from '../util/errors.js';
import { createHash } from 'node:crypto';
import type { TrailguardConfig } from '../config/schema.js';
import { buildDeploymentDocument, type DeploymentDocument } from '../lambda/deployment.js';
import { LAMBDA_HANDLERS, type LambdaHandlerName } from '../lambda/environment.js';
import { buildIamPolicy, enabledActions, type IamPolicyDocument } from '../remediate/iam-policy.js';
import type { Rule } from '../rules/types.js';
import { partitionOfRegion } from '../util/aws-partition.js';
import { DEFAULT_LAMBDA_RUNTIME, type DeployConfig, type FunctionSettings } from './config.js';
import { EVENT_PATTERN_MAX_CHARS, IAM_ROLE_NAME_MAX, RULE_NAME_MAX, RULE_NAME_PATTERN, RULES_PER_BUS, VISIBILITY_TIMEOUT_FACTOR, VISIBILITY_TIMEOUT_MAX_SECONDS } from './limits.js';

/** Something in the config or the rules that cannot work deployed: `trailguard synth` exits 2 naming `key`. */
export class DeployConfigError extends TrailguardError {
  override readonly name = 'DeployConfigError';
  constructor(
    /** The config key path (e.g. notifications.channels.slack.webhookUrl) or "rule <id>". */
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`, { code: 'invalid-deploy-config' });
  }
}

export const DEFAULT_DEPLOYMENT_NAME = 'trailguard';

/** The detail-type of CloudTrail management/data API calls, the only kind EventBridge filters by read-only-ness. */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
/** Every detail-type CloudTrail delivers ends so: "AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail", ... */
export const CLOUDTRAIL_DETAIL_TYPE_SUFFIX = 'via CloudTrail';

export interface PlannedRule {
  ruleId: string;
  /** The EventBridge rule name: <name>.<rule id>, shortened with a hash when over 64 characters. */
  ruleName: string;
  /** The rule's `match`, verbatim. */
  pattern: Record<string, unknown>;
  /** JSON.stringify(pattern): what EventBridge measures against its pattern size quota. */
  patternJson: string;
  /**
   * The rule can match read-only management events (Describe*, Get*, List* calls), which EventBridge delivers only to
   * rules in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
   */
  readOnlyEvents: boolean;
}

export interface SkippedRule {
  ruleId: string;
  reason: string;
}

export interface ResolvedFunction {
  name: LambdaHandlerName;
  memoryMb: number;
  timeoutSeconds: number;
  reservedConcurrency?: number;
  logRetentionDays: number;
  architecture: 'arm64' | 'x86_64';
  runtime: string;
  maxConcurrency?: number;
}

export interface SesPermission {
  region: string;
  /** Identity names: the From address and its domain (SES authorizes either, depending on what was verified). */
  identities: string[];
  configurationSets: string[];
}

export interface DeploymentPlan {
  name: string;
  account?: string;
  region: string;
  /** The other regions, each forwarding to the home region. */
  regions: string[];
  partition: string;
  organization?: {
    id: string;
    busName: string;
    memberRegions: string[];
  };
  rules: PlannedRule[];
  skipped: SkippedRule[];
  /** The pattern of the forwarding rules (other regions, member accounts), and whether they need read-only events too. */
  forwarder: { pattern: Record<string, unknown>; readOnlyEvents: boolean; narrowed: string[] };
  functions: Record<LambdaHandlerName, ResolvedFunction>;
  queues: { maxReceiveCount: number; maxBatchingWindowSeconds: number; targetRetryAttempts: number; targetMaxEventAgeSeconds: number };
  access: {
    /** SSM parameter names the notifications reference (and the config parameter). */
    ssmParameters: string[];
    /** Secrets Manager secret ids (names or ARNs) the notifications reference. */
    secrets: string[];
    /** Region of the SSM/Secrets Manager references. */
    secretsRegion: string;
    snsTopics: string[];
    ses: SesPermission[];
  };
  remediation: {
    /** The remediate function's role name (the loop guard's identity for actions in the account it runs in). */
    functionRoleName: string;
    /** `trailguard remediate policy` for the configured actions; undefined when none is configured. */
    policy?: IamPolicyDocument;
    /** Organization mode: the role each member account holds for the remediate function to assume. */
    member?: { roleName: string; externalId: string };
    /** Roles whose changes are trailguard's own (the function's, the member role): always in the deployed loop guard. */
    ownRoles?: string[];
  };
  backfill?: {
    bucket: string;
    bucketAccount?: string;
    /** Key prefixes of the S3 notifications (one per account, or one for all). */
    filters: Array<{ prefix: string; suffix: string }>;
    /** The prefix the function may read (s3:GetObject). */
    readPrefix: string;
    kmsKeyArn?: string;
    notification: 'create' | 'manual';
    /** The S3 filters cannot leave digest files out: the backfill function must skip keys under /CloudTrail-Digest/. */
    digestFilesReachFunction: boolean;
  };
  cisAlarms?: NonNullable<DeployConfig['cisAlarms']>;
  alarms: { email?: string; topicArn?: string };
  configParameter?: string;
  tags: Record<string, string>;
  retainData: boolean;
  eventPatternMaxChars: number;
  document: DeploymentDocument;
  warnings: string[];
}

export interface PlanOptions {
  /** Environment for the default region (CDK_DEFAULT_REGION, AWS_REGION, AWS_DEFAULT_REGION). */
  env?: NodeJS.ProcessEnv;
}

const FUNCTION_DEFAULTS: Record<LambdaHandlerName, { memoryMb: number; timeoutSeconds: number }> = {
  detect: { memoryMb: 512, timeoutSeconds: 60 },
  // Reads whole CloudTrail log files (up to tens of MB gzipped) from S3.
  backfill: { memoryMb: 1024, timeoutSeconds: 300 },
  remediate: { memoryMb: 512, timeoutSeconds: 60 },
  deliver: { memoryMb: 512, timeoutSeconds: 60 },
};

/** Builds the plan; throws DeployConfigError for anything that cannot work deployed. */
export function planDeployment(config: TrailguardConfig, rules: readonly Rule[], options: PlanOptions = {}): DeploymentPlan {
  const env = options.env ?? process.env;
  const deploy: DeployConfig = config.deploy ?? {};
  const warnings: string[] = [];
  const name = deploy.name ?? DEFAULT_DEPLOYMENT_NAME;
  const region = deploy.region ?? env.CDK_DEFAULT_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new DeployConfigError('deploy.region', 'no home region: set deploy.region (or AWS_REGION)');
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new DeployConfigError('deploy.region', `${region} is not an AWS region`);
  const partition = partitionOfRegion(region);
  const regions = deploy.regions ?? [];
  const allRegions = [region, ...regions];
  if (!allRegions.includes('us-east-1') && partition === 'aws') {
    warnings.push(
      'deploy: us-east-1 is neither deploy.region nor in deploy.regions: CloudTrail delivers the events of global services (IAM, STS global endpoint, Organizations, CloudFront, Route 53) to EventBridge in us-east-1, so rules on them will not fire',
    );
  }

  refuseUndeployableNotifications(config, warnings);
  // The rule loader refuses a pattern over the quota already (src/patterns/eventbridge/limits.ts); this is the same
  // limit applied to exactly what is deployed, naming the rule.
  const eventPatternMaxChars = EVENT_PATTERN_MAX_CHARS;

  // The EventBridge rules: one per selected rule with a match, the pattern verbatim.
  const planned: PlannedRule[] = [];
  const skipped: SkippedRule[] = [];
  const names = new Map<string, string>();
  for (const rule of rules) {
    if (rule.enabled === false) {
      skipped.push({ ruleId: rule.id, reason: 'enabled: false' });
      continue;
    }
    if (rule.match === undefined) {
      const what = rule.filterPattern !== undefined ? 'it has only a CloudWatch Logs filter pattern (filterPattern), which EventBridge cannot evaluate' : 'it has no match';
      skipped.push({ ruleId: rule.id, reason: `${what}: ${deploy.backfill ? 'only the backfill path (log files from S3) evaluates it' : 'the deployment does not evaluate it in real time (add deploy.backfill to evaluate it on the log files)'}` });
      continue;
    }
    const patternJson = JSON.stringify(rule.match);
    if (patternJson.length > eventPatternMaxChars) {
      throw new DeployConfigError(
        `rule ${rule.id}`,
        `its event pattern (match) is ${patternJson.length} characters; EventBridge allows ${eventPatternMaxChars} (the "Event pattern size" quota, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html): split the rule`,
      );
    }
    const ruleName = eventRuleName(name, rule.id);
    const clash = names.get(ruleName);
    if (clash !== undefined) throw new DeployConfigError(`rule ${rule.id}`, `its EventBridge rule name ${ruleName} is also rule ${clash}'s`);
    names.set(ruleName, rule.id);
    planned.push({ ruleId: rule.id, ruleName, pattern: rule.match, patternJson, readOnlyEvents: needsReadOnlyEvents(rule.match) });
  }
  if (planned.length > RULES_PER_BUS - 2) {
    warnings.push(
      `${planned.length} EventBridge rules on one event bus: the default quota is ${RULES_PER_BUS} rules per bus (adjustable, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html); request an increase before deploying`,
    );
  }
  if (planned.length === 0) warnings.push('no selected rule has an EventBridge pattern (match): the detect function will receive nothing');

  const functions = Object.fromEntries(LAMBDA_HANDLERS.map((fn) => [fn, resolveFunction(fn, deploy)])) as Record<LambdaHandlerName, ResolvedFunction>;
  for (const fn of Object.values(functions)) {
    if (fn.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR > VISIBILITY_TIMEOUT_MAX_SECONDS) {
      throw new DeployConfigError(`deploy.functions.${fn.name}.timeoutSeconds`, `${fn.timeoutSeconds} s: the queue's visibility timeout must be ${VISIBILITY_TIMEOUT_FACTOR}× it, over SQS's maximum of ${VISIBILITY_TIMEOUT_MAX_SECONDS} s`);
    }
  }

  const remediation = planRemediation(config, name, deploy);
  const access = planAccess(config, deploy, region);
  const organization = deploy.organization
    ? { id: deploy.organization.id, busName: `${name}-central`, memberRegions: deploy.organization.memberRegions ?? allRegions }
    : undefined;
  const backfill = planBackfill(deploy, organization?.id, warnings);

  return {
    name,
    ...(deploy.account ? { account: deploy.account } : {}),
    region,
    regions,
    partition,
    ...(organization ? { organization } : {}),
    rules: planned,
    skipped,
    forwarder: forwarderPattern(planned),
    functions,
    queues: {
      maxReceiveCount: deploy.queues?.maxReceiveCount ?? 5,
      maxBatchingWindowSeconds: deploy.queues?.maxBatchingWindowSeconds ?? 2,
      targetRetryAttempts: deploy.queues?.targetRetryAttempts ?? 185,
      targetMaxEventAgeSeconds: deploy.queues?.targetMaxEventAgeSeconds ?? 86_400,
    },
    access,
    remediation,
    ...(backfill ? { backfill } : {}),
    ...(deploy.cisAlarms ? { cisAlarms: deploy.cisAlarms } : {}),
    alarms: { ...(deploy.alarms?.email ? { email: deploy.alarms.email } : {}), ...(deploy.alarms?.topicArn ? { topicArn: deploy.alarms.topicArn } : {}) },
    ...(deploy.configParameter ? { configParameter: deploy.configParameter } : {}),
    tags: deploy.tags ?? {},
    retainData: deploy.retainData ?? true,
    eventPatternMaxChars,
    document: buildDeploymentDocument({ name, rules, config }),
    warnings,
  };
}

/** <name>.<rule id>: the "." cannot occur in a deployment name, so no other deployment's rule names share the prefix <name>. */
export function eventRuleName(deploymentName: string, ruleId: string): string {
  const full = `${deploymentName}.${ruleId}`;
  if (full.length <= RULE_NAME_MAX && RULE_NAME_PATTERN.test(full)) return full;
  const hash = createHash('sha256').update(ruleId).digest('hex').slice(0, 8);
  const room = RULE_NAME_MAX - deploymentName.length - 1 - hash.length - 1;
  return `${deploymentName}.${ruleId.replace(/[^.\-_A-Za-z0-9]/g, '-').slice(0, room)}-${hash}`;
}

/** The prefix every EventBridge rule of the deployment carries (queue and key policies admit rules by it). */
export function eventRulePrefix(deploymentName: string): string {
  return `${deploymentName}.`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Verbs of read-only API calls (CloudTrail readOnly: true), which EventBridge delivers only to rules asking for them. */
const READ_VERBS = ['Get', 'Describe', 'List', 'Head', 'Lookup', 'Search', 'BatchGet', 'Select', 'Scan', 'Query', 'View', 'Preview', 'Check', 'Test', 'Validate', 'Estimate', 'Simulate'];
/**
 * Calls whose names start with a read verb but which EventBridge delivers as change events anyway (the STS examples of
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html).
 */
const GET_CHANGE_EVENTS = new Set(['GetFederationToken', 'GetSessionToken']);

/** Whether an eventName matcher (an exact name, or { prefix }) can match a read-only call; anything else might. */
function nameCanBeRead(matcher: unknown): boolean {
  if (typeof matcher === 'string') return !GET_CHANGE_EVENTS.has(matcher) && READ_VERBS.some((v) => matcher.startsWith(v));
  if (isPlainObject(matcher) && typeof matcher.prefix === 'string') {
    const prefix = matcher.prefix;
    return READ_VERBS.some((v) => prefix.startsWith(v) || v.startsWith(prefix));
  }
  return true;
}

/** The eventName matchers a detail pattern allows, through one level of $or; undefined when some branch leaves it open. */
function eventNameMatchers(detail: Record<string, unknown>): unknown[] | undefined {
  if (Array.isArray(detail.eventName) && detail.eventName.length > 0) return detail.eventName;
  const or = detail.$or;
  if (!Array.isArray(or) || or.length === 0) return undefined;
  const all: unknown[] = [];
  for (const branch of or) {
    if (!isPlainObject(branch) || !Array.isArray(branch.eventName) || branch.eventName.length === 0) return undefined;
    all.push(...branch.eventName);
  }
  return all;
}

/**
 * Whether a pattern can match a read-only management event: it does unless it pins detail-type to types other than
 * API calls, pins detail.readOnly to false, or pins detail.eventName (directly or in every $or branch) to names or
 * prefixes none of which is a read verb.
 */
export function needsReadOnlyEvents(pattern: Record<string, unknown>): boolean {
  const detailType = pattern['detail-type'];
  if (Array.isArray(detailType) && detailType.every((v) => typeof v === 'string') && !detailType.includes(API_CALL_DETAIL_TYPE)) return false;
  const detail = pattern.detail;
  if (!isPlainObject(detail)) return true;
  const readOnly = detail.readOnly;
  if (Array.isArray(readOnly) && readOnly.length > 0 && readOnly.every((v) => v === false)) return false;
  const names = eventNameMatchers(detail);
  if (names === undefined) return true;
  return names.some(nameCanBeRead);
}

/**
 * The pattern of the rules that forward events to the home region or the central bus: only the detail-types (and
 * sources) the selected rules can match, when every rule pins them; a rule that pins no detail-type is served every
 * CloudTrail event (detail-type ending "via CloudTrail").
 */
export function forwarderPattern(rules: readonly Pick<PlannedRule, 'pattern' | 'readOnlyEvents'>[]): DeploymentPlan['forwarder'] {
  const pins = (key: 'source' | 'detail-type') => {
    const values: unknown[] = [];
    let all = rules.length > 0;
    for (const { pattern } of rules) {
      const value = pattern[key];
      if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' || (isPlainObject(v) && ('prefix' in v || 'suffix' in v || 'wildcard' in v || 'equals-ignore-case' in v)))) values.push(...value);
      else all = false;
    }
    return { all, values: dedupe(values) };
  };
  const detailType = pins('detail-type');
  const source = pins('source');
  const pattern: Record<string, unknown> = {};
  const narrowed: string[] = [];
  if (detailType.all) {
    pattern['detail-type'] = detailType.values;
    narrowed.push('detail-type');
  } else {
    // A rule that pins no detail-type is a CloudTrail rule (trailguard's rules are written over CloudTrail's envelope).
    const others = detailType.values.filter((v) => !(typeof v === 'string' && v.endsWith(CLOUDTRAIL_DETAIL_TYPE_SUFFIX)));
    pattern['detail-type'] = [{ suffix: CLOUDTRAIL_DETAIL_TYPE_SUFFIX }, ...others];
  }
  if (source.all) {
    pattern.source = source.values;
    narrowed.push('source');
  }
  return { pattern, readOnlyEvents: rules.some((r) => r.readOnlyEvents), narrowed };
}

function dedupe(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function resolveFunction(name: LambdaHandlerName, deploy: DeployConfig): ResolvedFunction {
  const base: FunctionSettings = deploy.lambda ?? {};
  const own: FunctionSettings = deploy.functions?.[name] ?? {};
  const pick = <K extends keyof FunctionSettings>(key: K): FunctionSettings[K] => (own[key] !== undefined ? own[key] : base[key]);
  const reserved = pick('reservedConcurrency');
  const maxConcurrency = pick('maxConcurrency');
  return {
    name,
    memoryMb: pick('memoryMb') ?? FUNCTION_DEFAULTS[name].memoryMb,
    timeoutSeconds: pick('timeoutSeconds') ?? FUNCTION_DEFAULTS[name].timeoutSeconds,
    ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
    logRetentionDays: pick('logRetentionDays') ?? 90,
    architecture: pick('architecture') ?? 'arm64',
    runtime: pick('runtime') ?? DEFAULT_LAMBDA_RUNTIME,
    ...(maxConcurrency !== undefined && name !== 'deliver' ? { maxConcurrency } : {}),
  };
}

/** The secret reference syntax of src/notify/secrets.ts: ${env:NAME}, ${ssm:/name}, ${secretsmanager:id#key}. */
const REFERENCE = /\$\{(env|ssm|secretsmanager):([^}]+)\}/g;

/** Every string in a value, with its key path. */
function* strings(value: unknown, path: string[]): Generator<{ path: string[]; value: string }> {
  if (typeof value === 'string') yield { path, value };
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...path, String(i)]);
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

function refuseUndeployableNotifications(config: TrailguardConfig, warnings: string[]): void {
  const notifications = config.notifications;
  if (!notifications) return;
  for (const [channel, spec] of Object.entries(notifications.channels)) {
    if (spec.type === 'jsonl') {
      throw new DeployConfigError(`notifications.channels.${channel}.type`, 'a jsonl channel appends to a local file, which a Lambda function does not keep: remove the channel or disable it with a route (the deployed functions have only /tmp)');
    }
    if ((spec.type === 'sns' || spec.type === 'ses') && spec.endpoint) warnings.push(`notifications.channels.${channel}.endpoint: the deployed functions will call ${spec.endpoint} instead of AWS`);
  }
  if (notifications.aws?.endpoint) warnings.push(`notifications.aws.endpoint: the deployed functions will send every AWS call of the notifier to ${notifications.aws.endpoint}`);
  for (const { path, value } of strings(notifications, ['notifications'])) {
    REFERENCE.lastIndex = 0;
    for (const m of value.matchAll(REFERENCE)) {
      if (m[1] === 'env') {
        throw new DeployConfigError(
          path.join('.'),
          `\${env:${m[2]}} cannot be resolved deployed: the functions have no such environment variable. Store the value in SSM Parameter Store (\${ssm:/name}) or Secrets Manager (\${secretsmanager:id#key}); the functions get read access to exactly the parameters and secrets the config names`,
        );
      }
    }
  }
}

function planAccess(config: TrailguardConfig, deploy: DeployConfig, region: string): DeploymentPlan['access'] {
  const ssm = new Set<string>();
  const secrets = new Set<string>();
  const topics = new Set<string>();
  const ses = new Map<string, { identities: Set<string>; configurationSets: Set<string> }>();
  const notifications = config.notifications;
  const defaultRegion = notifications?.aws?.region ?? region;
  if (notifications) {
    for (const { value } of strings(notifications, [])) {
      for (const m of value.matchAll(REFERENCE)) {
        const ref = m[2]!.trim();
        if (m[1] === 'ssm') ssm.add(ref);
        else if (m[1] === 'secretsmanager') secrets.add(ref.lastIndexOf('#') >= 0 ? ref.slice(0, ref.lastIndexOf('#')) : ref);
      }
    }
    for (const spec of Object.values(notifications.channels)) {
      if (spec.enabled === false) continue;
      if (spec.type === 'sns') topics.add(spec.topicArn);
      if (spec.type === 'ses') {
        const sesRegion = spec.region ?? defaultRegion;
        const entry = ses.get(sesRegion) ?? { identities: new Set<string>(), configurationSets: new Set<string>() };
        const address = /<([^>]+)>/.exec(spec.from)?.[1] ?? spec.from.trim();
        entry.identities.add(address);
        const domain = address.split('@')[1];
        if (domain) entry.identities.add(domain);
        if (spec.configurationSet) entry.configurationSets.add(spec.configurationSet);
        ses.set(sesRegion, entry);
      }
    }
  }
  if (deploy.configParameter) ssm.add(deploy.configParameter);
  return {
    ssmParameters: [...ssm].sort(),
    secrets: [...secrets].sort(),
    secretsRegion: defaultRegion,
    snsTopics: [...topics].sort(),
    ses: [...ses.entries()].map(([r, e]) => ({ region: r, identities: [...e.identities].sort(), configurationSets: [...e.configurationSets].sort() })),
  };
}

function planRemediation(config: TrailguardConfig, name: string, deploy: DeployConfig): DeploymentPlan['remediation'] {
  const functionRoleName = `${name}-remediation`;
  if (functionRoleName.length > IAM_ROLE_NAME_MAX) throw new DeployConfigError('deploy.name', `${functionRoleName} is longer than an IAM role name may be`);
  const remediation = config.remediation;
  const actions = remediation ? enabledActions(remediation) : [];
  if (!remediation || actions.length === 0) return { functionRoleName };
  const scope = { ...(remediation.scope?.accounts ? { accounts: remediation.scope.accounts } : {}), ...(remediation.scope?.regions ? { regions: remediation.scope.regions } : {}) };
  const policy = buildIamPolicy(actions, scope);
  let member: DeploymentPlan['remediation']['member'];
  const roles = [functionRoleName];
  if (deploy.organization) {
    const assume = remediation.assumeRole;
    if (!assume) {
      throw new DeployConfigError('remediation.assumeRole', 'organization mode acts in member accounts through a role there: set remediation.assumeRole.roleName and externalId (the member template creates that role)');
    }
    if (!assume.externalId) throw new DeployConfigError('remediation.assumeRole.externalId', 'required in organization mode: the member role trusts the central remediate function only with this external id');
    if (assume.roleName === functionRoleName) throw new DeployConfigError('remediation.assumeRole.roleName', `${assume.roleName} is the remediate function's own role name in the central account; choose another name for the member role`);
    member = { roleName: assume.roleName, externalId: assume.externalId };
    roles.push(assume.roleName);
  } else if (remediation.assumeRole) {
    roles.push(remediation.assumeRole.roleName);
  }
  // The loop guard knows these roles as trailguard's own whatever remediation.identity says: the remediate
  // function gets them in TRAILGUARD_OWN_ROLES (src/lambda/remediate.ts adds them to the identity it guards).
  return { functionRoleName, policy, ownRoles: roles, ...(member ? { member } : {}) };
}

function planBackfill(deploy: DeployConfig, organizationId: string | undefined, warnings: string[]): DeploymentPlan['backfill'] | undefined {
  const backfill = deploy.backfill;
  if (!backfill) return undefined;
  const root = backfill.prefix ? `${backfill.prefix}/AWSLogs/` : 'AWSLogs/';
  const org = backfill.organizationId ?? organizationId;
  const filters = backfill.accounts
    ? backfill.accounts.map((account) => ({ prefix: `${root}${org ? `${org}/` : ''}${account}/CloudTrail/`, suffix: '.json.gz' }))
    : [{ prefix: root, suffix: '.json.gz' }];
  if (!backfill.accounts) {
    warnings.push(
      `deploy.backfill: one S3 notification on ${root}*.json.gz also announces the digest files (.../CloudTrail-Digest/...json.gz), which S3 filters cannot leave out; the backfill function skips them. List deploy.backfill.accounts to leave them out at the source`,
    );
  }
  return {
    bucket: backfill.bucket,
    ...(backfill.bucketAccount ? { bucketAccount: backfill.bucketAccount } : {}),
    filters,
    readPrefix: root,
    ...(backfill.kmsKeyArn ? { kmsKeyArn: backfill.kmsKeyArn } : {}),
    notification: backfill.notification ?? 'create',
    digestFilesReachFunction: !backfill.accounts,
  };
}
