/**
 * revoke-security-group-ingress / -egress with the real EC2Client (aws-sdk-client-mock): for each
 * CloudTrail shape, the exact request sent, and the decision logged and reported.
 */
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, REGION, SG, alice, assumedRole, authorize, modifyRules, seed002, type RuleSpec } from './support/events.js';
import { findingFor, harness } from './support/harness.js';

const ec2 = mockClient(EC2Client);
afterAll(() => ec2.restore());

const INGRESS = { action: 'revoke-security-group-ingress', mode: 'enforce' } as const;
const EGRESS = { action: 'revoke-security-group-egress', mode: 'enforce' } as const;

/** What DescribeSecurityGroupRules answers: the rules as EC2 now has them. */
function existing(rules: RuleSpec[], groupId = SG): SecurityGroupRule[] {
  return rules.map((r) => ({
    SecurityGroupRuleId: r.id,
    GroupId: groupId,
    GroupOwnerId: ACCOUNT,
    IsEgress: r.egress ?? false,
    IpProtocol: r.protocol,
    FromPort: r.from ?? -1,
    ToPort: r.to ?? -1,
    ...(r.cidrIpv4 ? { CidrIpv4: r.cidrIpv4 } : {}),
    ...(r.cidrIpv6 ? { CidrIpv6: r.cidrIpv6 } : {}),
    ...(r.prefixListId ? { PrefixListId: r.prefixListId } : {}),
    ...(r.referencedGroupId ? { ReferencedGroupInfo: { GroupId: r.referencedGroupId, UserId: r.userId ?? ACCOUNT } } : {}),
  }));
}

const revokes = () => ec2.commandCalls(RevokeSecurityGroupIngressCommand).map((c) => c.args[0].input);
const egressRevokes = () => ec2.commandCalls(RevokeSecurityGroupEgressCommand).map((c) => c.args[0].input);

beforeEach(() => {
  ec2.reset();
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: SG, Tags: [{ Key: 'Name', Value: 'web' }] }] });
  ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
});

describe('seed 002: SSH from anywhere added to the web server group', () => {
  const config = { rules: { 'security-group-ingress-open-to-world': INGRESS } };

  it('revokes the created rule by its id, after checking it is still as the event left it', async () => {
    const record = seed002();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: existing([
        { id: 'sgr-0aaa000000000web', protocol: 'tcp', from: 443, to: 443, cidrIpv4: '0.0.0.0/0' },
        { id: 'sgr-0123456789abcdef0', protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0' },
      ]),
    });
    const { runner, reported, store } = harness(config);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(revokes()).toEqual([{ GroupId: SG, SecurityGroupRuleIds: ['sgr-0123456789abcdef0'] }]);
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)[0]?.args[0].input).toEqual({ Filters: [{ Name: 'group-id', Values: [SG] }], MaxResults: 1000 });
    expect(decision?.message).toBe(`AUTO-MITIGATED: ingress tcp/22 from 0.0.0.0/0 removed from ${SG} that was added by arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice (AuthorizeSecurityGroupIngress)`);
    expect(reported).toEqual([decision]);
    expect(await store.remediation.listDecisions()).toEqual([decision]);
  });

  it('without rule ids in the response, revokes by value: exactly the protocol, ports and range recorded', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: [{ cidr: '0.0.0.0/0', description: 'temp ssh' }] }]);
    const { runner } = harness(config);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(revokes()).toEqual([{ GroupId: SG, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
    // No rule ids to verify: no lookup of the rules is needed.
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)).toHaveLength(0);
  });
});

describe('every form the API allows', () => {
  const world = { rules: { 'security-group-ingress-open-to-world': INGRESS } };

  it('IPv6 only', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 3389, to: 3389, v6: ['::/0'] }]);
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(revokes()).toEqual([{ GroupId: SG, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }] }]);
  });

  it('prefix list next to the world: world policy revokes the world range and keeps the prefix list', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 443, to: 443, v4: ['0.0.0.0/0'], prefixLists: ['pl-63a5400a'] }]);
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(revokes()).toEqual([{ GroupId: SG, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
    expect(decision?.plan?.kept).toEqual(['tcp/443 from pl-63a5400a: does not open the group to the internet']);
  });

  it('prefix list not in the group allowlist: unlisted policy revokes it (PrefixListIds)', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 5432, to: 5432, prefixLists: ['pl-0123abcd'] }]);
    const { runner } = harness({
      securityGroups: { [SG]: { ingress: [{ prefixList: 'pl-0fff0000', ports: 5432 }] } },
      rules: { 'security-group-changes': { action: 'revoke-security-group-ingress', mode: 'enforce', options: { forbid: 'unlisted' } } },
    });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-changes'));
    expect(decision?.status).toBe('executed');
    expect(revokes()).toEqual([{ GroupId: SG, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, PrefixListIds: [{ PrefixListId: 'pl-0123abcd' }] }] }]);
  });

  it('security-group reference in another account (UserIdGroupPairs with UserId and VpcId)', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 5432, to: 5432, groups: [{ groupId: 'sg-0ffffffffffffffff', userId: '111122223333', vpcId: 'vpc-0abc' }] }]);
    const { runner } = harness({
      securityGroups: { default: { ingress: [{ group: 'sg-0eeeeeeeeeeeeeeee' }] } },
      rules: { 'security-group-changes': { action: 'revoke-security-group-ingress', mode: 'enforce', options: { forbid: 'unlisted' } } },
    });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-changes'));
    expect(decision?.status).toBe('executed');
    expect(revokes()).toEqual([
      { GroupId: SG, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-0ffffffffffffffff', UserId: '111122223333', VpcId: 'vpc-0abc' }] }] },
    ]);
  });

  it('mixed allowed and forbidden entries in one call: only the forbidden ones are revoked', async () => {
    const record = authorize('ingress', [
      { protocol: 'tcp', from: 443, to: 443, v4: ['0.0.0.0/0'] },
      { protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0', '10.0.0.0/8'] },
    ]);
    const { runner } = harness({ securityGroups: { [SG]: { ingress: [{ cidr: '0.0.0.0/0', protocol: 'tcp', ports: '443' }] } }, ...world });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(revokes()).toEqual([{ GroupId: SG, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
    expect(decision?.plan?.kept).toEqual([`tcp/443 from 0.0.0.0/0: allowed for ${SG}`, 'tcp/22 from 10.0.0.0/8: does not open the group to the internet']);
  });

  it('protocol -1 (all traffic): no ports are sent because none were recorded', async () => {
    const record = authorize('ingress', [{ protocol: '-1', v4: ['0.0.0.0/0'] }]);
    const { runner } = harness(world);
    await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(revokes()).toEqual([{ GroupId: SG, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
  });

  it('ICMP type and code as recorded (echo request, any code)', async () => {
    const record = authorize('ingress', [{ protocol: 'icmp', from: 8, to: -1, v4: ['0.0.0.0/0'] }]);
    const { runner } = harness(world);
    await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(revokes()).toEqual([{ GroupId: SG, IpPermissions: [{ IpProtocol: 'icmp', FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
  });

  it('the world split over two items (0.0.0.0/1 + 128.0.0.0/1 on the same port): both halves are revoked', async () => {
    const record = authorize('ingress', [
      { protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/1'] },
      { protocol: 'tcp', from: 22, to: 22, v4: ['128.0.0.0/1'] },
    ]);
    const { runner } = harness(world);
    await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(revokes()).toEqual([
      {
        GroupId: SG,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/1' }] },
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '128.0.0.0/1' }] },
        ],
      },
    ]);
  });

  it('a range recorded with host bits set is revoked as the network EC2 stored', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['203.0.113.5/0'] }]);
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(revokes()).toEqual([{ GroupId: SG, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
    expect(decision?.plan?.notes.join(' ')).toContain('host bits');
  });

  it('response with rule ids and mixed entries: the forbidden rules by id, the allowed ones untouched', async () => {
    const rules: RuleSpec[] = [
      { id: 'sgr-00000000000000022', protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0' },
      { id: 'sgr-000000000000006v6', protocol: 'tcp', from: 22, to: 22, cidrIpv6: '::/0' },
      { id: 'sgr-00000000000000443', protocol: 'tcp', from: 443, to: 443, cidrIpv4: '0.0.0.0/0' },
    ];
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'], v6: ['::/0'] }, { protocol: 'tcp', from: 443, to: 443, v4: ['0.0.0.0/0'] }], { rules });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: existing(rules) });
    const { runner } = harness({ securityGroups: { [SG]: { ingress: [{ cidr: '0.0.0.0/0', ports: 443 }] } }, ...world });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(revokes()).toEqual([{ GroupId: SG, SecurityGroupRuleIds: ['sgr-00000000000000022', 'sgr-000000000000006v6'] }]);
  });

  it('a created rule that is gone or was changed since is not revoked by id', async () => {
    const rules: RuleSpec[] = [
      { id: 'sgr-0000000000000gone', protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0' },
      { id: 'sgr-00000000000change', protocol: 'tcp', from: 3389, to: 3389, cidrIpv4: '0.0.0.0/0' },
    ];
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }, { protocol: 'tcp', from: 3389, to: 3389, v4: ['0.0.0.0/0'] }], { rules });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: existing([{ id: 'sgr-00000000000change', protocol: 'tcp', from: 3389, to: 3389, cidrIpv4: '192.0.2.0/24' }]) });
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('skipped');
    expect(decision?.reason).toBe('already-remediated');
    expect(decision?.detail).toContain('sgr-0000000000000gone): already gone');
    expect(decision?.detail).toContain('changed since the event, now tcp/3389 from 192.0.2.0/24');
    expect(revokes()).toEqual([]);
  });

  it('rules already gone (InvalidPermission.NotFound) count as done', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(Object.assign(new Error("The specified rule does not exist in this security group."), { name: 'InvalidPermission.NotFound' }));
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(decision?.outcomes?.[0]?.status).toBe('already-done');
    expect(decision?.message).toMatch(/^ALREADY REMEDIATED: /);
  });

  it('default VPC: a revoke that matches nothing comes back as unknown permissions and counts as done', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true, UnknownIpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] });
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(decision?.outcomes?.[0]).toMatchObject({ status: 'already-done' });
  });

  it('one rule id unknown to EC2 fails the whole call: the ids are then revoked one by one', async () => {
    const rules: RuleSpec[] = [
      { id: 'sgr-0000000000000001a', protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0' },
      { id: 'sgr-0000000000000002b', protocol: 'tcp', from: 22, to: 22, cidrIpv6: '::/0' },
    ];
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'], v6: ['::/0'] }], { rules });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: existing(rules) });
    const notFound = Object.assign(new Error('The security group rule ID does not exist'), { name: 'InvalidSecurityGroupRuleId.NotFound' });
    ec2.on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-0000000000000001a', 'sgr-0000000000000002b'] }).rejects(notFound);
    ec2.on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-0000000000000001a'] }).rejects(notFound);
    ec2.on(RevokeSecurityGroupIngressCommand, { SecurityGroupRuleIds: ['sgr-0000000000000002b'] }).resolves({ Return: true });
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(revokes().map((r) => r.SecurityGroupRuleIds)).toEqual([['sgr-0000000000000001a', 'sgr-0000000000000002b'], ['sgr-0000000000000001a'], ['sgr-0000000000000002b']]);
    expect(decision?.outcomes?.[0]?.detail).toBe('revoked sgr-0000000000000002b; sgr-0000000000000001a already gone');
  });

  it('a group named only by name (default VPC, legacy top-level form) is revoked by GroupName', async () => {
    const record = authorize('ingress', [], {});
    record.requestParameters = { groupName: 'web', ipPermissions: {}, cidrIp: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: 22, toPort: 22 };
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(revokes()).toEqual([{ GroupName: 'web', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }]);
  });
});

describe('policy and safety', () => {
  const world = { rules: { 'security-group-ingress-open-to-world': INGRESS } };

  it('an event with errorCode changed nothing: nothing to undo, no call', async () => {
    const record = seed002();
    record.errorCode = 'Client.UnauthorizedOperation';
    record.errorMessage = 'You are not authorized to perform this operation.';
    const { runner } = harness();
    const decision = await runner.handleRecord(record, INGRESS, 'security-group-ingress-open-to-world');
    expect(decision).toMatchObject({ status: 'skipped', reason: 'event-failed' });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('loop guard: an event made by trailguard\'s own role is never acted on', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }], { identity: assumedRole('trailguard-remediation', 'trailguard-remediation') });
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'loop-guard' });
    expect(decision?.message).toMatch(/^SKIPPED: .* \(loop-guard\)$/);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('loop guard: a session merely NAMED like trailguard in another role is not exempt', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }], { identity: assumedRole('Admin', 'trailguard-remediation') });
    const { runner } = harness({ identity: [{ role: 'trailguard-remediation', session: 'trailguard-remediation' }], ...world });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
  });

  it('loop guard: never twice on the same event id', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    const { runner } = harness(world);
    const finding = findingFor(record, 'security-group-ingress-open-to-world');
    const [first] = await runner.handleFinding(finding);
    const [second] = await runner.handleFinding(finding);
    expect(first?.status).toBe('executed');
    expect(second).toMatchObject({ status: 'skipped', reason: 'duplicate-event' });
    expect(revokes()).toHaveLength(1);
  });

  it('dry-run (the default): the plan with its exact calls, and no call made', async () => {
    const record = seed002();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: existing([{ id: 'sgr-0123456789abcdef0', protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0' }]) });
    const { runner } = harness({ rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' } } });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('dry-run');
    expect(decision?.mode).toBe('dry-run');
    expect(decision?.plan?.calls).toEqual([
      {
        service: 'ec2',
        operation: 'RevokeSecurityGroupIngress',
        input: { GroupId: SG, SecurityGroupRuleIds: ['sgr-0123456789abcdef0'] },
        region: REGION,
        account: ACCOUNT,
        description: `revoke ingress tcp/22 from 0.0.0.0/0 (sgr-0123456789abcdef0) on ${SG}`,
        alreadyDoneCodes: ['InvalidPermission.NotFound', 'InvalidGroup.NotFound'],
      },
    ]);
    expect(decision?.message).toBe(`DRY-RUN: would remove ingress tcp/22 from 0.0.0.0/0 from ${SG} (added by arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice with AuthorizeSecurityGroupIngress)`);
    expect(revokes()).toHaveLength(0);
  });

  it('a dry-run does not count as acting: a later enforce on the same event acts', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    const dry = harness({ rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' } } });
    const finding = findingFor(record, 'security-group-ingress-open-to-world');
    expect((await dry.runner.handleFinding(finding))[0]?.status).toBe('dry-run');
    const enforce = harness(world);
    expect((await enforce.runner.handleFinding(finding))[0]?.status).toBe('executed');
  });

  it('allowlisted principal: their change stays', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }], { identity: assumedRole('NetworkAdmins', 'carol') });
    const { runner } = harness({ allowPrincipals: [`arn:aws:iam::${ACCOUNT}:role/NetworkAdmins`], ...world });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'allowlisted-principal' });
    expect(revokes()).toHaveLength(0);
  });

  it('a group tagged trailguard:ignore is left alone (DescribeSecurityGroups lookup)', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: SG, Tags: [{ Key: 'trailguard:ignore', Value: 'true' }] }] });
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    const { runner } = harness(world);
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'tagged', detail: `${SG} is tagged trailguard:ignore=true` });
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).toEqual({ GroupIds: [SG] });
    expect(revokes()).toHaveLength(0);
  });

  it('tags that cannot be read: enforce fails closed, dry-run notes it', async () => {
    ec2.on(DescribeSecurityGroupsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    const enforce = await harness(world).runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(enforce[0]).toMatchObject({ status: 'failed' });
    expect(enforce[0]?.error).toContain('UnauthorizedOperation');
    expect(revokes()).toHaveLength(0);
    const dry = await harness({ rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' } } }).runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(dry[0]?.status).toBe('dry-run');
    expect(dry[0]?.plan?.notes.join(' ')).toContain('scope by tag not applied');
  });

  it('accounts and regions outside the scope are skipped', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    const { runner } = harness({ scope: { regions: ['eu-west-1'] }, ...world });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'out-of-scope' });
  });

  it('everything the event granted is allowed: nothing to undo', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 443, to: 443, v4: ['0.0.0.0/0'] }]);
    const { runner } = harness({ securityGroups: { [SG]: { ingress: [{ cidr: '0.0.0.0/0', ports: 443 }] } }, ...world });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'nothing-to-undo' });
  });

  it('unlisted policy on a group without any allowlist: not governed, nothing revoked', async () => {
    const record = authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['10.0.0.0/8'] }]);
    const { runner } = harness({ rules: { 'security-group-changes': { action: 'revoke-security-group-ingress', mode: 'enforce', options: { forbid: 'unlisted' } } } });
    const [decision] = await runner.handleFinding(findingFor(record, 'security-group-changes'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'nothing-to-undo' });
    expect(decision?.detail).toContain('has no ingress allowlist');
  });
});

describe('ModifySecurityGroupRules: the widened rule is revoked by id (its previous value is not in the event)', () => {
  const rule = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0', Description: 'ssh' };
  const record = () => modifyRules(SG, [{ id: 'sgr-0abcdef0123456789', rule }], alice);

  it('ingress rule still as the event left it: RevokeSecurityGroupIngress by id', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: existing([{ id: 'sgr-0abcdef0123456789', protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0' }]) });
    const { runner } = harness({ rules: { 'security-group-ingress-open-to-world': INGRESS } });
    const [decision] = await runner.handleFinding(findingFor(record(), 'security-group-ingress-open-to-world'));
    expect(decision?.status).toBe('executed');
    expect(revokes()).toEqual([{ GroupId: SG, SecurityGroupRuleIds: ['sgr-0abcdef0123456789'] }]);
    expect(decision?.message).toContain('that was rewritten to that by');
    expect(decision?.plan?.notes.join(' ')).toContain('revoked, not restored');
  });

  it('the egress action leaves an ingress rule to the ingress action', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: existing([{ id: 'sgr-0abcdef0123456789', protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0' }]) });
    const { runner } = harness();
    const decision = await runner.handleRecord(record(), { ...EGRESS, options: { forbid: 'world' } } as never);
    expect(decision).toMatchObject({ status: 'skipped', reason: 'not-applicable' });
    expect(egressRevokes()).toHaveLength(0);
  });

  it('an egress rule widened to everywhere: RevokeSecurityGroupEgress by id', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: existing([{ id: 'sgr-0abcdef0123456789', protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0', egress: true }]) });
    const { runner } = harness();
    const decision = await runner.handleRecord(record(), { ...EGRESS, options: { forbid: 'world' } } as never);
    expect(decision?.status).toBe('executed');
    expect(egressRevokes()).toEqual([{ GroupId: SG, SecurityGroupRuleIds: ['sgr-0abcdef0123456789'] }]);
  });

  it('a rule changed again since the event is left alone', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: existing([{ id: 'sgr-0abcdef0123456789', protocol: 'tcp', from: 22, to: 22, cidrIpv4: '198.51.100.0/24' }]) });
    const { runner } = harness({ rules: { 'security-group-ingress-open-to-world': INGRESS } });
    const [decision] = await runner.handleFinding(findingFor(record(), 'security-group-ingress-open-to-world'));
    expect(decision).toMatchObject({ status: 'skipped' });
    expect(decision?.detail).toContain('changed since the event');
    expect(revokes()).toHaveLength(0);
  });
});

describe('egress', () => {
  it('unlisted (the egress default): destinations not in the group\'s egress allowlist are revoked', async () => {
    const record = authorize('egress', [{ protocol: 'tcp', from: 443, to: 443, v4: ['10.0.0.0/8', '0.0.0.0/0'] }], {
      rules: [
        { id: 'sgr-0e00000000000000a', protocol: 'tcp', from: 443, to: 443, cidrIpv4: '10.0.0.0/8' },
        { id: 'sgr-0e00000000000000b', protocol: 'tcp', from: 443, to: 443, cidrIpv4: '0.0.0.0/0' },
      ],
    });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: existing([
        { id: 'sgr-0e00000000000000a', protocol: 'tcp', from: 443, to: 443, cidrIpv4: '10.0.0.0/8', egress: true },
        { id: 'sgr-0e00000000000000b', protocol: 'tcp', from: 443, to: 443, cidrIpv4: '0.0.0.0/0', egress: true },
      ]),
    });
    const { runner } = harness({ securityGroups: { [SG]: { egress: [{ cidr: '10.0.0.0/8' }] } } });
    const decision = await runner.handleRecord(record, EGRESS);
    expect(decision?.status).toBe('executed');
    expect(egressRevokes()).toEqual([{ GroupId: SG, SecurityGroupRuleIds: ['sgr-0e00000000000000b'] }]);
    expect(decision?.message).toContain('egress tcp/443 to 0.0.0.0/0 removed');
  });
});
