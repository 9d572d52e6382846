/**
 * Real-shaped CloudTrail records for the remediation tests (account 123456789012 and other documented
 * example values). Security-group records follow what CloudTrail writes for the EC2 query API:
 * lowerCamelCase, lists as { items: [...] }, empty lists as {}, the created rules in
 * responseElements.securityGroupRuleSet; ModifySecurityGroupRules wraps its request.
 */
import type { CloudTrailRecord } from '../../../src/cloudtrail/types.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const SG = 'sg-0a1b2c3d4e5f60718';

export type Identity = Record<string, unknown>;

export const bob: Identity = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEUSERID001',
  arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'bob',
};

export function assumedRole(role: string, session: string, accountId = ACCOUNT): Identity {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLEID01:${session}`,
    arn: `arn:aws:sts::${accountId}:assumed-role/${role}/${session}`,
    accountId,
    accessKeyId: 'ASIAEXAMPLEKEY123456',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEROLEID01', arn: `arn:aws:iam::${accountId}:role/${role}`, accountId, userName: role },
      attributes: { creationDate: '2026-11-20T09:58:00Z', mfaAuthenticated: 'false' },
    },
  };
}

export const alice = assumedRole('Admin', 'alice');

let counter = 0;
function uuid(): string {
  counter += 1;
  return `5d1f1c7e-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}

export function apiCall(eventSource: string, eventName: string, requestParameters: unknown, responseElements: unknown = null, extra: Record<string, unknown> = {}): CloudTrailRecord {
  return {
    eventVersion: '1.10',
    userIdentity: bob,
    eventTime: '2026-11-20T10:05:00Z',
    eventSource,
    eventName,
    awsRegion: REGION,
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.17.0',
    requestParameters: requestParameters as Record<string, unknown> | null,
    responseElements: responseElements as Record<string, unknown> | null,
    requestID: uuid(),
    eventID: uuid(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...extra,
  };
}

const list = (items: unknown[]) => (items.length > 0 ? { items } : {});

export interface ItemSpec {
  protocol: string;
  from?: number;
  to?: number;
  v4?: Array<string | { cidr: string; description: string }>;
  v6?: Array<string | { cidr: string; description: string }>;
  prefixLists?: string[];
  groups?: Array<{ groupId: string; userId?: string; vpcId?: string; description?: string }>;
}

export function ipPermissionItem(spec: ItemSpec): Record<string, unknown> {
  return {
    ipProtocol: spec.protocol,
    ...(spec.from !== undefined ? { fromPort: spec.from } : {}),
    ...(spec.to !== undefined ? { toPort: spec.to } : {}),
    groups: list(spec.groups ?? []),
    ipRanges: list((spec.v4 ?? []).map((r) => (typeof r === 'string' ? { cidrIp: r } : { cidrIp: r.cidr, description: r.description }))),
    ipv6Ranges: list((spec.v6 ?? []).map((r) => (typeof r === 'string' ? { cidrIpv6: r } : { cidrIpv6: r.cidr, description: r.description }))),
    prefixListIds: list((spec.prefixLists ?? []).map((p) => ({ prefixListId: p }))),
  };
}

export interface RuleSpec {
  id: string;
  protocol: string;
  from?: number;
  to?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: string;
  referencedGroupId?: string;
  userId?: string;
  egress?: boolean;
}

function ruleSet(groupId: string, rules: RuleSpec[]) {
  return {
    items: rules.map((r) => ({
      groupOwnerId: ACCOUNT,
      groupId,
      securityGroupRuleId: r.id,
      isEgress: r.egress ?? false,
      ipProtocol: r.protocol,
      fromPort: r.from ?? -1,
      toPort: r.to ?? -1,
      ...(r.cidrIpv4 ? { cidrIpv4: r.cidrIpv4 } : {}),
      ...(r.cidrIpv6 ? { cidrIpv6: r.cidrIpv6 } : {}),
      ...(r.prefixListId ? { prefixListId: r.prefixListId } : {}),
      ...(r.referencedGroupId ? { referencedGroupInfo: { groupId: r.referencedGroupId, userId: r.userId ?? ACCOUNT } } : {}),
    })),
  };
}

/** AuthorizeSecurityGroupIngress/Egress; with `rules`, the response lists the created rules (as EC2 has since 2021). */
export function authorize(direction: 'ingress' | 'egress', items: ItemSpec[], options: { groupId?: string; rules?: RuleSpec[]; identity?: Identity; extra?: Record<string, unknown> } = {}): CloudTrailRecord {
  const groupId = options.groupId ?? SG;
  const response: Record<string, unknown> = { requestId: uuid(), _return: true };
  if (options.rules) response.securityGroupRuleSet = ruleSet(groupId, options.rules.map((r) => ({ ...r, egress: direction === 'egress' })));
  return apiCall(
    'ec2.amazonaws.com',
    direction === 'ingress' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress',
    { groupId, ipPermissions: { items: items.map(ipPermissionItem) } },
    response,
    { userIdentity: options.identity ?? bob, ...(options.extra ?? {}) },
  );
}

/** Seed 002: someone adds SSH from Anywhere-IPv4 to the web server group in the console. */
export function seed002(groupId = SG, ruleId = 'sgr-0123456789abcdef0'): CloudTrailRecord {
  return authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }], {
    groupId,
    rules: [{ id: ruleId, protocol: 'tcp', from: 22, to: 22, cidrIpv4: '0.0.0.0/0' }],
    identity: alice,
    extra: { userAgent: 'AWS Internal', sourceIPAddress: '203.0.113.10' },
  });
}

export function modifyRules(groupId: string, rules: Array<{ id: string; rule: Record<string, unknown> }>, identity: Identity = bob): CloudTrailRecord {
  const updates = rules.map((r) => ({ SecurityGroupRuleId: r.id, SecurityGroupRule: r.rule, tag: 1 }));
  return apiCall(
    'ec2.amazonaws.com',
    'ModifySecurityGroupRules',
    { ModifySecurityGroupRulesRequest: { GroupId: groupId, SecurityGroupRule: updates.length === 1 ? updates[0] : updates } },
    { ModifySecurityGroupRulesResponse: { xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/', requestId: uuid(), return: true } },
    { userIdentity: identity },
  );
}

export function stopLogging(name = 'management-events', identity: Identity = alice): CloudTrailRecord {
  return apiCall('cloudtrail.amazonaws.com', 'StopLogging', { name }, null, { userIdentity: identity });
}

export function stopConfigRecorder(name = 'default'): CloudTrailRecord {
  return apiCall('config.amazonaws.com', 'StopConfigurationRecorder', { configurationRecorderName: name }, null);
}

export function disableSecurityHub(): CloudTrailRecord {
  return apiCall('securityhub.amazonaws.com', 'DisableSecurityHub', null, null);
}

export function updateDetector(detectorId: string, enable: boolean): CloudTrailRecord {
  return apiCall('guardduty.amazonaws.com', 'UpdateDetector', { detectorId, enable }, null);
}

export function deleteDetector(detectorId: string): CloudTrailRecord {
  return apiCall('guardduty.amazonaws.com', 'DeleteDetector', { detectorId }, null);
}

export function disableKey(keyId: string): CloudTrailRecord {
  return apiCall('kms.amazonaws.com', 'DisableKey', { keyId }, null);
}

export function scheduleKeyDeletion(keyId: string, region = REGION): CloudTrailRecord {
  return apiCall(
    'kms.amazonaws.com',
    'ScheduleKeyDeletion',
    { keyId, pendingWindowInDays: 7 },
    { keyId: `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`, deletionDate: 'Nov 27, 2026, 12:00:00 AM', keyState: 'PendingDeletion', pendingWindowInDays: 7 },
    { awsRegion: region },
  );
}

export function putBucketPublicAccessBlock(bucket: string, config: Record<string, unknown>): CloudTrailRecord {
  return apiCall('s3.amazonaws.com', 'PutBucketPublicAccessBlock', { bucketName: bucket, publicAccessBlock: '', Host: `${bucket}.s3.${REGION}.amazonaws.com`, PublicAccessBlockConfiguration: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', ...config } });
}

export function deleteBucketPublicAccessBlock(bucket: string): CloudTrailRecord {
  return apiCall('s3.amazonaws.com', 'DeleteBucketPublicAccessBlock', { bucketName: bucket, publicAccessBlock: '', Host: `${bucket}.s3.${REGION}.amazonaws.com` });
}

export function deleteAccountPublicAccessBlock(): CloudTrailRecord {
  return apiCall('s3.amazonaws.com', 'DeleteAccountPublicAccessBlock', { Host: `${ACCOUNT}.s3-control.${REGION}.amazonaws.com` });
}
