import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CloudTrailRecord, EventBridgeEnvelope } from '../../../src/cloudtrail/types.js';
import type { CheckOutcome } from '../../../src/rules/types.js';
import defaultCheck, {
  ADMIN_PORTS,
  type ExposedPorts,
  analyzeWorldExposure,
  createSecurityGroupOpenToWorldCheck,
  portExposure,
  securityGroupOpenToWorld,
} from '../../../src/rules/checks/security-group-open-to-world.js';

// ------------------------------------------------------------------------------------------------
// Real-shaped records (account 123456789012 and other AWS-documented example values).

const ACCOUNT = '123456789012';
const SG = 'sg-1234567890abcdef0';

function record(eventName: string, requestParameters: unknown, responseElements: unknown, extra: Record<string, unknown> = {}): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAIDPPEZS35WEXAMPLE:Alice',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/Alice`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAIDPPEZS35WEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, accountId: ACCOUNT, userName: 'Admin' },
        attributes: { creationDate: '2024-08-01T12:00:00Z', mfaAuthenticated: 'true' },
      },
    },
    eventTime: '2024-08-01T12:23:55Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'console.ec2.amazonaws.com',
    requestParameters: requestParameters as Record<string, unknown> | null,
    responseElements: responseElements as Record<string, unknown> | null,
    requestID: '233ec260-412d-40dc-918b-e3ced0e85977',
    eventID: 'ed2b58c7-5b71-49d8-412d-66b695f0e2a7',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...extra,
  };
}

interface ItemSpec {
  protocol: string;
  from?: number;
  to?: number;
  v4?: string[];
  v6?: string[];
  pl?: string[];
  groups?: Array<Record<string, string>>;
}

function item(spec: ItemSpec): Record<string, unknown> {
  const list = <T>(values: T[] | undefined): unknown => (values && values.length > 0 ? { items: values } : {});
  const out: Record<string, unknown> = {
    ipProtocol: spec.protocol,
    groups: list(spec.groups),
    ipRanges: list(spec.v4?.map((cidrIp) => ({ cidrIp }))),
    ipv6Ranges: list(spec.v6?.map((cidrIpv6) => ({ cidrIpv6 }))),
    prefixListIds: list(spec.pl?.map((prefixListId) => ({ prefixListId }))),
  };
  if (spec.from !== undefined) out.fromPort = spec.from;
  if (spec.to !== undefined) out.toPort = spec.to;
  return out;
}

function authorize(items: ItemSpec[], extra: Record<string, unknown> = {}, eventName = 'AuthorizeSecurityGroupIngress'): CloudTrailRecord {
  const rules = items.flatMap((spec, i) =>
    [...(spec.v4 ?? []).map((c) => ({ cidrIpv4: c })), ...(spec.v6 ?? []).map((c) => ({ cidrIpv6: c }))].map((source, j) => ({
      groupOwnerId: ACCOUNT,
      groupId: SG,
      securityGroupRuleId: `sgr-${String(i).padStart(8, '0')}${String(j).padStart(9, '0')}`,
      isEgress: eventName.endsWith('Egress'),
      ipProtocol: spec.protocol,
      fromPort: spec.from ?? -1,
      toPort: spec.to ?? -1,
      ...source,
    })),
  );
  return record(
    eventName,
    { groupId: SG, ipPermissions: { items: items.map(item) } },
    extra.errorCode !== undefined ? null : { requestId: '233ec260-412d-40dc-918b-e3ced0e85977', _return: true, securityGroupRuleSet: { items: rules } },
    extra,
  );
}

function modify(rules: Array<Record<string, unknown>>, single = rules.length === 1): CloudTrailRecord {
  const entries = rules.map((rule, i) => ({ SecurityGroupRuleId: `sgr-abcdef0123456789${i}`, tag: i + 1, SecurityGroupRule: rule }));
  return record(
    'ModifySecurityGroupRules',
    { ModifySecurityGroupRulesRequest: { GroupId: SG, SecurityGroupRule: single ? entries[0] : entries } },
    { ModifySecurityGroupRulesResponse: { xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/', requestId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', return: true } },
  );
}

function envelope(detail: CloudTrailRecord): EventBridgeEnvelope {
  return {
    version: '0',
    id: '7400a4bd-d520-3e73-7dd9-beffc1e29501',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: ACCOUNT,
    time: detail.eventTime,
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

function run(rec: CloudTrailRecord): CheckOutcome {
  return securityGroupOpenToWorld.run({ record: rec, event: envelope(rec) });
}

/** Seed 002: console "Add rule → SSH → Anywhere-IPv4" on the web server security group. */
const seed002 = authorize([{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]);

// ------------------------------------------------------------------------------------------------

describe('security-group-open-to-world: the contract', () => {
  it('is a RuleCheck named security-group-open-to-world, default and named export alike', () => {
    expect(defaultCheck).toBe(securityGroupOpenToWorld);
    expect(securityGroupOpenToWorld.name).toBe('security-group-open-to-world');
    expect(securityGroupOpenToWorld.description.length).toBeGreaterThan(20);
  });
});

describe('security-group-open-to-world: matches', () => {
  it('seed 002: SSH from 0.0.0.0/0 is critical, with the facts a summary needs', () => {
    expect(run(seed002)).toEqual({
      matched: true,
      severity: 'critical',
      facts: {
        groupId: SG,
        direction: 'ingress',
        permissions: ['tcp/22 from 0.0.0.0/0'],
        ports: ['tcp/22'],
        cidrs: ['0.0.0.0/0'],
        adminPorts: ['22'],
        adminServices: ['SSH'],
        allPorts: false,
        portsUnknown: false,
        ruleIds: ['sgr-00000000000000000'],
      },
    });
  });

  it('IPv6 ::/0 alone on SSH is critical', () => {
    const out = run(authorize([{ protocol: 'tcp', from: 22, to: 22, v6: ['::/0'] }]));
    expect(out).toMatchObject({ matched: true, severity: 'critical', facts: { cidrs: ['::/0'], permissions: ['tcp/22 from ::/0'] } });
  });

  it('0.0.0.0/1 + 128.0.0.0/1 in ONE item is the whole internet', () => {
    const out = run(authorize([{ protocol: 'tcp', from: 443, to: 443, v4: ['0.0.0.0/1', '128.0.0.0/1'] }]));
    expect(out.matched).toBe(true);
    expect(out.severity).toBeUndefined();
    expect(out.facts?.cidrs).toEqual(['0.0.0.0/1', '128.0.0.0/1']);
    expect(out.facts?.permissions).toEqual(['tcp/443 from 0.0.0.0/1, 128.0.0.0/1']);
  });

  it('0.0.0.0/2 + 64.0.0.0/2 + 128.0.0.0/1 in one item is the whole internet', () => {
    expect(run(authorize([{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/1'] }]))).toMatchObject({
      matched: true,
      severity: 'critical',
    });
  });

  it('treats host bits as EC2 does: 10.1.2.3/0 is the whole internet', () => {
    expect(run(authorize([{ protocol: 'tcp', from: 3389, to: 3389, v4: ['10.1.2.3/0'] }]))).toMatchObject({
      matched: true,
      severity: 'critical',
      facts: { adminPorts: ['3389'], adminServices: ['RDP'], cidrs: ['10.1.2.3/0'] },
    });
  });

  it('protocol -1 (all traffic) is critical and reaches every port', () => {
    const out = run(authorize([{ protocol: '-1', v4: ['0.0.0.0/0'] }]));
    expect(out).toMatchObject({ matched: true, severity: 'critical', facts: { allPorts: true, ports: ['all traffic'], permissions: ['all traffic from 0.0.0.0/0'] } });
    expect(out.facts?.adminPorts).toHaveLength(ADMIN_PORTS.length);
  });

  it('tcp/0-65535 is critical (all ports)', () => {
    expect(run(authorize([{ protocol: 'tcp', from: 0, to: 65535, v4: ['0.0.0.0/0'] }]))).toMatchObject({
      matched: true,
      severity: 'critical',
      facts: { allPorts: true, ports: ['tcp/0-65535'] },
    });
  });

  it('a range that contains an admin port is critical: tcp/0-1024 contains 22', () => {
    const out = run(authorize([{ protocol: 'tcp', from: 0, to: 1024, v4: ['0.0.0.0/0'] }]));
    expect(out).toMatchObject({ matched: true, severity: 'critical', facts: { allPorts: false, adminPorts: ['22', '23', '135', '445'] } });
  });

  it('tcp/443 from 0.0.0.0/0 matches without raising the severity', () => {
    const out = run(authorize([{ protocol: 'tcp', from: 443, to: 443, v4: ['0.0.0.0/0'] }]));
    expect(out.matched).toBe(true);
    expect(out.severity).toBeUndefined();
    expect(out.facts).toMatchObject({ adminPorts: [], adminServices: [], allPorts: false, permissions: ['tcp/443 from 0.0.0.0/0'] });
  });

  it('ICMP echo from anywhere matches, not critical', () => {
    const out = run(authorize([{ protocol: 'icmp', from: 8, to: -1, v4: ['0.0.0.0/0'] }]));
    expect(out).toMatchObject({ matched: true, facts: { ports: ['icmp type 8 code any'], permissions: ['icmp type 8 code any from 0.0.0.0/0'], allPorts: false } });
    expect(out.severity).toBeUndefined();
  });

  it('the legacy top-level cidrIp form matches (the Stratus Red Team detonation shape)', () => {
    const rec = record(
      'AuthorizeSecurityGroupIngress',
      { cidrIp: '0.0.0.0/0', fromPort: 22, groupId: SG, ipPermissions: {}, ipProtocol: 'tcp', toPort: 22 },
      {
        _return: true,
        requestId: 'dc1dabbf-d7cb-4966-a3de-ac69d5cfc633',
        securityGroupRuleSet: { items: [{ cidrIpv4: '0.0.0.0/0', fromPort: 22, groupId: SG, groupOwnerId: ACCOUNT, ipProtocol: 'tcp', isEgress: false, securityGroupRuleId: 'sgr-09b3e3d2ca1edf2a2', toPort: 22 }] },
      },
    );
    expect(run(rec)).toMatchObject({ matched: true, severity: 'critical', facts: { permissions: ['tcp/22 from 0.0.0.0/0'], ruleIds: ['sgr-09b3e3d2ca1edf2a2'] } });
  });

  it('ModifySecurityGroupRules widening a rule to 0.0.0.0/0 matches, direction unknown', () => {
    const out = run(modify([{ Description: 'temp', IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' }]));
    expect(out).toMatchObject({
      matched: true,
      severity: 'critical',
      facts: { groupId: SG, direction: 'unknown', permissions: ['tcp/22 from 0.0.0.0/0'], ruleIds: ['sgr-abcdef01234567890'] },
    });
  });

  it('ModifySecurityGroupRules to all protocols from 0.0.0.0/0 (the CLI reference example) is critical', () => {
    expect(run(modify([{ Description: 'test', IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' }]))).toMatchObject({ matched: true, severity: 'critical', facts: { allPorts: true } });
  });

  it('ModifySecurityGroupRules with several rules reports only the world-open one', () => {
    const out = run(
      modify([
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIpv4: '10.0.0.0/8' },
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv6: '::/0' },
      ]),
    );
    expect(out).toMatchObject({ matched: true, facts: { permissions: ['tcp/443 from ::/0'], ruleIds: ['sgr-abcdef01234567891'] } });
    expect(out.severity).toBeUndefined();
  });

  it('counts UDP admin ports (CIS counts TCP, UDP and ALL) and protocol numbers / upper case', () => {
    expect(run(authorize([{ protocol: 'udp', from: 3389, to: 3389, v4: ['0.0.0.0/0'] }])).severity).toBe('critical');
    expect(run(authorize([{ protocol: '6', from: 22, to: 22, v4: ['0.0.0.0/0'] }])).severity).toBe('critical');
    expect(run(authorize([{ protocol: 'TCP', from: 5432, to: 5432, v4: ['0.0.0.0/0'] }])).facts?.adminServices).toEqual(['PostgreSQL']);
  });

  it('a non-port protocol from anywhere matches without severity', () => {
    const out = run(authorize([{ protocol: '50', v4: ['0.0.0.0/0'] }]));
    expect(out).toMatchObject({ matched: true, facts: { ports: ['esp (protocol 50)'], allPorts: false } });
    expect(out.severity).toBeUndefined();
  });

  it('reports every exposing item of an event, and only those', () => {
    const out = run(
      authorize([
        { protocol: 'tcp', from: 80, to: 80, v4: ['0.0.0.0/0'], v6: ['::/0'] },
        { protocol: 'tcp', from: 22, to: 22, v4: ['198.51.100.7/32'] },
        { protocol: 'tcp', from: 27017, to: 27017, v6: ['::/1', '8000::/1'] },
      ]),
    );
    expect(out).toMatchObject({
      matched: true,
      severity: 'critical',
      facts: {
        permissions: ['tcp/80 from 0.0.0.0/0, ::/0', 'tcp/27017 from ::/1, 8000::/1'],
        ports: ['tcp/80', 'tcp/27017'],
        cidrs: ['0.0.0.0/0', '::/0', '::/1', '8000::/1'],
        adminPorts: ['27017'],
        adminServices: ['MongoDB'],
      },
    });
  });

  it('still matches the well-formed world range of an item that also carries a malformed one, and says so', () => {
    const out = run(authorize([{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0', '999.0.0.0/8'] }]));
    expect(out.matched).toBe(true);
    expect(out.facts?.problems).toContainEqual(expect.stringContaining('requestParameters.ipPermissions.items[0].ipRanges.items[1].cidrIp: malformed CIDR'));
  });

  it('honours a custom admin-port list', () => {
    const check = createSecurityGroupOpenToWorldCheck({ adminPorts: [{ port: 443, service: 'HTTPS' }], adminSeverity: 'high' });
    const rec = authorize([{ protocol: 'tcp', from: 443, to: 443, v4: ['0.0.0.0/0'] }]);
    expect(check.run({ record: rec, event: envelope(rec) })).toMatchObject({ matched: true, severity: 'high', facts: { adminPorts: ['443'] } });
    const ssh = check.run({ record: seed002, event: envelope(seed002) });
    expect(ssh.matched).toBe(true);
    expect(ssh.severity).toBeUndefined();
  });
});

describe('security-group-open-to-world: items combined on a port', () => {
  const halves = (a: Partial<ItemSpec>, b: Partial<ItemSpec>): CloudTrailRecord =>
    authorize([
      { protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/1'], ...a },
      { protocol: 'tcp', from: 22, to: 22, v4: ['128.0.0.0/1'], ...b },
    ]);

  it('tcp/22 from 0.0.0.0/1 in one item + tcp/22 from 128.0.0.0/1 in another is the world on SSH: critical', () => {
    expect(run(halves({}, {}))).toEqual({
      matched: true,
      severity: 'critical',
      facts: {
        groupId: SG,
        direction: 'ingress',
        permissions: ['tcp/22 from 0.0.0.0/1 + tcp/22 from 128.0.0.0/1'],
        ports: ['tcp/22'],
        cidrs: ['0.0.0.0/1', '128.0.0.0/1'],
        adminPorts: ['22'],
        adminServices: ['SSH'],
        allPorts: false,
        portsUnknown: false,
        ruleIds: ['sgr-00000000000000000', 'sgr-00000001000000000'],
      },
    });
  });

  it('severity counts only the exposed ports: tcp/0-1024 from 0.0.0.0/1 + tcp/22 from 128.0.0.0/1 exposes tcp/22 alone', () => {
    const out = run(halves({ from: 0, to: 1024 }, {}));
    expect(out).toMatchObject({
      matched: true,
      severity: 'critical',
      facts: { permissions: ['tcp/0-1024 from 0.0.0.0/1 + tcp/22 from 128.0.0.0/1'], ports: ['tcp/22'], adminPorts: ['22'], adminServices: ['SSH'], allPorts: false },
    });
  });

  it('tcp/0-1024 from 0.0.0.0/1 + tcp/443 from 128.0.0.0/1 exposes tcp/443 only: a match, not critical (23, 135, 445 are not exposed)', () => {
    const out = run(halves({ from: 0, to: 1024 }, { from: 443, to: 443 }));
    expect(out.matched).toBe(true);
    expect(out.severity).toBeUndefined();
    expect(out.facts).toMatchObject({ ports: ['tcp/443'], adminPorts: [], adminServices: [], allPorts: false });
  });

  it('tcp/22 from 0.0.0.0/1 + tcp/80 from 128.0.0.0/1 share no port: no match', () => {
    expect(run(halves({}, { from: 80, to: 80 })).matched).toBe(false);
  });

  it('an all-traffic item from 0.0.0.0/1 + tcp/22 from 128.0.0.0/1 exposes tcp/22: critical, not all ports', () => {
    const out = run(halves({ protocol: '-1', from: undefined, to: undefined }, {}));
    expect(out).toMatchObject({
      matched: true,
      severity: 'critical',
      facts: { permissions: ['all traffic from 0.0.0.0/1 + tcp/22 from 128.0.0.0/1'], ports: ['tcp/22'], adminPorts: ['22'], allPorts: false },
    });
  });

  it('two all-traffic halves are all traffic', () => {
    const out = run(halves({ protocol: '-1', from: undefined, to: undefined }, { protocol: '-1', from: undefined, to: undefined }));
    expect(out).toMatchObject({ matched: true, severity: 'critical', facts: { ports: ['all traffic'], allPorts: true } });
    expect(out.facts?.adminPorts).toHaveLength(ADMIN_PORTS.length);
  });

  it('IPv6 split across items: tcp/3389 from ::/1 + tcp/3389 from 8000::/1', () => {
    const out = run(halves({ from: 3389, to: 3389, v4: undefined, v6: ['::/1'] }, { from: 3389, to: 3389, v4: undefined, v6: ['8000::/1'] }));
    expect(out).toMatchObject({
      matched: true,
      severity: 'critical',
      facts: { permissions: ['tcp/3389 from ::/1 + tcp/3389 from 8000::/1'], cidrs: ['::/1', '8000::/1'], adminServices: ['RDP'] },
    });
  });

  it('ICMP: type 8 split across two items matches; type 8 + type 0 does not; all types + type 8 exposes type 8', () => {
    const echo = run(halves({ protocol: 'icmp', from: 8, to: -1 }, { protocol: 'icmp', from: 8, to: -1 }));
    expect(echo).toMatchObject({ matched: true, facts: { ports: ['icmp type 8 code any'], allPorts: false, adminPorts: [] } });
    expect(echo.severity).toBeUndefined();
    expect(run(halves({ protocol: 'icmp', from: 8, to: -1 }, { protocol: 'icmp', from: 0, to: -1 })).matched).toBe(false);
    expect(run(halves({ protocol: 'icmp', from: -1, to: -1 }, { protocol: 'icmp', from: 8, to: -1 })).facts?.ports).toEqual(['icmp type 8 code any']);
    expect(run(halves({ protocol: 'icmp', from: 8, to: 0 }, { protocol: 'icmp', from: 8, to: -1 })).facts?.ports).toEqual(['icmp type 8 code 0']);
    expect(run(halves({ protocol: 'icmp', from: 8, to: 0 }, { protocol: 'icmp', from: 8, to: 3 })).matched).toBe(false);
    expect(run(halves({ protocol: '-1', from: undefined, to: undefined }, { protocol: 'icmpv6', from: 128, to: -1 })).facts?.ports).toEqual(['icmpv6 type 128 code any']);
  });

  it('never combines different protocols: tcp + udp, icmp + icmpv6', () => {
    expect(run(halves({ from: 53, to: 53 }, { protocol: 'udp', from: 53, to: 53 })).matched).toBe(false);
    expect(run(halves({ protocol: 'icmp', from: -1, to: -1 }, { protocol: 'icmpv6', from: -1, to: -1 })).matched).toBe(false);
  });

  it('a port-less protocol is one port, whatever its spelling: esp + 50', () => {
    const out = run(halves({ protocol: 'esp', from: undefined, to: undefined }, { protocol: '50', from: undefined, to: undefined }));
    expect(out).toMatchObject({ matched: true, facts: { ports: ['esp (protocol 50)'], permissions: ['protocol esp from 0.0.0.0/1 + esp (protocol 50) from 128.0.0.0/1'] } });
  });

  it('every TCP port exposed by two items is all ports, even with no admin port listed', () => {
    const check = createSecurityGroupOpenToWorldCheck({ adminPorts: [] });
    const rec = authorize([
      { protocol: 'tcp', from: 1, to: 30000, v4: ['0.0.0.0/0'] },
      { protocol: 'tcp', from: 30001, to: 65535, v4: ['0.0.0.0/0'] },
    ]);
    expect(check.run({ record: rec, event: envelope(rec) })).toMatchObject({ matched: true, severity: 'critical', facts: { allPorts: true, ports: ['tcp/1-65535'] } });
    const partial = authorize([{ protocol: 'tcp', from: 1, to: 30000, v4: ['0.0.0.0/0'] }, { protocol: 'tcp', from: 30001, to: 65535, v4: ['0.0.0.0/1'] }]);
    expect(check.run({ record: partial, event: envelope(partial) })).toMatchObject({ matched: true, facts: { allPorts: false, ports: ['tcp/1-30000'] } });
  });

  it('ModifySecurityGroupRules rewriting two rules into halves matches', () => {
    const out = run(
      modify([
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/1' },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '128.0.0.0/1' },
      ]),
    );
    expect(out).toMatchObject({ matched: true, severity: 'critical', facts: { ruleIds: ['sgr-abcdef01234567890', 'sgr-abcdef01234567891'] } });
  });

  it('an item without recorded ports combines with all-traffic items only', () => {
    const unknownPorts = (other: ItemSpec): CloudTrailRecord =>
      record('AuthorizeSecurityGroupIngress', { groupId: SG, ipPermissions: { items: [item({ protocol: 'tcp', v4: ['0.0.0.0/1'] }), item(other)] } }, { _return: true });
    expect(run(unknownPorts({ protocol: '-1', v4: ['128.0.0.0/1'] }))).toMatchObject({
      matched: true,
      facts: { ports: ['tcp (ports not given)'], portsUnknown: true, allPorts: false },
    });
    expect(run(unknownPorts({ protocol: 'tcp', from: 22, to: 22, v4: ['128.0.0.0/1'] })).matched).toBe(false);
  });

  it('names minimal combinations only, each one once, and revoking what it names closes the port', () => {
    const rec = authorize([
      { protocol: 'tcp', from: 22, to: 22, v4: ['10.0.0.0/8'] },
      { protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/1'] },
      { protocol: 'tcp', from: 0, to: 1024, v4: ['0.0.0.0/0'] },
      { protocol: 'tcp', from: 22, to: 22, v4: ['128.0.0.0/1'], v6: ['::/0'] },
    ]);
    const analysis = analyzeWorldExposure(rec);
    const paths = (e: (typeof analysis.exposures)[number]) => e.permissions.map((p) => p.path.replace('requestParameters.ipPermissions.', ''));
    expect(analysis.exposures.map((e) => ({ items: paths(e), families: e.families, cidrs: e.cidrs, exposed: e.exposed.label }))).toEqual([
      { items: ['items[1]', 'items[3]'], families: ['ipv4'], cidrs: ['0.0.0.0/1', '128.0.0.0/1'], exposed: 'tcp/22' },
      { items: ['items[2]'], families: ['ipv4'], cidrs: ['0.0.0.0/0'], exposed: 'tcp/0-1024' },
      { items: ['items[3]'], families: ['ipv6'], cidrs: ['::/0'], exposed: 'tcp/22' },
    ]);
    expect(analysis.exposures.every((e) => e.permission === e.permissions[0])).toBe(true);
    expect(analysis.exposures[0]?.ports).toEqual({ allPorts: false, adminPorts: [{ port: 22, service: 'SSH' }], unknown: false });
    expect(analysis.exposed.map((e) => e.label)).toEqual(['tcp/0-1024']);
    expect(analysis.exposed[0]).toMatchObject({ kind: 'tcp', from: 0, to: 1024 });
    // The 10.0.0.0/8 item is never needed and never named; nor is it near-world.
    expect(run(rec).facts).toMatchObject({
      permissions: ['tcp/22 from 0.0.0.0/1 + tcp/22 from 128.0.0.0/1, ::/0', 'tcp/0-1024 from 0.0.0.0/0', 'tcp/22 from 128.0.0.0/1, ::/0'],
      ports: ['tcp/0-1024'],
    });
    expect(run(rec).facts?.nearWorld).toBeUndefined();
  });

  it('every exposed port is explained by an exposure, even where other combinations already name all the items', () => {
    // tcp/0-22 is exposed by items 0+1, tcp/50-100 by item 3 alone; tcp/23-49 only by items 1+2.
    const rec = authorize([
      { protocol: 'tcp', from: 0, to: 22, v4: ['0.0.0.0/1'] },
      { protocol: 'tcp', from: 0, to: 100, v4: ['128.0.0.0/1'] },
      { protocol: 'tcp', from: 0, to: 100, v4: ['0.0.0.0/1'] },
      { protocol: 'tcp', from: 50, to: 100, v4: ['0.0.0.0/0'] },
    ]);
    const analysis = analyzeWorldExposure(rec);
    const itemNo = (p: { path: string }): number => Number(/\[(\d+)\]$/.exec(p.path)?.[1]);
    expect(analysis.exposures.map((e) => [e.permissions.map(itemNo), e.exposed.label])).toEqual([
      [[0, 1], 'tcp/0-22'],
      [[1, 2], 'tcp/0-100'],
      [[3], 'tcp/50-100'],
    ]);
    expect(run(rec).facts?.ports).toEqual(['tcp/0-100']);
  });

  it('egress items never contribute', () => {
    const out = run(
      modify([
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/1', IsEgress: true },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '128.0.0.0/1', IsEgress: false },
      ]),
    );
    expect(out.matched).toBe(false);
    expect(out.facts?.nearWorld).toEqual(['tcp/22 from 128.0.0.0/1 (50% of IPv4)']);
    expect(run(authorize([{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/1'] }, { protocol: 'tcp', from: 22, to: 22, v4: ['128.0.0.0/1'] }], {}, 'AuthorizeSecurityGroupEgress')).matched).toBe(false);
  });

  it('a failed call never matches, split or not', () => {
    expect(run(halves({}, {})).matched).toBe(true);
    const specs: ItemSpec[] = [
      { protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/1'] },
      { protocol: 'tcp', from: 22, to: 22, v4: ['128.0.0.0/1'] },
    ];
    expect(run(authorize(specs, { errorCode: 'Client.UnauthorizedOperation', errorMessage: 'denied' })).matched).toBe(false);
    const returnedFalse = record('AuthorizeSecurityGroupIngress', { groupId: SG, ipPermissions: { items: specs.map(item) } }, { _return: false });
    expect(run(returnedFalse).matched).toBe(false);
    expect(analyzeWorldExposure(returnedFalse)).toMatchObject({ eligible: false, exposures: [], exposed: [] });
  });
});

describe('security-group-open-to-world: does not match', () => {
  it('ranges split across two items with different ports', () => {
    const out = run(
      authorize([
        { protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/1'] },
        { protocol: 'tcp', from: 443, to: 443, v4: ['128.0.0.0/1'] },
      ]),
    );
    expect(out.matched).toBe(false);
    expect(out.severity).toBeUndefined();
    expect(out.facts?.nearWorld).toEqual(['tcp/22 from 0.0.0.0/1 (50% of IPv4)', 'tcp/443 from 128.0.0.0/1 (50% of IPv4)']);
  });

  it('IPv4 and IPv6 halves are not combined with each other', () => {
    expect(run(authorize([{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/1'], v6: ['8000::/1'] }])).matched).toBe(false);
  });

  it('a prefix list only', () => {
    expect(run(authorize([{ protocol: 'tcp', from: 443, to: 443, pl: ['pl-12345678'] }])).matched).toBe(false);
  });

  it('a security group reference only', () => {
    expect(run(authorize([{ protocol: 'tcp', from: 5432, to: 5432, groups: [{ groupId: 'sg-0abc', userId: ACCOUNT }] }])).matched).toBe(false);
  });

  it('a private range, or almost the whole internet', () => {
    expect(run(authorize([{ protocol: 'tcp', from: 22, to: 22, v4: ['10.0.0.0/8'] }])).matched).toBe(false);
    expect(run(authorize([{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/3', '224.0.0.0/4'] }])).matched).toBe(false);
  });

  it('ModifySecurityGroupRules to 10.0.0.0/8', () => {
    expect(run(modify([{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '10.0.0.0/8' }])).matched).toBe(false);
  });

  it.each(['Client.UnauthorizedOperation', 'Client.DryRunOperation', 'Client.InvalidPermission.Duplicate'])('a failed call (errorCode %s)', (errorCode) => {
    const rec = authorize([{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }], { errorCode, errorMessage: 'failed' });
    expect(run(rec).matched).toBe(false);
  });

  it('a call whose response says return: false', () => {
    const rec = record('AuthorizeSecurityGroupIngress', { groupId: SG, ipPermissions: { items: [item({ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] })] } }, { _return: false });
    expect(run(rec).matched).toBe(false);
    const failedModify = record(
      'ModifySecurityGroupRules',
      { ModifySecurityGroupRulesRequest: { GroupId: SG, SecurityGroupRule: { SecurityGroupRuleId: 'sgr-1', SecurityGroupRule: { IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' } } } },
      { ModifySecurityGroupRulesResponse: { return: false } },
    );
    expect(run(failedModify).matched).toBe(false);
  });

  it('egress, and revocations', () => {
    expect(run(authorize([{ protocol: '-1', v4: ['0.0.0.0/0'] }], {}, 'AuthorizeSecurityGroupEgress')).matched).toBe(false);
    expect(run(authorize([{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }], {}, 'RevokeSecurityGroupIngress')).matched).toBe(false);
    expect(run(modify([{ IpProtocol: '-1', CidrIpv4: '0.0.0.0/0', IsEgress: true }])).matched).toBe(false);
  });

  it('an event of another service with the same name', () => {
    expect(run({ ...seed002, eventSource: 'example.amazonaws.com' }).matched).toBe(false);
  });

  it('CreateSecurityGroup', () => {
    expect(run(record('CreateSecurityGroup', { groupName: 'my-sg', groupDescription: 'My security group', vpcId: 'vpc-1a2b3c4d' }, { _return: true, groupId: SG })).matched).toBe(false);
  });

  it.each<[string, unknown, unknown]>([
    ['null requestParameters', null, null],
    ['string ipPermissions', { groupId: SG, ipPermissions: '0.0.0.0/0' }, null],
    ['items of junk', { groupId: SG, ipPermissions: { items: [null, 1, 'x', [], { ipRanges: 'nope' }] } }, { securityGroupRuleSet: 'x' }],
    ['malformed CIDR only', { groupId: SG, ipPermissions: { items: [item({ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/33'] })] } }, null],
    ['wrong-typed ports and cidr', { groupId: SG, ipPermissions: { items: [{ ipProtocol: {}, fromPort: [], toPort: {}, ipRanges: { items: [{ cidrIp: 0 }] } }] } }, null],
    ['modify with junk', { ModifySecurityGroupRulesRequest: { GroupId: 5, SecurityGroupRule: [null, 'x', { SecurityGroupRule: 'y' }] } }, { ModifySecurityGroupRulesResponse: 'x' }],
  ])('malformed shapes do not throw (%s)', (_name, params, response) => {
    const name = (params as { ModifySecurityGroupRulesRequest?: unknown } | null)?.ModifySecurityGroupRulesRequest ? 'ModifySecurityGroupRules' : 'AuthorizeSecurityGroupIngress';
    const out = run(record(name, params, response));
    expect(out.matched).toBe(false);
    expect((out.facts?.problems as string[] | undefined)?.length ?? 0).toBeGreaterThan(0);
  });

  it('records that are not records do not throw', () => {
    for (const junk of [null, undefined, 1, 'x', [], {}]) {
      expect(securityGroupOpenToWorld.run({ record: junk as unknown as CloudTrailRecord, event: junk as unknown as EventBridgeEnvelope }).matched).toBe(false);
    }
  });
});

describe('portExposure', () => {
  const p = (protocol: string | undefined, fromPort?: number, toPort?: number) => ({
    protocol,
    fromPort,
    toPort,
    ipv4Ranges: [],
    ipv6Ranges: [],
    prefixListIds: [],
    groups: [],
    securityGroupRuleIds: [],
    direction: 'ingress' as const,
    origin: 'ipPermissions' as const,
    path: 'test',
  });
  it('reads port ranges, -1, reversed and missing ports', () => {
    expect(portExposure(p('tcp', 1, 65535)).allPorts).toBe(true);
    expect(portExposure(p('tcp', 2, 65535)).allPorts).toBe(false);
    expect(portExposure(p('tcp', -1, -1)).allPorts).toBe(true);
    expect(portExposure(p('tcp', 3390, 3388)).adminPorts.map((a) => a.port)).toEqual([3389]);
    expect(portExposure(p('tcp', 21, 21)).adminPorts).toEqual([]);
    expect(portExposure(p('tcp')).unknown).toBe(true);
    expect(portExposure(p(undefined)).unknown).toBe(true);
    expect(portExposure(p('icmp', -1, -1))).toEqual({ allPorts: false, adminPorts: [], unknown: false });
  });
});

// ------------------------------------------------------------------------------------------------
// Property: random permission sets never throw, and the outcome agrees with a brute-force reference
// that enumerates keys (protocol + port / ICMP type+code) over a small universe and addresses as /4 blocks.

/** Port (and ICMP type/code) values the generator draws from; -1 is "all". */
const PORT_VALUES = [-1, 0, 1, 8, 21, 22, 23, 443, 3389, 65534, 65535];
/**
 * TCP/UDP ports the reference enumerates: every value, its successor, and every admin port. Item
 * bounds come from PORT_VALUES, so every stretch of ports on which the items' coverage is constant
 * starts at one of these (0, a fromPort, or a toPort + 1): enumerating them is exhaustive.
 */
const REF_PORTS = [...new Set([0, ...PORT_VALUES.flatMap((v) => [v, v + 1]), ...ADMIN_PORTS.map((a) => a.port)])].filter((p) => p >= 0 && p <= 65535).sort((a, b) => a - b);
/** ICMP types and codes the reference enumerates: the values, plus 200, which no item names. */
const REF_ICMP = [...PORT_VALUES.filter((v) => v >= 0), 200];

type RefKey = { proto: 'tcp' | 'udp'; port: number } | { proto: 'icmp' | 'icmpv6'; type: number; code: number } | { proto: '50' | '99' };

const REF_KEYS: RefKey[] = [
  ...(['tcp', 'udp'] as const).flatMap((proto) => REF_PORTS.map((port) => ({ proto, port }))),
  ...(['icmp', 'icmpv6'] as const).flatMap((proto) => REF_ICMP.flatMap((type) => REF_ICMP.map((code) => ({ proto, type, code })))),
  { proto: '50' },
  // No item ever names protocol 99: only all-traffic items reach it.
  { proto: '99' },
];

const PROTOCOLS = ['tcp', 'udp', 'icmp', '-1', '6', '17', '50', 'esp', 'icmpv6'];

interface RefItem {
  protocol: string;
  from: number;
  to: number;
  v4: Array<{ octets: [number, number, number, number]; prefix: number }>;
  v6: Array<{ hextets: number[]; prefix: number }>;
}

/** Whether an item's protocol and ports include a key, straight from the EC2 rules. */
function refApplies(it: RefItem, key: RefKey): boolean {
  const protocol = { '6': 'tcp', '17': 'udp', esp: '50' }[it.protocol] ?? it.protocol;
  if (protocol === '-1') return true;
  if (protocol !== key.proto) return false;
  if (key.proto === 'tcp' || key.proto === 'udp') {
    const [lo, hi] = it.from === -1 || it.to === -1 ? [0, 65535] : [Math.min(it.from, it.to), Math.max(it.from, it.to)];
    return key.port >= lo && key.port <= hi;
  }
  if (key.proto === 'icmp' || key.proto === 'icmpv6') return it.from === -1 || (it.from === key.type && (it.to === -1 || it.to === key.code));
  return true;
}

/** Brute force: a range of prefix p <= 4 covers the /4 blocks sharing its first p bits; whole = all 16. */
function bruteWhole(ranges: Array<{ top: number; prefix: number }>): boolean {
  const blocks = new Set<number>();
  for (const { top, prefix } of ranges) {
    for (let block = 0; block < 16; block++) if (block >> (4 - prefix) === top >> (4 - prefix)) blocks.add(block);
  }
  return blocks.size === 16;
}

type Family = 'ipv4' | 'ipv6';
const refRanges = (it: RefItem, family: Family) =>
  family === 'ipv4' ? it.v4.map((r) => ({ top: r.octets[0] >> 4, prefix: r.prefix })) : it.v6.map((r) => ({ top: (r.hextets[0] ?? 0) >> 12, prefix: r.prefix }));
const refCovers = (items: RefItem[], family: Family): boolean => bruteWhole(items.flatMap((it) => refRanges(it, family)));

/** The keys the items expose: the union of the ranges of every item that includes the key is all of IPv4 or IPv6. */
function refExposed(items: RefItem[]): RefKey[] {
  return REF_KEYS.filter((key) => {
    const applying = items.filter((it) => refApplies(it, key));
    return refCovers(applying, 'ipv4') || refCovers(applying, 'ipv6');
  });
}

/** What the check must conclude from the exposed keys. */
function refJudgement(exposed: RefKey[]): { critical: boolean; allPorts: boolean; adminPorts: string[] } {
  const ports = (proto: 'tcp' | 'udp') => new Set(exposed.flatMap((k) => (k.proto === proto ? [k.port] : [])));
  const tcp = ports('tcp');
  const udp = ports('udp');
  const every = (set: Set<number>) => REF_PORTS.every((p) => p === 0 || set.has(p));
  const allPorts = every(tcp) || every(udp);
  const adminPorts = [...new Set(ADMIN_PORTS.filter((a) => tcp.has(a.port) || udp.has(a.port)).map((a) => a.port))].sort((a, b) => a - b).map(String);
  return { critical: allPorts || adminPorts.length > 0, allPorts, adminPorts };
}

/** Whether the analysis' `exposed` list includes a key. */
function listed(exposed: ExposedPorts[], key: RefKey): boolean {
  return exposed.some((e) => {
    if (e.kind === 'all') return true;
    if ((e.kind === 'tcp' || e.kind === 'udp') && e.kind === key.proto) return key.port >= e.from && key.port <= e.to;
    if ((e.kind === 'icmp' || e.kind === 'icmpv6') && e.kind === key.proto) {
      const at = (t: number, c: number) => t * 65536 + c;
      const k = at(key.type, key.code);
      return k >= at(e.from.type, e.from.code) && k <= at(e.to.type, e.to.code);
    }
    return e.kind === 'other' && e.protocol === key.proto;
  });
}

// A /0 makes an item world-open by itself; keep it rare so that most exposures need several items.
const arbPrefix = fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 12 });
const arbV4 = fc.record({ octets: fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), prefix: arbPrefix });
const arbV6 = fc.record({ hextets: fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }), prefix: arbPrefix });
const arbItem: fc.Arbitrary<RefItem> = fc.record({
  protocol: fc.constantFrom(...PROTOCOLS),
  from: fc.constantFrom(...PORT_VALUES),
  to: fc.constantFrom(...PORT_VALUES),
  v4: fc.array(arbV4, { maxLength: 3 }),
  v6: fc.array(arbV6, { maxLength: 3 }),
});

function specsOf(items: RefItem[]): ItemSpec[] {
  return items.map((it) => ({
    protocol: it.protocol,
    from: it.from,
    to: it.to,
    v4: it.v4.map((r) => `${r.octets.join('.')}/${r.prefix}`),
    v6: it.v6.map((r) => `${r.hextets.map((h) => h.toString(16)).join(':')}/${r.prefix}`),
  }));
}

describe('security-group-open-to-world: properties', () => {
  it('matched, severity, admin ports, all ports and the exposed ports agree with a brute-force reference; exposures are minimal and revoking them closes everything', () => {
    let matchedRuns = 0;
    let unmatchedRuns = 0;
    let combinedExposures = 0;
    fc.assert(
      fc.property(fc.array(arbItem, { minLength: 1, maxLength: 5 }), (items) => {
        const specs = specsOf(items);
        const rec = authorize(specs);
        const out = run(rec);
        const analysis = analyzeWorldExposure(rec);
        const exposed = refExposed(items);
        const judgement = refJudgement(exposed);
        expect(out.matched).toBe(exposed.length > 0);
        expect(out.severity === 'critical').toBe(judgement.critical);
        expect(REF_KEYS.filter((key) => listed(analysis.exposed, key))).toEqual(exposed);
        if (out.matched) {
          matchedRuns++;
          expect(out.facts?.adminPorts).toEqual(judgement.adminPorts);
          expect(out.facts?.allPorts).toBe(judgement.allPorts);
          expect(out.facts?.permissions).toHaveLength(analysis.exposures.length);
          expect(out.facts?.ports).toEqual(analysis.exposed.map((e) => e.label));
        } else unmatchedRuns++;
        const named = new Set<number>();
        for (const exposure of analysis.exposures) {
          const members = exposure.permissions.map((p) => analysis.change.permissions.indexOf(p));
          const refMembers = members.map((i) => items[i] as RefItem);
          members.forEach((i) => named.add(i));
          if (members.length > 1) combinedExposures++;
          expect(exposure.permission).toBe(exposure.permissions[0]);
          expect(exposure.families.length).toBeGreaterThan(0);
          // All members include at least one common key, and every key of `exposed` is one.
          expect(REF_KEYS.some((key) => refMembers.every((it) => refApplies(it, key)))).toBe(true);
          expect(REF_KEYS.filter((key) => listed([exposure.exposed], key) && !refMembers.every((it) => refApplies(it, key)))).toEqual([]);
          for (const family of exposure.families) {
            // Together they cover the family, and none of them can be left out.
            expect(refCovers(refMembers, family)).toBe(true);
            for (let k = 0; k < refMembers.length; k++) expect(refCovers(refMembers.filter((_, j) => j !== k), family)).toBe(false);
          }
        }
        // Revoking every named item leaves nothing open.
        expect(refExposed(items.filter((_, i) => !named.has(i)))).toEqual([]);
        // The same permissions never match as egress, nor when the call failed.
        expect(run(authorize(specs, {}, 'AuthorizeSecurityGroupEgress')).matched).toBe(false);
        expect(run(authorize(specs, { errorCode: 'Client.UnauthorizedOperation' })).matched).toBe(false);
      }),
      { numRuns: 500 },
    );
    // The generator must exercise both outcomes and multi-item combinations, or the property proves little.
    expect(matchedRuns).toBeGreaterThan(25);
    expect(unmatchedRuns).toBeGreaterThan(25);
    expect(combinedExposures).toBeGreaterThan(10);
  });

  it('analyzeWorldExposure agrees with run() and never throws on arbitrary JSON', () => {
    const json = fc.jsonValue({ maxDepth: 5 });
    fc.assert(
      fc.property(
        fc.constantFrom('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules', 'AuthorizeSecurityGroupEgress'),
        fc.oneof(json, fc.record({ groupId: json, ipPermissions: fc.oneof(json, fc.record({ items: fc.array(json) })) }, { requiredKeys: [] })),
        json,
        (eventName, params, response) => {
          const rec = record(eventName, params, response);
          const out = run(rec);
          expect(typeof out.matched).toBe('boolean');
          expect(out.matched).toBe(analyzeWorldExposure(rec).exposures.length > 0);
        },
      ),
      { numRuns: 400 },
    );
  });
});
