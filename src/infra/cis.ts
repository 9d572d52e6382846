/**
 * The CIS monitoring metric filters and alarms, exactly as `trailguard audit --fix --cloudformation` writes them:
 * the fix plan (src/audit/fix-plan.ts) for an account whose trail log group has none of them yet, rendered by
 * src/audit/cloudformation.ts. Reused, not rewritten: the deployed filters and alarms are the audited ones.
 * Free of aws-cdk-lib (the stack turns the resources into CfnResources).
 */
import { evaluateAccount } from '../audit/evaluate.js';
import { planFixes } from '../audit/fix-plan.js';
import { planToTemplate, type CloudFormationTemplate } from '../audit/cloudformation.js';
import { CIS_RULE_IDS } from '../audit/controls/catalog.js';
import type { AccountSnapshot, LogGroupRef } from '../audit/types.js';
import { BUILTIN_RULES_DIR, loadRules } from '../rules/load.js';
import type { RuleDefinition } from '../rules/types.js';

export interface CisAlarmOptions {
  logGroupName: string;
  region: string;
  partition: string;
  /** The account, or a stand-in: only used to name the (unread) snapshot. */
  account?: string;
  namespace?: string;
  patterns?: 'cis' | 'security-hub';
  /** The topic the alarms notify (an ARN, or a CDK token standing for one). */
  topicArn: string;
  only?: string[];
}

export interface CisAlarmResources {
  resources: CloudFormationTemplate['Resources'];
  skipped: { control: string; reason: string }[];
}

/** The metric filters and alarms `audit --fix` would create on a log group that has none of them. */
export function cisAlarmResources(options: CisAlarmOptions): CisAlarmResources {
  const unknown = (options.only ?? []).filter((id) => !(CIS_RULE_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) throw new Error(`deploy.cisAlarms.only: not CIS monitoring controls: ${unknown.join(', ')} (controls: ${CIS_RULE_IDS.join(', ')})`);
  const account = options.account ?? '000000000000';
  const logGroup: LogGroupRef = {
    region: options.region,
    accountId: account,
    name: options.logGroupName,
    arn: `arn:${options.partition}:logs:${options.region}:${account}:log-group:${options.logGroupName}:*`,
  };
  // An account whose trail delivers to the log group and which has no metric filter or alarm: every control fails,
  // and the plan is the full set of filters and alarms.
  const snapshot: AccountSnapshot = {
    accountId: account,
    partition: options.partition,
    primaryRegion: options.region,
    regions: [options.region],
    readAt: new Date(0).toISOString(),
    trails: [
      {
        arn: `arn:${options.partition}:cloudtrail:${options.region}:${account}:trail/trailguard-deployed`,
        name: 'trailguard-deployed',
        homeRegion: options.region,
        accountId: account,
        isMultiRegion: true,
        isOrganization: false,
        includeGlobalServiceEvents: true,
        logFileValidation: true,
        logGroup,
        seenInRegions: [options.region],
        status: { isLogging: true },
      },
    ],
    trailErrors: [],
    logGroups: [{ logGroup, filters: [] }],
    alarms: [{ region: options.region, alarms: [] }],
    topics: [{ arn: options.topicArn, region: options.region, subscriptions: [{ arn: `${options.topicArn}:deployed`, protocol: 'email', endpoint: 'deployed', confirmed: true }] }],
    errors: [],
  };
  const rules = cisRules();
  const report = evaluateAccount(snapshot, { rules, ...(options.only?.length ? { only: options.only } : { only: [...CIS_RULE_IDS] }), now: new Date(0) });
  const plan = planFixes(snapshot, report, {
    rules,
    topicArn: options.topicArn,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    patterns: options.patterns ?? 'cis',
  });
  return { resources: planToTemplate(plan).Resources, skipped: plan.skipped };
}

function cisRules(): Map<string, RuleDefinition> {
  const loaded = loadRules([BUILTIN_RULES_DIR]);
  return new Map(loaded.rules.filter((r) => (CIS_RULE_IDS as readonly string[]).includes(r.id)).map((r) => [r.id, r]));
}
