/**
 * The deployment plan (src/infra/plan.ts) and the deploy config section (src/infra/config.ts): what synth decides
 * before any construct exists, and what it refuses (naming the config key or the rule).
 */
import { describe, expect, it } from 'vitest';
import { configSchema, type TrailguardConfig } from '../../src/config/schema.js';
import { deployConfigSchema } from '../../src/infra/config.js';
import { EVENT_PATTERN_MAX_CHARS, RULE_NAME_MAX, RULE_NAME_PATTERN } from '../../src/infra/limits.js';
import { DeployConfigError, eventRuleName, forwarderPattern, needsReadOnlyEvents, planDeployment } from '../../src/infra/plan.js';
import { buildIamPolicy, enabledActions } from '../../src/remediate/iam-policy.js';
import { builtinRules, userRule } from './support.js';

const base: TrailguardConfig = { deploy: { region: 'eu-west-1', account: '123456789012' } };

function refusal(fn: () => unknown): DeployConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeployConfigError) return error;
    throw error;
  }
  throw new Error('expected a DeployConfigError');
}

describe('deploy config section', () => {
  it('is part of trailguard.config.yaml and strict', () => {
    expect(configSchema.safeParse({ deploy: { region: 'eu-west-1', lambda: { memoryMb: 1024, architecture: 'arm64' } } }).success).toBe(true);
    const unknown = deployConfigSchema.safeParse({ regoin: 'eu-west-1' });
    expect(unknown.success).toBe(false);
    expect(JSON.stringify(unknown.error?.issues)).toContain('regoin');
  });

  it('names the key of what is wrong', () => {
    const issues = (value: unknown) => deployConfigSchema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ organization: { id: 'o-a1b2c3d4e5' } })).toEqual([expect.stringMatching(/^account: required with organization/)]);
    expect(issues({ region: 'eu-west-1', regions: ['eu-west-1'] })).toEqual([expect.stringMatching(/^regions: lists the home region/)]);
    expect(issues({ lambda: { logRetentionDays: 10 } })).toEqual([expect.stringMatching(/^lambda\.logRetentionDays: must be one of/)]);
    expect(issues({ backfill: { bucket: 'b-ucket', bucketAccount: '123456789012' } })).toEqual([expect.stringMatching(/^backfill\.bucketAccount: .*notification: manual/)]);
    expect(issues({ name: 'has.dot' })).toEqual([expect.stringMatching(/^name: /)]);
  });
});

describe('EventBridge rules', () => {
  const plan = planDeployment(base, builtinRules());

  it('one rule per selected rule with a match, the pattern verbatim', () => {
    const withMatch = builtinRules().filter((r) => r.match !== undefined && r.enabled !== false);
    expect(plan.rules.map((r) => r.ruleId)).toEqual(withMatch.map((r) => r.id));
    for (const planned of plan.rules) {
      const rule = builtinRules().find((r) => r.id === planned.ruleId)!;
      expect(planned.pattern).toStrictEqual(rule.match);
      expect(JSON.parse(planned.patternJson)).toStrictEqual(rule.match);
      expect(planned.patternJson.length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
    }
  });

  it('names rules <name>.<rule id>, within 64 characters and unique, hashing long ids', () => {
    const names = plan.rules.map((r) => r.ruleName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(RULE_NAME_MAX);
      expect(name).toMatch(RULE_NAME_PATTERN);
      expect(name.startsWith('trailguard.')).toBe(true);
    }
    const long = 'a-very-long-rule-identifier-that-goes-on-and-on-well-past-the-limit';
    const a = eventRuleName('trailguard-production', long);
    const b = eventRuleName('trailguard-production', `${long}-2`);
    expect(a.length).toBeLessThanOrEqual(RULE_NAME_MAX);
    expect(b.length).toBeLessThanOrEqual(RULE_NAME_MAX);
    expect(a).not.toBe(b);
    expect(a.startsWith('trailguard-production.')).toBe(true);
  });

  it('gives a filterPattern-only or disabled rule no EventBridge rule and says why', () => {
    const rules = [userRule('filter-only', { filterPattern: '{ $.eventName = "RunInstances" }' }), userRule('switched-off', { match: { source: ['aws.ec2'] }, enabled: false })];
    const withBackfill = planDeployment({ deploy: { ...base.deploy, backfill: { bucket: 'trail-bucket' } } }, rules);
    expect(withBackfill.rules).toEqual([]);
    expect(withBackfill.skipped).toEqual([
      { ruleId: 'filter-only', reason: expect.stringMatching(/only a CloudWatch Logs filter pattern .* only the backfill path/) },
      { ruleId: 'switched-off', reason: 'enabled: false' },
    ]);
    expect(planDeployment(base, rules).skipped[0]!.reason).toMatch(/does not evaluate it in real time/);
  });

  it('refuses a pattern over EventBridge\'s size quota, naming the rule', () => {
    // The rule loader refuses such a pattern already; synth checks exactly what it deploys again.
    const names = Array.from({ length: 120 }, (_, i) => `SomeQuiteLongApiOperationName${i}`);
    const big = { ...userRule('huge-pattern', { match: { source: ['aws.ec2'] } }), match: { 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventName: names } } };
    const error = refusal(() => planDeployment(base, [big]));
    expect(error.key).toBe('rule huge-pattern');
    expect(error.message).toMatch(/event pattern \(match\) is \d+ characters; EventBridge allows 2048/);
  });

  it('asks for read-only management events only where a pattern can match them', () => {
    expect(plan.rules.filter((r) => r.readOnlyEvents).map((r) => r.ruleId).sort()).toEqual(['root-account-usage', 'unauthorized-api-calls']);
    expect(needsReadOnlyEvents({ detail: { eventName: ['DescribeInstances'] } })).toBe(true);
    expect(needsReadOnlyEvents({ detail: { eventName: [{ prefix: 'Get' }] } })).toBe(true);
    expect(needsReadOnlyEvents({ detail: { eventName: ['GetFederationToken'] } })).toBe(false);
    expect(needsReadOnlyEvents({ detail: { $or: [{ eventName: ['DeleteBucket'] }, { eventName: ['PutBucketAcl'] }] } })).toBe(false);
    expect(needsReadOnlyEvents({ detail: { $or: [{ eventName: ['DeleteBucket'] }, { errorCode: ['AccessDenied'] }] } })).toBe(true);
    expect(needsReadOnlyEvents({ 'detail-type': ['AWS Console Sign In via CloudTrail'] })).toBe(false);
    expect(needsReadOnlyEvents({ detail: { readOnly: [false] } })).toBe(false);
  });

  it('forwards only the detail-types (and sources) the rules pin, when they all pin them', () => {
    expect(forwarderPattern([{ pattern: { 'detail-type': ['AWS API Call via CloudTrail'], source: ['aws.ec2'] }, readOnlyEvents: false }, { pattern: { 'detail-type': ['AWS Console Sign In via CloudTrail'], source: ['aws.signin'] }, readOnlyEvents: false }])).toEqual({
      pattern: { 'detail-type': ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'], source: ['aws.ec2', 'aws.signin'] },
      readOnlyEvents: false,
      narrowed: ['detail-type', 'source'],
    });
    // The catalog has rules pinning neither (unauthorized-api-calls): every CloudTrail event is forwarded.
    expect(plan.forwarder.pattern).toEqual({ 'detail-type': [{ suffix: 'via CloudTrail' }] });
    expect(plan.forwarder.readOnlyEvents).toBe(true);
  });
});

describe('what cannot work deployed is refused with the key', () => {
  it('${env:...} secrets: the functions have no such environment', () => {
    const error = refusal(() => planDeployment({ ...base, notifications: { channels: { slack: { type: 'slack', webhookUrl: '${env:SLACK_WEBHOOK}' } } } }, []));
    expect(error.key).toBe('notifications.channels.slack.webhookUrl');
    expect(error.message).toMatch(/\$\{env:SLACK_WEBHOOK\} cannot be resolved deployed/);
  });

  it('jsonl channels: they write local files', () => {
    const error = refusal(() => planDeployment({ ...base, notifications: { channels: { log: { type: 'jsonl', path: 'findings.jsonl' } } } }, []));
    expect(error.key).toBe('notifications.channels.log.type');
  });

  it('no home region', () => {
    expect(refusal(() => planDeployment({}, [], { env: {} })).key).toBe('deploy.region');
    expect(planDeployment({}, [], { env: { AWS_REGION: 'ap-south-1' } }).region).toBe('ap-south-1');
  });

  it('organization mode without a member role to assume; the deployed roles always join the loop guard', () => {
    const remediation = { rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' as const } } };
    const org = { deploy: { ...base.deploy, organization: { id: 'o-a1b2c3d4e5' } } };
    expect(refusal(() => planDeployment({ ...org, remediation }, [])).key).toBe('remediation.assumeRole');
    expect(refusal(() => planDeployment({ ...org, remediation: { ...remediation, assumeRole: { roleName: 'tg-member' } } }, [])).key).toBe('remediation.assumeRole.externalId');
    const ok = planDeployment({ ...org, remediation: { ...remediation, assumeRole: { roleName: 'tg-member', externalId: 'x-123' } } }, []);
    expect(ok.remediation.member).toEqual({ roleName: 'tg-member', externalId: 'x-123' });
    // Whatever remediation.identity says, the function's and the member's roles are trailguard's own (TRAILGUARD_OWN_ROLES).
    expect(ok.remediation.ownRoles).toEqual([ok.remediation.functionRoleName, 'tg-member']);
    expect(planDeployment({ deploy: { ...base.deploy, name: 'secops' }, remediation }, []).remediation.ownRoles).toEqual(['secops-remediation']);
  });
});

describe('permissions from what is configured', () => {
  it('exactly the parameters, secrets, topics and identities the channels name', () => {
    const plan = planDeployment(
      {
        deploy: { ...base.deploy, configParameter: '/trailguard/config' },
        notifications: {
          channels: {
            slack: { type: 'slack', webhookUrl: '${ssm:/trailguard/slack}' },
            pd: { type: 'pagerduty', routingKey: '${secretsmanager:trailguard/pd#routingKey}' },
            ops: { type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:secops' },
            off: { type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:unused', enabled: false },
            mail: { type: 'ses', from: 'Trailguard <alerts@example.com>', to: ['secops@example.com'], region: 'us-east-1', configurationSet: 'tg' },
          },
        },
      },
      [],
    );
    expect(plan.access).toEqual({
      ssmParameters: ['/trailguard/config', '/trailguard/slack'],
      secrets: ['trailguard/pd'],
      secretsRegion: 'eu-west-1',
      snsTopics: ['arn:aws:sns:eu-west-1:123456789012:secops'],
      ses: [{ region: 'us-east-1', identities: ['alerts@example.com', 'example.com'], configurationSets: ['tg'] }],
    });
  });

  it('the remediation policy is `trailguard remediate policy` for the configured actions and scope', () => {
    const remediation = { scope: { accounts: ['123456789012'], regions: ['eu-west-1'] }, rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' as const } } };
    const plan = planDeployment({ ...base, remediation }, []);
    expect(plan.remediation.policy).toEqual(buildIamPolicy(enabledActions(remediation), { accounts: ['123456789012'], regions: ['eu-west-1'] }));
    expect(plan.remediation.functionRoleName).toBe('trailguard-remediation');
    expect(planDeployment(base, []).remediation.policy).toBeUndefined();
  });
});

describe('backfill path', () => {
  it('per-account notifications leave digest files out at the source', () => {
    const plan = planDeployment({ deploy: { ...base.deploy, organization: { id: 'o-a1b2c3d4e5' }, backfill: { bucket: 'org-trail', prefix: 'org', accounts: ['111111111111', '222222222222'] } } }, []);
    expect(plan.backfill).toMatchObject({
      filters: [
        { prefix: 'org/AWSLogs/o-a1b2c3d4e5/111111111111/CloudTrail/', suffix: '.json.gz' },
        { prefix: 'org/AWSLogs/o-a1b2c3d4e5/222222222222/CloudTrail/', suffix: '.json.gz' },
      ],
      readPrefix: 'org/AWSLogs/',
      digestFilesReachFunction: false,
    });
  });

  it('one notification otherwise, and a warning that the function skips the digests', () => {
    const plan = planDeployment({ deploy: { ...base.deploy, backfill: { bucket: 'trail-bucket' } } }, []);
    expect(plan.backfill).toMatchObject({ filters: [{ prefix: 'AWSLogs/', suffix: '.json.gz' }], digestFilesReachFunction: true, notification: 'create' });
    expect(plan.warnings.join('\n')).toMatch(/CloudTrail-Digest/);
  });
});

describe('functions', () => {
  it('defaults, lambda-wide settings and per-function overrides', () => {
    const plan = planDeployment({ deploy: { ...base.deploy, lambda: { memoryMb: 768, reservedConcurrency: 5, maxConcurrency: 4 }, functions: { backfill: { timeoutSeconds: 600 } } } }, []);
    expect(plan.functions.detect).toEqual({ name: 'detect', memoryMb: 768, timeoutSeconds: 60, reservedConcurrency: 5, logRetentionDays: 90, architecture: 'arm64', runtime: 'nodejs24.x', maxConcurrency: 4 });
    expect(plan.functions.backfill.timeoutSeconds).toBe(600);
    expect(plan.functions.deliver.maxConcurrency).toBeUndefined();
  });

  it('embeds the selected rules and the notifications/remediation config in the deployment document', () => {
    const rules = builtinRules().slice(0, 3);
    const plan = planDeployment({ ...base, notifications: { channels: { out: { type: 'stdout' } } } }, rules);
    expect(plan.document.rules.map((r) => r.definition.id)).toEqual(rules.map((r) => r.id));
    expect(plan.document.config.notifications?.channels.out).toEqual({ type: 'stdout' });
    expect(JSON.stringify(plan.document)).not.toContain('"tests"');
  });
});
