/**
 * The service actions with real SDK clients mocked by aws-sdk-client-mock: the exact request for each
 * CloudTrail shape, what counts as done, and the events each action refuses.
 */
import { CloudTrailClient, ListTagsCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, StartConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import { CreateDetectorCommand, GuardDutyClient, ListDetectorsCommand, UpdateDetectorCommand } from '@aws-sdk/client-guardduty';
import { IAMClient, ListRoleTagsCommand, ListUserTagsCommand, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { CancelKeyDeletionCommand, DescribeKeyCommand, EnableKeyCommand, KMSClient, ListResourceTagsCommand } from '@aws-sdk/client-kms';
import { GetBucketTaggingCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createRemediationClients } from '../../src/remediate/clients.js';
import { ACCOUNT, REGION, alice, apiCall, assumedRole, bob, deleteAccountPublicAccessBlock, deleteBucketPublicAccessBlock, deleteDetector, disableKey, disableSecurityHub, putBucketPublicAccessBlock, scheduleKeyDeletion, stopConfigRecorder, stopLogging, updateDetector } from './support/events.js';
import { findingFor, harness, NOW } from './support/harness.js';

const mocks = {
  ct: mockClient(CloudTrailClient),
  cfg: mockClient(ConfigServiceClient),
  gd: mockClient(GuardDutyClient),
  iam: mockClient(IAMClient),
  kms: mockClient(KMSClient),
  s3: mockClient(S3Client),
  sh: mockClient(SecurityHubClient),
};
afterAll(() => Object.values(mocks).forEach((m) => m.restore()));

beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset();
  mocks.ct.on(ListTagsCommand).resolves({ ResourceTagList: [{ ResourceId: 'x', TagsList: [] }] });
  mocks.kms.on(ListResourceTagsCommand).resolves({ Tags: [] });
  mocks.s3.on(GetBucketTaggingCommand).rejects(Object.assign(new Error('The TagSet does not exist'), { name: 'NoSuchTagSet' }));
  mocks.iam.on(ListUserTagsCommand).resolves({ Tags: [] });
  mocks.iam.on(ListRoleTagsCommand).resolves({ Tags: [] });
});

const enforce = (action: string, options?: Record<string, unknown>) => ({ action, mode: 'enforce', ...(options ? { options } : {}) });
const inputs = <T>(m: { commandCalls(c: T): Array<{ args: [{ input: unknown }] }> }, c: T) => m.commandCalls(c).map((x) => x.args[0].input);

describe('start-cloudtrail-logging', () => {
  it('StopLogging by trail ARN: StartLogging with the ARN, in the trail\'s home region', async () => {
    const arn = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/management-events`;
    const { runner } = harness({ rules: { 'cloudtrail-disabled': enforce('start-cloudtrail-logging') } });
    const [decision] = await runner.handleFinding(findingFor(stopLogging(arn), 'cloudtrail-disabled'));
    expect(decision?.status).toBe('executed');
    expect(inputs(mocks.ct, StartLoggingCommand)).toEqual([{ Name: arn }]);
    expect(decision?.plan?.calls[0]?.region).toBe('eu-west-1');
    expect(await mocks.ct.commandCalls(StartLoggingCommand)[0]?.thisValue.config.region()).toBe('eu-west-1');
    expect(decision?.message).toBe(`AUTO-MITIGATED: logging restarted on trail ${arn} that was stopped by arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`);
  });

  it('DeleteTrail cannot be undone by StartLogging: not applicable', async () => {
    const { runner } = harness({ rules: { 'cloudtrail-disabled': enforce('start-cloudtrail-logging') } });
    const record = apiCall('cloudtrail.amazonaws.com', 'DeleteTrail', { name: 'management-events' }, null, { userIdentity: alice });
    const [decision] = await runner.handleFinding(findingFor(record, 'cloudtrail-disabled'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'not-applicable' });
    expect(mocks.ct.calls()).toHaveLength(0);
  });

  it('TrailNotFoundException is a failure, reported with the error', async () => {
    mocks.ct.on(StartLoggingCommand).rejects(Object.assign(new Error('Unknown trail'), { name: 'TrailNotFoundException' }));
    const { runner } = harness({ rules: { 'cloudtrail-disabled': enforce('start-cloudtrail-logging') } });
    const [decision] = await runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(decision?.status).toBe('failed');
    expect(decision?.error).toBe('StartLogging: TrailNotFoundException: Unknown trail');
    expect(decision?.message).toMatch(/^REMEDIATION FAILED: start logging on trail management-events/);
  });
});

describe('start-config-recorder / enable-security-hub', () => {
  it('StopConfigurationRecorder: StartConfigurationRecorder on the same recorder', async () => {
    const { runner } = harness({ rules: { 'config-disabled': enforce('start-config-recorder') } });
    const [decision] = await runner.handleFinding(findingFor(stopConfigRecorder('default'), 'config-disabled'));
    expect(decision?.status).toBe('executed');
    expect(inputs(mocks.cfg, StartConfigurationRecorderCommand)).toEqual([{ ConfigurationRecorderName: 'default' }]);
  });

  it('DisableSecurityHub: EnableSecurityHub without default standards unless configured; already subscribed counts as done', async () => {
    mocks.sh.on(EnableSecurityHubCommand).rejects(Object.assign(new Error('Account is already subscribed to Security Hub'), { name: 'ResourceConflictException' }));
    const { runner } = harness({ rules: { 'securityhub-disabled': enforce('enable-security-hub') } });
    const [decision] = await runner.handleFinding(findingFor(disableSecurityHub(), 'securityhub-disabled'));
    expect(decision?.status).toBe('executed');
    expect(decision?.outcomes?.[0]?.status).toBe('already-done');
    expect(inputs(mocks.sh, EnableSecurityHubCommand)).toEqual([{ EnableDefaultStandards: false }]);
    const configured = harness({ rules: { 'securityhub-disabled': enforce('enable-security-hub', { enableDefaultStandards: true, controlFindingGenerator: 'SECURITY_CONTROL' }) } });
    await configured.runner.handleFinding(findingFor(disableSecurityHub(), 'securityhub-disabled'));
    expect(inputs(mocks.sh, EnableSecurityHubCommand)[1]).toEqual({ EnableDefaultStandards: true, ControlFindingGenerator: 'SECURITY_CONTROL' });
  });
});

describe('enable-guardduty', () => {
  it('UpdateDetector(enable=false): UpdateDetector(Enable=true) on that detector', async () => {
    const { runner } = harness({ rules: { 'guardduty-disabled': enforce('enable-guardduty') } });
    const [decision] = await runner.handleFinding(findingFor(updateDetector('12abc34d567e8fa901bc2d34e56789f0', false), 'guardduty-disabled'));
    expect(decision?.status).toBe('executed');
    expect(inputs(mocks.gd, UpdateDetectorCommand)).toEqual([{ DetectorId: '12abc34d567e8fa901bc2d34e56789f0', Enable: true }]);
  });

  it('DeleteDetector: CreateDetector(Enable=true) with a ClientToken from the event id and the configured settings', async () => {
    mocks.gd.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    mocks.gd.on(CreateDetectorCommand).resolves({ DetectorId: 'new0000000000000000000000000000' });
    const record = deleteDetector('12abc34d567e8fa901bc2d34e56789f0');
    const { runner } = harness({ rules: { 'guardduty-disabled': enforce('enable-guardduty', { findingPublishingFrequency: 'FIFTEEN_MINUTES', features: [{ Name: 'S3_DATA_EVENTS', Status: 'ENABLED' }] }) } });
    const [decision] = await runner.handleFinding(findingFor(record, 'guardduty-disabled'));
    expect(decision?.status).toBe('executed');
    expect(inputs(mocks.gd, CreateDetectorCommand)).toEqual([{ Enable: true, ClientToken: `trailguard-${record.eventID}`, FindingPublishingFrequency: 'FIFTEEN_MINUTES', Features: [{ Name: 'S3_DATA_EVENTS', Status: 'ENABLED' }] }]);
  });

  it('DeleteDetector when a detector exists again: already remediated, nothing created', async () => {
    mocks.gd.on(ListDetectorsCommand).resolves({ DetectorIds: ['other000000000000000000000000000'] });
    const { runner } = harness({ rules: { 'guardduty-disabled': enforce('enable-guardduty') } });
    const [decision] = await runner.handleFinding(findingFor(deleteDetector('12abc34d567e8fa901bc2d34e56789f0'), 'guardduty-disabled'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'already-remediated' });
    expect(mocks.gd.commandCalls(CreateDetectorCommand)).toHaveLength(0);
  });
});

describe('KMS', () => {
  const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';

  it('DisableKey: EnableKey on the key', async () => {
    const { runner } = harness({ rules: { 'kms-cmk-disabled-or-scheduled-deletion': enforce('re-enable-kms-key') } });
    const [decision] = await runner.handleFinding(findingFor(disableKey(keyId), 'kms-cmk-disabled-or-scheduled-deletion'));
    expect(decision?.status).toBe('executed');
    expect(inputs(mocks.kms, EnableKeyCommand)).toEqual([{ KeyId: keyId }]);
  });

  it('ScheduleKeyDeletion: CancelKeyDeletion (key left Disabled); with enable: true also EnableKey', async () => {
    mocks.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: keyId, KeyState: 'PendingDeletion' } });
    const plain = harness({ rules: { 'kms-cmk-disabled-or-scheduled-deletion': enforce('cancel-key-deletion') } });
    const [decision] = await plain.runner.handleFinding(findingFor(scheduleKeyDeletion(keyId), 'kms-cmk-disabled-or-scheduled-deletion'));
    expect(decision?.status).toBe('executed');
    expect(inputs(mocks.kms, CancelKeyDeletionCommand)).toEqual([{ KeyId: keyId }]);
    expect(mocks.kms.commandCalls(EnableKeyCommand)).toHaveLength(0);
    expect(decision?.message).toContain('(key left Disabled)');
    const enabling = harness({ rules: { 'kms-cmk-disabled-or-scheduled-deletion': enforce('cancel-key-deletion', { enable: true }) } });
    await enabling.runner.handleFinding(findingFor(scheduleKeyDeletion(keyId), 'kms-cmk-disabled-or-scheduled-deletion'));
    expect(inputs(mocks.kms, EnableKeyCommand)).toEqual([{ KeyId: keyId }]);
  });

  it('a key no longer pending deletion needs nothing', async () => {
    mocks.kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: keyId, KeyState: 'Disabled' } });
    const { runner } = harness({ rules: { 'kms-cmk-disabled-or-scheduled-deletion': enforce('cancel-key-deletion') } });
    const [decision] = await runner.handleFinding(findingFor(scheduleKeyDeletion(keyId), 'kms-cmk-disabled-or-scheduled-deletion'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'already-remediated' });
  });

  it('a key tagged trailguard:ignore is left alone (ListResourceTags)', async () => {
    mocks.kms.on(ListResourceTagsCommand).resolves({ Tags: [{ TagKey: 'trailguard:ignore', TagValue: 'retiring' }] });
    const { runner } = harness({ rules: { 'kms-cmk-disabled-or-scheduled-deletion': enforce('re-enable-kms-key') } });
    const [decision] = await runner.handleFinding(findingFor(disableKey(keyId), 'kms-cmk-disabled-or-scheduled-deletion'));
    expect(decision).toMatchObject({ status: 'skipped', reason: 'tagged' });
    expect(mocks.kms.commandCalls(EnableKeyCommand)).toHaveLength(0);
  });
});

describe('restore-s3-public-access-block', () => {
  const full = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

  it('PutBucketPublicAccessBlock with settings off: all four back on, only for the bucket of this account', async () => {
    const { runner } = harness({ rules: { 's3-public-access-block-removed': enforce('restore-s3-public-access-block') } });
    const [decision] = await runner.handleFinding(findingFor(putBucketPublicAccessBlock('example-reports', { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: 'false', RestrictPublicBuckets: true }), 's3-public-access-block-removed'));
    expect(decision?.status).toBe('executed');
    expect(inputs(mocks.s3, PutPublicAccessBlockCommand)).toEqual([{ Bucket: 'example-reports', ExpectedBucketOwner: ACCOUNT, PublicAccessBlockConfiguration: full }]);
    expect(decision?.message).toContain('(BlockPublicAcls, BlockPublicPolicy) turned back on for bucket example-reports');
  });

  it('DeleteBucketPublicAccessBlock: the full block', async () => {
    const { runner } = harness({ rules: { 's3-public-access-block-removed': enforce('restore-s3-public-access-block') } });
    await runner.handleFinding(findingFor(deleteBucketPublicAccessBlock('example-reports'), 's3-public-access-block-removed'));
    expect(inputs(mocks.s3, PutPublicAccessBlockCommand)).toEqual([{ Bucket: 'example-reports', ExpectedBucketOwner: ACCOUNT, PublicAccessBlockConfiguration: full }]);
  });

  it('account level: s3control PutPublicAccessBlock { AccountId } (the client package is loaded when present)', async () => {
    const sent: Array<{ command: string; input: unknown; region: unknown }> = [];
    class PutPublicAccessBlockCommand {
      constructor(readonly input: unknown) {}
    }
    class S3ControlClient {
      constructor(readonly config: Record<string, unknown>) {}
      async send(command: PutPublicAccessBlockCommand) {
        sent.push({ command: command.constructor.name, input: command.input, region: this.config.region });
        return {};
      }
    }
    const clients = createRemediationClients({ configFor: () => ({}), importModule: async (name) => (name === '@aws-sdk/client-s3-control' ? { S3ControlClient, PutPublicAccessBlockCommand } : {}) });
    const { runner } = harness({ rules: { 's3-public-access-block-removed': enforce('restore-s3-public-access-block') } }, { clients });
    const [decision] = await runner.handleFinding(findingFor(deleteAccountPublicAccessBlock(), 's3-public-access-block-removed'));
    expect(decision?.status).toBe('executed');
    expect(sent).toEqual([{ command: 'PutPublicAccessBlockCommand', input: { AccountId: ACCOUNT, PublicAccessBlockConfiguration: full }, region: REGION }]);
  });

  it('account level without @aws-sdk/client-s3-control installed: failed, saying which package is missing', async () => {
    const clients = createRemediationClients({ configFor: () => ({}), importModule: async () => { throw new Error('Cannot find package'); } });
    const { runner } = harness({ rules: { 's3-public-access-block-removed': enforce('restore-s3-public-access-block') } }, { clients });
    const [decision] = await runner.handleFinding(findingFor(deleteAccountPublicAccessBlock(), 's3-public-access-block-removed'));
    expect(decision?.status).toBe('failed');
    expect(decision?.error).toContain('@aws-sdk/client-s3-control is not installed');
  });
});

describe('containment (opt-in)', () => {
  const record = (identity: Record<string, unknown>) => apiCall('cloudtrail.amazonaws.com', 'StopLogging', { name: 'management-events' }, null, { userIdentity: identity });

  it('deactivate-access-key: UpdateAccessKey Inactive on the AKIA key of the IAM user', async () => {
    const { runner } = harness({ rules: { 'cloudtrail-disabled': enforce('deactivate-access-key') } });
    const [decision] = await runner.handleFinding(findingFor(record(bob), 'cloudtrail-disabled'));
    expect(decision?.status).toBe('executed');
    expect(inputs(mocks.iam, UpdateAccessKeyCommand)).toEqual([{ UserName: 'bob', AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Inactive' }]);
  });

  it('deactivate-access-key refuses role sessions and temporary keys', async () => {
    const { runner } = harness({ rules: { 'cloudtrail-disabled': enforce('deactivate-access-key') } });
    const [role] = await runner.handleFinding(findingFor(record(alice), 'cloudtrail-disabled'));
    expect(role).toMatchObject({ status: 'skipped', reason: 'not-applicable' });
    const [temp] = await runner.handleFinding(findingFor(record({ ...bob, accessKeyId: 'ASIAEXAMPLETEMP00001' }), 'cloudtrail-disabled'));
    expect(temp?.detail).toContain('temporary key');
    expect(mocks.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });

  it('attach-deny-all-policy: PutUserPolicy for a user, PutRolePolicy (sessions issued before now) for a role', async () => {
    const user = harness({ rules: { 'cloudtrail-disabled': enforce('attach-deny-all-policy') } });
    await user.runner.handleFinding(findingFor(record(bob), 'cloudtrail-disabled'));
    expect(inputs(mocks.iam, PutUserPolicyCommand)).toEqual([
      { UserName: 'bob', PolicyName: 'trailguard-deny-all', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Sid":"TrailguardContainment","Effect":"Deny","Action":"*","Resource":"*"}]}' },
    ]);
    const role = harness({ rules: { 'cloudtrail-disabled': enforce('attach-deny-all-policy', { olderSessionsOnly: true, policyName: 'incident-4711' }) } });
    await role.runner.handleFinding(findingFor(record(alice), 'cloudtrail-disabled'));
    expect(inputs(mocks.iam, PutRolePolicyCommand)).toEqual([
      {
        RoleName: 'Admin',
        PolicyName: 'incident-4711',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'TrailguardContainment', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': NOW.toISOString() } } }] }),
      },
    ]);
  });

  it('attach-deny-all-policy refuses root, service-linked and IAM Identity Center roles', async () => {
    const { runner } = harness({ rules: { 'cloudtrail-disabled': enforce('attach-deny-all-policy') } });
    const root = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };
    const slr = { ...assumedRole('AWSServiceRoleForConfig', 'AWSConfig'), sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`, userName: 'AWSServiceRoleForConfig' } } };
    const sso = assumedRole('AWSReservedSSO_AdministratorAccess_0123456789abcdef', 'dana@example.com');
    for (const identity of [root, slr, sso]) {
      const [decision] = await runner.handleFinding(findingFor(record(identity), 'cloudtrail-disabled'));
      expect(decision, JSON.stringify(identity)).toMatchObject({ status: 'skipped', reason: 'not-applicable' });
    }
    expect(mocks.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });
});
