import { describe, expect, it } from 'vitest';
import { compileEventPattern } from '../../../src/patterns/eventbridge/index.js';

/**
 * CloudTrail records as EventBridge delivers them: the record is "detail" of an "AWS API Call via CloudTrail"
 * envelope whose source is "aws." + the service (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events.html).
 */
function apiCallEvent(service: string, detail: Record<string, unknown>, detailType = 'AWS API Call via CloudTrail'): Record<string, unknown> {
  return {
    version: '0',
    id: '6f87d04b-9f74-4f04-a780-7acf4b0a9b38',
    'detail-type': detailType,
    source: `aws.${service}`,
    account: '123456789012',
    time: '2026-11-20T10:01:02Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

function permission(fromPort: number, toPort: number, cidrs: string[], ipv6: string[] = []): Record<string, unknown> {
  return {
    ipProtocol: 'tcp',
    fromPort,
    toPort,
    groups: {},
    ipRanges: { items: cidrs.map((cidrIp) => ({ cidrIp })) },
    ipv6Ranges: ipv6.length === 0 ? {} : { items: ipv6.map((cidrIpv6) => ({ cidrIpv6 })) },
    prefixListIds: {},
  };
}

function authorizeIngress(...permissions: Record<string, unknown>[]): Record<string, unknown> {
  return apiCallEvent('ec2', {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', userName: 'alice' },
    eventTime: '2026-11-20T10:01:02Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.17.0',
    requestParameters: { groupId: 'sg-0123456789abcdef0', ipPermissions: { items: permissions } },
    responseElements: { requestId: 'a1b2', _return: true },
    eventID: '3f2e4a8c-1b7d-4c9e-8f6a-2d5b7c9e1a34',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
  });
}

describe('CloudTrail events through EventBridge', () => {
  // SSH (22) opened to the whole internet: port range and source range must belong to the same permission item,
  // which Ruler's array consistency guarantees (aws/event-ruler README.md "JSON Array Matching").
  const sshOpenToWorld = compileEventPattern({
    source: ['aws.ec2'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ec2.amazonaws.com'],
      eventName: ['AuthorizeSecurityGroupIngress'],
      requestParameters: {
        ipPermissions: {
          items: {
            fromPort: [{ numeric: ['<=', 22] }],
            toPort: [{ numeric: ['>=', 22] }],
            $or: [{ ipRanges: { items: { cidrIp: ['0.0.0.0/0'] } } }, { ipv6Ranges: { items: { cidrIpv6: ['::/0'] } } }],
          },
        },
      },
    },
  });

  it('flags an ingress rule opening SSH to 0.0.0.0/0 or ::/0', () => {
    expect(sshOpenToWorld.matches(authorizeIngress(permission(22, 22, ['0.0.0.0/0'])))).toBe(true);
    expect(sshOpenToWorld.matches(authorizeIngress(permission(0, 65535, ['10.0.0.0/8', '0.0.0.0/0'])))).toBe(true);
    expect(sshOpenToWorld.matches(authorizeIngress(permission(443, 443, []), permission(20, 23, [], ['::/0'])))).toBe(true);
  });

  it('does not combine the port of one permission item with the range of another', () => {
    const split = authorizeIngress(permission(443, 443, ['0.0.0.0/0']), permission(22, 22, ['10.0.0.0/8']));
    expect(sshOpenToWorld.matches(split)).toBe(false);
  });

  it('ignores other ports, private ranges and other API calls', () => {
    expect(sshOpenToWorld.matches(authorizeIngress(permission(443, 443, ['0.0.0.0/0'])))).toBe(false);
    expect(sshOpenToWorld.matches(authorizeIngress(permission(22, 22, ['10.0.0.0/8'])))).toBe(false);
    const egress = authorizeIngress(permission(22, 22, ['0.0.0.0/0']));
    (egress['detail'] as Record<string, unknown>)['eventName'] = 'AuthorizeSecurityGroupEgress';
    expect(sshOpenToWorld.matches(egress)).toBe(false);
  });

  it('tells the rule index what eventName and source must be', () => {
    expect(sshOpenToWorld.valuesAt(['detail', 'eventName'])).toEqual({ exact: ['AuthorizeSecurityGroupIngress'], prefixes: [], ignoreCase: [], suffixes: [] });
    expect(sshOpenToWorld.valuesAt(['source'])).toEqual({ exact: ['aws.ec2'], prefixes: [], ignoreCase: [], suffixes: [] });
    expect(sshOpenToWorld.valuesAt(['detail', 'requestParameters', 'ipPermissions', 'items', 'fromPort'])).toBeNull();
  });

  // The seed rule rules/security-services/cloudtrail-disabled.yaml: StopLogging or DeleteTrail that succeeded.
  const trailStopped = compileEventPattern({
    source: ['aws.cloudtrail'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: ['StopLogging', 'DeleteTrail'], errorCode: [{ exists: false }] },
  });

  it('matches a successful StopLogging and not a denied one', () => {
    const stop = { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: 'management-events' }, responseElements: null };
    expect(trailStopped.matches(apiCallEvent('cloudtrail', stop))).toBe(true);
    expect(trailStopped.matches(apiCallEvent('cloudtrail', { ...stop, errorCode: 'AccessDenied' }))).toBe(false);
    expect(trailStopped.matches(apiCallEvent('cloudtrail', { ...stop, eventName: 'StartLogging' }))).toBe(false);
  });

  it('matches IAM policy changes by prefix, wildcard and source IP range', () => {
    const policyChange = compileEventPattern({
      source: ['aws.iam'],
      detail: {
        eventName: [{ prefix: 'Delete' }, { prefix: 'Put' }, { wildcard: 'Attach*Policy' }, 'CreatePolicyVersion'],
        sourceIPAddress: [{ cidr: '198.51.100.0/24' }, { cidr: '2001:db8::/32' }],
      },
    });
    const call = (eventName: string, sourceIPAddress: string): Record<string, unknown> =>
      apiCallEvent('iam', { eventSource: 'iam.amazonaws.com', eventName, sourceIPAddress });
    expect(policyChange.matches(call('AttachRolePolicy', '198.51.100.23'))).toBe(true);
    expect(policyChange.matches(call('PutUserPolicy', '2001:db8::7'))).toBe(true);
    expect(policyChange.matches(call('CreatePolicyVersion', '198.51.100.1'))).toBe(true);
    expect(policyChange.matches(call('AttachRolePolicy', '203.0.113.5'))).toBe(false);
    expect(policyChange.matches(call('AttachRolePolicy', 'iam.amazonaws.com'))).toBe(false);
    expect(policyChange.matches(call('ListPolicies', '198.51.100.23'))).toBe(false);
    expect(policyChange.valuesAt(['detail', 'eventName'])).toEqual({
      exact: ['CreatePolicyVersion'],
      prefixes: ['Delete', 'Put', 'Attach'],
      ignoreCase: [],
      suffixes: [],
    });
  });

  it('matches root console sign-in without MFA', () => {
    const rootLogin = compileEventPattern({
      'detail-type': ['AWS Console Sign In via CloudTrail'],
      detail: {
        userIdentity: { type: ['Root'], invokedBy: [{ exists: false }] },
        eventType: [{ 'anything-but': 'AwsServiceEvent' }],
        additionalEventData: { MFAUsed: [{ 'equals-ignore-case': 'no' }] },
        responseElements: { ConsoleLogin: ['Success'] },
      },
    });
    const signIn = (mfa: string, type = 'Root'): Record<string, unknown> =>
      apiCallEvent(
        'signin',
        {
          userIdentity: { type, principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root' },
          eventSource: 'signin.amazonaws.com',
          eventName: 'ConsoleLogin',
          eventType: 'AwsConsoleSignIn',
          additionalEventData: { LoginTo: 'https://console.aws.amazon.com/', MobileVersion: 'No', MFAUsed: mfa },
          responseElements: { ConsoleLogin: 'Success' },
        },
        'AWS Console Sign In via CloudTrail',
      );
    expect(rootLogin.matches(signIn('No'))).toBe(true);
    expect(rootLogin.matches(signIn('Yes'))).toBe(false);
    expect(rootLogin.matches(signIn('No', 'IAMUser'))).toBe(false);
  });
});
