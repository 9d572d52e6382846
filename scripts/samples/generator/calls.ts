/**
 * Per-API record specs: the requestParameters / responseElements / resources / additionalEventData each
 * API has in CloudTrail. Used by background sessions and by scenarios.
 *
 * Shapes follow AWS documentation examples and real CloudTrail output: EC2 query-API "items" lists and
 * `_return`, S3 `bucketName`/`Host` with additionalEventData, Lambda's versioned event names, null
 * requestParameters for parameterless calls.
 */
import type { Rng } from './prng.js';
import { lambdaTime } from './time.js';
import {
  type Account,
  type Actor,
  FUNCTIONS,
  INSTANCE_ROLE,
  LAMBDA_ROLE,
  METRIC_NAMESPACES,
  PARAMS,
  TRAIL_NAME,
  amiId,
  buckets,
  ec2Id,
  instanceId,
  kmsKeyId,
  rolePrincipalId,
  securityGroup,
  subnetId,
  vpcId,
  volumeId,
} from './principals.js';
import {
  type RecordSpec,
  bucketResource,
  ec2Filter,
  ec2Return,
  filterSet,
  kmsKeyArn,
  kmsResource,
  objectResource,
  s3Add,
  s3Host,
  s3RequestId,
  stsCredentials,
  tagItems,
} from './events.js';

/** Where and when a call happens. */
export interface At {
  rng: Rng;
  a: Account;
  region: string;
  t: number;
}

const EC2 = 'ec2.amazonaws.com';
const IAM = 'iam.amazonaws.com';
const S3 = 's3.amazonaws.com';
const STS = 'sts.amazonaws.com';
const LAMBDA = 'lambda.amazonaws.com';
const SSM = 'ssm.amazonaws.com';
const KMS = 'kms.amazonaws.com';
const LOGS = 'logs.amazonaws.com';
const CW = 'monitoring.amazonaws.com';

function spec(x: At, actor: Actor, src: string, name: string, readOnly: boolean, req: unknown, resp: unknown = null): RecordSpec {
  return { actor, t: x.t, src, name, region: x.region, account: x.a.id, req, resp, readOnly };
}

// ---------------------------------------------------------------------------------------------
// EC2 reads

export const EC2_READS = [
  'DescribeInstances',
  'DescribeSecurityGroups',
  'DescribeVpcs',
  'DescribeSubnets',
  'DescribeVolumes',
  'DescribeInstanceStatus',
  'DescribeRouteTables',
  'DescribeNetworkAcls',
  'DescribeInternetGateways',
  'DescribeAvailabilityZones',
  'DescribeRegions',
  'DescribeTags',
  'DescribeImages',
  'DescribeAddresses',
  'DescribeKeyPairs',
  'DescribeAccountAttributes',
  'DescribeLaunchTemplates',
  'DescribeNatGateways',
] as const;
export type Ec2Read = (typeof EC2_READS)[number];

export function ec2Read(x: At, actor: Actor, name: Ec2Read): RecordSpec {
  const r = x.rng;
  const vpc = vpcId(x.a, x.region);
  let req: object;
  switch (name) {
    case 'DescribeInstances':
      req = r.chance(0.5)
        ? { instancesSet: {}, filterSet: filterSet(ec2Filter('instance-state-name', 'running')) }
        : { maxResults: 1000, instancesSet: {}, filterSet: {} };
      break;
    case 'DescribeSecurityGroups':
      req = { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: r.chance(0.5) ? filterSet(ec2Filter('vpc-id', vpc)) : {} };
      break;
    case 'DescribeVpcs':
      req = r.chance(0.5) ? { vpcSet: { items: [{ vpcId: vpc }] }, filterSet: {} } : { vpcSet: {}, filterSet: {} };
      break;
    case 'DescribeSubnets':
      req = { subnetSet: {}, filterSet: filterSet(ec2Filter('vpc-id', vpc)) };
      break;
    case 'DescribeVolumes':
      req = r.chance(0.5) ? { volumeSet: { items: [{ volumeId: volumeId(x.a, x.region, r.int(6)) }] }, filterSet: {} } : { volumeSet: {}, filterSet: {} };
      break;
    case 'DescribeInstanceStatus':
      req = { instancesSet: {}, filterSet: {}, includeAllInstances: false };
      break;
    case 'DescribeRouteTables':
      req = { routeTableIdSet: {}, filterSet: filterSet(ec2Filter('vpc-id', vpc)) };
      break;
    case 'DescribeNetworkAcls':
      req = { networkAclIdSet: {}, filterSet: filterSet(ec2Filter('vpc-id', vpc)) };
      break;
    case 'DescribeInternetGateways':
      req = { internetGatewayIdSet: {}, filterSet: filterSet(ec2Filter('attachment.vpc-id', vpc)) };
      break;
    case 'DescribeAvailabilityZones':
      req = { availabilityZoneSet: {}, availabilityZoneIdSet: {} };
      break;
    case 'DescribeRegions':
      req = r.chance(0.5) ? { regionSet: {}, allRegions: true } : { regionSet: {} };
      break;
    case 'DescribeTags':
      req = { filterSet: filterSet(ec2Filter('resource-id', instanceId(x.a, x.region, r.int(6)))) };
      break;
    case 'DescribeImages':
      req = r.chance(0.5)
        ? { executableBySet: {}, imagesSet: { items: [{ imageId: amiId(x.region, r.int(3)) }] }, ownersSet: {}, filterSet: {} }
        : {
            executableBySet: {},
            imagesSet: {},
            ownersSet: { items: [{ owner: 'amazon' }] },
            filterSet: filterSet(ec2Filter('name', 'al2023-ami-2023.*-x86_64')),
            includeDeprecated: false,
          };
      break;
    case 'DescribeAddresses':
      req = { publicIpsSet: {}, allocationIdsSet: {}, filterSet: {} };
      break;
    case 'DescribeKeyPairs':
      req = { keySet: {}, filterSet: {}, keyPairIdSet: {} };
      break;
    case 'DescribeAccountAttributes':
      req = { accountAttributeNameSet: {}, filterSet: {} };
      break;
    case 'DescribeLaunchTemplates':
      req = { DescribeLaunchTemplatesRequest: { MaxResults: 1 } };
      break;
    case 'DescribeNatGateways':
      req = { DescribeNatGatewaysRequest: { NatGatewayId: { tag: 1, content: ec2Id(x.a.id, x.region, 'nat') } } };
      break;
  }
  return spec(x, actor, EC2, name, true, req);
}

// ---------------------------------------------------------------------------------------------
// IAM reads (global service: recorded in us-east-1)

export const IAM_READS = ['GetUser', 'ListUsers', 'ListRoles', 'GetRole', 'ListAttachedRolePolicies', 'ListRolePolicies', 'ListAccessKeys', 'GetAccountSummary', 'ListPolicies', 'ListMFADevices'] as const;
export type IamRead = (typeof IAM_READS)[number];

const ROLES = ['github-actions-deploy', 'orders-api-execution-role', 'app-server-instance-role', 'etl-batch-role', 'terraform-apply'] as const;

export function iamRead(x: At, actor: Actor, name: IamRead, userName = 'bob'): RecordSpec {
  const r = x.rng;
  let req: unknown = null;
  switch (name) {
    case 'GetUser':
      req = r.chance(0.5) ? null : { userName };
      break;
    case 'ListRoles':
      req = actor.console ? { maxItems: 100 } : null;
      break;
    case 'GetRole':
    case 'ListAttachedRolePolicies':
    case 'ListRolePolicies':
      req = { roleName: r.pick(ROLES) };
      break;
    case 'ListAccessKeys':
    case 'ListMFADevices':
      req = { userName };
      break;
    case 'ListPolicies':
      req = { scope: 'Local', onlyAttached: false };
      break;
    default:
      req = null;
  }
  return { ...spec(x, actor, IAM, name, true, req), region: 'us-east-1' };
}

// ---------------------------------------------------------------------------------------------
// S3 management reads and data events

export const S3_BUCKET_READS = ['GetBucketLocation', 'GetBucketVersioning', 'GetBucketPolicy', 'GetBucketPublicAccessBlock', 'GetBucketEncryption', 'GetBucketTagging', 'GetBucketAcl'] as const;
export type S3BucketRead = (typeof S3_BUCKET_READS)[number];
const S3_SUBRESOURCE: Record<S3BucketRead, string> = {
  GetBucketLocation: 'location',
  GetBucketVersioning: 'versioning',
  GetBucketPolicy: 'policy',
  GetBucketPublicAccessBlock: 'publicAccessBlock',
  GetBucketEncryption: 'encryption',
  GetBucketTagging: 'tagging',
  GetBucketAcl: 'acl',
};

export function s3ListBuckets(x: At, actor: Actor): RecordSpec {
  return {
    ...spec(x, actor, S3, 'ListBuckets', true, { Host: 's3.amazonaws.com' }),
    add: s3Add(x.rng, 0, 1800 + x.rng.int(900)),
    requestID: s3RequestId(x.rng),
    host: 's3.amazonaws.com',
  };
}

export function s3BucketRead(x: At, actor: Actor, name: S3BucketRead, bucket: string): RecordSpec {
  const host = s3Host(bucket, x.region);
  const req: Record<string, unknown> = { bucketName: bucket, Host: host };
  req[S3_SUBRESOURCE[name]] = '';
  const s: RecordSpec = {
    ...spec(x, actor, S3, name, true, req),
    add: s3Add(x.rng, 0, 100 + x.rng.int(900)),
    requestID: s3RequestId(x.rng),
    resources: [bucketResource(x.a.id, bucket)],
    host,
  };
  // Buckets without a policy / tag set answer with an error: ordinary, benign noise.
  if (name === 'GetBucketPolicy' && x.rng.chance(0.5)) s.err = ['NoSuchBucketPolicy', 'The bucket policy does not exist'];
  if (name === 'GetBucketTagging' && x.rng.chance(0.5)) s.err = ['NoSuchTagSet', 'The TagSet does not exist'];
  return s;
}

export function s3Object(x: At, actor: Actor, name: 'GetObject' | 'PutObject', bucket: string, key: string, sse: 'kms' | 's3' = 's3'): RecordSpec {
  const r = x.rng;
  const host = s3Host(bucket, x.region);
  const size = 512 + r.int(400_000);
  const req: Record<string, unknown> = { bucketName: bucket, Host: host, key };
  let resp: unknown = null;
  let add: Record<string, unknown>;
  if (name === 'PutObject') {
    if (sse === 'kms') {
      req['x-amz-server-side-encryption'] = 'aws:kms';
      resp = { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': kmsKeyArn(x.a.id, x.region, kmsKeyId(x.a.id, x.region, 'data')) };
      add = s3Add(r, size, 0, { SSEApplied: 'SSE_KMS' });
    } else {
      resp = { 'x-amz-server-side-encryption': 'AES256' };
      add = s3Add(r, size, 0, { SSEApplied: 'Default_SSE_S3' });
    }
  } else {
    add = s3Add(r, 0, size);
  }
  return {
    ...spec(x, actor, S3, name, name === 'GetObject', req, resp),
    add,
    requestID: s3RequestId(r),
    resources: [objectResource(bucket, key), bucketResource(x.a.id, bucket)],
    cat: 'Data',
    host,
  };
}

// ---------------------------------------------------------------------------------------------
// STS

export function getCallerIdentity(x: At, actor: Actor): RecordSpec {
  return {
    ...spec(x, actor, STS, 'GetCallerIdentity', true, null),
    add: { RequestDetails: { awsServingRegion: x.region, endpointType: 'regional' } },
  };
}

export function assumeRole(x: At, actor: Actor, roleName: string, sessionName: string, durationSeconds = 3600, rolePath = '/'): RecordSpec {
  const roleArn = `arn:aws:iam::${x.a.id}:role${rolePath}${roleName}`;
  return {
    ...spec(x, actor, STS, 'AssumeRole', true, { roleArn, roleSessionName: sessionName, durationSeconds }, {
      credentials: stsCredentials(x.rng, x.t, durationSeconds),
      assumedRoleUser: { assumedRoleId: `${rolePrincipalId(x.a.id, roleName)}:${sessionName}`, arn: `arn:aws:sts::${x.a.id}:assumed-role/${roleName}/${sessionName}` },
    }),
    add: { RequestDetails: { awsServingRegion: x.region, endpointType: 'regional' } },
    resources: [{ accountId: x.a.id, type: 'AWS::IAM::Role', ARN: roleArn }],
  };
}

// ---------------------------------------------------------------------------------------------
// Lambda

export function lambdaRead(x: At, actor: Actor, name: 'ListFunctions20150331' | 'GetFunction20150331v2' | 'GetFunctionConfiguration20150331v2' | 'GetPolicy20150331v2', fn: string): RecordSpec {
  return spec(x, actor, LAMBDA, name, true, name === 'ListFunctions20150331' ? null : { functionName: fn });
}

export function functionArn(a: Account, region: string, fn: string): string {
  return `arn:aws:lambda:${region}:${a.id}:function:${fn}`;
}

export function lambdaInvoke(x: At, actor: Actor, fn: string): RecordSpec {
  const arn = functionArn(x.a, x.region, fn);
  return {
    ...spec(x, actor, LAMBDA, 'Invoke', false, { functionName: arn, invocationType: x.rng.chance(0.7) ? 'RequestResponse' : 'Event' }),
    add: { functionVersion: `${arn}:$LATEST` },
    resources: [{ accountId: x.a.id, type: 'AWS::Lambda::Function', ARN: arn }],
    cat: 'Data',
  };
}

export function updateFunctionCode(x: At, actor: Actor, fn: string): RecordSpec {
  const r = x.rng;
  const arn = functionArn(x.a, x.region, fn);
  const version = String(2 + r.int(60));
  return spec(
    x,
    actor,
    LAMBDA,
    'UpdateFunctionCode20150331v2',
    false,
    {
      functionName: arn,
      publish: true,
      dryRun: false,
      s3Bucket: buckets(x.a).assets,
      s3Key: `lambda/${fn}/${r.hex(12)}.zip`,
    },
    {
      functionName: fn,
      functionArn: `${arn}:${version}`,
      runtime: 'python3.12',
      role: `arn:aws:iam::${x.a.id}:role/${LAMBDA_ROLE(fn)}`,
      handler: 'app.handler',
      codeSize: 20_000 + r.int(2_000_000),
      description: '',
      timeout: 30,
      memorySize: 512,
      lastModified: lambdaTime(x.t),
      codeSha256: r.b64(43) + '=',
      version,
      environment: {},
      tracingConfig: { mode: 'PassThrough' },
      revisionId: r.uuid(),
      state: 'Pending',
      stateReason: 'The function is being created.',
      stateReasonCode: 'Creating',
      packageType: 'Zip',
      architectures: ['arm64'],
      ephemeralStorage: { size: 512 },
      snapStart: { applyOn: 'None', optimizationStatus: 'Off' },
      loggingConfig: { logFormat: 'Text', logGroup: `/aws/lambda/${fn}` },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// CloudWatch, CloudWatch Logs

export function cloudwatchRead(x: At, actor: Actor, name: 'DescribeAlarms' | 'ListDashboards' | 'GetDashboard' | 'DescribeAlarmHistory'): RecordSpec {
  const req =
    name === 'DescribeAlarms'
      ? { maxRecords: 100 }
      : name === 'GetDashboard'
        ? { dashboardName: `${x.a.env}-overview` }
        : name === 'DescribeAlarmHistory'
          ? { alarmName: `${x.a.env}-orders-api-5xx`, historyItemType: 'StateUpdate', maxRecords: 50 }
          : null;
  return spec(x, actor, CW, name, true, req);
}

/** PutMetricData is recorded as a data event when CloudWatch metric data events are selected. */
export function putMetricData(x: At, actor: Actor): RecordSpec {
  const r = x.rng;
  const ns = r.pick(METRIC_NAMESPACES);
  return {
    ...spec(x, actor, CW, 'PutMetricData', false, {
      namespace: ns,
      metricData: [{ metricName: r.pick(['OrdersPlaced', 'CheckoutLatency', 'QueueDepth', 'JobsProcessed']), dimensions: [{ name: 'Environment', value: x.a.env }], value: r.int(500), unit: 'Count' }],
    }),
    cat: 'Data',
  };
}

export function logsRead(x: At, actor: Actor, name: 'DescribeLogGroups' | 'DescribeLogStreams' | 'FilterLogEvents'): RecordSpec {
  const group = `/aws/lambda/${x.rng.pick(FUNCTIONS)}`;
  const req =
    name === 'DescribeLogGroups'
      ? x.rng.chance(0.5)
        ? { limit: 50 }
        : { logGroupNamePrefix: '/aws/lambda/' }
      : name === 'DescribeLogStreams'
        ? { logGroupName: group, orderBy: 'LastEventTime', descending: true, limit: 50 }
        : { logGroupName: group, startTime: (x.t - 3600) * 1000, endTime: x.t * 1000, filterPattern: 'ERROR', interleaved: true };
  return { ...spec(x, actor, LOGS, name, true, req), apiVersion: '20140328' };
}

// ---------------------------------------------------------------------------------------------
// SSM, KMS

export function ssmGetParameter(x: At, actor: Actor, name = x.rng.pick(PARAMS), decrypt = x.rng.chance(0.4)): RecordSpec {
  return {
    ...spec(x, actor, SSM, 'GetParameter', true, { name, withDecryption: decrypt }),
    resources: [{ accountId: x.a.id, ARN: `arn:aws:ssm:${x.region}:${x.a.id}:parameter${name}` }],
  };
}

export function ssmDescribeParameters(x: At, actor: Actor): RecordSpec {
  return spec(x, actor, SSM, 'DescribeParameters', true, { maxResults: 50, shared: false });
}

export function ssmPutParameter(x: At, actor: Actor, name: string): RecordSpec {
  return {
    ...spec(
      x,
      actor,
      SSM,
      'PutParameter',
      false,
      { name, value: 'HIDDEN_DUE_TO_SECURITY_REASONS', type: 'String', overwrite: true, allowedPattern: '', tier: 'Standard' },
      { version: 2 + x.rng.int(40), tier: 'Standard' },
    ),
    resources: [{ accountId: x.a.id, ARN: `arn:aws:ssm:${x.region}:${x.a.id}:parameter${name}` }],
  };
}

export function ssmAgentCall(x: At, actor: Actor, instance: string, name: 'UpdateInstanceInformation' | 'ListInstanceAssociations'): RecordSpec {
  if (name === 'ListInstanceAssociations') return spec(x, actor, SSM, name, true, { instanceId: instance, maxResults: 20 });
  return spec(x, actor, SSM, name, false, {
    instanceId: instance,
    agentVersion: '3.3.40.0',
    agentStatus: 'Active',
    platformType: 'Linux',
    platformName: 'Amazon Linux',
    platformVersion: '2023',
    iPAddress: `10.${10 + x.a.index}.${1 + (instance.charCodeAt(5) % 3)}.${20 + (instance.charCodeAt(7) % 200)}`,
    computerName: `ip-10-${10 + x.a.index}-1-${20 + (instance.charCodeAt(7) % 200)}.${x.region === 'us-east-1' ? 'ec2.internal' : `${x.region}.compute.internal`}`,
    agentName: 'amazon-ssm-agent',
    availabilityZone: `${x.region}a`,
    availabilityZoneId: `${x.region.slice(0, 2)}${x.region.split('-')[1]!.slice(0, 1)}${x.region.slice(-1)}-az1`,
  });
}

export function kmsDecryptForS3(x: At, actor: Actor, bucket: string, key: string): RecordSpec {
  const keyId = kmsKeyId(x.a.id, x.region, 'data');
  return {
    ...spec(x, actor, KMS, 'Decrypt', true, {
      encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${key}` },
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    }),
    resources: [kmsResource(x.a.id, x.region, keyId)],
  };
}

export function kmsDescribeKey(x: At, actor: Actor): RecordSpec {
  return { ...spec(x, actor, KMS, 'DescribeKey', true, { keyId: 'alias/examplecorp-data' }), resources: [kmsResource(x.a.id, x.region, kmsKeyId(x.a.id, x.region, 'data'))] };
}

/** CloudTrail's own data-key request for SSE-KMS log file encryption (AWSService, cloudtrail). */
export function kmsGenerateDataKeyForTrail(x: At, actor: Actor, trailRegion = 'us-east-1'): RecordSpec {
  const keyId = kmsKeyId(x.a.id, trailRegion, 'cloudtrail');
  return {
    ...spec(x, actor, KMS, 'GenerateDataKey', true, {
      keyId: kmsKeyArn(x.a.id, trailRegion, keyId),
      encryptionContext: {
        'aws:cloudtrail:arn': `arn:aws:cloudtrail:${trailRegion}:${x.a.id}:trail/${TRAIL_NAME}`,
        'aws:s3:arn': `arn:aws:s3:::${buckets(x.a).trail}/AWSLogs/${x.a.id}/CloudTrail/`,
      },
      keySpec: 'AES_256',
    }),
    resources: [kmsResource(x.a.id, trailRegion, keyId)],
    shared: true,
  };
}

// ---------------------------------------------------------------------------------------------
// EC2 benign writes

export function createTags(x: At, actor: Actor, resourceIds: string[], tags: Record<string, string>): RecordSpec {
  return spec(x, actor, EC2, 'CreateTags', false, { resourcesSet: { items: resourceIds.map((resourceId) => ({ resourceId })) }, tagSet: { items: tagItems(tags) } }, ec2Return(x.rng.uuid()));
}

export function runInstances(x: At, actor: Actor, tags: Record<string, string>): { spec: RecordSpec; instance: string } {
  const r = x.rng;
  const instance = `i-0${r.hex(16)}`;
  const subnet = subnetId(x.a, x.region, r.int(3));
  const sg = securityGroup(x.a, x.region, 1);
  const requestId = r.uuid();
  const type = r.pick(['t3.medium', 'm6i.large', 'c7g.large']);
  const ip = `10.${10 + x.a.index}.${1 + r.int(3)}.${10 + r.int(240)}`;
  const az = `${x.region}${r.pick(['a', 'b', 'c'])}`;
  const ami = amiId(x.region, r.int(3));
  const tagSet = { items: tagItems(tags) };
  const s = spec(
    x,
    actor,
    EC2,
    'RunInstances',
    false,
    {
      instancesSet: { items: [{ imageId: ami, minCount: 1, maxCount: 1 }] },
      instanceType: type,
      blockDeviceMapping: {},
      monitoring: { enabled: false },
      disableApiTermination: false,
      disableApiStop: false,
      clientToken: r.uuid().toUpperCase(),
      subnetId: subnet,
      groupSet: { items: [{ groupId: sg.id }] },
      iamInstanceProfile: { name: INSTANCE_ROLE },
      ebsOptimized: false,
      tagSpecificationSet: { items: [{ resourceType: 'instance', tags: tagItems(tags) }] },
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled' },
    },
    {
      requestId,
      reservationId: `r-0${r.hex(16)}`,
      ownerId: x.a.id,
      groupSet: {},
      instancesSet: {
        items: [
          {
            instanceId: instance,
            imageId: ami,
            currentInstanceBootMode: 'legacy-bios',
            instanceState: { code: 0, name: 'pending' },
            privateDnsName: `ip-${ip.replace(/\./g, '-')}.${x.region === 'us-east-1' ? 'ec2.internal' : `${x.region}.compute.internal`}`,
            amiLaunchIndex: 0,
            productCodes: {},
            instanceType: type,
            launchTime: x.t * 1000,
            placement: { availabilityZone: az, tenancy: 'default' },
            monitoring: { state: 'disabled' },
            subnetId: subnet,
            vpcId: vpcId(x.a, x.region),
            privateIpAddress: ip,
            stateReason: { code: 'pending', message: 'pending' },
            architecture: type.startsWith('c7g') ? 'arm64' : 'x86_64',
            rootDeviceType: 'ebs',
            rootDeviceName: '/dev/xvda',
            blockDeviceMapping: {},
            virtualizationType: 'hvm',
            hypervisor: 'xen',
            tagSet,
            groupSet: { items: [{ groupId: sg.id, groupName: sg.name }] },
            sourceDestCheck: true,
            networkInterfaceSet: {
              items: [
                {
                  networkInterfaceId: `eni-0${r.hex(16)}`,
                  subnetId: subnet,
                  vpcId: vpcId(x.a, x.region),
                  ownerId: x.a.id,
                  status: 'in-use',
                  macAddress: `0a:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}:${r.hex(2)}`,
                  privateIpAddress: ip,
                  sourceDestCheck: true,
                  interfaceType: 'interface',
                  groupSet: { items: [{ groupId: sg.id, groupName: sg.name }] },
                  attachment: { attachmentId: `eni-attach-0${r.hex(16)}`, deviceIndex: 0, networkCardIndex: 0, status: 'attaching', attachTime: x.t * 1000, deleteOnTermination: true },
                  privateIpAddressesSet: { item: [{ privateIpAddress: ip, primary: true }] },
                  ipv6AddressesSet: {},
                  tagSet: {},
                },
              ],
            },
            iamInstanceProfile: { arn: `arn:aws:iam::${x.a.id}:instance-profile/${INSTANCE_ROLE}`, id: 'AIPA' + r.upper(17) },
            ebsOptimized: false,
            enaSupport: true,
            cpuOptions: { coreCount: 1, threadsPerCore: 2 },
            capacityReservationSpecification: { capacityReservationPreference: 'open' },
            enclaveOptions: { enabled: false },
            metadataOptions: { state: 'pending', httpTokens: 'required', httpPutResponseHopLimit: 2, httpEndpoint: 'enabled', httpProtocolIpv4: 'enabled', httpProtocolIpv6: 'disabled', instanceMetadataTags: 'disabled' },
            maintenanceOptions: { autoRecovery: 'default' },
            privateDnsNameOptions: { hostnameType: 'ip-name', enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
          },
        ],
      },
    },
  );
  s.requestID = requestId;
  return { spec: s, instance };
}
