/**
 * Woven-in scenarios: attacker stories, risky-but-legitimate changes, and benign near-misses, each record
 * listed in SCENARIOS.json with the rule ids it should (and, for near-misses, should not) trigger.
 *
 * Scenario records come from their own PRNG stream (seed + "/scenarios") and are placed at fixed fractions
 * of the time window, so their event ids and times do not change when only `--records` changes.
 */
import { Rng } from './prng.js';
import { javaDate } from './time.js';
import {
  type Account,
  type Actor,
  CI_ROLE,
  TRAIL_NAME,
  UA_CHROME,
  UA_FIREFOX,
  assumedRole,
  buckets,
  iamUserConsole,
  iamUserWithKey,
  kmsKeyId,
  rootConsole,
  securityGroup,
  ssoSession,
  stable,
  subnetId,
  userPrincipalId,
  vpcId,
} from './principals.js';
import { type IpPermission, type RecordSpec, bucketResource, ec2Return, ingressResponse, ipPermissionsReq, kmsKeyArn, kmsResource, makeRecord, s3Add, s3Host, s3RequestId, tagItems } from './events.js';
import { type At, ec2Read, getCallerIdentity, s3ListBuckets } from './calls.js';
import { assumeRoleWithSaml, consoleLoginWithMfa, flowLogsDelivery } from './background.js';
import type { CloudTrailRecord, ResolvedOptions, ScenarioEntry } from './types.js';

export interface WovenRecord {
  t: number;
  record: CloudTrailRecord;
  entry: ScenarioEntry;
}

/** Rule ids of the built-in catalog this data set exercises. */
export const RULES = {
  sgOpen: 'security-group-ingress-open-to-world',
  sgChanges: 'security-group-changes',
  gateways: 'network-gateway-changes',
  cgwDeleted: 'customer-gateway-deleted',
  rootLogin: 'root-console-login',
  rootUsage: 'root-account-usage',
  guardduty: 'guardduty-disabled',
  securityhub: 'securityhub-disabled',
  inspector: 'inspector-disabled',
  configDisabled: 'config-disabled',
  configChanges: 'aws-config-changes',
  trailDisabled: 'cloudtrail-disabled',
  trailChanges: 'cloudtrail-config-changes',
  macie: 'macie-disabled',
  accessAnalyzer: 'access-analyzer-deleted',
  noMfa: 'console-signin-without-mfa',
  authFailures: 'console-auth-failures',
  unauthorized: 'unauthorized-api-calls',
  iamPolicy: 'iam-policy-changes',
  kms: 'kms-cmk-disabled-or-scheduled-deletion',
  s3Policy: 's3-bucket-policy-changes',
  s3PublicAccessBlock: 's3-public-access-block-removed',
  nacl: 'nacl-changes',
  routes: 'route-table-changes',
  vpc: 'vpc-changes',
  org: 'organizations-changes',
  flowLogs: 'vpc-flow-logs-deleted',
  logGroup: 'cloudwatch-logs-deleted',
  ebs: 'ebs-default-encryption-disabled',
  shield: 'shield-protection-deleted',
  fms: 'firewall-manager-policy-deleted',
  waf: 'waf-web-acl-deleted',
} as const;

const EC2 = 'ec2.amazonaws.com';
const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** One story: an actor doing a sequence of things, each record registered with its expectations. */
class Story {
  t: number;

  constructor(
    readonly rng: Rng,
    readonly name: string,
    readonly a: Account,
    readonly region: string,
    start: number,
    private readonly sink: WovenRecord[],
  ) {
    this.t = start;
  }

  at(region = this.region, a = this.a, step?: number): At {
    this.t += step ?? this.rng.range(4, 40);
    return { rng: this.rng, a, region, t: this.t };
  }

  add(spec: RecordSpec, expectedRules: string[], notExpectedRules?: string[], scenario = this.name): CloudTrailRecord {
    const record = makeRecord(this.rng, spec);
    const entry: ScenarioEntry = {
      scenario,
      eventName: record.eventName,
      eventSource: record.eventSource,
      eventID: record.eventID!,
      account: record.recipientAccountId!,
      region: record.awsRegion!,
      eventTime: record.eventTime,
      expectedRules: [...expectedRules],
    };
    if (notExpectedRules) entry.notExpectedRules = [...notExpectedRules];
    this.sink.push({ t: spec.t, record, entry });
    return record;
  }
}

function call(x: At, actor: Actor, src: string, name: string, readOnly: boolean, req: unknown, resp: unknown = null): RecordSpec {
  return { actor, t: x.t, src, name, region: x.region, account: x.a.id, req, resp, readOnly };
}

function denied(spec: RecordSpec, action: string, resource: string, code = 'AccessDenied'): RecordSpec {
  const arn = String((spec.actor.ui as { arn?: string }).arn);
  spec.err = [code, `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`];
  spec.resp = null;
  return spec;
}

function ec2Denied(spec: RecordSpec, action: string, resource: string, rng: Rng): RecordSpec {
  const arn = String((spec.actor.ui as { arn?: string }).arn);
  spec.err = [
    'Client.UnauthorizedOperation',
    `You are not authorized to perform this operation. User: ${arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action. Encoded authorization failure message: ${rng.b64(220).replace(/\+/g, '-').replace(/\//g, '_')}`,
  ];
  spec.resp = null;
  return spec;
}

// ---------------------------------------------------------------------------------------------
// EC2 network change shapes

function authorizeIngress(x: At, actor: Actor, groupId: string, perms: IpPermission[]): RecordSpec {
  const requestId = x.rng.uuid();
  const s = call(x, actor, EC2, 'AuthorizeSecurityGroupIngress', false, { groupId, ipPermissions: ipPermissionsReq(perms) }, ingressResponse(x.rng, requestId, x.a.id, groupId, perms));
  s.requestID = requestId;
  return s;
}

function modifyRule(x: At, actor: Actor, groupId: string, ruleId: string, rule: { IpProtocol: string; FromPort: number; ToPort: number; CidrIpv4: string; Description?: string }): RecordSpec {
  const requestId = x.rng.uuid();
  const s = call(
    x,
    actor,
    EC2,
    'ModifySecurityGroupRules',
    false,
    { ModifySecurityGroupRulesRequest: { GroupId: groupId, SecurityGroupRule: { SecurityGroupRuleId: ruleId, SecurityGroupRule: rule, tag: 1 } } },
    { ModifySecurityGroupRulesResponse: { xmlns: XMLNS, requestId, return: true } },
  );
  s.requestID = requestId;
  return s;
}

function naclEntry(x: At, actor: Actor, name: 'CreateNetworkAclEntry' | 'ReplaceNetworkAclEntry', ruleNumber: number, port: number, cidr: string): RecordSpec {
  const requestId = x.rng.uuid();
  const s = call(
    x,
    actor,
    EC2,
    name,
    false,
    {
      networkAclId: stable(`${x.a.id}:${x.region}:acl`, (g) => `acl-0${g.hex(16)}`),
      ruleNumber,
      egress: false,
      ruleAction: 'allow',
      icmpTypeCode: {},
      portRange: { from: port, to: port },
      aclProtocol: '6',
      cidrBlock: cidr,
    },
    ec2Return(requestId),
  );
  s.requestID = requestId;
  return s;
}

function ec2Simple(x: At, actor: Actor, name: string, req: object): RecordSpec {
  const requestId = x.rng.uuid();
  const s = call(x, actor, EC2, name, false, req, ec2Return(requestId));
  s.requestID = requestId;
  return s;
}

function ec2Wrapped(x: At, actor: Actor, name: string, req: unknown, resp: Record<string, unknown>): RecordSpec {
  const requestId = x.rng.uuid();
  const s = call(x, actor, EC2, name, false, { [`${name}Request`]: req }, { [`${name}Response`]: { xmlns: XMLNS, requestId, ...resp } });
  s.requestID = requestId;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Other shapes

function consoleLogin(x: At, ui: Record<string, unknown>, ip: string, ua: string, ok: boolean, mfa: boolean): RecordSpec {
  return {
    actor: { ui, ip, uaKind: 'fixed', fixedUa: ua, console: false },
    t: x.t,
    src: 'signin.amazonaws.com',
    name: 'ConsoleLogin',
    region: 'us-east-1',
    account: x.a.id,
    req: null,
    resp: { ConsoleLogin: ok ? 'Success' : 'Failure' },
    add: {
      LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_${x.rng.hex(16)}`,
      MobileVersion: 'No',
      MFAUsed: mfa ? 'Yes' : 'No',
    },
    requestID: null,
    readOnly: false,
    type: 'AwsConsoleSignIn',
  };
}

/** Failed console sign-ins carry an errorMessage but no errorCode (documented AWS console sign-in examples). */
function withErrorMessage(record: CloudTrailRecord, message: string): CloudTrailRecord {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === 'requestParameters') out.errorMessage = message;
    out[k] = v;
  }
  return out as CloudTrailRecord;
}

function iamCall(x: At, actor: Actor, name: string, req: unknown, resp: unknown = null): RecordSpec {
  return { ...call(x, actor, 'iam.amazonaws.com', name, false, req, resp), region: 'us-east-1' };
}

function s3BucketWrite(x: At, actor: Actor, name: string, bucket: string, extra: Record<string, unknown>, bytesIn: number): RecordSpec {
  const host = s3Host(bucket, x.region);
  return {
    ...call(x, actor, 's3.amazonaws.com', name, false, { ...extra, bucketName: bucket, Host: host }),
    add: s3Add(x.rng, bytesIn, 0),
    requestID: s3RequestId(x.rng),
    resources: [bucketResource(x.a.id, bucket)],
    host,
  };
}

function trailArn(a: Account, region: string, name = TRAIL_NAME): string {
  return `arn:aws:cloudtrail:${region}:${a.id}:trail/${name}`;
}

function policyJson(statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const ATTACKER_BOTO3 = 'Boto3/1.35.10 md/Botocore#1.35.10 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.10';
const withUa = (actor: Actor, ua: string): Actor => ({ ...actor, uaKind: 'fixed', fixedUa: ua });
const cliUa = (actor: Actor): Actor => ({ ...actor, uaKind: 'cli', linux: true });

// ---------------------------------------------------------------------------------------------

export function buildScenarios(o: ResolvedOptions, accounts: Account[]): WovenRecord[] {
  const rng = new Rng(`${o.seed}/scenarios`);
  const prod = accounts[0]!;
  const dev = accounts[1] ?? prod;
  const sec = accounts[2] ?? dev;
  const span = o.end - o.start;
  const sink: WovenRecord[] = [];
  const at = (f: number): number => o.start + Math.floor(span * f);
  const story = (name: string, a: Account, region: string, f: number): Story => new Story(rng, name, a, region, at(f), sink);
  const R = RULES;

  // 1. Leaked long-term access key: recon with AccessDenied errors, then SSH and a NACL opened to the world.
  {
    const s = story('leaked access key: recon, then SSH opened to the world', prod, 'us-east-1', 0.18);
    const actor = withUa(iamUserWithKey(prod.id, 'svc-reporting', '203.0.113.77', 'fixed'), ATTACKER_BOTO3);
    s.add(getCallerIdentity(s.at(), actor), []);
    s.add(denied(iamCall(s.at(), actor, 'ListUsers', null), 'iam:ListUsers', `arn:aws:iam::${prod.id}:user/`), [R.unauthorized]);
    s.add(denied(iamCall(s.at(), actor, 'ListRoles', null), 'iam:ListRoles', `arn:aws:iam::${prod.id}:role/`), [R.unauthorized]);
    s.add({ ...iamCall(s.at(), actor, 'ListAttachedUserPolicies', { userName: 'svc-reporting' }), readOnly: true }, []);
    s.add(s3ListBuckets(s.at(), actor), []);
    s.add(ec2Read(s.at(), actor, 'DescribeInstances'), []);
    s.add(ec2Read(s.at(), actor, 'DescribeSecurityGroups'), []);
    s.add(denied({ ...call(s.at(), actor, 'guardduty.amazonaws.com', 'ListDetectors', true, null) }, 'guardduty:ListDetectors', `arn:aws:guardduty:us-east-1:${prod.id}:detector/*`, 'AccessDeniedException'), [R.unauthorized]);
    const ri = s.at();
    s.add(
      ec2Denied(
        call(ri, actor, EC2, 'RunInstances', false, {
          instancesSet: { items: [{ imageId: stable('ami:attacker', (g) => `ami-0${g.hex(16)}`), minCount: 1, maxCount: 4 }] },
          instanceType: 'g5.12xlarge',
          blockDeviceMapping: {},
          monitoring: { enabled: false },
          disableApiTermination: false,
          disableApiStop: false,
          clientToken: rng.uuid(),
          subnetId: subnetId(prod, 'us-east-1', 0),
        }),
        'ec2:RunInstances',
        `arn:aws:ec2:us-east-1:${prod.id}:instance/*`,
        rng,
      ),
      [R.unauthorized],
    );
    const sg = securityGroup(prod, 'us-east-1', 1);
    s.add(authorizeIngress(s.at(), actor, sg.id, [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]), [R.sgOpen, R.sgChanges]);
    s.add(naclEntry(s.at(), actor, 'CreateNetworkAclEntry', 90, 22, '0.0.0.0/0'), [R.nacl]);
  }

  // 2. A contractor's SSO console session opens RDP to all of IPv6 and widens an HTTPS rule to the world.
  {
    const s = story('contractor console: RDP open to ::/0 and a rule widened to 0.0.0.0/0', dev, 'eu-west-1', 0.31);
    const actor = ssoSession(dev.id, prod.id, 'PowerUserAccess', 'contractor.kim@example.net', s.t - 600, rng, '198.51.100.140', 'console');
    const sg = securityGroup(dev, 'eu-west-1', 2);
    s.add(ec2Read(s.at(), actor, 'DescribeSecurityGroups'), []);
    s.add(authorizeIngress(s.at(), actor, sg.id, [{ protocol: 'tcp', from: 3389, to: 3389, v6: ['::/0'], description: 'RDP for vendor support' }]), [R.sgOpen, R.sgChanges]);
    const web = securityGroup(dev, 'eu-west-1', 0);
    s.add(
      modifyRule(s.at(), actor, web.id, stable(`${dev.id}:sgr:web-443`, (g) => `sgr-0${g.hex(16)}`), { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0', Description: 'HTTPS' }),
      [R.sgOpen, R.sgChanges],
    );
  }

  // 3. Stolen CI role credentials used from outside CI: an all-traffic rule split as 0.0.0.0/1 + 128.0.0.0/1,
  //    a new internet gateway and a default route to it, then cleanup.
  {
    const s = story('stolen CI credentials: split-CIDR all-traffic rule and an internet path', prod, 'eu-west-1', 0.44);
    const actor = cliUa(assumedRole(prod.id, CI_ROLE, 'GitHubActions', s.t - 900, rng, '203.0.113.45', 'cli'));
    const sg = securityGroup(prod, 'eu-west-1', 3);
    s.add(authorizeIngress(s.at(), actor, sg.id, [{ protocol: '-1', v4: ['0.0.0.0/1', '128.0.0.0/1'] }]), [R.sgOpen, R.sgChanges]);
    const igw = `igw-0${rng.hex(16)}`;
    const vpc = vpcId(prod, 'eu-west-1');
    const x = s.at();
    const igwReq = { tagSpecificationSet: { items: [{ resourceType: 'internet-gateway', tags: tagItems({ Name: 'egress-temp' }) }] } };
    const igwRequestId = rng.uuid();
    s.add(
      {
        ...call(x, actor, EC2, 'CreateInternetGateway', false, igwReq, {
          requestId: igwRequestId,
          internetGateway: { internetGatewayId: igw, ownerId: prod.id, attachmentSet: {}, tagSet: { items: tagItems({ Name: 'egress-temp' }) } },
        }),
        requestID: igwRequestId,
      },
      [R.gateways],
    );
    s.add(ec2Simple(s.at(), actor, 'AttachInternetGateway', { internetGatewayId: igw, vpcId: vpc }), [R.gateways]);
    const rtb = stable(`${prod.id}:eu-west-1:rtb-private`, (g) => `rtb-0${g.hex(16)}`);
    s.add(ec2Simple(s.at(), actor, 'CreateRoute', { routeTableId: rtb, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw }), [R.routes]);
    const assocId = stable(`${prod.id}:eu-west-1:rtbassoc`, (g) => `rtbassoc-0${g.hex(16)}`);
    const y = s.at();
    const assocRequest = rng.uuid();
    s.add(
      {
        ...call(y, actor, EC2, 'ReplaceRouteTableAssociation', false, { associationId: assocId, routeTableId: rtb }, {
          requestId: assocRequest,
          newAssociationId: `rtbassoc-0${rng.hex(16)}`,
          associationState: { state: 'associated' },
        }),
        requestID: assocRequest,
      },
      [R.routes],
    );
    s.t += 1500;
    s.add(ec2Simple(s.at(), actor, 'DetachInternetGateway', { internetGatewayId: igw, vpcId: vpc }), [R.gateways]);
    s.add(ec2Simple(s.at(), actor, 'DeleteInternetGateway', { internetGatewayId: igw }), [R.gateways]);
  }

  // 4. A planned network change window (legitimate, still alert-worthy): VPN customer gateway swap (seeds 000/004),
  //    NACL update, new VPC peered to dev, old VPC removed.
  {
    const s = story('network change window: VPN gateway swap, NACL, VPC peering', prod, 'us-east-1', 0.55);
    const actor = ssoSession(prod.id, prod.id, 'NetworkAdministrator', 'dave@example.com', s.t - 300, rng, '198.51.100.24', 'cli');
    const newCgw = `cgw-0${rng.hex(16)}`;
    const x = s.at();
    const cgwReqId = rng.uuid();
    s.add(
      {
        ...call(
          x,
          actor,
          EC2,
          'CreateCustomerGateway',
          false,
          { type: 'ipsec.1', ipAddress: '198.51.100.250', bgpAsn: 65010, tagSpecificationSet: { items: [{ resourceType: 'customer-gateway', tags: tagItems({ Name: 'dc-frankfurt-2' }) }] } },
          { requestId: cgwReqId, customerGateway: { customerGatewayId: newCgw, state: 'available', type: 'ipsec.1', ipAddress: '198.51.100.250', bgpAsn: '65010', tagSet: { items: tagItems({ Name: 'dc-frankfurt-2' }) } } },
        ),
        requestID: cgwReqId,
      },
      [R.gateways],
    );
    s.add(ec2Simple(s.at(), actor, 'DeleteCustomerGateway', { customerGatewayId: stable(`${prod.id}:cgw-old`, (g) => `cgw-0${g.hex(16)}`) }), [R.gateways, R.cgwDeleted]);
    s.add(naclEntry(s.at(), actor, 'ReplaceNetworkAclEntry', 100, 443, '10.0.0.0/8'), [R.nacl]);
    const newVpc = `vpc-0${rng.hex(16)}`;
    const v = s.at();
    const vpcReqId = rng.uuid();
    const tags = tagItems({ Name: 'shared-services', Owner: 'network-team' });
    s.add(
      {
        ...call(
          v,
          actor,
          EC2,
          'CreateVpc',
          false,
          { cidrBlock: '10.40.0.0/16', instanceTenancy: 'default', amazonProvidedIpv6CidrBlock: false, tagSpecificationSet: { items: [{ resourceType: 'vpc', tags }] } },
          {
            requestId: vpcReqId,
            vpc: {
              vpcId: newVpc,
              state: 'pending',
              ownerId: prod.id,
              cidrBlock: '10.40.0.0/16',
              cidrBlockAssociationSet: { items: [{ cidrBlock: '10.40.0.0/16', associationId: `vpc-cidr-assoc-0${rng.hex(16)}`, cidrBlockState: { state: 'associated' } }] },
              ipv6CidrBlockAssociationSet: {},
              dhcpOptionsId: stable(`${prod.id}:dopt`, (g) => `dopt-0${g.hex(16)}`),
              instanceTenancy: 'default',
              tagSet: { items: tags },
              isDefault: false,
            },
          },
        ),
        requestID: vpcReqId,
      },
      [R.vpc],
    );
    const p = s.at();
    const pcxReqId = rng.uuid();
    s.add(
      {
        ...call(
          p,
          actor,
          EC2,
          'CreateVpcPeeringConnection',
          false,
          { vpcId: newVpc, peerVpcId: vpcId(dev, 'us-east-1'), peerOwnerId: dev.id },
          {
            requestId: pcxReqId,
            vpcPeeringConnection: {
              accepterVpcInfo: { ownerId: dev.id, vpcId: vpcId(dev, 'us-east-1'), region: 'us-east-1' },
              expirationTime: (p.t + 7 * 86400) * 1000,
              requesterVpcInfo: { cidrBlock: '10.40.0.0/16', cidrBlockSet: { items: [{ cidrBlock: '10.40.0.0/16' }] }, ownerId: prod.id, vpcId: newVpc, region: 'us-east-1' },
              status: { code: 'initiating-request', message: `Initiating Request to ${dev.id}` },
              tagSet: {},
              vpcPeeringConnectionId: `pcx-0${rng.hex(16)}`,
            },
          },
        ),
        requestID: pcxReqId,
      },
      [R.vpc],
    );
    s.t += 600;
    s.add(ec2Simple(s.at(), actor, 'DeleteVpc', { vpcId: stable(`${prod.id}:vpc-legacy`, (g) => `vpc-0${g.hex(16)}`) }), [R.vpc]);
  }

  // 5. Root: console sign-in without MFA and API calls with root credentials (seed 003).
  {
    const s = story('root console sign-in without MFA and root API use', sec, 'us-east-1', 0.62);
    const ip = '198.51.100.200';
    const x = s.at();
    s.add(consoleLogin(x, { type: 'Root', principalId: sec.id, arn: `arn:aws:iam::${sec.id}:root`, accountId: sec.id, accessKeyId: '' }, ip, UA_FIREFOX, true, false), [R.rootLogin, R.rootUsage, R.noMfa]);
    const root = rootConsole(sec.id, x.t, ip, rng, UA_FIREFOX);
    s.add({ ...iamCall(s.at(), root, 'GetAccountSummary', null), readOnly: true, ua: 'AWS Internal' }, [R.rootUsage]);
    s.add({ ...iamCall(s.at(), root, 'ListAccessKeys', null), readOnly: true, ua: 'AWS Internal' }, [R.rootUsage]);
    s.add({ ...s3ListBuckets(s.at(), root), ua: '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.648 Linux/5.10.213-179.855.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard]' }, [R.rootUsage]);
  }

  // 6. A stolen SSO admin session blinds monitoring before a ransomware attempt.
  {
    const s = story('stolen admin session disables security monitoring', prod, 'us-east-1', 0.7);
    const actor = cliUa(ssoSession(prod.id, prod.id, 'AdministratorAccess', 'frank@example.com', s.t - 1200, rng, '203.0.113.99', 'cli'));
    const detector = stable(`${prod.id}:us-east-1:detector`, (g) => g.hex(32));
    s.add(call(s.at(), actor, 'guardduty.amazonaws.com', 'UpdateDetector', false, { detectorId: detector, enable: false }), [R.guardduty]);
    s.add(call(s.at(), actor, 'securityhub.amazonaws.com', 'DisableSecurityHub', false, null), [R.securityhub]);
    s.add(
      call(s.at(), actor, 'inspector2.amazonaws.com', 'Disable', false, { accountIds: [prod.id], resourceTypes: ['EC2', 'ECR', 'LAMBDA'] }, {
        accounts: [{ accountId: prod.id, status: 'DISABLING', resourceStatus: { ec2: 'DISABLING', ecr: 'DISABLING', lambda: 'DISABLING', lambdaCode: 'DISABLED' } }],
        failedAccounts: [],
      }),
      [R.inspector],
    );
    s.add(call(s.at(), actor, 'config.amazonaws.com', 'StopConfigurationRecorder', false, { configurationRecorderName: 'default' }), [R.configDisabled, R.configChanges]);
    s.add(call(s.at(), actor, 'config.amazonaws.com', 'DeleteDeliveryChannel', false, { deliveryChannelName: 'default' }), [R.configDisabled, R.configChanges]);
    s.add(call(s.at(), actor, 'macie2.amazonaws.com', 'DisableMacie', false, null), [R.macie]);
    s.add(call(s.at(), actor, 'access-analyzer.amazonaws.com', 'DeleteAnalyzer', false, { analyzerName: 'org-external-access', clientToken: rng.uuid() }), [R.accessAnalyzer]);
    const trail = trailArn(prod, 'us-east-1');
    s.add(
      call(s.at(), actor, 'cloudtrail.amazonaws.com', 'UpdateTrail', false, { name: trail, isMultiRegionTrail: false, includeGlobalServiceEvents: false }, {
        name: TRAIL_NAME,
        s3BucketName: buckets(prod).trail,
        includeGlobalServiceEvents: false,
        isMultiRegionTrail: false,
        trailARN: trail,
        logFileValidationEnabled: true,
        kmsKeyId: kmsKeyArn(prod.id, 'us-east-1', kmsKeyId(prod.id, 'us-east-1', 'cloudtrail')),
        isOrganizationTrail: false,
      }),
      [R.trailChanges],
    );
    s.add(call(s.at(), actor, 'cloudtrail.amazonaws.com', 'StopLogging', false, { name: trail }), [R.trailDisabled, R.trailChanges]);
    s.add(
      ec2Wrapped(s.at(), actor, 'DeleteFlowLogs', { FlowLogId: { tag: 1, content: stable(`${prod.id}:us-east-1:fl`, (g) => `fl-0${g.hex(16)}`) } }, { unsuccessful: '' }),
      [R.flowLogs],
    );
    s.add({ ...call(s.at(), actor, 'logs.amazonaws.com', 'DeleteLogGroup', false, { logGroupName: `aws-cloudtrail-logs-${prod.id}-${TRAIL_NAME}` }), apiVersion: '20140328' }, [R.logGroup]);
    s.add(ec2Wrapped(s.at(), actor, 'DisableEbsEncryptionByDefault', '', { ebsEncryptionByDefault: false }), [R.ebs]);
    const keyId = kmsKeyId(prod.id, 'us-east-1', 'data');
    s.add({ ...call(s.at(), actor, 'kms.amazonaws.com', 'DisableKey', false, { keyId }), resources: [kmsResource(prod.id, 'us-east-1', keyId)] }, [R.kms]);
    const k = s.at();
    s.add(
      {
        ...call(k, actor, 'kms.amazonaws.com', 'ScheduleKeyDeletion', false, { keyId, pendingWindowInDays: 7 }, {
          keyId: kmsKeyArn(prod.id, 'us-east-1', keyId),
          keyState: 'PendingDeletion',
          deletionDate: javaDate(k.t + 7 * 86400),
        }),
        resources: [kmsResource(prod.id, 'us-east-1', keyId)],
      },
      [R.kms],
    );
    const euDetector = stable(`${prod.id}:eu-west-1:detector`, (g) => g.hex(32));
    s.add(call(s.at('eu-west-1'), actor, 'guardduty.amazonaws.com', 'DeleteDetector', false, { detectorId: euDetector }), [R.guardduty]);
    s.add(call(s.at('eu-west-1'), actor, 'cloudtrail.amazonaws.com', 'DeleteTrail', false, { name: 'eu-data-events' }), [R.trailDisabled, R.trailChanges]);
  }

  // 7. An insider signs in to the console without MFA and tears down edge protection.
  {
    const s = story('console sign-in without MFA, then edge protection torn down', prod, 'us-east-1', 0.8);
    const ip = '198.51.100.77';
    const x = s.at();
    s.add(
      consoleLogin(x, { type: 'IAMUser', principalId: userPrincipalId(prod.id, 'j.doe'), arn: `arn:aws:iam::${prod.id}:user/j.doe`, accountId: prod.id, userName: 'j.doe' }, ip, UA_CHROME, true, false),
      [R.noMfa],
    );
    const actor = iamUserConsole(prod.id, 'j.doe', x.t, false, ip, rng);
    s.add(
      call(s.at(), actor, 'wafv2.amazonaws.com', 'DeleteWebACL', false, { name: 'prod-alb-protection', scope: 'REGIONAL', id: stable(`${prod.id}:webacl`, (g) => g.uuid()), lockToken: rng.uuid() }),
      [R.waf],
    );
    s.add(call(s.at(), actor, 'shield.amazonaws.com', 'DeleteProtection', false, { protectionId: stable(`${prod.id}:shield-protection`, (g) => g.uuid()) }), [R.shield]);
    s.add(call(s.at(), actor, 'shield.amazonaws.com', 'DeleteSubscription', false, null), [R.shield]);
    s.add(call(s.at(), actor, 'fms.amazonaws.com', 'DeletePolicy', false, { policyId: stable(`${prod.id}:fms-policy`, (g) => g.uuid()), deleteAllPolicyResources: false }), [R.fms]);
  }

  // 8. A CI server's access key, leaked in a build log, escalates privileges and makes a bucket public.
  {
    const s = story('leaked Jenkins key: privilege escalation and a public bucket', dev, 'eu-west-1', 0.38);
    const actor = withUa(iamUserWithKey(dev.id, 'dev-jenkins', '203.0.113.140', 'fixed'), ATTACKER_BOTO3);
    s.add(
      iamCall(s.at(), actor, 'PutUserPolicy', {
        userName: 'dev-jenkins',
        policyName: 'build-cache-access',
        policyDocument: policyJson([{ Effect: 'Allow', Action: '*', Resource: '*' }]),
      }),
      [R.iamPolicy],
    );
    s.add(iamCall(s.at(), actor, 'AttachRolePolicy', { roleName: 'etl-batch-role', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }), [R.iamPolicy]);
    const c = s.at();
    s.add(
      iamCall(
        c,
        actor,
        'CreatePolicyVersion',
        {
          policyArn: `arn:aws:iam::${dev.id}:policy/ci-deploy-policy`,
          policyDocument: policyJson([{ Effect: 'Allow', Action: ['iam:*', 'sts:AssumeRole'], Resource: '*' }]),
          setAsDefault: true,
        },
        { policyVersion: { versionId: 'v4', isDefaultVersion: true, createDate: javaDate(c.t) } },
      ),
      [R.iamPolicy],
    );
    const bucket = buckets(dev).assets;
    s.add(s3BucketWrite(s.at(), actor, 'DeleteBucketPublicAccessBlock', bucket, { publicAccessBlock: '' }, 0), [R.s3PublicAccessBlock]);
    const policy = { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] };
    s.add(s3BucketWrite(s.at(), actor, 'PutBucketPolicy', bucket, { bucketPolicy: policy, policy: '' }, JSON.stringify(policy).length), [R.s3Policy]);
  }

  // 9. Password spraying against the console sign-in page.
  {
    const s = story('console password spraying', prod, 'us-east-1', 0.25);
    const ip = '203.0.113.23';
    const ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    const tries: Array<[string, boolean]> = [
      ['alice', true],
      ['admin', false],
      ['alice', true],
      ['j.doe', true],
      ['administrator', false],
    ];
    for (const [user, exists] of tries) {
      const x = s.at(undefined, undefined, rng.range(2, 9));
      const ui = exists
        ? { type: 'IAMUser', principalId: userPrincipalId(prod.id, user), accountId: prod.id, accessKeyId: '', userName: user }
        : { type: 'IAMUser', accountId: prod.id, accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' };
      const rec = makeRecord(rng, consoleLogin(x, ui, ip, ua, false, false));
      const withMsg = withErrorMessage(rec, exists ? 'Failed authentication' : 'No username found in supplied account');
      sink.push({
        t: x.t,
        record: withMsg,
        entry: {
          scenario: s.name,
          eventName: 'ConsoleLogin',
          eventSource: 'signin.amazonaws.com',
          eventID: withMsg.eventID!,
          account: prod.id,
          region: 'us-east-1',
          eventTime: withMsg.eventTime,
          expectedRules: [R.authFailures],
        },
      });
    }
  }

  // 10. Organizations tampering: a member account leaves the organization; an OU is deleted in the management account.
  {
    const s = story('member account leaves the organization', dev, 'us-east-1', 0.86);
    const actor = cliUa(assumedRole(dev.id, 'OrganizationAccountAccessRole', 'break-glass', s.t - 120, rng, '203.0.113.160', 'cli'));
    s.add({ ...call(s.at(), actor, 'organizations.amazonaws.com', 'DescribeOrganization', true, null) }, []);
    s.add(call(s.at(), actor, 'organizations.amazonaws.com', 'LeaveOrganization', false, null), [R.org]);
    const m = story('OU deleted in the management account', prod, 'us-east-1', 0.58);
    const admin = ssoSession(prod.id, prod.id, 'AdministratorAccess', 'carol@example.com', m.t - 900, rng, '198.51.100.10', 'cli');
    m.add(
      call(m.at(), admin, 'organizations.amazonaws.com', 'DeleteOrganizationalUnit', false, { organizationalUnitId: stable(`${prod.id}:ou-sandbox`, (g) => `ou-${g.lower(4)}-${g.lower(8)}`) }),
      [R.org],
    );
  }

  // ---- Benign near-misses: realistic records that naive rules fire on.
  {
    const s = story('benign: flow-logs delivery AccessDenied', sec, 'eu-central-1', 0.12);
    s.add(flowLogsDelivery(s.at(), 'PutObject'), [], [R.unauthorized]);
    s.add(flowLogsDelivery(s.at(), 'HeadBucket'), [], [R.unauthorized]);
  }
  {
    const s = story('benign: security group ingress tcp/443 from 10.0.0.0/8', prod, 'us-east-1', 0.22);
    const actor = assumedRole(prod.id, CI_ROLE, 'GitHubActions', s.t - 200, rng, '192.0.2.44', 'terraform');
    s.add(
      authorizeIngress(s.at(), actor, securityGroup(prod, 'us-east-1', 0).id, [{ protocol: 'tcp', from: 443, to: 443, v4: ['10.0.0.0/8'], description: 'internal HTTPS' }]),
      [R.sgChanges],
      [R.sgOpen],
    );
  }
  {
    const s = story('benign: ModifySecurityGroupRules narrowing a rule to a private CIDR', prod, 'eu-west-1', 0.47);
    const actor = ssoSession(prod.id, prod.id, 'AdministratorAccess', 'carol@example.com', s.t - 400, rng, '198.51.100.10', 'console');
    s.add(
      modifyRule(s.at(), actor, securityGroup(prod, 'eu-west-1', 2).id, stable(`${prod.id}:sgr:bastion-22`, (g) => `sgr-0${g.hex(16)}`), {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: '10.20.0.0/16',
        Description: 'SSH from VPN only',
      }),
      [R.sgChanges],
      [R.sgOpen],
    );
  }
  {
    const s = story('benign: console sign-in with MFA', prod, 'us-east-1', 0.09);
    s.add(consoleLoginWithMfa(s.at(), prod.id, 'alice', '198.51.100.11', UA_CHROME), [], [R.noMfa, R.authFailures]);
  }
  {
    const s = story('benign: AssumeRoleWithSAML (IAM Identity Center sign-in)', dev, 'us-east-1', 0.14);
    s.add(assumeRoleWithSaml(s.at(), 'ReadOnlyAccess', 'erin@example.com', prod), [], [R.noMfa]);
  }
  {
    const s = story('benign: SSO federated console sign-in (AssumedRole, MFAUsed No)', dev, 'us-east-1', 0.15);
    const x = s.at();
    const fed = ssoSession(dev.id, prod.id, 'ReadOnlyAccess', 'erin@example.com', x.t, rng, '198.51.100.37', 'console');
    const ui = { ...fed.ui } as Record<string, unknown>;
    delete ui.accessKeyId;
    s.add(consoleLogin(x, ui, '198.51.100.37', UA_CHROME, true, false), [], [R.noMfa]);
  }
  {
    const s = story('benign: StartLogging after the incident', prod, 'us-east-1', 0.74);
    const actor = ssoSession(prod.id, prod.id, 'AdministratorAccess', 'carol@example.com', s.t - 300, rng, '198.51.100.10', 'console');
    s.add(call(s.at(), actor, 'cloudtrail.amazonaws.com', 'StartLogging', false, { name: trailArn(prod, 'us-east-1') }), [R.trailChanges], [R.trailDisabled]);
  }
  {
    const s = story('benign: denied StopLogging attempt', dev, 'us-east-1', 0.52);
    const actor = ssoSession(dev.id, prod.id, 'ReadOnlyAccess', 'erin@example.com', s.t - 700, rng, '198.51.100.37', 'console');
    const trail = trailArn(dev, 'us-east-1');
    s.add(denied(call(s.at(), actor, 'cloudtrail.amazonaws.com', 'StopLogging', false, { name: trail }), 'cloudtrail:StopLogging', trail), [R.unauthorized], [R.trailDisabled, R.trailChanges]);
  }
  {
    const s = story('benign: UpdateDetector keeps GuardDuty enabled', dev, 'eu-west-1', 0.66);
    const actor = assumedRole(dev.id, CI_ROLE, 'GitHubActions', s.t - 200, rng, '192.0.2.45', 'terraform');
    s.add(
      call(s.at(), actor, 'guardduty.amazonaws.com', 'UpdateDetector', false, { detectorId: stable(`${dev.id}:eu-west-1:detector`, (g) => g.hex(32)), enable: true, findingPublishingFrequency: 'FIFTEEN_MINUTES' }),
      [],
      [R.guardduty],
    );
  }

  sink.sort((p, q) => p.t - q.t || (p.entry.eventID < q.entry.eventID ? -1 : 1));
  for (const w of sink) {
    if (w.t >= o.end) throw new Error(`scenario "${w.entry.scenario}" does not fit in the time window; use a longer --days`);
  }
  return sink;
}
