/**
 * cdk-nag (v3: a policy validation plugin, `Validations.of(app).addPlugins(new AwsSolutionsChecks(app))`): every
 * finding is either fixed in the constructs or acknowledged here, finding by finding, with the reason. A wildcard
 * resource in a statement this module has no reason for is an error at synth: a new wildcard needs a review.
 */
import type { Stack} from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { DeploymentPlan } from './plan.js';

export interface Acknowledgement {
  /** Construct path the acknowledgement is recorded on (it covers the constructs below it). */
  path: string;
  id: string;
  reason: string;
}

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The same flattening cdk-nag applies to policy resources before looking for "*" (utils/flatten-cfn-reference). */
export function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
  const value = node as Record<string, unknown>;
  if (value['Fn::Join']) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (value['Fn::Sub']) return flattenReference(value['Fn::Sub']);
  if (value['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (value['Fn::ImportValue']) return flattenReference(value['Fn::ImportValue']);
  if (value.Ref) return `<${flattenReference(value.Ref)}>`;
  return JSON.stringify(node);
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface ResolvedStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** Why a statement's resources hold a wildcard, by statement id. */
function wildcardReasons(plan: DeploymentPlan): Map<string, string> {
  const reasons = new Map<string, string>([
    [
      'ReadTrailLogFiles',
      "CloudTrail writes a new log file per account, region and five minutes under the trail's AWSLogs/ prefix: the object keys are not known in advance. s3:GetObject only, on the trail bucket and that prefix only.",
    ],
    [
      'AssumeMemberRemediationRole',
      'The member remediation role has one name in every member account, including accounts that join the organization after this deploy; aws:ResourceOrgID limits the grant to the organization (list remediation.scope.accounts to name the accounts instead).',
    ],
  ]);
  for (const statement of plan.remediation.policy?.Statement ?? []) {
    reasons.set(
      statement.Sid,
      `A statement of \`trailguard remediate policy\` (src/remediate/iam-policy.ts) for ${statement.Action.join(', ')}: the action works on whichever resource a finding names, so its resource is the action's ARN pattern narrowed to remediation.scope (accounts, regions; * where the config names none).`,
    );
  }
  return reasons;
}

/** The "newest" Node.js runtime as cdk-nag's AwsSolutions-L1 sees it: the highest nodejs version in CDK's Runtime.ALL. */
export function newestNodeRuntime(): string {
  const versions = lambda.Runtime.ALL.map((r) => r.name)
    .filter((n) => /^nodejs\d+/.test(n))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return versions[versions.length - 1]!;
}

/**
 * Acknowledges, per finding, what cannot or should not be fixed in `stack`: wildcard resources (AwsSolutions-IAM5),
 * runtimes older than the newest CDK knows (AwsSolutions-L1), and CDK's own bucket-notification custom resource
 * (AwsSolutions-IAM4). The dead-letter queues of EventBridge targets acknowledge AwsSolutions-SQS3 where they are made.
 */
export function acknowledgeFindings(stack: Stack, plan: DeploymentPlan): void {
  const reasons = wildcardReasons(plan);
  for (const node of stack.node.findAll()) {
    let documents: unknown[] = [];
    if (node instanceof iam.CfnPolicy) documents = [node.policyDocument];
    else if (node instanceof iam.CfnRole) documents = asArray(stack.resolve(node.policies) as Array<{ policyDocument: unknown }> | undefined).map((p) => p.policyDocument);
    for (const document of documents) {
      const resolved = stack.resolve(document) as { Statement?: ResolvedStatement[] } | undefined;
      for (const statement of resolved?.Statement ?? []) {
        if (statement.Effect !== 'Allow') continue;
        for (const action of asArray(statement.Action)) {
          if (action.includes('*')) throw new Error(`${node.node.path}: statement ${statement.Sid ?? '(no Sid)'} grants the wildcard action ${action}; trailguard grants actions by name`);
        }
        for (const resource of asArray(statement.Resource).map(flattenReference)) {
          if (!resource.includes('*')) continue;
          const reason = reasons.get(statement.Sid ?? '');
          if (!reason) throw new Error(`${node.node.path}: statement ${statement.Sid ?? '(no Sid)'} has the wildcard resource ${resource} and no reviewed reason (src/infra/nag.ts)`);
          acknowledge(node, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
        }
      }
    }
    if (node instanceof lambda.CfnFunction) {
      const runtime = stack.resolve(node.runtime) as string | undefined;
      const newest = newestNodeRuntime();
      if (runtime?.startsWith('nodejs') && runtime !== newest) {
        acknowledge(
          node,
          'AwsSolutions-L1',
          `${runtime} is the runtime deploy.lambda.runtime chose (default: the newest CDK marks as available in every region, Runtime.NODEJS_LATEST); ${newest} is listed by CDK but not available everywhere yet. Set deploy.lambda.runtime: ${newest} where it is.`,
        );
      }
    }
  }
  const notifications = stack.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
  if (notifications) {
    acknowledge(
      notifications,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's own custom resource that adds the notification to the existing trail bucket while keeping its other notifications; CDK gives its role AWSLambdaBasicExecutionRole (CloudWatch Logs writes only) and offers no way to replace it. It runs only during deployments.",
    );
  }
}

/** Every acknowledgement recorded under `root`, read back from the construct metadata. */
export function listAcknowledgements(root: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) out.push({ path: node.node.path, id: id.replace(/^annotation::/i, ''), reason });
    }
  }
  return out;
}
