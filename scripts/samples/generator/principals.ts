/**
 * Accounts, their stable resources and the principals ("actors") that act in them.
 *
 * Everything here that names a thing (principal ids, access key ids, resource ids, bucket names) is derived
 * from the account id alone, not from the seed, so a given account always has the same users, roles, VPCs
 * and buckets; only the activity (times, event ids, request ids) depends on the seed.
 *
 * Identifiers follow the documented example conventions: account ids are the documented example ids, access
 * key ids end in `EXAMPLE` (as in the AWS documentation, and so secret scanners do not flag the data set),
 * IP addresses come from the documentation ranges 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24.
 */
import { Rng } from './prng.js';
import { isoSeconds } from './time.js';
import type { UserIdentity } from '../../../src/cloudtrail/types.js';

export const DEFAULT_ACCOUNTS = ['123456789012', '111122223333', '444455556666'] as const;

export type AccountRole = 'prod' | 'dev' | 'security';

export interface Account {
  id: string;
  role: AccountRole;
  /** Short environment name used in resource names (prod, dev, security, dev2, ...). */
  env: string;
  index: number;
}

export function makeAccounts(ids: readonly string[]): Account[] {
  return ids.map((id, index) => {
    const role: AccountRole = index === 0 ? 'prod' : index === 2 ? 'security' : 'dev';
    const env = index <= 2 ? role : `dev${index}`;
    return { id, role, env, index };
  });
}

// ---------------------------------------------------------------------------------------------
// Stable identifiers

const memo = new Map<string, string>();

/** A value derived only from `key` (memoised): the same account always gets the same ids. */
export function stable(key: string, make: (r: Rng) => string): string {
  let v = memo.get(key);
  if (v === undefined) {
    v = make(new Rng(`stable:${key}`));
    memo.set(key, v);
  }
  return v;
}

export const accessKey = (r: Rng, prefix: 'AKIA' | 'ASIA'): string => prefix + r.upper(9) + 'EXAMPLE';
export const userPrincipalId = (account: string, user: string): string => stable(`${account}:user:${user}`, (r) => 'AIDA' + r.upper(17));
export const rolePrincipalId = (account: string, role: string): string => stable(`${account}:role:${role}`, (r) => 'AROA' + r.upper(17));
export const userAccessKey = (account: string, user: string): string => stable(`${account}:akia:${user}`, (r) => accessKey(r, 'AKIA'));

/** A stable EC2-style id: `prefix-` + 17 hex digits. */
export const ec2Id = (account: string, region: string, prefix: string, n = 0): string =>
  stable(`${account}:${region}:${prefix}:${n}`, (r) => `${prefix}-0${r.hex(16)}`);

export const kmsKeyId = (account: string, region: string, alias: string): string => stable(`${account}:${region}:kms:${alias}`, (r) => r.uuid());

export const ssoSuffix = (account: string, permissionSet: string): string => stable(`${account}:sso:${permissionSet}`, (r) => r.hex(16));

/** Identity Center lives in the management (prod) account, home region us-east-1. */
export const identityStoreId = (mgmtAccount: string): string => stable(`${mgmtAccount}:identitystore`, (r) => 'd-' + r.hex(10));

// ---------------------------------------------------------------------------------------------
// Stable per-account resources

export interface SecurityGroup {
  id: string;
  name: string;
}

export function vpcId(a: Account, region: string): string {
  return ec2Id(a.id, region, 'vpc');
}
export function subnetId(a: Account, region: string, i: number): string {
  return ec2Id(a.id, region, 'subnet', i % 3);
}
export function instanceId(a: Account, region: string, i: number): string {
  return ec2Id(a.id, region, 'i', i % 6);
}
export function volumeId(a: Account, region: string, i: number): string {
  return ec2Id(a.id, region, 'vol', i % 6);
}
export function amiId(region: string, i: number): string {
  return stable(`ami:${region}:${i % 3}`, (r) => `ami-0${r.hex(16)}`);
}
const SG_NAMES = ['web-alb', 'app-servers', 'bastion', 'db-postgres', 'default'] as const;
export function securityGroup(a: Account, region: string, i: number): SecurityGroup {
  const name = SG_NAMES[i % SG_NAMES.length]!;
  return { id: ec2Id(a.id, region, 'sg', i % SG_NAMES.length), name: name === 'default' ? 'default' : `${a.env}-${name}` };
}

export function buckets(a: Account): { data: string; assets: string; trail: string; flowLogs: string } {
  return {
    data: `examplecorp-${a.env}-orders-data-${a.id}`,
    assets: `examplecorp-${a.env}-static-assets`,
    trail: `aws-cloudtrail-logs-${a.id}-${stable(`${a.id}:trailbucket`, (r) => r.hex(8))}`,
    flowLogs: `examplecorp-${a.env}-vpc-flow-logs-${a.id}`,
  };
}

export const TRAIL_NAME = 'management-events';
export const FUNCTIONS = ['orders-api', 'invoice-renderer', 'thumbnail-worker', 'nightly-report'] as const;
export const PARAMS = ['/app/prod/db-host', '/app/prod/feature-flags', '/app/shared/sentry-dsn', '/ci/deploy/artifact-bucket'] as const;
export const METRIC_NAMESPACES = ['ExampleCorp/Orders', 'ExampleCorp/Checkout', 'ExampleCorp/Workers'] as const;

// ---------------------------------------------------------------------------------------------
// Networks

/** Corporate egress (198.51.100.0/24), CI runners (192.0.2.0/24), attackers (203.0.113.0/24). */
export const CORP_IPS = ['198.51.100.10', '198.51.100.11', '198.51.100.24', '198.51.100.37', '198.51.100.52', '198.51.100.63'] as const;
export const CI_IPS = ['192.0.2.15', '192.0.2.16', '192.0.2.44', '192.0.2.45', '192.0.2.91'] as const;
/** NAT gateway egress of workloads (Lambda, EC2) per region. */
export function natIp(region: string): string {
  return stable(`nat:${region}`, (r) => `192.0.2.${200 + r.int(50)}`);
}

// ---------------------------------------------------------------------------------------------
// User agents

export type UaKind = 'cli' | 'boto3' | 'lambda' | 'js' | 'terraform' | 'console' | 'ssm-agent' | 'fixed';

const UA_CLI = 'aws-cli/2.17.18 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#';
const UA_CLI_LINUX = 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#';
const UA_BOTO3 = 'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69';
const UA_LAMBDA = 'Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.209-220.812.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.42';
const UA_JS_PREFIX = 'aws-sdk-js/3.540.0 ua/2.1 os/linux#5.10.213-201.855.amzn2.x86_64 lang/js md/nodejs#20.11.1 exec-env/AWS_Lambda_nodejs20.x api/';
const UA_TF_PREFIX =
  'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 ua/2.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/';
export const UA_SSM_AGENT = 'aws-sdk-go/1.44.260 (go1.20.10; linux; amd64) amazon-ssm-agent/3.3.40.0';
export const UA_CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36';
export const UA_FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:124.0) Gecko/20100101 Firefox/124.0';
const UA_S3_CONSOLE =
  '[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.648 Linux/5.10.213-179.855.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard]';

/** eventSource → CLI service name. */
const CLI_SERVICE: Record<string, string> = {
  'ec2.amazonaws.com': 'ec2',
  'iam.amazonaws.com': 'iam',
  's3.amazonaws.com': 's3api',
  'sts.amazonaws.com': 'sts',
  'lambda.amazonaws.com': 'lambda',
  'monitoring.amazonaws.com': 'cloudwatch',
  'ssm.amazonaws.com': 'ssm',
  'kms.amazonaws.com': 'kms',
  'logs.amazonaws.com': 'logs',
  'guardduty.amazonaws.com': 'guardduty',
  'securityhub.amazonaws.com': 'securityhub',
  'inspector2.amazonaws.com': 'inspector2',
  'config.amazonaws.com': 'configservice',
  'cloudtrail.amazonaws.com': 'cloudtrail',
  'macie2.amazonaws.com': 'macie2',
  'access-analyzer.amazonaws.com': 'accessanalyzer',
  'shield.amazonaws.com': 'shield',
  'fms.amazonaws.com': 'fms',
  'wafv2.amazonaws.com': 'wafv2',
  'organizations.amazonaws.com': 'organizations',
  'sso.amazonaws.com': 'sso',
};

/** eventSource → SDK api/ id. */
const SDK_API: Record<string, string> = {
  'ec2.amazonaws.com': 'ec2#1.152.0',
  'iam.amazonaws.com': 'iam#1.31.3',
  's3.amazonaws.com': 's3#1.53.1',
  'sts.amazonaws.com': 'sts#1.28.5',
  'lambda.amazonaws.com': 'lambda#1.53.3',
  'monitoring.amazonaws.com': 'cloudwatch#1.36.3',
  'ssm.amazonaws.com': 'ssm#1.49.5',
  'kms.amazonaws.com': 'kms#1.30.0',
  'logs.amazonaws.com': 'cloudwatchlogs#1.35.0',
};

const kebabCache = new Map<string, string>();
const jsUaCache = new Map<string, string>();
function cliCommand(src: string, name: string): string {
  const key = src + name;
  let v = kebabCache.get(key);
  if (v === undefined) {
    const op = name
      .replace(/\d{8}(v\d+)?$/, '')
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase();
    v = `${CLI_SERVICE[src] ?? src.split('.')[0]}.${op}`;
    kebabCache.set(key, v);
  }
  return v;
}

function consoleUa(src: string, name: string, rng: Rng): string {
  if (src === 's3.amazonaws.com') return UA_S3_CONSOLE;
  if (src === 'ec2.amazonaws.com') return rng.chance(0.5) ? 'console.ec2.amazonaws.com' : 'AWS Internal';
  if (name.startsWith('List') || name.startsWith('Get')) return rng.chance(0.5) ? 'console.amazonaws.com' : 'AWS Internal';
  return 'AWS Internal';
}

// ---------------------------------------------------------------------------------------------
// Actors

/** Who makes the calls: the userIdentity plus how its requests look on the wire. */
export interface Actor {
  ui: UserIdentity;
  ip: string;
  uaKind: UaKind;
  /** For `fixed` actors (AWS services, browsers): the user agent. */
  fixedUa?: string;
  /** Second CLI flavour. */
  linux?: boolean;
  /** Requests come from the console session (sessionCredentialFromConsole). */
  console: boolean;
}

/** The user agent and whether the request carries tlsDetails (direct HTTPS from the client). */
export function userAgent(actor: Actor, src: string, name: string, rng: Rng): string {
  switch (actor.uaKind) {
    case 'cli':
      return (actor.linux ? UA_CLI_LINUX : UA_CLI) + cliCommand(src, name);
    case 'boto3':
      return UA_BOTO3;
    case 'lambda':
      return UA_LAMBDA;
    case 'js': {
      let ua = jsUaCache.get(src);
      if (ua === undefined) {
        ua = UA_JS_PREFIX + (SDK_API[src] ?? 'unknown').replace(/#.*/, '') + '#3.540.0 m/E,e';
        jsUaCache.set(src, ua);
      }
      return ua;
    }
    case 'terraform':
      return UA_TF_PREFIX + (SDK_API[src] ?? 'unknown#1.0.0');
    case 'console':
      return consoleUa(src, name, rng);
    case 'ssm-agent':
      return UA_SSM_AGENT;
    case 'fixed':
      return actor.fixedUa ?? 'AWS Internal';
  }
}

export function iamUserWithKey(account: string, userName: string, ip: string, uaKind: UaKind, linux = false): Actor {
  return {
    ui: {
      type: 'IAMUser',
      principalId: userPrincipalId(account, userName),
      arn: `arn:aws:iam::${account}:user/${userName}`,
      accountId: account,
      accessKeyId: userAccessKey(account, userName),
      userName,
    },
    ip,
    uaKind,
    linux,
    console: false,
  };
}

/** An IAM user's console session (temporary ASIA credentials, sessionContext without issuer). */
export function iamUserConsole(account: string, userName: string, created: number, mfa: boolean, ip: string, rng: Rng): Actor {
  return {
    ui: {
      type: 'IAMUser',
      principalId: userPrincipalId(account, userName),
      arn: `arn:aws:iam::${account}:user/${userName}`,
      accountId: account,
      accessKeyId: accessKey(rng, 'ASIA'),
      userName,
      sessionContext: {
        sessionIssuer: {},
        webIdFederationData: {},
        attributes: { creationDate: isoSeconds(created), mfaAuthenticated: mfa ? 'true' : 'false' },
      },
    },
    ip,
    uaKind: 'console',
    console: true,
  };
}

export interface RoleSessionOptions {
  path?: string;
  mfa?: boolean;
  ec2RoleDelivery?: boolean;
  onBehalfOf?: { userId: string; identityStoreArn: string };
  sourceIdentity?: string;
}

export function assumedRole(
  account: string,
  roleName: string,
  sessionName: string,
  created: number,
  rng: Rng,
  ip: string,
  uaKind: UaKind,
  opts: RoleSessionOptions = {},
): Actor {
  const roleId = rolePrincipalId(account, roleName);
  const sessionContext: Record<string, unknown> = {
    sessionIssuer: {
      type: 'Role',
      principalId: roleId,
      arn: `arn:aws:iam::${account}:role${opts.path ?? '/'}${roleName}`,
      accountId: account,
      userName: roleName,
    },
    webIdFederationData: {},
    attributes: { creationDate: isoSeconds(created), mfaAuthenticated: opts.mfa ? 'true' : 'false' },
  };
  if (opts.sourceIdentity) sessionContext.sourceIdentity = opts.sourceIdentity;
  if (opts.ec2RoleDelivery) sessionContext.ec2RoleDelivery = '2.0';
  const ui: UserIdentity = {
    type: 'AssumedRole',
    principalId: `${roleId}:${sessionName}`,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    accountId: account,
    accessKeyId: accessKey(rng, 'ASIA'),
    sessionContext,
  };
  if (opts.onBehalfOf) ui.onBehalfOf = opts.onBehalfOf;
  return { ui, ip, uaKind, console: uaKind === 'console' };
}

export const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';
export function ssoRoleName(account: string, permissionSet: string): string {
  return `AWSReservedSSO_${permissionSet}_${ssoSuffix(account, permissionSet)}`;
}

/** The Identity Center user id of a workforce user (in the management account's identity store). */
export function identityCenterUserId(mgmtAccount: string, email: string): string {
  return stable(`${mgmtAccount}:idc-user:${email}`, (r) => `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`);
}

/** An SSO (IAM Identity Center permission set) role session, as seen in the member account. */
export function ssoSession(
  account: string,
  mgmtAccount: string,
  permissionSet: string,
  email: string,
  created: number,
  rng: Rng,
  ip: string,
  uaKind: UaKind,
): Actor {
  return assumedRole(account, ssoRoleName(account, permissionSet), email, created, rng, ip, uaKind, {
    path: SSO_PATH,
    onBehalfOf: {
      userId: identityCenterUserId(mgmtAccount, email),
      identityStoreArn: `arn:aws:identitystore::${mgmtAccount}:identitystore/${identityStoreId(mgmtAccount)}`,
    },
  });
}

export function identityCenterUser(mgmtAccount: string, email: string, rng: Rng, ip: string, uaKind: UaKind): Actor {
  return {
    ui: {
      type: 'IdentityCenterUser',
      accountId: mgmtAccount,
      onBehalfOf: {
        userId: identityCenterUserId(mgmtAccount, email),
        identityStoreArn: `arn:aws:identitystore::${mgmtAccount}:identitystore/${identityStoreId(mgmtAccount)}`,
      },
      credentialId: 'AAAAA' + rng.b64(58).replace(/[+/]/g, '_'),
    },
    ip,
    uaKind,
    console: false,
  };
}

export function rootConsole(account: string, created: number, ip: string, rng: Rng, browserUa: string): Actor {
  return {
    ui: {
      type: 'Root',
      principalId: account,
      arn: `arn:aws:iam::${account}:root`,
      accountId: account,
      accessKeyId: accessKey(rng, 'ASIA'),
      sessionContext: {
        sessionIssuer: {},
        webIdFederationData: {},
        attributes: { creationDate: isoSeconds(created), mfaAuthenticated: 'false' },
      },
    },
    ip,
    uaKind: 'fixed',
    fixedUa: browserUa,
    console: true,
  };
}

const serviceActors = new Map<string, Actor>();
/** An AWS service acting on its own behalf: userIdentity {type: AWSService, invokedBy}. */
export function awsService(service: string): Actor {
  let a = serviceActors.get(service);
  if (!a) {
    a = { ui: { type: 'AWSService', invokedBy: service }, ip: service, uaKind: 'fixed', fixedUa: service, console: false };
    serviceActors.set(service, a);
  }
  return a;
}

/** A principal's call made through an AWS service (userIdentity.invokedBy, sourceIPAddress = the service). */
export function viaService(actor: Actor, service: string): Actor {
  return { ui: { ...actor.ui, invokedBy: service }, ip: service, uaKind: 'fixed', fixedUa: service, console: false };
}

export const CI_ROLE = 'github-actions-deploy';
export const TERRAFORM_ROLE = 'terraform-apply';
export const INSTANCE_ROLE = 'app-server-instance-role';
export const LAMBDA_ROLE = (fn: string): string => `${fn}-execution-role`;
export const GITHUB_OIDC = 'token.actions.githubusercontent.com';
