/**
 * Background activity: the everyday traffic of a few accounts, as sessions of calls by one principal.
 *
 * Two lanes: small periodic service/agent noise (CloudTrail's own KMS and bucket-ACL calls, VPC Flow Logs
 * delivery failures, SSM agents, Identity Center portal calls, key rotation) and human/automation sessions
 * (console browsing, CLI use, Terraform plans and applies from CI, Lambda workloads, S3 batch jobs).
 * Nothing here is meant to trigger a detection rule: no security-group, network, IAM-policy or logging
 * changes, no root use, no console sign-in without MFA, no AccessDenied except the flow-logs delivery
 * noise that CIS v1.4+ excludes from unauthorized-api-calls.
 */
import { type Rng, Weighted } from './prng.js';
import { datePath, fileStamp } from './time.js';
import {
  type Account,
  type Actor,
  CI_IPS,
  CI_ROLE,
  CORP_IPS,
  FUNCTIONS,
  GITHUB_OIDC,
  INSTANCE_ROLE,
  LAMBDA_ROLE,
  PARAMS,
  SSO_PATH,
  TRAIL_NAME,
  UA_CHROME,
  UA_FIREFOX,
  assumedRole,
  awsService,
  buckets,
  ec2Id,
  iamUserConsole,
  iamUserWithKey,
  identityCenterUser,
  instanceId,
  kmsKeyId,
  natIp,
  rolePrincipalId,
  ssoRoleName,
  ssoSession,
  stable,
  userPrincipalId,
  viaService,
} from './principals.js';
import { type RecordSpec, bucketResource, makeRecord, objectResource, s3Add, s3Host, s3RequestId, stsCredentials } from './events.js';
import {
  type At,
  EC2_READS,
  type Ec2Read,
  IAM_READS,
  S3_BUCKET_READS,
  assumeRole,
  cloudwatchRead,
  createTags,
  ec2Read,
  getCallerIdentity,
  iamRead,
  kmsDecryptForS3,
  kmsDescribeKey,
  kmsGenerateDataKeyForTrail,
  lambdaInvoke,
  lambdaRead,
  logsRead,
  putMetricData,
  runInstances,
  s3BucketRead,
  s3ListBuckets,
  s3Object,
  ssmAgentCall,
  ssmDescribeParameters,
  ssmGetParameter,
  ssmPutParameter,
  updateFunctionCode,
} from './calls.js';
import type { CloudTrailRecord } from './types.js';

export const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1', 'ap-southeast-2', 'ap-northeast-1'] as const;

/** Where a session puts its records; the caller buckets them by account, region and 5-minute window. */
export interface Sink {
  (t: number, record: CloudTrailRecord): void;
}

export class Session {
  t: number;
  left: number;

  constructor(
    readonly rng: Rng,
    readonly accounts: readonly Account[],
    readonly a: Account,
    readonly region: string,
    start: number,
    size: number,
    readonly limit: number,
    readonly gap: number,
    private readonly sink: Sink,
  ) {
    this.t = start;
    this.left = size;
  }

  get done(): boolean {
    return this.left <= 0;
  }

  get mgmt(): Account {
    return this.accounts[0]!;
  }

  /** Advance the clock and describe where the next call happens. */
  at(region = this.region, a = this.a): At {
    const next = this.t + this.rng.int(this.gap + 1);
    this.t = next > this.limit ? this.limit : next;
    return { rng: this.rng, a, region, t: this.t };
  }

  emit(spec: RecordSpec): void {
    if (this.left <= 0) return;
    this.left--;
    this.sink(spec.t, makeRecord(this.rng, spec));
  }
}

// ---------------------------------------------------------------------------------------------
// Menus of ordinary calls

function readCall(s: Session, actor: Actor, weights: { ec2: number; iam: number; s3: number; lambda: number; cw: number; logs: number; ssm: number; kms: number; sts: number }): void {
  const r = s.rng;
  const total = weights.ec2 + weights.iam + weights.s3 + weights.lambda + weights.cw + weights.logs + weights.ssm + weights.kms + weights.sts;
  let x = r.next() * total;
  const b = buckets(s.a);
  if ((x -= weights.ec2) < 0) return s.emit(ec2Read(s.at(), actor, r.pick(EC2_READS) as Ec2Read));
  if ((x -= weights.iam) < 0) return s.emit(iamRead(s.at(), actor, r.pick(IAM_READS)));
  if ((x -= weights.s3) < 0) {
    if (r.chance(0.3)) return s.emit(s3ListBuckets(s.at(), actor));
    return s.emit(s3BucketRead(s.at(), actor, r.pick(S3_BUCKET_READS), r.pick([b.data, b.assets, b.flowLogs])));
  }
  if ((x -= weights.lambda) < 0) {
    const name = r.pick(['ListFunctions20150331', 'GetFunction20150331v2', 'GetFunctionConfiguration20150331v2', 'GetPolicy20150331v2'] as const);
    return s.emit(lambdaRead(s.at(), actor, name, r.pick(FUNCTIONS)));
  }
  if ((x -= weights.cw) < 0) return s.emit(cloudwatchRead(s.at(), actor, r.pick(['DescribeAlarms', 'ListDashboards', 'GetDashboard', 'DescribeAlarmHistory'] as const)));
  if ((x -= weights.logs) < 0) return s.emit(logsRead(s.at(), actor, r.pick(['DescribeLogGroups', 'DescribeLogStreams', 'FilterLogEvents'] as const)));
  if ((x -= weights.ssm) < 0) return s.emit(r.chance(0.6) ? ssmGetParameter(s.at(), actor) : ssmDescribeParameters(s.at(), actor));
  if ((x -= weights.kms) < 0) return s.emit(kmsDescribeKey(s.at(), actor));
  return s.emit(getCallerIdentity(s.at(), actor));
}

const CONSOLE_MENU = { ec2: 10, iam: 3, s3: 3, lambda: 2, cw: 3, logs: 2, ssm: 1, kms: 0.5, sts: 0 };
const CLI_MENU = { ec2: 5, iam: 1.5, s3: 2, lambda: 2, cw: 1, logs: 2, ssm: 2, kms: 0.5, sts: 1 };
const TF_MENU = { ec2: 12, iam: 4, s3: 4, lambda: 2, cw: 1, logs: 1, ssm: 1, kms: 1, sts: 0 };

const PEOPLE = ['carol@example.com', 'dave@example.com', 'erin@example.com', 'frank@example.com'] as const;

/** Successful console sign-in of an IAM user with MFA (signin.amazonaws.com, recorded in us-east-1). */
export function consoleLoginWithMfa(x: At, account: string, userName: string, ip: string, ua: string): RecordSpec {
  return {
    actor: {
      ui: { type: 'IAMUser', principalId: userPrincipalId(account, userName), arn: `arn:aws:iam::${account}:user/${userName}`, accountId: account, userName },
      ip,
      uaKind: 'fixed',
      fixedUa: ua,
      console: false,
    },
    t: x.t,
    src: 'signin.amazonaws.com',
    name: 'ConsoleLogin',
    region: 'us-east-1',
    account,
    req: null,
    resp: { ConsoleLogin: 'Success' },
    add: {
      LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_${x.rng.hex(16)}`,
      MobileVersion: 'No',
      MFAIdentifier: `arn:aws:iam::${account}:mfa/${userName}`,
      MFAUsed: 'Yes',
    },
    requestID: null,
    readOnly: false,
    type: 'AwsConsoleSignIn',
  };
}

/** AssumeRoleWithSAML into an IAM Identity Center permission-set role (what the portal does on sign-in). */
export function assumeRoleWithSaml(x: At, permissionSet: string, email: string, mgmt: Account): RecordSpec {
  const roleName = ssoRoleName(x.a.id, permissionSet);
  const roleArn = `arn:aws:iam::${x.a.id}:role${SSO_PATH}${roleName}`;
  const provider = `arn:aws:iam::${x.a.id}:saml-provider/AWSSSO_${stable(`${mgmt.id}:saml-provider`, (g) => g.hex(16))}_DO_NOT_DELETE`;
  const nameQualifier = stable(`${x.a.id}:saml-name-qualifier`, (g) => g.b64(27)) + '=';
  return {
    actor: {
      ui: { type: 'SAMLUser', principalId: `${nameQualifier}:${email}`, userName: email, identityProvider: nameQualifier },
      ip: '192.0.2.131',
      uaKind: 'fixed',
      fixedUa: 'aws-sdk-java/2.25.26 Linux/5.10.215-203.850.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_EC2 io/sync http/Apache cfg/retry-mode/standard',
      console: false,
    },
    t: x.t,
    src: 'sts.amazonaws.com',
    name: 'AssumeRoleWithSAML',
    region: x.region,
    account: x.a.id,
    req: { sAMLAssertionID: `_${x.rng.uuid()}`, roleSessionName: email, roleArn, principalArn: provider, durationSeconds: 3600 },
    resp: {
      credentials: stsCredentials(x.rng, x.t, 3600),
      assumedRoleUser: { assumedRoleId: `${rolePrincipalId(x.a.id, roleName)}:${email}`, arn: `arn:aws:sts::${x.a.id}:assumed-role/${roleName}/${email}` },
      subject: email,
      subjectType: 'persistent',
      issuer: `https://portal.sso.us-east-1.amazonaws.com/saml/assertion/${stable(`${mgmt.id}:sso-instance`, (g) => g.b64(48))}`,
      audience: 'https://signin.aws.amazon.com/saml',
      nameQualifier,
    },
    add: { RequestDetails: { endpointType: 'regional', awsServingRegion: x.region } },
    readOnly: true,
    resources: [
      { accountId: x.a.id, type: 'AWS::IAM::Role', ARN: roleArn },
      { accountId: x.a.id, type: 'AWS::IAM::SAMLProvider', ARN: provider },
    ],
  };
}

/** AssumeRoleWithWebIdentity from a GitHub Actions OIDC token (the CI deploy role). */
export function assumeRoleWithWebIdentity(x: At, repo: string, ip: string): RecordSpec {
  const provider = `arn:aws:iam::${x.a.id}:oidc-provider/${GITHUB_OIDC}`;
  const sub = `repo:${repo}:ref:refs/heads/main`;
  const roleArn = `arn:aws:iam::${x.a.id}:role/${CI_ROLE}`;
  return {
    actor: {
      ui: { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${sub}`, userName: sub, identityProvider: provider },
      ip,
      uaKind: 'fixed',
      fixedUa: 'aws-sdk-js/3.540.0 ua/2.1 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.1 api/sts#3.540.0 m/E',
      console: false,
    },
    t: x.t,
    src: 'sts.amazonaws.com',
    name: 'AssumeRoleWithWebIdentity',
    region: x.region,
    account: x.a.id,
    req: { roleArn, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
    resp: {
      credentials: stsCredentials(x.rng, x.t, 3600),
      subjectFromWebIdentityToken: sub,
      assumedRoleUser: { assumedRoleId: `${rolePrincipalId(x.a.id, CI_ROLE)}:GitHubActions`, arn: `arn:aws:sts::${x.a.id}:assumed-role/${CI_ROLE}/GitHubActions` },
      provider,
      audience: 'sts.amazonaws.com',
    },
    add: { identityProviderConnectionVerificationMethod: 'IAMTrustStore', RequestDetails: { awsServingRegion: x.region, endpointType: 'regional' } },
    readOnly: true,
    resources: [
      { accountId: x.a.id, type: 'AWS::IAM::Role', ARN: roleArn },
      { accountId: x.a.id, type: 'AWS::IAM::OidcProvider', ARN: provider },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Human and automation sessions (lane B)

function consoleSession(s: Session): void {
  const r = s.rng;
  const ip = r.pick(CORP_IPS);
  let actor: Actor;
  if (s.a.role !== 'security' && r.chance(0.45)) {
    if (r.chance(0.4)) s.emit(consoleLoginWithMfa(s.at('us-east-1'), s.a.id, 'alice', ip, r.chance(0.7) ? UA_CHROME : UA_FIREFOX));
    actor = iamUserConsole(s.a.id, 'alice', s.t, true, ip, r);
  } else {
    const ps = s.a.role === 'security' || r.chance(0.4) ? 'ReadOnlyAccess' : 'AdministratorAccess';
    const email = r.pick(PEOPLE);
    if (r.chance(0.35)) s.emit(assumeRoleWithSaml(s.at('us-east-1'), ps, email, s.mgmt));
    actor = ssoSession(s.a.id, s.mgmt.id, ps, email, s.t, r, ip, 'console');
  }
  while (!s.done) readCall(s, actor, CONSOLE_MENU);
}

function cliSession(s: Session): void {
  const r = s.rng;
  let actor: Actor;
  const roll = r.next();
  if (roll < 0.35) {
    actor = iamUserWithKey(s.a.id, 'bob', r.pick(CORP_IPS), 'cli');
  } else if (roll < 0.55) {
    actor = s.a.role === 'prod' ? iamUserWithKey(s.a.id, 'svc-reporting', natIp(s.region), 'boto3') : iamUserWithKey(s.a.id, 'dev-jenkins', r.pick(CI_IPS), 'boto3');
  } else {
    // SSO via the CLI: the portal call lands in the management account, the work in the member account.
    const email = r.pick(PEOPLE);
    const ps = r.chance(0.5) ? 'AdministratorAccess' : 'ReadOnlyAccess';
    const ip = r.pick(CORP_IPS);
    if (r.chance(0.5)) {
      const portal = identityCenterUser(s.mgmt.id, email, r, ip, 'cli');
      s.emit(ssoPortalCall(s.at('us-east-1', s.mgmt), portal, 'GetRoleCredentials', s.a.id, ssoRoleName(s.a.id, ps)));
    }
    actor = ssoSession(s.a.id, s.mgmt.id, ps, email, s.t, r, ip, 'cli');
    actor.linux = r.chance(0.3);
  }
  if (r.chance(0.5)) s.emit(getCallerIdentity(s.at(), actor));
  while (!s.done) {
    if (r.chance(0.12)) {
      const b = buckets(s.a).data;
      const key = `reports/${s.a.env}/2026/${r.range(1, 12)}/${r.hex(8)}.csv`;
      s.emit(s3Object(s.at(), actor, 'GetObject', b, key));
    } else readCall(s, actor, CLI_MENU);
  }
}

function terraformSession(s: Session): void {
  const r = s.rng;
  const ip = r.pick(CI_IPS);
  s.emit(assumeRoleWithWebIdentity(s.at(), `examplecorp/${s.a.env}-infrastructure`, ip));
  const actor = assumedRole(s.a.id, CI_ROLE, 'GitHubActions', s.t, r, ip, 'terraform');
  // Most pipeline runs only plan; about half apply one or two benign changes near the end.
  const apply = r.chance(0.55);
  const applyAt = apply ? Math.max(1, Math.floor(s.left * 0.8)) : -1;
  while (!s.done) {
    if (s.left === applyAt) {
      const first = r.int(4);
      const kinds = r.chance(0.5) ? [first] : [first, (first + 1 + r.int(3)) % 4];
      for (const kind of kinds) {
        if (kind === 0) {
          const { spec, instance } = runInstances(s.at(), actor, { Name: `${s.a.env}-worker`, Environment: s.a.env, ManagedBy: 'terraform' });
          s.emit(spec);
          s.emit(createTags(s.at(), actor, [instance], { Owner: 'platform', CostCenter: 'cc-1042' }));
        } else if (kind === 1) {
          s.emit(updateFunctionCode(s.at(), actor, r.pick(FUNCTIONS)));
        } else if (kind === 2) {
          s.emit(ssmPutParameter(s.at(), actor, '/ci/deploy/artifact-version'));
        } else {
          s.emit(createTags(s.at(), actor, [instanceId(s.a, s.region, r.int(6))], { Owner: 'platform', LastDeploy: String(s.t) }));
        }
      }
      continue;
    }
    readCall(s, actor, TF_MENU);
  }
}

function workloadSession(s: Session): void {
  const r = s.rng;
  const fn = r.pick(FUNCTIONS);
  // Python and Node.js functions: Boto3 and aws-sdk-js v3 user agents.
  const runtime = fn === 'invoice-renderer' || fn === 'thumbnail-worker' ? 'js' : 'lambda';
  const actor = assumedRole(s.a.id, LAMBDA_ROLE(fn), fn, s.t - r.int(600), r, natIp(s.region), runtime);
  const b = buckets(s.a).data;
  while (!s.done) {
    const roll = r.next();
    if (roll < 0.35) {
      const key = `orders/${r.hex(2)}/${r.uuid()}.json`;
      const kms = r.chance(0.3);
      s.emit(s3Object(s.at(), actor, 'GetObject', b, key));
      if (kms) s.emit(kmsDecryptForS3(s.at(), viaService(actor, 'AWS Internal'), b, key));
    } else if (roll < 0.6) {
      s.emit(s3Object(s.at(), actor, 'PutObject', b, `invoices/${r.hex(2)}/${r.uuid()}.pdf`, r.chance(0.3) ? 'kms' : 's3'));
    } else if (roll < 0.72) {
      s.emit(ssmGetParameter(s.at(), actor, r.pick(PARAMS), false));
    } else if (roll < 0.88) {
      s.emit(lambdaInvoke(s.at(), actor, r.pick(FUNCTIONS.filter((f) => f !== fn))));
    } else {
      s.emit(putMetricData(s.at(), actor));
    }
  }
}

function batchSession(s: Session): void {
  const r = s.rng;
  const actor = assumedRole(s.a.id, 'etl-batch-role', `etl-${r.hex(8)}`, s.t, r, natIp(s.region), 'boto3');
  const b = buckets(s.a).data;
  const prefix = `exports/${datePath(s.t).join('/')}/run-${r.hex(6)}`;
  let part = 0;
  while (!s.done) {
    const put = r.chance(0.6);
    s.emit(s3Object(s.at(), actor, put ? 'PutObject' : 'GetObject', b, `${prefix}/part-${String(part++).padStart(5, '0')}.parquet`));
  }
}

// ---------------------------------------------------------------------------------------------
// Service and agent noise (lane A)

function trailKmsNoise(s: Session): void {
  while (!s.done) s.emit(kmsGenerateDataKeyForTrail(s.at(), awsService('cloudtrail.amazonaws.com')));
}

function trailAclNoise(s: Session): void {
  const bucket = buckets(s.a).trail;
  const actor = awsService('cloudtrail.amazonaws.com');
  while (!s.done) {
    const x = s.at('us-east-1');
    s.emit({ ...s3BucketRead(x, actor, 'GetBucketAcl', bucket), shared: true });
  }
}

/** VPC Flow Logs delivery failing to write to a bucket whose policy lacks the delivery grant (benign noise). */
export function flowLogsDelivery(x: At, name: 'PutObject' | 'HeadBucket'): RecordSpec {
  const bucket = buckets(x.a).flowLogs;
  const host = s3Host(bucket, x.region);
  const [y, m, d] = datePath(x.t);
  const key = `AWSLogs/${x.a.id}/vpcflowlogs/${x.region}/${y}/${m}/${d}/${x.a.id}_vpcflowlogs_${x.region}_${ec2Id(x.a.id, x.region, 'fl')}_${fileStamp(x.t - (x.t % 300))}_${x.rng.hex(8)}.log.gz`;
  const put = name === 'PutObject';
  return {
    actor: awsService('delivery.logs.amazonaws.com'),
    t: x.t,
    src: 's3.amazonaws.com',
    name,
    region: x.region,
    account: x.a.id,
    err: ['AccessDenied', 'Access Denied'],
    req: put ? { bucketName: bucket, Host: host, 'x-amz-acl': 'bucket-owner-full-control', key } : { bucketName: bucket, Host: host },
    resp: null,
    add: s3Add(x.rng, 0, 243),
    requestID: s3RequestId(x.rng),
    readOnly: !put,
    resources: put
      ? [objectResource(bucket, key), bucketResource(x.a.id, bucket)]
      : [{ type: 'AWS::S3::Object', ARNPrefix: `arn:aws:s3:::${bucket}/` }, bucketResource(x.a.id, bucket)],
    cat: 'Data',
    shared: true,
    vpce: `vpce-${ec2Id(x.a.id, x.region, 'vpce').slice(-8)}`,
  };
}

function flowLogsNoise(s: Session): void {
  while (!s.done) s.emit(flowLogsDelivery(s.at(), s.rng.chance(0.85) ? 'PutObject' : 'HeadBucket'));
}

function agentNoise(s: Session): void {
  const r = s.rng;
  const instance = instanceId(s.a, s.region, r.int(6));
  const actor = assumedRole(s.a.id, INSTANCE_ROLE, instance, s.t - r.int(3000), r, natIp(s.region), 'ssm-agent', { ec2RoleDelivery: true });
  while (!s.done) s.emit(ssmAgentCall(s.at(), actor, instance, r.chance(0.6) ? 'UpdateInstanceInformation' : 'ListInstanceAssociations'));
}

function serviceAssumeNoise(s: Session): void {
  const r = s.rng;
  while (!s.done) {
    const x = s.at('us-east-1');
    const cloudtrail = r.chance(0.5);
    const spec = cloudtrail
      ? assumeRole(x, awsService('cloudtrail.amazonaws.com'), 'CloudTrailRoleForCloudWatchLogs', 'CLOUDWATCH_LOGS_DELIVERY_SESSION', 3600, '/service-role/')
      : assumeRole(x, awsService('config.amazonaws.com'), 'AWSServiceRoleForConfig', 'AWSConfig-Describe', 900, '/aws-service-role/config.amazonaws.com/');
    delete spec.add;
    spec.shared = true;
    s.emit(spec);
  }
}

/** KMS automatic key rotation: an AwsServiceEvent (documented RotateKey example shape). */
function rotateKeyNoise(s: Session): void {
  while (!s.done) {
    const x = s.at();
    const keyId = kmsKeyId(x.a.id, x.region, 'data');
    s.emit({
      actor: { ui: { accountId: x.a.id, invokedBy: 'AWS Internal' }, ip: 'AWS Internal', uaKind: 'fixed', fixedUa: 'AWS Internal', console: false },
      t: x.t,
      src: 'kms.amazonaws.com',
      name: 'RotateKey',
      region: x.region,
      account: x.a.id,
      req: null,
      resp: null,
      requestID: null,
      readOnly: false,
      resources: [{ accountId: x.a.id, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:${x.region}:${x.a.id}:key/${keyId}` }],
      type: 'AwsServiceEvent',
      serviceEventDetails: { keyId },
    });
  }
}

/** IAM Identity Center portal calls by an IdentityCenterUser (AwsServiceEvent, details in serviceEventDetails). */
export function ssoPortalCall(x: At, actor: Actor, name: 'ListAccounts' | 'ListAccountRoles' | 'GetRoleCredentials', targetAccount: string, roleName: string): RecordSpec {
  const details = name === 'ListAccounts' ? undefined : name === 'ListAccountRoles' ? { account_id: targetAccount } : { role_name: roleName.replace(/^AWSReservedSSO_(.*)_[0-9a-f]{16}$/, '$1'), account_id: targetAccount };
  return {
    actor,
    t: x.t,
    src: 'sso.amazonaws.com',
    name,
    region: x.region,
    account: x.a.id,
    req: null,
    resp: null,
    readOnly: true,
    type: 'AwsServiceEvent',
    serviceEventDetails: details,
  };
}

function portalNoise(s: Session): void {
  const r = s.rng;
  const email = r.pick(PEOPLE);
  const actor = identityCenterUser(s.mgmt.id, email, r, r.pick(CORP_IPS), 'cli');
  const target = r.pick(s.accounts);
  const role = ssoRoleName(target.id, r.chance(0.5) ? 'AdministratorAccess' : 'ReadOnlyAccess');
  const steps = ['ListAccounts', 'ListAccountRoles', 'GetRoleCredentials'] as const;
  let i = 0;
  while (!s.done) s.emit(ssoPortalCall(s.at('us-east-1', s.mgmt), actor, steps[i++ % 3]!, target.id, role));
}

// ---------------------------------------------------------------------------------------------
// Session catalogue

export interface SessionType {
  name: string;
  lane: 0 | 1;
  /** Relative frequency of sessions of this type within its lane. */
  weight: number;
  size(rng: Rng): number;
  /** Max seconds between consecutive calls. */
  gap: number;
  roles: Partial<Record<Account['role'], number>>;
  regions: Weighted<string>;
  run(s: Session): void;
}

const HUMAN_REGIONS = new Weighted<string>([['us-east-1', 50], ['eu-west-1', 30], ['us-west-2', 10], ['eu-central-1', 5], ['ap-southeast-2', 5]]);
const APP_REGIONS = new Weighted<string>([['us-east-1', 55], ['eu-west-1', 45]]);
const ALL_REGIONS = new Weighted<string>([['us-east-1', 25], ['eu-west-1', 20], ['us-west-2', 15], ['eu-central-1', 15], ['ap-southeast-2', 13], ['ap-northeast-1', 12]]);
const FLOW_REGIONS = new Weighted<string>([['eu-west-1', 40], ['eu-central-1', 35], ['ap-southeast-2', 25]]);
const HOME = new Weighted<string>([['us-east-1', 1]]);

/** Heavy-ish tail: mostly small, sometimes large. */
const sized = (lo: number, hi: number) => (r: Rng) => lo + Math.floor((hi - lo + 1) * r.next() * r.next());

export const SESSION_TYPES: SessionType[] = [
  // lane A: noise
  { name: 'trail-kms', lane: 0, weight: 30, size: () => 1, gap: 0, roles: { prod: 1, dev: 1, security: 1 }, regions: ALL_REGIONS, run: trailKmsNoise },
  { name: 'trail-acl', lane: 0, weight: 10, size: () => 1, gap: 0, roles: { prod: 1, dev: 1, security: 1 }, regions: HOME, run: trailAclNoise },
  { name: 'flow-logs-denied', lane: 0, weight: 16, size: (r) => 1 + r.int(3), gap: 20, roles: { dev: 1, security: 2 }, regions: FLOW_REGIONS, run: flowLogsNoise },
  { name: 'ssm-agent', lane: 0, weight: 18, size: (r) => 1 + r.int(3), gap: 30, roles: { prod: 2, dev: 1 }, regions: APP_REGIONS, run: agentNoise },
  { name: 'service-assume-role', lane: 0, weight: 6, size: () => 1, gap: 0, roles: { prod: 1, dev: 1, security: 1 }, regions: HOME, run: serviceAssumeNoise },
  { name: 'kms-rotate', lane: 0, weight: 0.4, size: () => 1, gap: 0, roles: { prod: 1, dev: 1, security: 1 }, regions: APP_REGIONS, run: rotateKeyNoise },
  { name: 'sso-portal', lane: 0, weight: 4, size: (r) => 2 + r.int(2), gap: 3, roles: { prod: 1 }, regions: HOME, run: portalNoise },
  // lane B: people and automation
  { name: 'console', lane: 1, weight: 8, size: sized(6, 45), gap: 14, roles: { prod: 45, dev: 40, security: 15 }, regions: HUMAN_REGIONS, run: consoleSession },
  { name: 'cli', lane: 1, weight: 11, size: sized(2, 24), gap: 6, roles: { prod: 45, dev: 45, security: 10 }, regions: HUMAN_REGIONS, run: cliSession },
  { name: 'terraform', lane: 1, weight: 2.5, size: sized(30, 180), gap: 2, roles: { prod: 55, dev: 45 }, regions: APP_REGIONS, run: terraformSession },
  { name: 'workload', lane: 1, weight: 9, size: sized(3, 36), gap: 9, roles: { prod: 60, dev: 40 }, regions: APP_REGIONS, run: workloadSession },
  { name: 's3-batch', lane: 1, weight: 1.2, size: sized(20, 140), gap: 1, roles: { prod: 70, dev: 30 }, regions: APP_REGIONS, run: batchSession },
];

/** Share of background records that are service/agent noise (lane A). */
export const NOISE_SHARE = 0.16;

export { TRAIL_NAME };
