import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CloudTrailRecord } from '../../src/cloudtrail/types.js';
import {
  canonicalProtocol,
  extractSecurityGroupChanges,
  formatPermission,
  formatPermissions,
  permissionPorts,
  protocolKind,
  type SecurityGroupPermission,
} from '../../src/cloudtrail/security-group-permissions.js';
import { coverageOf, parseCidr, wholeSpaceCovers, type ParsedCidr } from '../../src/cloudtrail/cidr-coverage.js';

// ------------------------------------------------------------------------------------------------
// Real-shaped records (AWS documented example values: account 123456789012, sg-1234567890abcdef0,
// sgr-abcdef01234567890, TEST-NET addresses).

const ACCOUNT = '123456789012';
const SG = 'sg-1234567890abcdef0';

function record(eventName: string, requestParameters: unknown, responseElements: unknown, extra: Record<string, unknown> = {}): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDACKCEVSQ6C2EXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'Alice',
    },
    eventTime: '2024-08-01T12:23:55Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'console.ec2.amazonaws.com',
    requestParameters: requestParameters as Record<string, unknown> | null,
    responseElements: responseElements as Record<string, unknown> | null,
    requestID: 'dc1dabbf-d7cb-4966-a3de-ac69d5cfc633',
    eventID: '9fd68588-ecbf-4528-a345-199fa6bb0821',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...extra,
  };
}

interface ItemSpec {
  protocol?: string | number;
  from?: number;
  to?: number;
  v4?: Array<string | { cidrIp: string; description?: string }>;
  v6?: Array<string | { cidrIpv6: string; description?: string }>;
  pl?: Array<{ prefixListId: string; description?: string }>;
  groups?: Array<Record<string, string>>;
}

/** One ipPermissions item as the console records it: every list present, empty ones as `{}`. */
function item(spec: ItemSpec): Record<string, unknown> {
  const list = <T>(values: T[] | undefined): unknown => (values && values.length > 0 ? { items: values } : {});
  const out: Record<string, unknown> = {
    ipProtocol: spec.protocol,
    groups: list(spec.groups),
    ipRanges: list(spec.v4?.map((v) => (typeof v === 'string' ? { cidrIp: v } : v))),
    ipv6Ranges: list(spec.v6?.map((v) => (typeof v === 'string' ? { cidrIpv6: v } : v))),
    prefixListIds: list(spec.pl),
  };
  if (spec.from !== undefined) out.fromPort = spec.from;
  if (spec.to !== undefined) out.toPort = spec.to;
  return out;
}

/** Seed 002: "Edit inbound rules → Add rule → SSH, Anywhere-IPv4 → Save rules" on the web server group. */
const seed002Ssh = record(
  'AuthorizeSecurityGroupIngress',
  { groupId: SG, ipPermissions: { items: [item({ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] })] } },
  {
    requestId: 'dc1dabbf-d7cb-4966-a3de-ac69d5cfc633',
    _return: true,
    securityGroupRuleSet: {
      items: [
        {
          groupOwnerId: ACCOUNT,
          groupId: SG,
          securityGroupRuleId: 'sgr-abcdef01234567890',
          isEgress: false,
          ipProtocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          cidrIpv4: '0.0.0.0/0',
        },
      ],
    },
  },
);

function perm(partial: Partial<SecurityGroupPermission>): SecurityGroupPermission {
  return {
    ipv4Ranges: [],
    ipv6Ranges: [],
    prefixListIds: [],
    groups: [],
    securityGroupRuleIds: [],
    direction: 'ingress',
    origin: 'ipPermissions',
    path: 'test',
    ...partial,
  };
}

// ------------------------------------------------------------------------------------------------

describe('extractSecurityGroupChanges: Authorize*', () => {
  it('reads seed 002 (SSH from anywhere via the console) exactly', () => {
    const change = extractSecurityGroupChanges(seed002Ssh);
    expect(change).toMatchObject({
      eventName: 'AuthorizeSecurityGroupIngress',
      action: 'authorize',
      direction: 'ingress',
      groupIds: [SG],
      groupNames: [],
      succeeded: true,
      problems: [],
    });
    expect(change.permissions).toEqual([
      {
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        ipv4Ranges: [{ cidr: '0.0.0.0/0' }],
        ipv6Ranges: [],
        prefixListIds: [],
        groups: [],
        securityGroupRuleIds: ['sgr-abcdef01234567890'],
        direction: 'ingress',
        origin: 'ipPermissions',
        path: 'requestParameters.ipPermissions.items[0]',
      },
    ]);
    expect(change.rules).toEqual([
      {
        securityGroupRuleId: 'sgr-abcdef01234567890',
        groupId: SG,
        groupOwnerId: ACCOUNT,
        isEgress: false,
        ipProtocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        cidrIpv4: '0.0.0.0/0',
      },
    ]);
    expect(formatPermissions(change.permissions)).toBe('tcp/22 from 0.0.0.0/0');
  });

  it('keeps every source kind of every item, with descriptions, and attaches each created rule id to its item', () => {
    const rec = record(
      'AuthorizeSecurityGroupIngress',
      {
        groupId: SG,
        ipPermissions: {
          items: [
            item({
              protocol: 'tcp',
              from: 443,
              to: 443,
              v4: [{ cidrIp: '198.51.100.0/24', description: 'office' }],
              v6: [{ cidrIpv6: '2001:db8::/32', description: 'office v6' }],
            }),
            item({ protocol: 'tcp', from: 443, to: 443, pl: [{ prefixListId: 'pl-12345678', description: 'cdn' }] }),
            item({
              protocol: 'tcp',
              from: 5432,
              to: 5432,
              groups: [
                {
                  groupId: 'sg-0abc',
                  userId: ACCOUNT,
                  vpcId: 'vpc-1a2b3c4d',
                  vpcPeeringConnectionId: 'pcx-1a2b3c4d',
                  description: 'app tier',
                },
              ],
            }),
          ],
        },
      },
      {
        _return: true,
        securityGroupRuleSet: {
          items: [
            { securityGroupRuleId: 'sgr-0000000000000000a', groupId: SG, isEgress: false, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '198.51.100.0/24' },
            { securityGroupRuleId: 'sgr-0000000000000000b', groupId: SG, isEgress: false, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '2001:db8::/32' },
            { securityGroupRuleId: 'sgr-0000000000000000c', groupId: SG, isEgress: false, ipProtocol: 'tcp', fromPort: 443, toPort: 443, prefixListId: 'pl-12345678' },
            {
              securityGroupRuleId: 'sgr-0000000000000000d',
              groupId: SG,
              isEgress: false,
              ipProtocol: 'tcp',
              fromPort: 5432,
              toPort: 5432,
              referencedGroupInfo: { groupId: 'sg-0abc', userId: ACCOUNT },
            },
          ],
        },
      },
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change.problems).toEqual([]);
    expect(change.permissions).toHaveLength(3);
    const [web, cdn, db] = change.permissions;
    expect(web?.ipv4Ranges).toEqual([{ cidr: '198.51.100.0/24', description: 'office' }]);
    expect(web?.ipv6Ranges).toEqual([{ cidr: '2001:db8::/32', description: 'office v6' }]);
    expect(web?.securityGroupRuleIds).toEqual(['sgr-0000000000000000a', 'sgr-0000000000000000b']);
    expect(cdn?.prefixListIds).toEqual([{ prefixListId: 'pl-12345678', description: 'cdn' }]);
    expect(cdn?.securityGroupRuleIds).toEqual(['sgr-0000000000000000c']);
    expect(db?.groups).toEqual([
      { groupId: 'sg-0abc', userId: ACCOUNT, vpcId: 'vpc-1a2b3c4d', vpcPeeringConnectionId: 'pcx-1a2b3c4d', description: 'app tier' },
    ]);
    expect(db?.securityGroupRuleIds).toEqual(['sgr-0000000000000000d']);
    expect(change.rules[3]?.referencedGroupInfo).toEqual({ groupId: 'sg-0abc', userId: ACCOUNT });
    expect(formatPermissions(change.permissions)).toBe(
      'tcp/443 from 198.51.100.0/24, 2001:db8::/32; tcp/443 from pl-12345678; ' +
        'tcp/5432 from sg-0abc (account 123456789012, vpc-1a2b3c4d, via pcx-1a2b3c4d)',
    );
  });

  it('reads the legacy top-level form (cidrIp/ipProtocol/fromPort/toPort with ipPermissions {})', () => {
    const rec = record(
      'AuthorizeSecurityGroupIngress',
      { cidrIp: '208.236.235.254/0', fromPort: 22, groupId: 'sg-003dc7f1f1c686164', ipPermissions: {}, ipProtocol: 'tcp', toPort: 22 },
      {
        _return: true,
        requestId: 'dc1dabbf-d7cb-4966-a3de-ac69d5cfc633',
        securityGroupRuleSet: {
          items: [
            {
              cidrIpv4: '208.236.235.254/0',
              fromPort: 22,
              groupId: 'sg-003dc7f1f1c686164',
              groupOwnerId: ACCOUNT,
              ipProtocol: 'tcp',
              isEgress: false,
              securityGroupRuleId: 'sgr-09b3e3d2ca1edf2a2',
              toPort: 22,
            },
          ],
        },
      },
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change.problems).toEqual([]);
    expect(change.permissions).toEqual([
      perm({
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        ipv4Ranges: [{ cidr: '208.236.235.254/0' }],
        securityGroupRuleIds: ['sgr-09b3e3d2ca1edf2a2'],
        origin: 'legacy',
        path: 'requestParameters',
      }),
    ]);
  });

  it('expands a legacy source-group grant without protocol into full TCP, UDP and ICMP, in a default VPC named group', () => {
    const rec = record(
      'AuthorizeSecurityGroupIngress',
      { groupName: 'websrv', sourceSecurityGroupName: 'default', sourceSecurityGroupOwnerId: ACCOUNT },
      { _return: true },
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change.problems).toEqual([]);
    expect(change.groupIds).toEqual([]);
    expect(change.groupNames).toEqual(['websrv']);
    expect(change.permissions.map((p) => formatPermission(p))).toEqual([
      'tcp/0-65535 from group "default" (account 123456789012)',
      'udp/0-65535 from group "default" (account 123456789012)',
      'icmp all types from group "default" (account 123456789012)',
    ]);
  });

  it('reads egress grants with their direction, rendered "to"', () => {
    const rec = record(
      'AuthorizeSecurityGroupEgress',
      { groupId: SG, ipPermissions: { items: [item({ protocol: '-1', v4: ['0.0.0.0/0'] })] } },
      { _return: true, securityGroupRuleSet: { items: [{ securityGroupRuleId: 'sgr-1', groupId: SG, isEgress: true, ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' }] } },
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change.direction).toBe('egress');
    expect(change.permissions[0]?.direction).toBe('egress');
    expect(change.permissions[0]?.securityGroupRuleIds).toEqual(['sgr-1']);
    expect(formatPermissions(change.permissions)).toBe('all traffic to 0.0.0.0/0');
    expect(change.problems).toEqual([]);
  });

  it('does not attach a response rule to an item whose ports differ', () => {
    const rec = record(
      'AuthorizeSecurityGroupIngress',
      { groupId: SG, ipPermissions: { items: [item({ protocol: 'tcp', from: 80, to: 80, v4: ['0.0.0.0/0'] })] } },
      { _return: true, securityGroupRuleSet: { items: [{ securityGroupRuleId: 'sgr-x', ipProtocol: 'tcp', fromPort: 81, toPort: 81, cidrIpv4: '0.0.0.0/0' }] } },
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change.permissions[0]?.securityGroupRuleIds).toEqual([]);
    expect(change.rules).toHaveLength(1);
  });
});

describe('extractSecurityGroupChanges: Revoke*, ModifySecurityGroupRules, CreateSecurityGroup', () => {
  it('reads a revoke by permissions and the unknownIpPermissionSet of the response', () => {
    const rec = record(
      'RevokeSecurityGroupIngress',
      { groupId: SG, ipPermissions: { items: [item({ protocol: 'tcp', from: 22, to: 22, v4: ['203.0.113.0/24'] })] } },
      { _return: true, unknownIpPermissionSet: { items: [item({ protocol: 'tcp', from: 23, to: 23, v4: ['203.0.113.0/24'] })] } },
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change).toMatchObject({ action: 'revoke', direction: 'ingress', groupIds: [SG], problems: [] });
    expect(formatPermissions(change.permissions)).toBe('tcp/22 from 203.0.113.0/24');
    expect(formatPermissions(change.unknownPermissions)).toBe('tcp/23 from 203.0.113.0/24');
    expect(change.unknownPermissions[0]?.origin).toBe('unknownIpPermissionSet');
  });

  it.each([
    ['items of strings', { SecurityGroupRuleId: { items: ['sgr-abcdef01234567890', 'sgr-0000000000000000a'] } }],
    ['items of objects', { securityGroupRuleIds: { items: [{ securityGroupRuleId: 'sgr-abcdef01234567890' }, { securityGroupRuleId: 'sgr-0000000000000000a' }] } }],
    ['a bare array', { SecurityGroupRuleIds: ['sgr-abcdef01234567890', 'sgr-0000000000000000a'] }],
  ])('reads a revoke by security group rule ids (%s)', (_name, ids) => {
    const change = extractSecurityGroupChanges(record('RevokeSecurityGroupEgress', { groupId: SG, ipPermissions: {}, ...ids }, { _return: true }));
    expect(change.revokedRuleIds).toEqual(['sgr-abcdef01234567890', 'sgr-0000000000000000a']);
    expect(change.direction).toBe('egress');
    expect(change.permissions).toEqual([]);
    expect(change.problems).toEqual([]);
  });

  it('reads ModifySecurityGroupRules as CloudTrail wraps it (one rule, with tag), direction unknown', () => {
    const rec = record(
      'ModifySecurityGroupRules',
      {
        ModifySecurityGroupRulesRequest: {
          GroupId: SG,
          SecurityGroupRule: {
            SecurityGroupRuleId: 'sgr-abcdef01234567890',
            tag: 1,
            SecurityGroupRule: { Description: 'widened', IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' },
          },
        },
      },
      { ModifySecurityGroupRulesResponse: { xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/', requestId: 'x', return: true } },
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change).toMatchObject({ action: 'modify', direction: 'unknown', groupIds: [SG], succeeded: true, problems: [] });
    expect(change.permissions).toEqual([
      perm({
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        ipv4Ranges: [{ cidr: '0.0.0.0/0', description: 'widened' }],
        securityGroupRuleIds: ['sgr-abcdef01234567890'],
        direction: 'unknown',
        origin: 'modifySecurityGroupRule',
        path: 'requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule',
      }),
    ]);
  });

  it('reads several modified rules recorded as an array, each source kind', () => {
    const rec = record(
      'ModifySecurityGroupRules',
      {
        ModifySecurityGroupRulesRequest: {
          GroupId: SG,
          SecurityGroupRule: [
            { SecurityGroupRuleId: 'sgr-1', tag: 1, SecurityGroupRule: { IpProtocol: '-1', CidrIpv6: '::/0' } },
            { SecurityGroupRuleId: 'sgr-2', tag: 2, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, PrefixListId: 'pl-12345678' } },
            { SecurityGroupRuleId: 'sgr-3', tag: 3, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, ReferencedGroupId: 'sg-0abc' } },
          ],
        },
      },
      { ModifySecurityGroupRulesResponse: { return: true } },
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change.problems).toEqual([]);
    expect(change.permissions.map((p) => [p.securityGroupRuleIds, formatPermission(p)])).toEqual([
      [['sgr-1'], 'all traffic from ::/0'],
      [['sgr-2'], 'tcp/443 from pl-12345678'],
      [['sgr-3'], 'tcp/5432 from sg-0abc'],
    ]);
  });

  it('marks a ModifySecurityGroupRules that returned false as not succeeded', () => {
    const rec = record(
      'ModifySecurityGroupRules',
      { ModifySecurityGroupRulesRequest: { GroupId: SG, SecurityGroupRule: { SecurityGroupRuleId: 'sgr-1', SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' } } } },
      { ModifySecurityGroupRulesResponse: { return: false } },
    );
    expect(extractSecurityGroupChanges(rec).succeeded).toBe(false);
  });

  it('reads CreateSecurityGroup gracefully: names and id, no permissions, no problems', () => {
    const rec = record(
      'CreateSecurityGroup',
      { groupName: 'my-sg', groupDescription: 'My security group', vpcId: 'vpc-1a2b3c4d' },
      { _return: true, groupId: SG },
    );
    expect(extractSecurityGroupChanges(rec)).toMatchObject({
      action: 'create',
      groupIds: [SG],
      groupNames: ['my-sg'],
      permissions: [],
      problems: [],
    });
  });

  it('records a failed call as not succeeded with its errorCode, while still reading the request', () => {
    const rec = record(
      'AuthorizeSecurityGroupIngress',
      { groupId: SG, ipPermissions: { items: [item({ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] })] } },
      null,
      { errorCode: 'Client.UnauthorizedOperation', errorMessage: 'You are not authorized to perform this operation.' },
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change.succeeded).toBe(false);
    expect(change.errorCode).toBe('Client.UnauthorizedOperation');
    expect(change.permissions).toHaveLength(1);
  });

  it('names events it does not model', () => {
    const change = extractSecurityGroupChanges(record('DeleteSecurityGroup', { groupId: SG }, { _return: true }));
    expect(change.action).toBe('unsupported');
    expect(change.problems).toEqual(['eventName: "DeleteSecurityGroup" is not a security-group rule event']);
  });
});

describe('extractSecurityGroupChanges: malformed input', () => {
  it('keeps what is well-formed and names every malformed piece by path', () => {
    const rec = record(
      'AuthorizeSecurityGroupIngress',
      {
        groupId: SG,
        ipPermissions: {
          items: [
            {
              ipProtocol: 'tcp',
              fromPort: '22',
              toPort: 'twenty-two',
              ipRanges: { items: [{ cidrIp: '10.0.0.x/8' }, { cidrIp: '0.0.0.0/0' }, { cidrIp: '300.1.1.1/8' }, { cidrIp: 7 }, null] },
              ipv6Ranges: { items: [{ cidrIpv6: 'fe80::1%eth0/64' }, { cidrIpv6: '::/129' }] },
              prefixListIds: 'pl-1',
              groups: { items: [{ description: 'no id' }] },
            },
            null,
            'tcp/22',
            { ipProtocol: 'udp', fromPort: 70000, toPort: 53, ipRanges: { items: [{ cidrIp: '192.0.2.0/24' }] } },
          ],
        },
      },
      'not-an-object',
    );
    const change = extractSecurityGroupChanges(rec);
    expect(change.permissions).toHaveLength(2);
    expect(change.permissions[0]).toMatchObject({ protocol: 'tcp', fromPort: 22, ipv4Ranges: [{ cidr: '0.0.0.0/0' }], ipv6Ranges: [], prefixListIds: [], groups: [] });
    expect(change.permissions[0]?.toPort).toBeUndefined();
    expect(change.permissions[1]).toMatchObject({ protocol: 'udp', toPort: 53, ipv4Ranges: [{ cidr: '192.0.2.0/24' }] });
    expect(change.permissions[1]?.fromPort).toBeUndefined();
    const p = 'requestParameters.ipPermissions.items';
    expect(change.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${p}\\[0\\]\\.ipRanges\\.items\\[0\\]\\.cidrIp: malformed CIDR`)),
        expect.stringMatching(new RegExp(`^${p}\\[0\\]\\.ipRanges\\.items\\[2\\]\\.cidrIp: malformed CIDR`)),
        expect.stringMatching(new RegExp(`^${p}\\[0\\]\\.ipRanges\\.items\\[3\\]\\.cidrIp: malformed CIDR`)),
        expect.stringMatching(new RegExp(`^${p}\\[0\\]\\.ipRanges\\.items\\[4\\]: expected an object`)),
        expect.stringMatching(new RegExp(`^${p}\\[0\\]\\.ipv6Ranges\\.items\\[0\\]\\.cidrIpv6: malformed CIDR.*zone`)),
        expect.stringMatching(new RegExp(`^${p}\\[0\\]\\.ipv6Ranges\\.items\\[1\\]\\.cidrIpv6: malformed CIDR`)),
        expect.stringMatching(new RegExp(`^${p}\\[0\\]\\.toPort: expected an integer port`)),
        expect.stringMatching(new RegExp(`^${p}\\[0\\]\\.prefixListIds: expected a list`)),
        expect.stringMatching(new RegExp(`^${p}\\[0\\]\\.groups\\.items\\[0\\]: referenced group has neither`)),
        `${p}[1]: expected an IpPermission object, got null`,
        `${p}[2]: expected an IpPermission object, got string`,
        expect.stringMatching(new RegExp(`^${p}\\[3\\]\\.fromPort: port 70000 is out of range`)),
        'responseElements: expected an object, got string',
      ]),
    );
    expect(change.problems).toHaveLength(13);
  });

  it.each([
    ['null requestParameters', null, 'requestParameters: missing'],
    ['array requestParameters', [], 'requestParameters: expected an object, got array'],
    ['ipPermissions as a string', { groupId: SG, ipPermissions: 'tcp:22' }, 'requestParameters.ipPermissions: expected a list ({ items: [...] }), got string'],
    ['items as a number', { groupId: SG, ipPermissions: { items: 3 } }, 'requestParameters.ipPermissions.items: expected an array, got number'],
    ['no group at all', { ipPermissions: { items: [item({ protocol: 'tcp', from: 1, to: 1, v4: ['192.0.2.0/24'] })] } }, 'requestParameters: neither groupId nor groupName'],
  ])('survives %s', (_name, params, problem) => {
    const change = extractSecurityGroupChanges(record('AuthorizeSecurityGroupIngress', params, null));
    expect(change.problems).toContain(problem);
  });

  it('survives records that are not records at all', () => {
    for (const junk of [null, undefined, 42, 'x', [], { eventName: 7 }]) {
      const change = extractSecurityGroupChanges(junk as unknown as CloudTrailRecord);
      expect(change.permissions).toEqual([]);
      expect(change.problems.length).toBeGreaterThan(0);
    }
  });

  it('accepts a non-standard IPv4 notation but says how it was read', () => {
    const rec = record('AuthorizeSecurityGroupIngress', { groupId: SG, cidrIp: '0/0', ipProtocol: 'tcp', fromPort: 22, toPort: 22 }, null);
    const change = extractSecurityGroupChanges(rec);
    expect(change.permissions[0]?.ipv4Ranges).toEqual([{ cidr: '0/0' }]);
    expect(change.problems).toEqual(['requestParameters.cidrIp: non-standard IPv4 notation "0" read as 0.0.0.0']);
  });

  it('never throws and returns only well-formed items, for any JSON in any field (fuzz)', () => {
    const names = ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'ModifySecurityGroupRules', 'CreateSecurityGroup'];
    const json = fc.jsonValue({ maxDepth: 6 });
    const permissionLike = fc.record(
      {
        ipProtocol: fc.oneof(fc.constantFrom('tcp', 'udp', '-1', '6', 'icmp'), json),
        fromPort: fc.oneof(fc.integer({ min: -5, max: 70000 }), json),
        toPort: fc.oneof(fc.integer({ min: -5, max: 70000 }), json),
        ipRanges: fc.oneof(fc.record({ items: fc.array(fc.oneof(fc.record({ cidrIp: fc.oneof(fc.constantFrom('0.0.0.0/0', '10.0.0.0/8', '1.2.3.4/33'), fc.string()) }), json)) }), json),
        ipv6Ranges: json,
        prefixListIds: json,
        groups: json,
      },
      { requiredKeys: [] },
    );
    const params = fc.oneof(
      json,
      fc.record({ groupId: json, ipPermissions: fc.oneof(json, fc.record({ items: fc.array(fc.oneof(permissionLike, json)) })) }, { requiredKeys: [] }),
      fc.record({ ModifySecurityGroupRulesRequest: fc.oneof(json, fc.record({ GroupId: json, SecurityGroupRule: fc.oneof(json, fc.array(json)) })) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...names), params, json, fc.option(fc.string()), (eventName, requestParameters, responseElements, errorCode) => {
        const rec = record(eventName, requestParameters, responseElements, errorCode === null ? {} : { errorCode });
        const change = extractSecurityGroupChanges(rec);
        expect(Array.isArray(change.problems)).toBe(true);
        for (const problem of change.problems) expect(typeof problem).toBe('string');
        for (const p of [...change.permissions, ...change.unknownPermissions]) {
          for (const r of [...p.ipv4Ranges, ...p.ipv6Ranges]) expect(parseCidr(r.cidr).ok).toBe(true);
          for (const port of [p.fromPort, p.toPort]) if (port !== undefined) expect(Number.isInteger(port) && port >= -1 && port <= 65535).toBe(true);
          expect(typeof formatPermission(p)).toBe('string');
        }
        expect(change.succeeded).toBe(errorCode === null ? change.succeeded : false);
      }),
      { numRuns: 400 },
    );
  });
});

describe('formatPermission', () => {
  it.each<[string, Partial<SecurityGroupPermission>, string]>([
    ['single port', { protocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [{ cidr: '0.0.0.0/0' }] }, 'tcp/22 from 0.0.0.0/0'],
    ['port range', { protocol: 'tcp', fromPort: 1024, toPort: 2048, ipv4Ranges: [{ cidr: '10.0.0.0/8' }] }, 'tcp/1024-2048 from 10.0.0.0/8'],
    ['all traffic', { protocol: '-1', fromPort: -1, toPort: -1, ipv6Ranges: [{ cidr: '::/0' }] }, 'all traffic from ::/0'],
    ['icmp type, any code', { protocol: 'icmp', fromPort: 8, toPort: -1, ipv4Ranges: [{ cidr: '0.0.0.0/0' }] }, 'icmp type 8 code any from 0.0.0.0/0'],
    ['icmp type and code', { protocol: '1', fromPort: 3, toPort: 4, ipv4Ranges: [{ cidr: '0.0.0.0/0' }] }, 'icmp type 3 code 4 from 0.0.0.0/0'],
    ['icmpv6 all types', { protocol: 'icmpv6', fromPort: -1, toPort: -1, ipv6Ranges: [{ cidr: '::/0' }] }, 'icmpv6 all types from ::/0'],
    ['prefix list', { protocol: 'tcp', fromPort: 443, toPort: 443, prefixListIds: [{ prefixListId: 'pl-12345678' }] }, 'tcp/443 from pl-12345678'],
    ['group with account', { protocol: 'tcp', fromPort: 5432, toPort: 5432, groups: [{ groupId: 'sg-0abc', userId: ACCOUNT }] }, 'tcp/5432 from sg-0abc (account 123456789012)'],
    ['protocol number 6', { protocol: '6', fromPort: 80, toPort: 80, ipv4Ranges: [{ cidr: '192.0.2.0/24' }] }, 'tcp/80 from 192.0.2.0/24'],
    ['upper-case protocol', { protocol: 'UDP', fromPort: 53, toPort: 53, ipv4Ranges: [{ cidr: '192.0.2.0/24' }] }, 'udp/53 from 192.0.2.0/24'],
    ['protocol number 50', { protocol: '50', ipv4Ranges: [{ cidr: '192.0.2.0/24' }] }, 'esp (protocol 50) from 192.0.2.0/24'],
    ['unnamed protocol number', { protocol: '99', ipv4Ranges: [{ cidr: '192.0.2.0/24' }] }, 'protocol 99 from 192.0.2.0/24'],
    ['tcp with -1 ports', { protocol: 'tcp', fromPort: -1, toPort: -1, ipv4Ranges: [{ cidr: '192.0.2.0/24' }] }, 'tcp/all ports from 192.0.2.0/24'],
    ['no protocol, no source', {}, 'unknown protocol from (no source)'],
    ['egress', { protocol: 'tcp', fromPort: 443, toPort: 443, ipv4Ranges: [{ cidr: '0.0.0.0/0' }], direction: 'egress' }, 'tcp/443 to 0.0.0.0/0'],
  ])('%s', (_name, partial, expected) => {
    expect(formatPermission(perm(partial))).toBe(expected);
  });

  it('joins a list', () => {
    expect(
      formatPermissions([
        perm({ protocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [{ cidr: '0.0.0.0/0' }] }),
        perm({ protocol: '-1', ipv6Ranges: [{ cidr: '::/0' }] }),
      ]),
    ).toBe('tcp/22 from 0.0.0.0/0; all traffic from ::/0');
    expect(formatPermissions([])).toBe('');
  });

  it('classifies protocols', () => {
    expect(['-1', 'all', 'TCP', '6', '17', 'icmp', '1', '58', '50', '', undefined].map((p) => protocolKind(p))).toEqual([
      'all',
      'all',
      'tcp',
      'tcp',
      'udp',
      'icmp',
      'icmp',
      'icmpv6',
      'other',
      'unknown',
      'unknown',
    ]);
    expect(canonicalProtocol('TCP')).toBe(canonicalProtocol('6'));
    expect(canonicalProtocol('esp')).toBe('50');
    expect(canonicalProtocol('all')).toBe('-1');
  });

  it.each<[string, Partial<SecurityGroupPermission>, ReturnType<typeof permissionPorts>]>([
    ['all traffic', { protocol: '-1' }, { kind: 'all' }],
    ['all, spelled out', { protocol: 'ALL', fromPort: 22, toPort: 22 }, { kind: 'all' }],
    ['tcp range', { protocol: 'tcp', fromPort: 1024, toPort: 2048 }, { kind: 'tcp', from: 1024, to: 2048 }],
    ['tcp reversed', { protocol: '6', fromPort: 3390, toPort: 3388 }, { kind: 'tcp', from: 3388, to: 3390 }],
    ['tcp -1', { protocol: 'tcp', fromPort: -1, toPort: 22 }, { kind: 'tcp', from: 0, to: 65535 }],
    ['udp, one bound', { protocol: 'udp', toPort: 53 }, { kind: 'udp', from: 53, to: 53 }],
    ['tcp without ports', { protocol: 'tcp' }, { kind: 'unknown' }],
    ['icmp all', { protocol: 'icmp', fromPort: -1, toPort: -1 }, { kind: 'icmp' }],
    ['icmp type, any code', { protocol: '1', fromPort: 8, toPort: -1 }, { kind: 'icmp', type: 8 }],
    ['icmpv6 type and code', { protocol: 'icmpv6', fromPort: 128, toPort: 0 }, { kind: 'icmpv6', type: 128, code: 0 }],
    ['icmp type missing', { protocol: 'icmp', toPort: 0 }, { kind: 'icmp' }],
    ['esp by name', { protocol: 'esp' }, { kind: 'other', protocol: '50' }],
    ['esp by number, ports ignored', { protocol: '50', fromPort: 1, toPort: 2 }, { kind: 'other', protocol: '50' }],
    ['no protocol', {}, { kind: 'unknown' }],
  ])('permissionPorts: %s', (_name, partial, expected) => {
    expect(permissionPorts(perm(partial))).toEqual(expected);
  });
});

describe('cidr-coverage', () => {
  it('parses and masks CIDRs', () => {
    const p = (s: string): ParsedCidr => {
      const r = parseCidr(s);
      if (!r.ok) throw new Error(r.error);
      return r.cidr;
    };
    expect(p('10.1.2.3/0')).toMatchObject({ family: 'ipv4', network: '0.0.0.0/0', hostBitsSet: true, start: 0n, end: 0xffffffffn });
    expect(p('10.0.0.1/8')).toMatchObject({ network: '10.0.0.0/8', hostBitsSet: true, start: 0x0a000000n, end: 0x0affffffn });
    expect(p(' 192.0.2.0/24 ')).toMatchObject({ input: '192.0.2.0/24', network: '192.0.2.0/24', hostBitsSet: false });
    expect(p('2001:db8::1/32')).toMatchObject({ family: 'ipv6', network: '2001:db8::/32', hostBitsSet: true });
    expect(p('::/0')).toMatchObject({ family: 'ipv6', start: 0n, end: (1n << 128n) - 1n });
    for (const bad of ['1.2.3.4', '1.2.3.4/33', '::/129', '1.2.3.4/-1', '1.2.3.4/x', '', 'fe80::1%eth0/64', 'a.b.c.d/8', '1.2.3.4.5/8']) {
      expect(parseCidr(bad).ok, bad).toBe(false);
    }
    expect(parseCidr(undefined)).toEqual({ ok: false, error: 'expected a CIDR string, got undefined' });
  });

  it('computes the union of ranges per family', () => {
    const cidrs = (list: string[]): ParsedCidr[] => list.map((s) => parseCidr(s)).flatMap((r) => (r.ok ? [r.cidr] : []));
    expect(coverageOf(cidrs(['0.0.0.0/1', '128.0.0.0/1']), 'ipv4').whole).toBe(true);
    expect(coverageOf(cidrs(['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/1']), 'ipv4').whole).toBe(true);
    expect(coverageOf(cidrs(['0.0.0.0/1', '0.0.0.0/1']), 'ipv4')).toMatchObject({ whole: false, fraction: 0.5 });
    expect(coverageOf(cidrs(['0.0.0.0/2', '128.0.0.0/1']), 'ipv4')).toMatchObject({ whole: false, fraction: 0.75 });
    expect(coverageOf(cidrs(['::/0']), 'ipv4').whole).toBe(false);
    expect(coverageOf(cidrs(['::/1', '8000::/1']), 'ipv6').whole).toBe(true);
    expect(coverageOf(cidrs(['10.0.0.0/8', '10.0.0.0/16']), 'ipv4').covered).toBe(1n << 24n);
  });

  it('names the minimal covers of the whole space', () => {
    const groups = (lists: string[][]): ParsedCidr[][] => lists.map((list) => list.map((s) => parseCidr(s)).flatMap((r) => (r.ok ? [r.cidr] : [])));
    expect(wholeSpaceCovers(groups([['0.0.0.0/1'], ['128.0.0.0/1']]), 'ipv4')).toEqual([[0, 1]]);
    // A lone world range is a cover of its own; pieces that are left form another; a needless range is never named.
    expect(wholeSpaceCovers(groups([['10.0.0.0/8'], ['0.0.0.0/1'], ['0.0.0.0/0'], ['128.0.0.0/1']]), 'ipv4')).toEqual([[2], [1, 3]]);
    expect(wholeSpaceCovers(groups([['0.0.0.0/0'], ['10.1.2.3/0']]), 'ipv4')).toEqual([[0], [1]]);
    expect(wholeSpaceCovers(groups([['0.0.0.0/1', '128.0.0.0/2'], ['192.0.0.0/2', '::/0'], ['0.0.0.0/2']]), 'ipv4')).toEqual([[0, 1]]);
    expect(wholeSpaceCovers(groups([['0.0.0.0/1', '128.0.0.0/2'], ['192.0.0.0/2', '::/0'], ['0.0.0.0/2']]), 'ipv6')).toEqual([[1]]);
    expect(wholeSpaceCovers(groups([['0.0.0.0/1'], ['128.0.0.0/2']]), 'ipv4')).toEqual([]);
    expect(wholeSpaceCovers(groups([['::/1'], [], ['8000::/1']]), 'ipv6')).toEqual([[0, 2]]);
    expect(wholeSpaceCovers([], 'ipv4')).toEqual([]);
  });

  it('wholeSpaceCovers: covers are disjoint, whole and minimal, and what no cover names does not cover (brute force over /4 blocks)', () => {
    const arbRange = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 4 }));
    const blocksOf = (ranges: Array<[number, number]>): Set<number> => {
      const blocks = new Set<number>();
      for (const [top, prefix] of ranges) for (let b = 0; b < 16; b++) if (b >> (4 - prefix) === top >> (4 - prefix)) blocks.add(b);
      return blocks;
    };
    let withCovers = 0;
    fc.assert(
      fc.property(fc.array(fc.array(arbRange, { maxLength: 3 }), { maxLength: 6 }), (groups) => {
        const parsed = groups.map((g) => g.map(([top, prefix]) => parseCidr(`${top << 4}.0.0.0/${prefix}`)).flatMap((r) => (r.ok ? [r.cidr] : [])));
        const covers = wholeSpaceCovers(parsed, 'ipv4');
        const whole = (indices: number[]): boolean => blocksOf(indices.flatMap((i) => groups[i] ?? [])).size === 16;
        const all = groups.map((_, i) => i);
        expect(covers.length > 0).toBe(whole(all));
        if (covers.length > 0) withCovers++;
        const named = covers.flat();
        expect(new Set(named).size).toBe(named.length);
        for (const cover of covers) {
          expect(cover).toEqual([...cover].sort((a, b) => a - b));
          expect(whole(cover)).toBe(true);
          for (const left of cover) expect(whole(cover.filter((i) => i !== left))).toBe(false);
        }
        expect(whole(all.filter((i) => !named.includes(i)))).toBe(false);
      }),
      { numRuns: 500 },
    );
    expect(withCovers).toBeGreaterThan(50);
  });

  it('agrees with a brute-force count of /8 blocks for ranges of prefix 0..8', () => {
    const arbRange = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 8 }));
    fc.assert(
      fc.property(fc.array(arbRange, { maxLength: 8 }), (ranges) => {
        const parsed = ranges.map(([a, b, prefix]) => parseCidr(`${a}.${b}.0.0/${prefix}`)).flatMap((r) => (r.ok ? [r.cidr] : []));
        expect(parsed).toHaveLength(ranges.length);
        const blocks = new Set<number>();
        for (const [a, , prefix] of ranges) {
          const shift = 8 - prefix;
          for (let block = 0; block < 256; block++) if (block >> shift === a >> shift) blocks.add(block);
        }
        const coverage = coverageOf(parsed, 'ipv4');
        expect(coverage.covered).toBe(BigInt(blocks.size) << 24n);
        expect(coverage.whole).toBe(blocks.size === 256);
      }),
      { numRuns: 300 },
    );
  });
});
