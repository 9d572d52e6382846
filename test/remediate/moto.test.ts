/**
 * Real effects against moto_server (loopback only), with the real AWS SDK v3: the change the CloudTrail
 * event describes is made in the emulator, the remediation runs with clients pointed at it, and the
 * resulting state is read back (DescribeSecurityGroupRules, GetTrailStatus, DescribeKey, ...).
 *
 * What moto 5.2 does not model, or models differently, is tested with mocks instead
 * (security-group.test.ts, actions.test.ts): the default-VPC UnknownIpPermissions answer, a revoke by
 * ids failing whole on one unknown id, IAM denials, Start/StopLogging by trail ARN (moto answers with
 * an HTML error page), the Authorize response's rule set (moto lists only the last IpPermission's
 * rules, so the records here are built from DescribeSecurityGroupRules), and the account-level S3
 * Block Public Access call (its SDK client, @aws-sdk/client-s3-control, is not a dependency).
 */
import { CloudTrailClient, CreateTrailCommand, GetTrailStatusCommand, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateManagedPrefixListCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
  type IpPermission,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { CreateDetectorCommand, DeleteDetectorCommand, GetDetectorCommand, GuardDutyClient, ListDetectorsCommand, UpdateDetectorCommand } from '@aws-sdk/client-guardduty';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRolePolicyCommand, GetUserPolicyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeHubCommand, DisableSecurityHubCommand, EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../src/cloudtrail/types.js';
import { createRemediationClients } from '../../src/remediate/clients.js';
import { remediationConfigSchema } from '../../src/remediate/config.js';
import { createRemediationRunner } from '../../src/remediate/runner.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { ActionEntry } from '../../src/remediate/config.js';
import { startMoto } from '../support/moto.js';
import {
  ACCOUNT,
  REGION,
  alice,
  apiCall,
  assumedRole,
  deleteDetector,
  disableKey,
  disableSecurityHub,
  ipPermissionItem,
  modifyRules,
  putBucketPublicAccessBlock,
  scheduleKeyDeletion,
  stopConfigRecorder,
  stopLogging,
  updateDetector,
  type ItemSpec,
} from './support/events.js';
import { findingFor } from './support/harness.js';

const moto = await startMoto();
afterAll(() => moto?.stop());
const run = moto ? describe : describe.skip;

function config(region = REGION) {
  return { ...moto!.clientConfig(region), forcePathStyle: true };
}

/** A runner over a store of its own (two runners made here share nothing, not even the duplicate guard). */
function runner(remediation: unknown = {}) {
  const store = openSqliteStore(':memory:');
  return {
    store,
    runner: createRemediationRunner({
      config: remediationConfigSchema.parse(remediation),
      clients: createRemediationClients({ configFor: (region) => config(region) }),
      store: store.remediation,
    }),
  };
}

const enforce = (action: string, options?: Record<string, unknown>): ActionEntry => ({ action: action as ActionEntry['action'], mode: 'enforce', ...(options ? { options } : {}) });

beforeEach(async () => {
  await moto?.reset();
});

// ------------------------------------------------------------------------------------------------
// Security groups

const ec2 = () => new EC2Client(config());

async function newGroup(): Promise<string> {
  const { Vpc } = await ec2().send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const { GroupId } = await ec2().send(new CreateSecurityGroupCommand({ GroupName: `web-${Date.now()}`, Description: 'web servers', VpcId: Vpc!.VpcId! }));
  return GroupId!;
}

function toIpPermission(spec: ItemSpec): IpPermission {
  return {
    IpProtocol: spec.protocol,
    ...(spec.from !== undefined ? { FromPort: spec.from } : {}),
    ...(spec.to !== undefined ? { ToPort: spec.to } : {}),
    ...(spec.v4 ? { IpRanges: spec.v4.map((r) => (typeof r === 'string' ? { CidrIp: r } : { CidrIp: r.cidr, Description: r.description })) } : {}),
    ...(spec.v6 ? { Ipv6Ranges: spec.v6.map((r) => (typeof r === 'string' ? { CidrIpv6: r } : { CidrIpv6: r.cidr, Description: r.description })) } : {}),
    ...(spec.prefixLists ? { PrefixListIds: spec.prefixLists.map((p) => ({ PrefixListId: p })) } : {}),
    ...(spec.groups ? { UserIdGroupPairs: spec.groups.map((g) => ({ GroupId: g.groupId, ...(g.userId ? { UserId: g.userId } : {}) })) } : {}),
  };
}

/** Makes the grant in moto and returns the CloudTrail record of it (with the rule set EC2 answered, unless told not to). */
async function authorizeInMoto(direction: 'ingress' | 'egress', groupId: string, items: ItemSpec[], withRuleIds = true): Promise<CloudTrailRecord> {
  const before = new Set((await rulesOf(groupId)).map((r) => r.SecurityGroupRuleId));
  const request = { GroupId: groupId, IpPermissions: items.map(toIpPermission) };
  if (direction === 'ingress') await ec2().send(new AuthorizeSecurityGroupIngressCommand(request));
  else await ec2().send(new AuthorizeSecurityGroupEgressCommand(request));
  // The rules the call created. (moto 5.2's Authorize response lists only the last IpPermission's rules; EC2 lists
  // every rule the call created, so the record is built from what DescribeSecurityGroupRules shows as new.)
  const created = (await rulesOf(groupId)).filter((r) => !before.has(r.SecurityGroupRuleId));
  const response: Record<string, unknown> = { requestId: 'c6ad6a3e-4a44-4a26-9e8d-0fd0a3a47d4c', _return: true };
  if (withRuleIds) {
    response.securityGroupRuleSet = {
      items: created.map((r) => ({
        groupOwnerId: r.GroupOwnerId,
        groupId: r.GroupId,
        securityGroupRuleId: r.SecurityGroupRuleId,
        isEgress: r.IsEgress,
        ipProtocol: r.IpProtocol,
        fromPort: r.FromPort,
        toPort: r.ToPort,
        ...(r.CidrIpv4 ? { cidrIpv4: r.CidrIpv4 } : {}),
        ...(r.CidrIpv6 ? { cidrIpv6: r.CidrIpv6 } : {}),
        ...(r.PrefixListId ? { prefixListId: r.PrefixListId } : {}),
        ...(r.ReferencedGroupInfo ? { referencedGroupInfo: { groupId: r.ReferencedGroupInfo.GroupId, userId: r.ReferencedGroupInfo.UserId } } : {}),
      })),
    };
  }
  return apiCall(
    'ec2.amazonaws.com',
    direction === 'ingress' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress',
    { groupId, ipPermissions: { items: items.map(ipPermissionItem) } },
    response,
    { userIdentity: alice },
  );
}

async function rulesOf(groupId: string): Promise<SecurityGroupRule[]> {
  const { SecurityGroupRules } = await ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
  return SecurityGroupRules ?? [];
}

/** The group's rules in one direction as short strings: "tcp/22 0.0.0.0/0". */
async function ruleStrings(groupId: string, egress = false): Promise<string[]> {
  return (await rulesOf(groupId))
    .filter((r) => (r.IsEgress ?? false) === egress)
    .map((r) => `${r.IpProtocol}/${r.FromPort ?? -1}-${r.ToPort ?? -1} ${r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId}`)
    .sort();
}

run('security groups in moto: exactly the forbidden rules are gone, the allowed ones remain', () => {
  it('seed 002 shape, mixed with allowed and harmless entries, IPv6, prefix list and a group reference, revoked by rule id', async () => {
    const groupId = await newGroup();
    const other = await newGroup();
    const { PrefixList } = await ec2().send(new CreateManagedPrefixListCommand({ PrefixListName: 'office', AddressFamily: 'IPv4', MaxEntries: 5, Entries: [{ Cidr: '198.51.100.0/24' }] }));
    const pl = PrefixList!.PrefixListId!;
    const record = await authorizeInMoto('ingress', groupId, [
      { protocol: 'tcp', from: 443, to: 443, v4: ['0.0.0.0/0'] },
      { protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0', '10.0.0.0/8'], prefixLists: [pl] },
      { protocol: 'tcp', from: 3389, to: 3389, v6: ['::/0'] },
      { protocol: 'tcp', from: 5432, to: 5432, groups: [{ groupId: other }] },
    ]);
    const before = await ruleStrings(groupId);
    expect(before).toHaveLength(6);
    const { runner: r } = runner({ securityGroups: { [groupId]: { ingress: [{ cidr: '0.0.0.0/0', ports: 443 }] } }, rules: { 'security-group-ingress-open-to-world': enforce('revoke-security-group-ingress') } });
    const [decision] = await r.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    expect(decision?.plan?.calls[0]?.input).toMatchObject({ GroupId: groupId, SecurityGroupRuleIds: expect.any(Array) });
    expect(await ruleStrings(groupId)).toEqual([`tcp/22-22 10.0.0.0/8`, `tcp/22-22 ${pl}`, 'tcp/443-443 0.0.0.0/0', `tcp/5432-5432 ${other}`].sort());
  });

  it('an event without rule ids: revoked by value, exactly those sources', async () => {
    const groupId = await newGroup();
    const record = await authorizeInMoto('ingress', groupId, [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0', '10.0.0.0/8'] }, { protocol: '-1', v6: ['::/0'] }], false);
    const { runner: r } = runner({ rules: { 'security-group-ingress-open-to-world': enforce('revoke-security-group-ingress') } });
    const [decision] = await r.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    expect(decision?.plan?.calls[0]?.input).toMatchObject({ IpPermissions: expect.any(Array) });
    expect(await ruleStrings(groupId)).toEqual(['tcp/22-22 10.0.0.0/8']);
  });

  it('unlisted policy: a referenced group and a prefix list not allowed are revoked, the allowed reference stays', async () => {
    const groupId = await newGroup();
    const allowed = await newGroup();
    const stranger = await newGroup();
    const record = await authorizeInMoto('ingress', groupId, [{ protocol: 'tcp', from: 5432, to: 5432, groups: [{ groupId: allowed }, { groupId: stranger }] }, { protocol: 'icmp', from: 8, to: -1, v4: ['192.0.2.0/24'] }]);
    const { runner: r } = runner({
      securityGroups: { [groupId]: { ingress: [{ group: allowed, ports: 5432 }] } },
      rules: { 'security-group-changes': enforce('revoke-security-group-ingress', { forbid: 'unlisted' }) },
    });
    const [decision] = await r.handleFinding(findingFor(record, 'security-group-changes'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    expect(await ruleStrings(groupId)).toEqual([`tcp/5432-5432 ${allowed}`]);
  });

  it('a group tagged trailguard:ignore keeps its rules', async () => {
    const groupId = await newGroup();
    await ec2().send(new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: 'trailguard:ignore', Value: 'true' }] }));
    const record = await authorizeInMoto('ingress', groupId, [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    const { runner: r } = runner({ rules: { 'security-group-ingress-open-to-world': enforce('revoke-security-group-ingress') } });
    const [decision] = await r.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'tagged' });
    expect(await ruleStrings(groupId)).toEqual(['tcp/22-22 0.0.0.0/0']);
  });

  it('running the same event again: the rule is already gone, nothing else is touched', async () => {
    const groupId = await newGroup();
    const record = await authorizeInMoto('ingress', groupId, [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    const first = runner({ rules: { 'security-group-ingress-open-to-world': enforce('revoke-security-group-ingress') } });
    expect((await first.runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world')))[0]?.status).toBe('executed');
    // A second runner with its own store (no duplicate guard): the lookup finds the rule gone.
    const second = runner({ rules: { 'security-group-ingress-open-to-world': enforce('revoke-security-group-ingress') } });
    const [again] = await second.runner.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(again).toMatchObject({ status: 'skipped', reason: 'already-remediated' });
    expect(await ruleStrings(groupId)).toEqual([]);
  });

  it('ModifySecurityGroupRules widening a rule to 0.0.0.0/0: the rule is revoked by id', async () => {
    const groupId = await newGroup();
    await ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '198.51.100.0/24' }] }, { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    const ssh = (await rulesOf(groupId)).find((x) => x.FromPort === 22 && !x.IsEgress)!.SecurityGroupRuleId!;
    const rule = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' };
    await ec2().send(new ModifySecurityGroupRulesCommand({ GroupId: groupId, SecurityGroupRules: [{ SecurityGroupRuleId: ssh, SecurityGroupRule: rule }] }));
    const record = modifyRules(groupId, [{ id: ssh, rule }], alice);
    const { runner: r } = runner({ securityGroups: { default: { ingress: [{ cidr: '0.0.0.0/0', ports: 80 }] } }, rules: { 'security-group-ingress-open-to-world': enforce('revoke-security-group-ingress') } });
    const [decision] = await r.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    expect(decision?.plan?.calls[0]?.input).toEqual({ GroupId: groupId, SecurityGroupRuleIds: [ssh] });
    expect(await ruleStrings(groupId)).toEqual(['tcp/80-80 0.0.0.0/0']);
  });

  it('egress to destinations outside the group\'s egress allowlist is revoked; the default egress rule stays', async () => {
    const groupId = await newGroup();
    const before = await ruleStrings(groupId, true);
    const record = await authorizeInMoto('egress', groupId, [{ protocol: 'tcp', from: 443, to: 443, v4: ['10.0.0.0/8', '203.0.113.0/24'] }]);
    const { runner: r } = runner({ securityGroups: { [groupId]: { egress: [{ cidr: '10.0.0.0/8' }] } } });
    const decision = await r.handleRecord(record, enforce('revoke-security-group-egress'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    expect(await ruleStrings(groupId, true)).toEqual([...before, 'tcp/443-443 10.0.0.0/8'].sort());
  });

  it('loop guard in moto: trailguard\'s own authorize is never revoked', async () => {
    const groupId = await newGroup();
    const record = await authorizeInMoto('ingress', groupId, [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);
    record.userIdentity = assumedRole('trailguard-remediation', 'trailguard-remediation');
    const { runner: r } = runner({ rules: { 'security-group-ingress-open-to-world': enforce('revoke-security-group-ingress') } });
    const [decision] = await r.handleFinding(findingFor(record, 'security-group-ingress-open-to-world'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'loop-guard' });
    expect(await ruleStrings(groupId)).toEqual(['tcp/22-22 0.0.0.0/0']);
  });
});

// ------------------------------------------------------------------------------------------------
// The other services

run('security services and data protection in moto', () => {
  it('StopLogging → start-cloudtrail-logging: the trail logs again', async () => {
    const ct = new CloudTrailClient(config());
    await new S3Client(config()).send(new CreateBucketCommand({ Bucket: 'trail-logs-123456789012' }));
    await ct.send(new CreateTrailCommand({ Name: 'management-events', S3BucketName: 'trail-logs-123456789012', IsMultiRegionTrail: true }));
    await ct.send(new StartLoggingCommand({ Name: 'management-events' }));
    // moto 5.2 answers Start/StopLogging by trail ARN with an HTML error page: the name is used here (ARNs: actions.test.ts).
    await ct.send(new StopLoggingCommand({ Name: 'management-events' }));
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'management-events' }))).IsLogging).toBe(false);
    const { runner: r } = runner({ rules: { 'cloudtrail-disabled': enforce('start-cloudtrail-logging') } });
    const [decision] = await r.handleFinding(findingFor(stopLogging('management-events'), 'cloudtrail-disabled'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'management-events' }))).IsLogging).toBe(true);
  });

  it('StopConfigurationRecorder → start-config-recorder: recording again', async () => {
    const cfg = new ConfigServiceClient(config());
    await new S3Client(config()).send(new CreateBucketCommand({ Bucket: 'config-bucket-123456789012' }));
    await cfg.send(new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'default', roleARN: `arn:aws:iam::${ACCOUNT}:role/config-role` } }));
    await cfg.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: 'config-bucket-123456789012' } }));
    await cfg.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    await cfg.send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    const { runner: r } = runner({ rules: { 'config-disabled': enforce('start-config-recorder') } });
    const [decision] = await r.handleFinding(findingFor(stopConfigRecorder('default'), 'config-disabled'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    const status = await cfg.send(new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: ['default'] }));
    expect(status.ConfigurationRecordersStatus?.[0]?.recording).toBe(true);
  });

  it('DisableSecurityHub → enable-security-hub: the hub exists again', async () => {
    const sh = new SecurityHubClient(config());
    await sh.send(new EnableSecurityHubCommand({}));
    await sh.send(new DisableSecurityHubCommand({}));
    await expect(sh.send(new DescribeHubCommand({}))).rejects.toThrow();
    const { runner: r } = runner({ rules: { 'securityhub-disabled': enforce('enable-security-hub') } });
    const [decision] = await r.handleFinding(findingFor(disableSecurityHub(), 'securityhub-disabled'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    expect((await sh.send(new DescribeHubCommand({}))).HubArn).toContain(':hub/default');
  });

  it('UpdateDetector(enable=false) → enable-guardduty: the detector is enabled', async () => {
    const gd = new GuardDutyClient(config());
    const { DetectorId } = await gd.send(new CreateDetectorCommand({ Enable: true }));
    await gd.send(new UpdateDetectorCommand({ DetectorId: DetectorId!, Enable: false }));
    expect((await gd.send(new GetDetectorCommand({ DetectorId: DetectorId! }))).Status).toBe('DISABLED');
    const { runner: r } = runner({ rules: { 'guardduty-disabled': enforce('enable-guardduty') } });
    const [decision] = await r.handleFinding(findingFor(updateDetector(DetectorId!, false), 'guardduty-disabled'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    expect((await gd.send(new GetDetectorCommand({ DetectorId: DetectorId! }))).Status).toBe('ENABLED');
  });

  it('DeleteDetector → enable-guardduty: a new enabled detector; run again, nothing more is created', async () => {
    const gd = new GuardDutyClient(config());
    const { DetectorId } = await gd.send(new CreateDetectorCommand({ Enable: true }));
    await gd.send(new DeleteDetectorCommand({ DetectorId: DetectorId! }));
    const record = deleteDetector(DetectorId!);
    const { runner: r } = runner({ rules: { 'guardduty-disabled': enforce('enable-guardduty') } });
    const [decision] = await r.handleFinding(findingFor(record, 'guardduty-disabled'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    const { DetectorIds } = await gd.send(new ListDetectorsCommand({}));
    expect(DetectorIds).toHaveLength(1);
    expect((await gd.send(new GetDetectorCommand({ DetectorId: DetectorIds![0]! }))).Status).toBe('ENABLED');
    const again = runner({ rules: { 'guardduty-disabled': enforce('enable-guardduty') } });
    expect((await again.runner.handleFinding(findingFor(record, 'guardduty-disabled')))[0]).toMatchObject({ status: 'skipped', reason: 'already-remediated' });
    expect((await gd.send(new ListDetectorsCommand({}))).DetectorIds).toHaveLength(1);
  });

  it('DisableKey → re-enable-kms-key: the key is Enabled', async () => {
    const kms = new KMSClient(config());
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'data key' }));
    await kms.send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId! }));
    const { runner: r } = runner({ rules: { 'kms-cmk-disabled-or-scheduled-deletion': enforce('re-enable-kms-key') } });
    const [decision] = await r.handleFinding(findingFor(disableKey(KeyMetadata!.KeyId!), 'kms-cmk-disabled-or-scheduled-deletion'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    expect((await kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId! }))).KeyMetadata?.KeyState).toBe('Enabled');
  });

  it('ScheduleKeyDeletion → cancel-key-deletion: no longer pending deletion (Disabled by default, Enabled with enable: true)', async () => {
    const kms = new KMSClient(config());
    for (const [options, expected] of [[{}, 'Disabled'], [{ enable: true }, 'Enabled']] as const) {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'data key' }));
      const keyId = KeyMetadata!.KeyId!;
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      const { runner: r } = runner({ rules: { 'kms-cmk-disabled-or-scheduled-deletion': enforce('cancel-key-deletion', options) } });
      const [decision] = await r.handleFinding(findingFor(scheduleKeyDeletion(keyId), 'kms-cmk-disabled-or-scheduled-deletion'));
      expect(decision?.status, JSON.stringify(decision)).toBe('executed');
      expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe(expected);
    }
  });

  it('PutBucketPublicAccessBlock turning settings off → restore-s3-public-access-block: all four on', async () => {
    const s3 = new S3Client(config());
    await s3.send(new CreateBucketCommand({ Bucket: 'example-reports' }));
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'example-reports', PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false } }));
    const record = putBucketPublicAccessBlock('example-reports', { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false });
    const { runner: r } = runner({ rules: { 's3-public-access-block-removed': enforce('restore-s3-public-access-block') } });
    const [decision] = await r.handleFinding(findingFor(record, 's3-public-access-block-removed'));
    expect(decision?.status, JSON.stringify(decision)).toBe('executed');
    const { PublicAccessBlockConfiguration } = await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'example-reports' }));
    expect(PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  });

  it('containment: deactivate-access-key makes the user\'s key Inactive; attach-deny-all-policy puts the deny on the user and on a role', async () => {
    const iam = new IAMClient(config());
    await iam.send(new CreateUserCommand({ UserName: 'mallory' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'mallory' }));
    const identity = { type: 'IAMUser', principalId: 'AIDAEXAMPLEMALLORY01', arn: `arn:aws:iam::${ACCOUNT}:user/mallory`, accountId: ACCOUNT, accessKeyId: AccessKey!.AccessKeyId, userName: 'mallory' };
    const record = apiCall('cloudtrail.amazonaws.com', 'StopLogging', { name: 'management-events' }, null, { userIdentity: identity });
    const { runner: r } = runner({ rules: { 'cloudtrail-disabled': [enforce('deactivate-access-key'), enforce('attach-deny-all-policy')] } });
    const decisions = await r.handleFinding(findingFor(record, 'cloudtrail-disabled'));
    expect(decisions.map((d) => d.status), JSON.stringify(decisions)).toEqual(['executed', 'executed']);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'mallory' }));
    expect(keys.AccessKeyMetadata?.map((k) => k.Status)).toEqual(['Inactive']);
    const policy = await iam.send(new GetUserPolicyCommand({ UserName: 'mallory', PolicyName: 'trailguard-deny-all' }));
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toEqual({ Version: '2012-10-17', Statement: [{ Sid: 'TrailguardContainment', Effect: 'Deny', Action: '*', Resource: '*' }] });

    await iam.send(new CreateRoleCommand({ RoleName: 'Deploy', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    const roleEvent = apiCall('cloudtrail.amazonaws.com', 'StopLogging', { name: 'management-events' }, null, { userIdentity: assumedRole('Deploy', 'i-0abc') });
    const roleRun = runner({ rules: { 'cloudtrail-disabled': enforce('attach-deny-all-policy', { olderSessionsOnly: true }) } });
    const [roleDecision] = await roleRun.runner.handleFinding(findingFor(roleEvent, 'cloudtrail-disabled'));
    expect(roleDecision?.status, JSON.stringify(roleDecision)).toBe('executed');
    const rolePolicy = await iam.send(new GetRolePolicyCommand({ RoleName: 'Deploy', PolicyName: 'trailguard-deny-all' }));
    expect(JSON.parse(decodeURIComponent(rolePolicy.PolicyDocument!)).Statement[0].Condition.DateLessThan['aws:TokenIssueTime']).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
