/**
 * The CIS monitoring controls (CIS AWS Foundations v1.2.0 3.1-3.14, v1.4.0-v3.0.0 4.1-4.15; AWS Security Hub
 * CloudWatch.1-14) as one table.
 *
 * One table rather than one file per control: the fifteen controls differ only in data (event names, the texts CIS
 * and Security Hub publish, metric names), and a table lets a reviewer compare them side by side with the rule catalog.
 * The behaviour that is not data - which events each control must and must not catch - lives in battery.ts, one named
 * builder per kind of control. CIS numbers, Security Hub ids and the other frameworks are not repeated here: each
 * control names its rule in rules/cis/*.yaml, and the compliance mappings are read from that rule.
 *
 * Canonical texts (what `trailguard audit --fix` writes) are CIS's own filters, with the two published defects fixed
 * (see `defect` of 4.1 and 4.13). `securityHub` is the exact text AWS Security Hub's CIS v1.2.0 standard compares
 * against (it fails any other text, even an equivalent one); `--patterns security-hub` writes those instead.
 */

export const CIS_RULE_IDS = [
  'unauthorized-api-calls',
  'console-signin-without-mfa',
  'root-account-usage',
  'iam-policy-changes',
  'cloudtrail-config-changes',
  'console-auth-failures',
  'kms-cmk-disabled-or-scheduled-deletion',
  's3-bucket-policy-changes',
  'aws-config-changes',
  'security-group-changes',
  'nacl-changes',
  'network-gateway-changes',
  'route-table-changes',
  'vpc-changes',
  'organizations-changes',
] as const;
export type CisRuleId = (typeof CIS_RULE_IDS)[number];

/** An event-list control: these event names from this service, successful or not. */
export interface EventListSpec {
  kind: 'event-list';
  eventSource: string;
  /** The names the published filter lists and a correct filter must catch. */
  required: readonly string[];
  /** Names the published filter lists but that can no longer occur: either answer is accepted. */
  retired?: { names: readonly string[]; why: string };
  /** Read-only calls of the same service: a filter that counts them alarms on routine activity. */
  readOnlyNeighbours: readonly string[];
  /** A frequent write of the same service that is not this kind of change (tags, instances): counting it is noise. */
  unrelatedWrites: readonly string[];
  /** Calls of the same name from another service: CIS pins the service in some texts and not in others. */
  otherSources?: readonly { eventSource: string; eventName: string; why: string }[];
}

export interface SpecialSpec {
  kind: 'unauthorized-api-calls' | 'console-signin-without-mfa' | 'root-account-usage' | 'console-auth-failures';
}

export interface PublishedFilter {
  source: string;
  text: string;
  /** Set when the published text does not do what its control says. */
  defect?: string;
}

export interface MonitoringControl {
  ruleId: CisRuleId;
  /** Short title for tables. */
  title: string;
  spec: EventListSpec | SpecialSpec;
  /** The filter --fix writes by default. */
  canonical: string;
  /** The exact text Security Hub's CIS v1.2.0 controls look for (none for 4.15, which has no Security Hub control). */
  securityHub?: string;
  /** Every published text trailguard knows, including the defective ones; all of them are judged by the battery in the tests. */
  published: readonly PublishedFilter[];
  /** Metric name --fix publishes. */
  metricName: string;
  /**
   * A single matching event must be able to raise the alarm (threshold and datapoints-to-alarm). False only for 4.1,
   * where alarming on bursts of refused calls is a legitimate design.
   */
  singleEventMustAlarm: boolean;
  /** What trailguard accepts where the published CIS text is itself defective, and why. Shown in reports and the README table. */
  acceptance?: string;
}

const names = (list: readonly string[], style: 'cis' | 'compact' | 'quoted' = 'cis'): string =>
  list.map((n) => (style === 'compact' ? `($.eventName=${n})` : style === 'quoted' ? `($.eventName = "${n}")` : `($.eventName = ${n})`)).join(' || ');

const IAM_POLICY = [
  'DeleteGroupPolicy',
  'DeleteRolePolicy',
  'DeleteUserPolicy',
  'PutGroupPolicy',
  'PutRolePolicy',
  'PutUserPolicy',
  'CreatePolicy',
  'DeletePolicy',
  'CreatePolicyVersion',
  'DeletePolicyVersion',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'AttachUserPolicy',
  'DetachUserPolicy',
  'AttachGroupPolicy',
  'DetachGroupPolicy',
];
const TRAIL = ['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging'];
const KMS = ['DisableKey', 'ScheduleKeyDeletion'];
const S3 = [
  'PutBucketAcl',
  'PutBucketPolicy',
  'PutBucketCors',
  'PutBucketLifecycle',
  'PutBucketReplication',
  'DeleteBucketPolicy',
  'DeleteBucketCors',
  'DeleteBucketLifecycle',
  'DeleteBucketReplication',
];
const CONFIG = ['StopConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel', 'PutConfigurationRecorder'];
const SECURITY_GROUP = ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup'];
const NACL = ['CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation'];
const GATEWAY = ['CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway', 'CreateInternetGateway', 'DeleteInternetGateway', 'DetachInternetGateway'];
const ROUTE = ['CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable', 'DeleteRoute', 'DisassociateRouteTable'];
const VPC = ['CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'AcceptVpcPeeringConnection', 'CreateVpcPeeringConnection', 'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection'];
const CLASSIC_LINK = ['AttachClassicLinkVpc', 'DetachClassicLinkVpc', 'DisableVpcClassicLink', 'EnableVpcClassicLink'];
const ORGANIZATIONS = [
  'AcceptHandshake',
  'AttachPolicy',
  'CreateAccount',
  'CreateOrganizationalUnit',
  'CreatePolicy',
  'DeclineHandshake',
  'DeleteOrganization',
  'DeleteOrganizationalUnit',
  'DeletePolicy',
  'DetachPolicy',
  'DisablePolicyType',
  'EnablePolicyType',
  'InviteAccountToOrganization',
  'LeaveOrganization',
  'MoveAccount',
  'RemoveAccountFromOrganization',
  'UpdatePolicy',
  'UpdateOrganizationalUnit',
];

const UNAUTHORIZED_V12 = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';
const UNAUTHORIZED_V14 =
  '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }';
const UNAUTHORIZED_FIXED =
  '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }';

export const MONITORING_CONTROLS: readonly MonitoringControl[] = [
  {
    ruleId: 'unauthorized-api-calls',
    title: 'Unauthorized API calls',
    spec: { kind: 'unauthorized-api-calls' },
    canonical: UNAUTHORIZED_FIXED,
    securityHub: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    published: [
      { source: 'CIS v1.2.0 3.1', text: UNAUTHORIZED_V12 },
      { source: 'Security Hub CloudWatch.2', text: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}' },
      {
        source: 'CIS v1.4.0-v3.0.0 4.1',
        text: UNAUTHORIZED_V14,
        defect:
          'A || B && C && D: && binds tighter than ||, so the two exclusions guard only the AccessDenied* branch; a refused *UnauthorizedOperation call by the log delivery service still counts',
      },
      { source: 'trailguard (4.1 with its evident grouping)', text: UNAUTHORIZED_FIXED },
    ],
    metricName: 'UnauthorizedAPICalls',
    singleEventMustAlarm: false,
    acceptance:
      'Must count refused calls (*UnauthorizedOperation, AccessDenied*) of ordinary principals and must not count throttling, other errors or successful calls. ' +
      'The refusals of the log delivery service (delivery.logs.amazonaws.com) and refused HeadBucket calls are accepted either way: v1.2.0 and Security Hub ' +
      'count them, v1.4.0+ excludes them, and its printed text excludes them only from the AccessDenied* branch (operator precedence). So the v1.2.0 text, the ' +
      'literal v1.4.0 text and the grouped text all pass; --fix writes the grouped one, which does what v1.4.0 intends. A higher alarm threshold (bursts) is accepted here only.',
  },
  {
    ruleId: 'console-signin-without-mfa',
    title: 'Console sign-in without MFA',
    spec: { kind: 'console-signin-without-mfa' },
    canonical:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    securityHub:
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    published: [
      { source: 'CIS v1.2.0 3.2 / v1.4.0+ 4.2', text: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }' },
      {
        source: 'CIS v1.4.0+ 4.2 (SSO alternative) / Security Hub CloudWatch.3',
        text: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
      },
    ],
    metricName: 'ConsoleSignInWithoutMFA',
    singleEventMustAlarm: true,
    acceptance:
      'Must count a successful IAM user sign-in without MFA and must not count sign-ins with MFA. Failed attempts, SAML/IAM Identity Center sign-ins (MFA happens at the IdP, ' +
      'CloudTrail says MFAUsed No) and root sign-ins are accepted either way: the v1.2.0 text counts them, the SSO alternative CIS v1.4.0 offers does not (root is 4.3\'s).',
  },
  {
    ruleId: 'root-account-usage',
    title: 'Root user activity',
    spec: { kind: 'root-account-usage' },
    canonical: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    securityHub: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    published: [
      { source: 'CIS v1.2.0 3.3 / v1.4.0+ 4.3', text: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }' },
      { source: 'Security Hub CloudWatch.1', text: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}' },
    ],
    metricName: 'RootAccountUsage',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 'iam-policy-changes',
    title: 'IAM policy changes',
    spec: {
      kind: 'event-list',
      eventSource: 'iam.amazonaws.com',
      required: IAM_POLICY,
      readOnlyNeighbours: ['GetPolicy', 'ListPolicies', 'GetPolicyVersion'],
      unrelatedWrites: ['TagRole'],
      otherSources: [
        {
          eventSource: 'autoscaling.amazonaws.com',
          eventName: 'DeletePolicy',
          why: 'the CIS text has no eventSource, so Auto Scaling DeletePolicy counts (Security Hub warns about it); a filter pinned to iam.amazonaws.com is fine too',
        },
      ],
    },
    canonical: `{${names(IAM_POLICY, 'compact')}}`,
    securityHub: `{${names(IAM_POLICY, 'compact')}}`,
    published: [
      { source: 'CIS v1.2.0 3.4 / v1.4.0+ 4.4', text: `{${IAM_POLICY.map((n) => `($.eventName=${n})`).join('||')}}` },
      { source: 'Security Hub CloudWatch.4', text: `{${names(IAM_POLICY, 'compact')}}` },
    ],
    metricName: 'IAMPolicyChanges',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 'cloudtrail-config-changes',
    title: 'CloudTrail configuration changes',
    spec: { kind: 'event-list', eventSource: 'cloudtrail.amazonaws.com', required: TRAIL, readOnlyNeighbours: ['DescribeTrails', 'GetTrailStatus', 'LookupEvents'], unrelatedWrites: [] },
    canonical: `{ ${names(TRAIL)} }`,
    securityHub: `{${names(TRAIL, 'compact')}}`,
    published: [
      { source: 'CIS v1.2.0 3.5 / v1.4.0+ 4.5', text: `{ ${names(TRAIL)} }` },
      { source: 'Security Hub CloudWatch.5', text: `{${names(TRAIL, 'compact')}}` },
    ],
    metricName: 'CloudTrailConfigChanges',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 'console-auth-failures',
    title: 'Console authentication failures',
    spec: { kind: 'console-auth-failures' },
    canonical: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    securityHub: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    published: [
      { source: 'CIS v1.2.0 3.6 / v1.4.0+ 4.6', text: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }' },
      { source: 'Security Hub CloudWatch.6', text: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}' },
    ],
    metricName: 'ConsoleAuthFailures',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 'kms-cmk-disabled-or-scheduled-deletion',
    title: 'KMS key disabled or scheduled for deletion',
    spec: { kind: 'event-list', eventSource: 'kms.amazonaws.com', required: KMS, readOnlyNeighbours: ['DescribeKey', 'ListKeys'], unrelatedWrites: ['TagResource'] },
    canonical: `{ ($.eventSource = kms.amazonaws.com) && (${names(KMS)}) }`,
    securityHub: `{($.eventSource=kms.amazonaws.com) && (${names(KMS, 'compact')})}`,
    published: [
      { source: 'CIS v1.2.0 3.7 / v1.4.0+ 4.7', text: '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }' },
      { source: 'Security Hub CloudWatch.7', text: `{($.eventSource=kms.amazonaws.com) && (${names(KMS, 'compact')})}` },
    ],
    metricName: 'KMSKeyDisabledOrScheduledDeletion',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 's3-bucket-policy-changes',
    title: 'S3 bucket policy changes',
    spec: { kind: 'event-list', eventSource: 's3.amazonaws.com', required: S3, readOnlyNeighbours: ['GetBucketPolicy', 'GetBucketAcl', 'ListBuckets'], unrelatedWrites: ['PutBucketTagging'] },
    canonical: `{ ($.eventSource = s3.amazonaws.com) && (${names(S3)}) }`,
    securityHub: `{($.eventSource=s3.amazonaws.com) && (${names(S3, 'compact')})}`,
    published: [
      { source: 'CIS v1.2.0 3.8 / v1.4.0+ 4.8', text: `{ ($.eventSource = s3.amazonaws.com) && (${names(S3)}) }` },
      { source: 'Security Hub CloudWatch.8', text: `{($.eventSource=s3.amazonaws.com) && (${names(S3, 'compact')})}` },
    ],
    metricName: 'S3BucketPolicyChanges',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 'aws-config-changes',
    title: 'AWS Config changes',
    spec: { kind: 'event-list', eventSource: 'config.amazonaws.com', required: CONFIG, readOnlyNeighbours: ['DescribeConfigurationRecorders', 'DescribeConfigurationRecorderStatus'], unrelatedWrites: ['PutEvaluations'] },
    canonical: `{ ($.eventSource = config.amazonaws.com) && (${names(CONFIG)}) }`,
    securityHub: `{($.eventSource=config.amazonaws.com) && (${names(CONFIG, 'compact')})}`,
    published: [
      {
        source: 'CIS v1.2.0 3.9 / v1.4.0+ 4.9',
        text: '{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }',
      },
      { source: 'Security Hub CloudWatch.9', text: `{($.eventSource=config.amazonaws.com) && (${names(CONFIG, 'compact')})}` },
    ],
    metricName: 'AWSConfigChanges',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 'security-group-changes',
    title: 'Security group changes',
    spec: { kind: 'event-list', eventSource: 'ec2.amazonaws.com', required: SECURITY_GROUP, readOnlyNeighbours: ['DescribeSecurityGroups', 'DescribeSecurityGroupRules'], unrelatedWrites: ['RunInstances', 'CreateTags'] },
    canonical: `{ ${names(SECURITY_GROUP)} }`,
    securityHub: `{${names(SECURITY_GROUP, 'compact')}}`,
    published: [
      { source: 'CIS v1.2.0 3.10 / v1.4.0+ 4.10', text: `{ ${names(SECURITY_GROUP)} }` },
      { source: 'Security Hub CloudWatch.10', text: `{${names(SECURITY_GROUP, 'compact')}}` },
    ],
    metricName: 'SecurityGroupChanges',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 'nacl-changes',
    title: 'Network ACL changes',
    spec: { kind: 'event-list', eventSource: 'ec2.amazonaws.com', required: NACL, readOnlyNeighbours: ['DescribeNetworkAcls'], unrelatedWrites: ['RunInstances', 'CreateTags'] },
    canonical: `{ ${names(NACL)} }`,
    securityHub: `{${names(NACL, 'compact')}}`,
    published: [
      { source: 'CIS v1.2.0 3.11 / v1.4.0+ 4.11', text: `{ ${names(NACL)} }` },
      { source: 'Security Hub CloudWatch.11', text: `{${names(NACL, 'compact')}}` },
    ],
    metricName: 'NACLChanges',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 'network-gateway-changes',
    title: 'Network gateway changes',
    spec: { kind: 'event-list', eventSource: 'ec2.amazonaws.com', required: GATEWAY, readOnlyNeighbours: ['DescribeInternetGateways', 'DescribeCustomerGateways'], unrelatedWrites: ['RunInstances', 'CreateTags'] },
    canonical: `{ ${names(GATEWAY)} }`,
    securityHub: `{${names(GATEWAY, 'compact')}}`,
    published: [
      { source: 'CIS v1.2.0 3.12 / v1.4.0+ 4.12', text: `{ ${names(GATEWAY)} }` },
      { source: 'Security Hub CloudWatch.12', text: `{${names(GATEWAY, 'compact')}}` },
      {
        source: 'seed 000 (multi-line, as pasted into the console)',
        text:
          '{\n($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) ||\n' +
          '($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway)\n}',
      },
    ],
    metricName: 'NetworkGatewayChanges',
    singleEventMustAlarm: true,
  },
  {
    ruleId: 'route-table-changes',
    title: 'Route table changes',
    spec: { kind: 'event-list', eventSource: 'ec2.amazonaws.com', required: ROUTE, readOnlyNeighbours: ['DescribeRouteTables'], unrelatedWrites: ['RunInstances', 'CreateTags'] },
    canonical: `{ ${names(ROUTE)} }`,
    securityHub: `{${names(ROUTE, 'compact')}}`,
    published: [
      { source: 'CIS v1.2.0 3.13', text: `{ ${names(ROUTE)} }` },
      { source: 'Security Hub CloudWatch.13', text: `{${names(ROUTE, 'compact')}}` },
      {
        source: 'CIS v1.4.0+ 4.13 (some printings)',
        text: `{($.eventSource = ec2.amazonaws.com) && ${names(ROUTE)} }`,
        defect:
          'the eventSource condition is not parenthesised with the alternatives, so it constrains CreateRoute only; the text still counts every listed EC2 call, it only fails to pin the service for six of the seven names',
      },
    ],
    metricName: 'RouteTableChanges',
    singleEventMustAlarm: true,
    acceptance:
      'Must count the seven route calls from ec2.amazonaws.com. Whether eventSource is pinned does not change what a real account logs (no other service has these names), ' +
      'so the v1.2.0 text, the literal v1.4.0+ printing (eventSource binding only to CreateRoute) and a fully parenthesised one all pass. --fix writes the v1.2.0 / Security Hub list ' +
      'without eventSource, which is also what later CIS versions print.',
  },
  {
    ruleId: 'vpc-changes',
    title: 'VPC changes',
    spec: {
      kind: 'event-list',
      eventSource: 'ec2.amazonaws.com',
      required: VPC,
      retired: {
        names: CLASSIC_LINK,
        why: 'ClassicLink calls cannot succeed any more: EC2-Classic is retired and the ClassicLink APIs are deprecated; a filter may list them or not',
      },
      readOnlyNeighbours: ['DescribeVpcs', 'DescribeVpcPeeringConnections'],
      unrelatedWrites: ['RunInstances', 'CreateTags'],
    },
    canonical: `{ ${names([...VPC, ...CLASSIC_LINK])} }`,
    securityHub: `{${names([...VPC, ...CLASSIC_LINK], 'compact')}}`,
    published: [
      { source: 'CIS v1.2.0 3.14 / v1.4.0+ 4.14', text: `{ ${names([...VPC, ...CLASSIC_LINK])} }` },
      { source: 'Security Hub CloudWatch.14', text: `{${names([...VPC, ...CLASSIC_LINK], 'compact')}}` },
    ],
    metricName: 'VPCChanges',
    singleEventMustAlarm: true,
    acceptance: 'The four ClassicLink names are accepted either way: EC2-Classic is retired, so a filter that leaves them out misses nothing that can still happen.',
  },
  {
    ruleId: 'organizations-changes',
    title: 'AWS Organizations changes',
    spec: {
      kind: 'event-list',
      eventSource: 'organizations.amazonaws.com',
      required: ORGANIZATIONS,
      readOnlyNeighbours: ['DescribeOrganization', 'ListAccounts'],
      unrelatedWrites: ['TagResource'],
      otherSources: [{ eventSource: 'iam.amazonaws.com', eventName: 'CreatePolicy', why: 'IAM CreatePolicy has the same name; CIS pins organizations.amazonaws.com, an unpinned filter also counts it (4.4 does too)' }],
    },
    canonical: `{ ($.eventSource = organizations.amazonaws.com) && (${names(ORGANIZATIONS, 'quoted')}) }`,
    published: [{ source: 'CIS v1.4.0-v3.0.0 4.15', text: `{ ($.eventSource = organizations.amazonaws.com) && (${names(ORGANIZATIONS, 'quoted')}) }` }],
    metricName: 'OrganizationsChanges',
    singleEventMustAlarm: true,
  },
];

export function findControl(ruleId: string): MonitoringControl | undefined {
  return MONITORING_CONTROLS.find((c) => c.ruleId === ruleId);
}

/** The filter text --fix writes for a control under a pattern set. */
export function patternFor(control: MonitoringControl, set: PatternSet): string {
  return set === 'security-hub' && control.securityHub !== undefined ? control.securityHub : control.canonical;
}

export type PatternSet = 'cis' | 'security-hub';
export const PATTERN_SETS: readonly PatternSet[] = ['cis', 'security-hub'];

/** The CloudTrail checks the alarms depend on, audited beside the monitoring controls. */
export const TRAIL_CONTROL_IDS = ['cloudtrail-multi-region', 'cloudtrail-log-file-validation', 'cloudtrail-cloudwatch-logs'] as const;

/** Every control id `trailguard audit --only/--exclude` accepts. */
export function allControlIds(controls: readonly MonitoringControl[] = MONITORING_CONTROLS): string[] {
  return [...controls.map((c) => c.ruleId), ...TRAIL_CONTROL_IDS];
}

/** Defaults of the resources `--fix` creates. */
export const DEFAULT_NAMESPACE = 'CloudTrailMetrics';
export const DEFAULT_TOPIC_NAME = 'trailguard-cis-alarms';
