/**
 * Organization mode with a second region, synthesized once (cdk-nag on): the central bus admitting the organization,
 * rules on it, the central account's own events forwarded to it, the other region forwarding to it, and the member
 * template — a StackSet template without assets or lookups, its parameters declared, forwarding only what the rules
 * can match, holding the remediation role that trusts only the central remediate function's role with an external id.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrailguardConfig } from '../../src/config/schema.js';
import { describeEventRouting } from '../../src/infra/routing.js';
import { checkTemplate } from '../../src/infra/template-limits.js';
import { buildIamPolicy, enabledActions } from '../../src/remediate/iam-policy.js';
import { actionsOf, allStatements, asArray, builtinRules, resources, roleStatements, synth, type Statement } from './support.js';

process.env.CDK_VALIDATION = 'false';

const CENTRAL = '111122223333';
const remediation = {
  mode: 'enforce' as const,
  assumeRole: { roleName: 'trailguard-member-remediation', externalId: 'tg-external-4821' },
  identity: [{ role: 'trailguard-remediation' }, { role: 'trailguard-member-remediation' }],
  rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' as const } },
};
const config: TrailguardConfig = {
  deploy: { region: 'eu-west-1', regions: ['us-east-1'], account: CENTRAL, organization: { id: 'o-a1b2c3d4e5' } },
  remediation,
};
const s = synth(config, builtinRules(), { nag: true });
afterAll(() => s.cleanup());
const central = s.central;
const member = s.templates['trailguard-member']!;
const region = s.templates['trailguard-us-east-1']!;
const BUS_ARN = `arn:aws:events:eu-west-1:${CENTRAL}:event-bus/trailguard-central`;

describe('central account', () => {
  it('a central bus whose policy admits the organization\'s principals only', () => {
    expect(resources(central, 'AWS::Events::EventBus')[0]![1].Properties).toEqual({ Name: 'trailguard-central' });
    const policy = resources(central, 'AWS::Events::EventBusPolicy')[0]![1].Properties!;
    expect(policy).toMatchObject({
      EventBusName: 'trailguard-central',
      Statement: { Effect: 'Allow', Principal: '*', Action: 'events:PutEvents', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } },
    });
  });

  it('the rules live on the central bus (by name, not Ref), the account\'s own events are forwarded to it', () => {
    const routing = describeEventRouting(central);
    const onBus = routing.rules.filter((r) => r.eventBusName === 'trailguard-central');
    expect(onBus).toHaveLength(s.built.plan.rules.length);
    for (const r of onBus) expect(r.targets[0]!.kind).toBe('queue');
    const local = routing.rules.find((r) => r.name === 'trailguard.local-to-central-bus')!;
    expect(local.eventBusName).toBe('default');
    expect(local.pattern).toEqual(s.built.plan.forwarder.pattern);
    expect(local.state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(local.targets[0]).toMatchObject({ kind: 'event-bus', maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400, deadLetterQueueLogicalId: expect.stringMatching(/^TargetDeadLetters/) });
    expect(JSON.stringify(local.targets[0]!.arn)).toContain(':events:eu-west-1:111122223333:event-bus/trailguard-central');
  });

  it('the queue and DLQ policies admit the deployment\'s rules on both buses in one statement', () => {
    const policies = resources(central, 'AWS::SQS::QueuePolicy').map(([, p]) => asArray((p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement).filter((st) => st.Effect === 'Allow'));
    const eventbridge = policies.flat().filter((st) => (st.Principal as { Service?: string }).Service === 'events.amazonaws.com');
    expect(eventbridge).toHaveLength(2);
    for (const st of eventbridge) {
      const arns = JSON.stringify(st.Condition!.ArnLike!['aws:SourceArn']);
      expect(arns).toContain(':rule/trailguard.*');
      expect(arns).toContain(':rule/trailguard-central/trailguard.*');
    }
    expect(checkTemplate('central', central).problems).toEqual([]);
  });

  it('the remediate function assumes the member role (organization accounts only) and holds no remediation actions itself', () => {
    const role = resources(central, 'AWS::IAM::Role').find(([, r]) => r.Properties!.RoleName === 'trailguard-remediation')![0];
    const statements = roleStatements(central, role);
    expect(statements.find((st) => st.Sid === 'AssumeMemberRemediationRole')).toEqual({
      Sid: 'AssumeMemberRemediationRole',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/trailguard-member-remediation']] },
      Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
    });
    expect(resources(central, 'AWS::IAM::Policy').some(([id]) => id.startsWith('RemediationActions'))).toBe(false);
    expect(statements.some((st) => actionsOf(st).some((a) => a.startsWith('ec2:')))).toBe(false);
  });
});

describe('member template (StackSet)', () => {
  it('has no assets, no bootstrap parameter or rule, and only declared parameters, each with a default', () => {
    const manifest = JSON.parse(readFileSync(path.join(s.outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; environment: string; dependencies?: string[] }> };
    const artifact = manifest.artifacts['trailguard-member']!;
    // BootstraplessSynthesizer: any asset would be refused at synth; no account or region is pinned.
    expect(artifact).toMatchObject({ type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region' });
    expect(artifact.dependencies ?? []).toEqual([]);
    expect(existsSync(path.join(s.outdir, 'trailguard-member.assets.json'))).toBe(false);
    expect(member.Rules).toBeUndefined();
    expect(Object.keys(member.Parameters ?? {}).sort()).toEqual(['AlarmTopicArn', 'CentralEventBusArn', 'RemediationExternalId', 'RemediationRoleName', 'RemediationRoleRegion', 'RemediationTrustedRoleArn']);
    for (const [name, p] of Object.entries(member.Parameters as Record<string, { Default?: unknown; Type: string }>)) {
      expect(p.Default, name).toBeDefined();
      expect(p.Type, name).toBe('String');
    }
    expect((member.Parameters as Record<string, { NoEcho?: boolean }>).RemediationExternalId!.NoEcho).toBe(true);
    // Every Ref is a pseudo parameter, a declared parameter or a resource of the template; nothing is looked up.
    const text = JSON.stringify(member);
    const refs = [...text.matchAll(/"Ref":"([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) expect(ref.startsWith('AWS::') || ref in (member.Parameters ?? {}) || ref in (member.Resources ?? {}), ref).toBe(true);
    expect(text).not.toMatch(/cdk-hnb659fds|AssetParameters|Fn::ImportValue|resolve:ssm/);
  });

  it('forwards to the central bus what the rules can match, through a role, with a DLQ and retry policy', () => {
    const routing = describeEventRouting(member);
    expect(routing.rules).toHaveLength(1);
    const rule = routing.rules[0]!;
    expect(rule).toMatchObject({ name: 'trailguard.to-central-bus', eventBusName: 'default', pattern: s.built.plan.forwarder.pattern, state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' });
    expect(rule.targets[0]).toMatchObject({ arn: { Ref: 'CentralEventBusArn' }, roleLogicalId: 'ForwarderRole', deadLetterQueueLogicalId: 'ForwarderDeadLetters', maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 });
    expect((member.Parameters as Record<string, { Default: string }>).CentralEventBusArn!.Default).toBe(BUS_ARN);
    expect(roleStatements(member, 'ForwarderRole')).toEqual([{ Sid: 'PutEventsOnTheCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'CentralEventBusArn' } }]);
    expect(routing.queues[0]).toMatchObject({ logicalId: 'ForwarderDeadLetters', encryption: { sqsManaged: true }, isTargetDeadLetterQueue: true });
    expect(resources(member, 'AWS::CloudWatch::Alarm')[0]![1].Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  });

  it('the remediation role trusts only the central remediate role, with the external id, and holds `remediate policy`\'s statements', () => {
    const role = member.Resources!.RemediationRole!;
    expect(role.Condition).toBe('CreateRemediationRole');
    expect(role.Properties!.RoleName).toEqual({ Ref: 'RemediationRoleName' });
    expect(role.Properties!.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: { Ref: 'RemediationTrustedRoleArn' } }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'RemediationExternalId' } } } }],
    });
    expect((member.Parameters as Record<string, { Default: string }>).RemediationTrustedRoleArn!.Default).toBe(`arn:aws:iam::${CENTRAL}:role/trailguard-remediation`);
    expect((role.Properties!.Policies as Array<{ PolicyDocument: unknown }>)[0]!.PolicyDocument).toEqual(buildIamPolicy(enabledActions(remediation)));
    expect((member.Conditions as Record<string, unknown> | undefined)?.CreateRemediationRole).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'RemediationRoleRegion' }] });
  });
});

describe('other regions', () => {
  it('forward the same events to the central bus in the home region', () => {
    const routing = describeEventRouting(region);
    expect(routing.rules).toHaveLength(1);
    const rule = routing.rules[0]!;
    expect(rule).toMatchObject({ name: 'trailguard.to-eu-west-1', eventBusName: 'default', pattern: s.built.plan.forwarder.pattern });
    expect(rule.targets[0]).toMatchObject({ arn: BUS_ARN, maximumRetryAttempts: 185, deadLetterQueueLogicalId: expect.stringMatching(/^TargetDeadLetters/) });
    const role = resources(region, 'AWS::IAM::Role')[0]!;
    expect(asArray((role[1].Properties!.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>)[0]!.PolicyDocument.Statement)).toEqual([{ Sid: 'PutEventsOnTheTargetBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS_ARN }]);
    expect(s.built.regions[0]!.region).toBe('us-east-1');
    expect(s.built.deployStacks).toEqual(['trailguard', 'trailguard-us-east-1']);
  });
});

describe('cdk-nag and policies across the stacks', () => {
  it('every stack passed AwsSolutions with reasons; no allowed wildcard action anywhere', () => {
    const acks = s.built.acknowledgements;
    expect(acks.map((a) => a.id)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-L1', 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/trailguard-member-remediation]']));
    expect(acks.some((a) => a.path.startsWith('trailguard-member/') && a.id === 'AwsSolutions-SQS3')).toBe(true);
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(60);
    for (const template of Object.values(s.templates)) {
      for (const { resource, statement } of allStatements(template)) {
        if (asArray(statement.Action).some((a) => a.includes('*'))) expect(statement.Effect, resource).toBe('Deny');
      }
      expect(checkTemplate('t', template).problems).toEqual([]);
    }
  });
});
