/**
 * The CloudWatch Logs metric filters of the CIS AWS Foundations Benchmark monitoring controls, as published:
 *  - CIS v1.2.0 section 3 (3.1-3.14), the text AWS Security Hub's "CIS AWS Foundations Benchmark v1.2.0" standard
 *    checks (d1.awsstatic.com/whitepapers/compliance/AWS_CIS_Foundations_Benchmark.pdf);
 *  - CIS v1.4.0/v1.5.0/v2.0.0/v3.0.0 section 4 (4.1-4.15), which changed 4.1 and added 4.15 (AWS Organizations);
 *  - the Security Hub controls CloudWatch.1-CloudWatch.14 remediation text
 *    (https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html, awsdocs/aws-security-hub-user-guide
 *    doc_source/cloudwatch-controls.md), written without spaces;
 *  - variants found deployed in the wild (Terraform modules, AWS samples), and seed 000's multi-line text.
 */
export interface CisVariant {
  readonly source: string;
  readonly text: string;
}

export interface CisControl {
  readonly title: string;
  readonly ids: string;
  readonly variants: readonly CisVariant[];
}

const iamPolicyEvents = [
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
const trailEvents = ['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging'];
const s3Events = [
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
const configEvents = ['StopConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel', 'PutConfigurationRecorder'];
const securityGroupEvents = [
  'AuthorizeSecurityGroupIngress',
  'AuthorizeSecurityGroupEgress',
  'RevokeSecurityGroupIngress',
  'RevokeSecurityGroupEgress',
  'CreateSecurityGroup',
  'DeleteSecurityGroup',
];
const naclEvents = ['CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation'];
const gatewayEvents = ['CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway', 'CreateInternetGateway', 'DeleteInternetGateway', 'DetachInternetGateway'];
const routeEvents = ['CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable', 'DeleteRoute', 'DisassociateRouteTable'];
const vpcEvents = [
  'CreateVpc',
  'DeleteVpc',
  'ModifyVpcAttribute',
  'AcceptVpcPeeringConnection',
  'CreateVpcPeeringConnection',
  'DeleteVpcPeeringConnection',
  'RejectVpcPeeringConnection',
  'AttachClassicLinkVpc',
  'DetachClassicLinkVpc',
  'DisableVpcClassicLink',
  'EnableVpcClassicLink',
];
export const organizationsEvents = [
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

/** ($.eventName = A) || ($.eventName = B) ..., in the spacing of the CIS PDF or the compact one of Security Hub. */
function anyEventName(names: readonly string[], style: 'cis' | 'compact' | 'quoted'): string {
  if (style === 'compact') return names.map((n) => `($.eventName=${n})`).join(' || ');
  if (style === 'quoted') return names.map((n) => `($.eventName = "${n}")`).join(' || ');
  return names.map((n) => `($.eventName = ${n})`).join(' || ');
}

export const EVENT_NAMES = {
  iamPolicyEvents,
  trailEvents,
  s3Events,
  configEvents,
  securityGroupEvents,
  naclEvents,
  gatewayEvents,
  routeEvents,
  vpcEvents,
  organizationsEvents,
};

export const CIS_CONTROLS = {
  unauthorizedApiCalls: {
    title: 'unauthorized API calls',
    ids: 'CIS 1.2 3.1, CIS 1.4+ 4.1, Security Hub CloudWatch.2',
    variants: [
      { source: 'CIS v1.2.0 3.1', text: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }' },
      { source: 'Security Hub CloudWatch.2', text: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}' },
    ],
  },
  unauthorizedApiCallsV14: {
    title: 'unauthorized API calls, with the delivery.logs and HeadBucket exclusions',
    ids: 'CIS 1.4/1.5/2.0/3.0 4.1',
    variants: [
      {
        source: 'CIS v1.4.0-v3.0.0 4.1',
        text: '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
      },
      {
        source: 'trailguard brief (spaced)',
        text: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
      },
    ],
  },
  unauthorizedApiCallsGrouped: {
    title: 'unauthorized API calls, exclusions applied to both error codes (explicit parentheses)',
    ids: 'deployed variant (Terraform modules, AWS samples)',
    variants: [
      {
        source: 'aws-samples style',
        text: '{(($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && (($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket"))}',
      },
    ],
  },
  consoleWithoutMfa: {
    title: 'Management Console sign-in without MFA',
    ids: 'CIS 1.2 3.2, CIS 1.4+ 4.2',
    variants: [{ source: 'CIS v1.2.0 3.2 / v1.4.0 4.2', text: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }' }],
  },
  consoleWithoutMfaIamUser: {
    title: 'Management Console sign-in without MFA, successful IAM user sign-ins only',
    ids: 'CIS 1.4+ 4.2 (alternative to reduce false positives with SSO), Security Hub CloudWatch.3',
    variants: [
      {
        source: 'Security Hub CloudWatch.3',
        text: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
      },
    ],
  },
  rootUsage: {
    title: 'usage of the root user',
    ids: 'CIS 1.2 1.1/3.3, CIS 1.4+ 1.7/4.3, Security Hub CloudWatch.1',
    variants: [
      { source: 'CIS v1.2.0 3.3', text: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }' },
      { source: 'Security Hub CloudWatch.1', text: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}' },
      { source: 'Terraform variant', text: '{ ($.userIdentity.type=Root) && ($.userIdentity.invokedBy NOT EXISTS && $.eventType !=AwsServiceEvent) }' },
    ],
  },
  iamPolicyChanges: {
    title: 'IAM policy changes',
    ids: 'CIS 1.2 3.4, CIS 1.4+ 4.4, Security Hub CloudWatch.4',
    variants: [
      { source: 'CIS v1.2.0 3.4', text: `{${iamPolicyEvents.map((n) => `($.eventName=${n})`).join('||')}}` },
      { source: 'Security Hub CloudWatch.4', text: `{${anyEventName(iamPolicyEvents, 'compact')}}` },
    ],
  },
  cloudTrailChanges: {
    title: 'CloudTrail configuration changes',
    ids: 'CIS 1.2 3.5, CIS 1.4+ 4.5, Security Hub CloudWatch.5',
    variants: [
      { source: 'CIS v1.2.0 3.5', text: `{ ${anyEventName(trailEvents, 'cis')} }` },
      { source: 'Security Hub CloudWatch.5', text: `{${anyEventName(trailEvents, 'compact')}}` },
    ],
  },
  consoleAuthFailures: {
    title: 'Management Console authentication failures',
    ids: 'CIS 1.2 3.6, CIS 1.4+ 4.6, Security Hub CloudWatch.6',
    variants: [
      { source: 'CIS v1.2.0 3.6', text: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }' },
      { source: 'Security Hub CloudWatch.6', text: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}' },
    ],
  },
  cmkDisabledOrDeleted: {
    title: 'disabling or scheduled deletion of customer managed keys',
    ids: 'CIS 1.2 3.7, CIS 1.4+ 4.7, Security Hub CloudWatch.7',
    variants: [
      { source: 'CIS v1.2.0 3.7', text: '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }' },
      { source: 'Security Hub CloudWatch.7', text: '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}' },
    ],
  },
  s3BucketPolicyChanges: {
    title: 'S3 bucket policy changes',
    ids: 'CIS 1.2 3.8, CIS 1.4+ 4.8, Security Hub CloudWatch.8',
    variants: [
      { source: 'CIS v1.2.0 3.8', text: `{ ($.eventSource = s3.amazonaws.com) && (${anyEventName(s3Events, 'cis')}) }` },
      { source: 'Security Hub CloudWatch.8', text: `{($.eventSource=s3.amazonaws.com) && (${anyEventName(s3Events, 'compact')})}` },
    ],
  },
  configChanges: {
    title: 'AWS Config configuration changes',
    ids: 'CIS 1.2 3.9, CIS 1.4+ 4.9, Security Hub CloudWatch.9',
    variants: [
      {
        source: 'CIS v1.2.0 3.9',
        text: '{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }',
      },
      { source: 'Security Hub CloudWatch.9', text: `{($.eventSource=config.amazonaws.com) && (${anyEventName(configEvents, 'compact')})}` },
    ],
  },
  securityGroupChanges: {
    title: 'security group changes',
    ids: 'CIS 1.2 3.10, CIS 1.4+ 4.10, Security Hub CloudWatch.10',
    variants: [
      { source: 'CIS v1.2.0 3.10', text: `{ ${anyEventName(securityGroupEvents, 'cis')} }` },
      { source: 'Security Hub CloudWatch.10', text: `{${anyEventName(securityGroupEvents, 'compact')}}` },
    ],
  },
  naclChanges: {
    title: 'changes to network ACLs',
    ids: 'CIS 1.2 3.11, CIS 1.4+ 4.11, Security Hub CloudWatch.11',
    variants: [
      { source: 'CIS v1.2.0 3.11', text: `{ ${anyEventName(naclEvents, 'cis')} }` },
      { source: 'Security Hub CloudWatch.11', text: `{${anyEventName(naclEvents, 'compact')}}` },
    ],
  },
  gatewayChanges: {
    title: 'changes to network gateways',
    ids: 'CIS 1.2 3.12, CIS 1.4+ 4.12, Security Hub CloudWatch.12',
    variants: [
      { source: 'CIS v1.2.0 3.12', text: `{ ${anyEventName(gatewayEvents, 'cis')} }` },
      { source: 'Security Hub CloudWatch.12', text: `{${anyEventName(gatewayEvents, 'compact')}}` },
      {
        source: 'seed 000 (multi-line, as pasted into the console)',
        text:
          '{\n($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) ||\n' +
          '($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway)\n}',
      },
    ],
  },
  routeTableChanges: {
    title: 'route table changes',
    ids: 'CIS 1.2 3.13, CIS 1.4+ 4.13, Security Hub CloudWatch.13',
    variants: [
      { source: 'CIS v1.2.0 3.13', text: `{ ${anyEventName(routeEvents, 'cis')} }` },
      { source: 'Security Hub CloudWatch.13', text: `{${anyEventName(routeEvents, 'compact')}}` },
    ],
  },
  vpcChanges: {
    title: 'VPC changes',
    ids: 'CIS 1.2 3.14, CIS 1.4+ 4.14, Security Hub CloudWatch.14',
    variants: [
      { source: 'CIS v1.2.0 3.14', text: `{ ${anyEventName(vpcEvents, 'cis')} }` },
      { source: 'Security Hub CloudWatch.14', text: `{${anyEventName(vpcEvents, 'compact')}}` },
    ],
  },
  organizationsChanges: {
    title: 'AWS Organizations changes',
    ids: 'CIS 1.4/1.5/2.0/3.0 4.15',
    variants: [
      { source: 'CIS v1.4.0-v3.0.0 4.15', text: `{ ($.eventSource = organizations.amazonaws.com) && (${anyEventName(organizationsEvents, 'quoted')}) }` },
      { source: 'Terraform variant (unquoted)', text: `{ ($.eventSource = organizations.amazonaws.com) && (${anyEventName(organizationsEvents, 'cis')}) }` },
    ],
  },
} satisfies Record<string, CisControl>;

/** Every published text, once. */
export const ALL_CIS_TEXTS: readonly string[] = [...new Set(Object.values(CIS_CONTROLS).flatMap((c) => c.variants.map((v) => v.text)))];
