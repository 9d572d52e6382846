/**
 * The trailguard stacks.
 *
 *  - TrailguardStack (home region; the central security account in organization mode): the deployment key, the
 *    store table, one EventBridge rule per selected rule (its `match` verbatim; on the organization's central bus in
 *    organization mode) → the detect queue (+ DLQ) → detect function → remediation queue (+ DLQ) → remediate
 *    function; the deliver function on a one-minute schedule; optionally the S3 backfill path and the CIS metric
 *    filters and alarms; the alarm topic and every alarm.
 *  - TrailguardRegionStack (each other region): a rule on the default bus forwarding the events the rules can match
 *    to the home region's bus (CloudTrail delivers an event to EventBridge in the region of the call), with its DLQ.
 *  - TrailguardMemberStack (organization mode): the member-account template, usable as a CloudFormation StackSet —
 *    no assets, no lookups, parameters for what differs: the forwarding rule to the central bus and the remediation
 *    role trusting only the central remediate function's role, with an external id.
 */
import { Aws, CfnCondition, CfnOutput, CfnParameter, CfnResource, Duration, Fn, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { lambdaBundlePlan } from '../lambda/bundle.js';
import { LAMBDA_ENV, type LambdaHandlerName } from '../lambda/environment.js';
import type { IamPolicyDocument } from '../remediate/iam-policy.js';
import { STORE_TABLE } from '../store/dynamodb/table.js';
import { cisAlarmResources } from './cis.js';
import {
  admitSender,
  DeadLetterQueue,
  DeploymentKey,
  eventBusArn,
  Forwarder,
  TARGET_DLQ_SQS3_REASON,
  queuePolicy,
  ruleArnPattern,
  ruleState,
  ruleTarget,
  topicSink,
  TrailguardFunction,
  WorkQueue,
  type AlarmSink,
} from './constructs.js';
import type { HandlerEntry } from './handler-entry.js';
import { acknowledge } from './nag.js';
import { eventRuleName, eventRulePrefix, type DeploymentPlan } from './plan.js';

/** Every data-plane action of the store table (the store reads, writes, queries its indexes and runs transactions, whose items need these). */
export const TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];

/** What a function may do with the deployment key: decrypt queue messages and table items, encrypt what it sends and writes. */
export const KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

export interface CentralStackProps extends StackProps {
  plan: DeploymentPlan;
  handlerEntry: HandlerEntry;
  /** Path of the esbuild inject module holding the deployment document. */
  deploymentInject: string;
}

export class TrailguardStack extends Stack {
  readonly plan: DeploymentPlan;
  readonly key: DeploymentKey;
  readonly table: dynamodb.Table;
  readonly detectQueue: WorkQueue;
  readonly remediationQueue: WorkQueue;
  readonly backfillQueue?: WorkQueue;
  readonly targetDeadLetters: DeadLetterQueue;
  readonly functions: Partial<Record<LambdaHandlerName, TrailguardFunction>> = {};
  readonly rules: events.CfnRule[] = [];
  readonly alarmTopic?: sns.ITopic;
  readonly bus?: events.CfnEventBus;

  constructor(scope: Construct, id: string, props: CentralStackProps) {
    super(scope, id, props);
    const { plan } = props;
    this.plan = plan;
    this.templateOptions.description = `trailguard (${plan.name}): CloudTrail → EventBridge rules → SQS → detect/remediate/deliver functions${plan.organization ? ` (central account of organization ${plan.organization.id})` : ''}`;
    for (const [k, v] of Object.entries(plan.tags)) Tags.of(this).add(k, v);
    const account = this.account;
    const region = this.region;
    const prefix = eventRulePrefix(plan.name);
    const busName = plan.organization?.busName;
    // Every rule of this deployment, on the default bus and on the central bus: <name>.*
    const rulePatterns = [ruleArnPattern(region, account, prefix), ...(busName ? [ruleArnPattern(region, account, prefix, busName)] : [])];

    this.key = new DeploymentKey(this, 'Key', {
      description: `trailguard ${plan.name}: queues, dead-letter queues, store table and alarm topic`,
      services: [
        { principal: 'events.amazonaws.com', sourceAccount: account, why: 'EventBridge rules send to the detect queue and the target dead-letter queue' },
        { principal: 'cloudwatch.amazonaws.com', sourceAccount: account, why: 'CloudWatch alarms publish to the encrypted alarm topic' },
        ...(plan.backfill ? [{ principal: 's3.amazonaws.com' as const, sourceAccount: plan.backfill.bucketAccount ?? account, why: 'the trail bucket notifies the backfill queue' }] : []),
      ],
    });
    const key = this.key.key;

    if (plan.alarms.topicArn) {
      this.alarmTopic = sns.Topic.fromTopicArn(this, 'AlarmTopic', plan.alarms.topicArn);
    } else {
      const topic = new sns.Topic(this, 'AlarmTopic', { displayName: `trailguard ${plan.name} alarms`, masterKey: key, enforceSSL: true });
      if (plan.alarms.email) topic.addSubscription(new subscriptions.EmailSubscription(plan.alarms.email));
      this.alarmTopic = topic;
    }
    const sink = topicSink(this.alarmTopic);

    // The store. Encrypted with the deployment key: one key the owner controls (and can revoke) protects everything
    // trailguard keeps at rest, the findings as much as the queued events they come from; the functions hold that
    // key's permissions for the queues already.
    this.table = new dynamodb.Table(this, 'Store', {
      partitionKey: { name: STORE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: STORE_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      timeToLiveAttribute: STORE_TABLE.timeToLiveAttribute,
      removalPolicy: plan.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      deletionProtection: plan.retainData,
    });
    for (const index of STORE_TABLE.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      });
    }

    const fn = (name: LambdaHandlerName, description: string, extra: { roleName?: string } = {}) =>
      new TrailguardFunction(this, name.replace(/^./, (c) => c.toUpperCase()), {
        handler: name,
        bundle: lambdaBundlePlan(name, plan.document, { configParameter: plan.configParameter !== undefined }),
        settings: plan.functions[name],
        entry: props.handlerEntry(name),
        deploymentInject: props.deploymentInject,
        environment: {},
        sink,
        retainLogs: plan.retainData,
        description: `trailguard ${plan.name} ${description}`,
        ...extra,
      });

    // Functions first (the queues' visibility timeouts follow their timeouts).
    const detect = fn('detect', 'detect: evaluates the rules on the events EventBridge queued');
    const remediate = fn('remediate', 'remediate: carries out the remediation policy on queued findings', { roleName: plan.remediation.functionRoleName });
    const deliver = fn('deliver', 'deliver: drains the notification outbox every minute');
    const backfill = plan.backfill ? fn('backfill', 'backfill: evaluates the rules on CloudTrail log files from S3') : undefined;
    this.functions = { detect, remediate, deliver, ...(backfill ? { backfill } : {}) };

    this.targetDeadLetters = new DeadLetterQueue(this, 'TargetDeadLetters', {
      key,
      description: `trailguard ${plan.name}: events EventBridge could not deliver to a target after its retries`,
      sink,
      forEventBridgeTargets: true,
    });
    this.detectQueue = new WorkQueue(this, 'DetectQueue', {
      key,
      visibilityTimeout: detect.queueVisibilityTimeout(),
      maxReceiveCount: plan.queues.maxReceiveCount,
      description: `trailguard ${plan.name} detect queue`,
      sink,
    });
    this.remediationQueue = new WorkQueue(this, 'RemediationQueue', {
      key,
      visibilityTimeout: remediate.queueVisibilityTimeout(),
      maxReceiveCount: plan.queues.maxReceiveCount,
      description: `trailguard ${plan.name} remediation queue`,
      sink,
    });
    // One statement per queue for all of the deployment's rules (not one per rule): SQS policy quotas.
    admitSender(this.detectQueue.queue, 'EventBridgeRulesOfThisDeployment', 'events.amazonaws.com', rulePatterns, account);
    admitSender(this.targetDeadLetters.queue, 'EventBridgeRulesOfThisDeployment', 'events.amazonaws.com', rulePatterns, account);

    const targetSettings = { deadLetterQueueArn: this.targetDeadLetters.queue.queueArn, retryAttempts: plan.queues.targetRetryAttempts, maxEventAgeSeconds: plan.queues.targetMaxEventAgeSeconds };

    // Organization mode: the central bus, admitting the organization's principals only.
    if (plan.organization && busName) {
      this.bus = new events.CfnEventBus(this, 'CentralBus', { name: busName });
      const policy = new events.CfnEventBusPolicy(this, 'CentralBusPolicy', {
        eventBusName: busName,
        statementId: 'OrganizationPutEvents',
        statement: {
          Sid: 'OrganizationPutEvents',
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: eventBusArn(Aws.PARTITION, region, account, busName),
          Condition: { StringEquals: { 'aws:PrincipalOrgID': plan.organization.id } },
        },
      });
      policy.addResourceDependency(this.bus);
      // The central account's own events (default bus) join the organization's on the central bus.
      // Named apart from the member template's rule (<name>.to-central-bus), in case the template also reaches this account.
      const local = new Forwarder(this, 'LocalForwarder', {
        ruleName: eventRuleName(plan.name, 'local-to-central-bus'),
        description: `trailguard ${plan.name}: this account's CloudTrail events to the central bus`,
        pattern: plan.forwarder.pattern,
        readOnlyEvents: plan.forwarder.readOnlyEvents,
        targetBusArn: eventBusArn(Aws.PARTITION, region, account, busName),
        deadLetters: this.targetDeadLetters,
        retryAttempts: plan.queues.targetRetryAttempts,
        maxEventAgeSeconds: plan.queues.targetMaxEventAgeSeconds,
        sourceAccount: account,
      });
      local.node.addDependency(this.bus);
    }

    // One EventBridge rule per selected rule, its pattern verbatim.
    for (const rule of plan.rules) {
      const cfnRule = new events.CfnRule(this, `Rule-${rule.ruleId}`, {
        name: rule.ruleName,
        description: `trailguard rule ${rule.ruleId}`.slice(0, 512),
        // The literal bus name, not a Ref: the rule's name and ARN stay known (the queue policy prefix), and moto's
        // CloudFormation cannot resolve Ref of an event bus.
        ...(busName ? { eventBusName: busName } : {}),
        eventPattern: rule.pattern,
        state: ruleState(rule.readOnlyEvents),
        targets: [ruleTarget('detect', this.detectQueue.queue.queueArn, targetSettings)],
      });
      if (this.bus) cfnRule.addResourceDependency(this.bus);
      // The queue policy must exist before EventBridge delivers.
      cfnRule.node.addDependency(queuePolicy(this.detectQueue.queue));
      this.rules.push(cfnRule);
    }

    // detect: SQS event source with partial batch responses.
    detect.fn.addEventSource(
      new lambdaSources.SqsEventSource(this.detectQueue.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(plan.queues.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
        ...(plan.functions.detect.maxConcurrency ? { maxConcurrency: plan.functions.detect.maxConcurrency } : {}),
      }),
    );
    remediate.fn.addEventSource(
      new lambdaSources.SqsEventSource(this.remediationQueue.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        ...(plan.functions.remediate.maxConcurrency ? { maxConcurrency: plan.functions.remediate.maxConcurrency } : {}),
      }),
    );

    // The backfill path: trail bucket → S3 notification → backfill queue → backfill function.
    if (plan.backfill && backfill) {
      const queue = new WorkQueue(this, 'BackfillQueue', {
        key,
        visibilityTimeout: backfill.queueVisibilityTimeout(),
        maxReceiveCount: plan.queues.maxReceiveCount,
        description: `trailguard ${plan.name} backfill queue`,
        sink,
      });
      this.backfillQueue = queue;
      const bucketArn = `arn:${Aws.PARTITION}:s3:::${plan.backfill.bucket}`;
      admitSender(queue.queue, 'TrailBucketNotifications', 's3.amazonaws.com', [bucketArn], plan.backfill.bucketAccount ?? account);
      backfill.fn.addEventSource(
        new lambdaSources.SqsEventSource(queue.queue, {
          batchSize: 10,
          maxBatchingWindow: Duration.seconds(plan.queues.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
          ...(plan.functions.backfill.maxConcurrency ? { maxConcurrency: plan.functions.backfill.maxConcurrency } : {}),
        }),
      );
      backfill.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadTrailLogFiles', actions: ['s3:GetObject'], resources: [`${bucketArn}/${plan.backfill.readPrefix}*`] }));
      if (plan.backfill.kmsKeyArn) backfill.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DecryptTrailLogFiles', actions: ['kms:Decrypt'], resources: [plan.backfill.kmsKeyArn] }));
      if (plan.backfill.notification === 'create') {
        const bucket = s3.Bucket.fromBucketName(this, 'TrailBucket', plan.backfill.bucket);
        const policy = queuePolicy(queue.queue);
        // A destination without CDK's own grants (it would add kms:GenerateDataKey* to the key policy): the queue
        // policy statement above admits the bucket.
        const destination: s3.IBucketNotificationDestination = {
          bind: () => ({ arn: queue.queue.queueArn, type: s3.BucketNotificationDestinationType.QUEUE, dependencies: [policy] }),
        };
        for (const filter of plan.backfill.filters) bucket.addEventNotification(s3.EventType.OBJECT_CREATED, destination, { prefix: filter.prefix, suffix: filter.suffix });
      }
    }

    // The deliver schedule: every minute, the deliver function drains the outbox.
    const schedule = new events.CfnRule(this, 'DeliverSchedule', {
      name: eventRuleName(plan.name, 'deliver-schedule'),
      description: `trailguard ${plan.name}: drain the notification outbox`,
      scheduleExpression: 'rate(1 minute)',
      state: 'ENABLED',
      targets: [ruleTarget('deliver', deliver.fn.functionArn, targetSettings)],
    });
    new lambda.CfnPermission(this, 'DeliverScheduleInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: deliver.fn.functionArn,
      principal: 'events.amazonaws.com',
      sourceArn: schedule.attrArn,
      sourceAccount: account,
    });
    // A missed minute is made up by the next one: no asynchronous retries of a failed drain.
    deliver.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(5) });

    // Environment (the handlers' contract, src/lambda/environment.ts) and permissions.
    for (const f of Object.values(this.functions)) {
      f.fn.addEnvironment(LAMBDA_ENV.tableName, this.table.tableName);
      f.fn.addEnvironment(LAMBDA_ENV.remediationQueueUrl, this.remediationQueue.queue.queueUrl);
      f.fn.addEnvironment(LAMBDA_ENV.deploymentName, plan.name);
      if (plan.configParameter) f.fn.addEnvironment(LAMBDA_ENV.configParameter, plan.configParameter);
      f.role.addToPrincipalPolicy(tableStatement(this.table));
      f.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'UseDeploymentKey', actions: KEY_ACTIONS, resources: [key.keyArn] }));
    }
    // The loop guard: the remediate function never acts on a change its own role (or the member role) made.
    remediate.fn.addEnvironment(LAMBDA_ENV.ownRoles, (plan.remediation.ownRoles ?? [plan.remediation.functionRoleName]).join(','));
    for (const f of [detect, backfill, deliver]) {
      if (!f) continue;
      for (const statement of channelStatements(plan, account)) f.role.addToPrincipalPolicy(statement);
    }
    for (const f of [detect, backfill]) {
      if (!f) continue;
      f.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'SendToRemediationQueue', actions: ['sqs:SendMessage'], resources: [this.remediationQueue.queue.queueArn] }));
    }
    if (plan.configParameter) remediate.role.addToPrincipalPolicy(ssmStatement('ReadConfigParameter', [plan.configParameter], plan.access.secretsRegion, account));
    this.remediationPermissions(remediate);

    new CfnOutput(this, 'StoreTableName', { value: this.table.tableName, description: 'The store table (store.dynamodb.table for the CLI)' });
    new CfnOutput(this, 'DetectQueueUrl', { value: this.detectQueue.queue.queueUrl });
    new CfnOutput(this, 'RemediationQueueUrl', { value: this.remediationQueue.queue.queueUrl });
    new CfnOutput(this, 'TargetDeadLetterQueueUrl', { value: this.targetDeadLetters.queue.queueUrl });
    new CfnOutput(this, 'RemediateRoleArn', { value: remediate.role.roleArn, description: 'The remediate function role (the member remediation role trusts it)' });
    if (this.backfillQueue) new CfnOutput(this, 'BackfillQueueArn', { value: this.backfillQueue.queue.queueArn, description: 'Where the trail bucket sends its ObjectCreated notifications' });
    if (busName) new CfnOutput(this, 'CentralEventBusArn', { value: eventBusArn(Aws.PARTITION, region, account, busName), description: 'The member template forwards here' });
    if (this.alarmTopic) new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });

    if (plan.cisAlarms) {
      const cis = cisAlarmResources({
        logGroupName: plan.cisAlarms.logGroupName,
        region: plan.region,
        partition: plan.partition,
        ...(plan.account ? { account: plan.account } : {}),
        ...(plan.cisAlarms.namespace ? { namespace: plan.cisAlarms.namespace } : {}),
        ...(plan.cisAlarms.patterns ? { patterns: plan.cisAlarms.patterns } : {}),
        ...(plan.cisAlarms.only ? { only: plan.cisAlarms.only } : {}),
        topicArn: plan.cisAlarms.topicArn ?? this.alarmTopic.topicArn,
      });
      for (const [logicalId, resource] of Object.entries(cis.resources)) {
        new CfnResource(this, `Cis${logicalId}`, { type: resource.Type, properties: resource.Properties });
      }
    }
  }

  /** The remediate function: `trailguard remediate policy`'s statements where it acts itself; sts:AssumeRole where it acts through a member role. */
  private remediationPermissions(remediate: TrailguardFunction): void {
    const { plan } = this;
    const policy = plan.remediation.policy;
    if (!policy) return;
    const config = plan.document.config.remediation;
    const assume = config?.assumeRole;
    const actsLocally = !assume || (assume.localAccounts?.length ?? 0) > 0;
    if (actsLocally) remediate.role.attachInlinePolicy(new iam.Policy(this, 'RemediationActions', { document: iam.PolicyDocument.fromJson(policy) }));
    if (assume) {
      const accounts = config?.scope?.accounts?.filter((a) => !(assume.localAccounts ?? []).includes(a));
      const resources = (accounts?.length ? accounts : ['*']).map((a) => `arn:${Aws.PARTITION}:iam::${a}:role/${assume.roleName}`);
      remediate.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeMemberRemediationRole',
          actions: ['sts:AssumeRole'],
          resources,
          ...(plan.organization ? { conditions: { StringEquals: { 'aws:ResourceOrgID': plan.organization.id } } } : {}),
        }),
      );
    }
  }
}

export function tableStatement(table: dynamodb.ITable): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'StoreTable',
    actions: TABLE_ACTIONS,
    resources: [table.tableArn, ...STORE_TABLE.indexes.map((i) => `${table.tableArn}/index/${i.indexName}`)],
  });
}

function ssmParameterArn(name: string, region: string, account: string): string {
  if (name.startsWith('arn:')) return name;
  return `arn:${Aws.PARTITION}:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;
}

function ssmStatement(sid: string, names: string[], region: string, account: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions: ['ssm:GetParameter'], resources: names.map((n) => ssmParameterArn(n, region, account)) });
}

/** Reading the secrets the notifications name, publishing to their topics, sending with their SES identities. */
export function channelStatements(plan: DeploymentPlan, account: string): iam.PolicyStatement[] {
  const out: iam.PolicyStatement[] = [];
  const { access } = plan;
  if (access.ssmParameters.length > 0) out.push(ssmStatement('ReadConfigAndSecretParameters', access.ssmParameters, access.secretsRegion, account));
  if (access.secrets.length > 0) {
    out.push(
      new iam.PolicyStatement({
        sid: 'ReadChannelSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager appends a hyphen and six random characters to a secret's ARN: ?????? matches exactly them.
        resources: access.secrets.map((id) => (id.startsWith('arn:') ? id : `arn:${Aws.PARTITION}:secretsmanager:${access.secretsRegion}:${account}:secret:${id}-??????`)),
      }),
    );
  }
  if (access.snsTopics.length > 0) out.push(new iam.PolicyStatement({ sid: 'PublishToChannelTopics', actions: ['sns:Publish'], resources: access.snsTopics }));
  if (access.ses.length > 0) {
    const resources = access.ses.flatMap((s) => [
      ...s.identities.map((i) => `arn:${Aws.PARTITION}:ses:${s.region}:${account}:identity/${i}`),
      ...s.configurationSets.map((c) => `arn:${Aws.PARTITION}:ses:${s.region}:${account}:configuration-set/${c}`),
    ]);
    out.push(new iam.PolicyStatement({ sid: 'SendWithChannelIdentities', actions: ['ses:SendEmail'], resources }));
  }
  return out;
}

export interface RegionStackProps extends StackProps {
  plan: DeploymentPlan;
  /** The bus in the home region the events go to (its default bus, or the central bus). */
  targetBusArn: string;
}

/** A non-home region of the deploying account: forwards the events the rules can match to the home region. */
export class TrailguardRegionStack extends Stack {
  readonly forwarder: Forwarder;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: RegionStackProps) {
    super(scope, id, props);
    const { plan } = props;
    this.templateOptions.description = `trailguard (${plan.name}): forwards this region's CloudTrail events to ${plan.region}`;
    for (const [k, v] of Object.entries(plan.tags)) Tags.of(this).add(k, v);
    const account = this.account;
    const pattern = ruleArnPattern(this.region, account, eventRulePrefix(plan.name));
    const key = new DeploymentKey(this, 'Key', {
      description: `trailguard ${plan.name}: the forwarder's dead-letter queue and alarm topic`,
      services: [
        { principal: 'events.amazonaws.com', sourceAccount: account, why: 'EventBridge sends undeliverable events to the dead-letter queue' },
        { principal: 'cloudwatch.amazonaws.com', sourceAccount: account, why: 'CloudWatch alarms publish to the encrypted alarm topic' },
      ],
    }).key;
    // Alarm actions go to a topic in the alarm's own region.
    let sink: AlarmSink = topicSink(undefined);
    if (plan.alarms.email) {
      const topic = new sns.Topic(this, 'AlarmTopic', { displayName: `trailguard ${plan.name} alarms (${this.region})`, masterKey: key, enforceSSL: true });
      topic.addSubscription(new subscriptions.EmailSubscription(plan.alarms.email));
      sink = topicSink(topic);
    }
    this.deadLetters = new DeadLetterQueue(this, 'TargetDeadLetters', { key, description: `trailguard ${plan.name}: events that could not be forwarded to ${plan.region}`, sink, forEventBridgeTargets: true });
    admitSender(this.deadLetters.queue, 'EventBridgeRulesOfThisDeployment', 'events.amazonaws.com', [pattern], account);
    this.forwarder = new Forwarder(this, 'Forwarder', {
      ruleName: eventRuleName(plan.name, `to-${plan.region}`),
      description: `trailguard ${plan.name}: CloudTrail events of ${this.region} to ${plan.region}`,
      pattern: plan.forwarder.pattern,
      readOnlyEvents: plan.forwarder.readOnlyEvents,
      targetBusArn: props.targetBusArn,
      deadLetters: this.deadLetters,
      retryAttempts: plan.queues.targetRetryAttempts,
      maxEventAgeSeconds: plan.queues.targetMaxEventAgeSeconds,
      sourceAccount: account,
    });
    this.forwarder.rule.node.addDependency(queuePolicy(this.deadLetters.queue));
  }
}

export interface MemberStackProps extends StackProps {
  plan: DeploymentPlan;
  /** The central account (plan.account). */
  centralAccount: string;
  remediationPolicy?: IamPolicyDocument;
}

/**
 * The member-account template (organization mode), for a CloudFormation StackSet: no assets, no lookups, no
 * bootstrap; everything that differs is a parameter with the deployment's value as default.
 */
export class TrailguardMemberStack extends Stack {
  readonly forwardRule: events.CfnRule;
  readonly remediationRole?: iam.CfnRole;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, props);
    const { plan } = props;
    const organization = plan.organization!;
    this.templateOptions.description = `trailguard (${plan.name}): member account of ${organization.id}: forwards CloudTrail events to the central bus; holds the remediation role`;
    const partition = plan.partition;
    const centralBus = new CfnParameter(this, 'CentralEventBusArn', {
      type: 'String',
      description: 'ARN of the central event bus (trailguard synth prints it)',
      default: eventBusArn(partition, plan.region, props.centralAccount, organization.busName),
      allowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/[A-Za-z0-9._/-]+$',
    });
    const alarmTopic = new CfnParameter(this, 'AlarmTopicArn', {
      type: 'String',
      default: 'none',
      allowedPattern: '^(none|arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]+)$',
      description: 'Optional: an SNS topic (in each region the template is deployed to) for the dead-letter-queue alarm; none for no action',
    });
    const hasAlarmTopic = new CfnCondition(this, 'HasAlarmTopic', { expression: Fn.conditionNot(Fn.conditionEquals(alarmTopic.valueAsString, 'none')) });

    // SQS-managed encryption (SSE-SQS): no key to create and pay for in every member account and region; EventBridge
    // needs no key permission to send to it.
    const deadLetters = new sqs.CfnQueue(this, 'ForwarderDeadLetters', { sqsManagedSseEnabled: true, messageRetentionPeriod: 14 * 24 * 3600 });
    acknowledge(deadLetters, 'AwsSolutions-SQS3', TARGET_DLQ_SQS3_REASON);
    new sqs.CfnQueuePolicy(this, 'ForwarderDeadLettersPolicy', {
      queues: [deadLetters.ref],
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EventBridgeRulesOfThisDeployment',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: deadLetters.attrArn,
            Condition: { ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${eventRulePrefix(plan.name)}*` }, StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          },
          { Sid: 'EnforceTls', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', Resource: deadLetters.attrArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ],
      },
    });
    const dlqAlarm = new cloudwatch.CfnAlarm(this, 'ForwarderDeadLettersAlarm', {
      alarmDescription: `trailguard ${plan.name}: events this account could not forward to the central bus`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: [{ name: 'QueueName', value: deadLetters.attrQueueName }],
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
    });
    // No action unless a topic is given: the whole list is conditional (an empty ARN is not a valid action).
    dlqAlarm.addPropertyOverride('AlarmActions', { 'Fn::If': [hasAlarmTopic.logicalId, [alarmTopic.valueAsString], Aws.NO_VALUE] });
    const forwarderRole = new iam.CfnRole(this, 'ForwarderRole', {
      description: 'EventBridge forwards CloudTrail events to the trailguard central bus',
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }],
      },
      policies: [
        {
          policyName: 'PutEventsOnTheCentralBus',
          policyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'PutEventsOnTheCentralBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: centralBus.valueAsString }] },
        },
      ],
    });
    this.forwardRule = new events.CfnRule(this, 'ForwardRule', {
      name: eventRuleName(plan.name, 'to-central-bus'),
      description: `trailguard ${plan.name}: this account's CloudTrail events to the central bus`,
      eventPattern: plan.forwarder.pattern,
      state: ruleState(plan.forwarder.readOnlyEvents),
      targets: [
        ruleTarget('central-bus', centralBus.valueAsString, { deadLetterQueueArn: deadLetters.attrArn, retryAttempts: plan.queues.targetRetryAttempts, maxEventAgeSeconds: plan.queues.targetMaxEventAgeSeconds }, { roleArn: forwarderRole.attrArn }),
      ],
    });

    const member = plan.remediation.member;
    if (member && props.remediationPolicy) {
      const trusted = new CfnParameter(this, 'RemediationTrustedRoleArn', {
        type: 'String',
        description: "The central remediate function's role: the only principal that may assume the remediation role",
        default: `arn:${partition}:iam::${props.centralAccount}:role/${plan.remediation.functionRoleName}`,
      });
      const externalId = new CfnParameter(this, 'RemediationExternalId', { type: 'String', noEcho: true, default: member.externalId, minLength: 2, description: 'External id the central function passes (remediation.assumeRole.externalId)' });
      const roleName = new CfnParameter(this, 'RemediationRoleName', { type: 'String', default: member.roleName, description: 'remediation.assumeRole.roleName' });
      const roleRegion = new CfnParameter(this, 'RemediationRoleRegion', {
        type: 'String',
        default: organization.memberRegions[0]!,
        description: 'IAM is global: the role is created by the stack instance in this region only',
      });
      const createRole = new CfnCondition(this, 'CreateRemediationRole', { expression: Fn.conditionEquals(Aws.REGION, roleRegion.valueAsString) });
      this.remediationRole = new iam.CfnRole(this, 'RemediationRole', {
        roleName: roleName.valueAsString,
        description: 'trailguard remediation: assumed by the central remediate function only',
        maxSessionDuration: 3600,
        assumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: trusted.valueAsString }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalId.valueAsString } } }],
        },
        policies: [{ policyName: 'RemediationActions', policyDocument: props.remediationPolicy }],
      });
      this.remediationRole.cfnOptions.condition = createRole;
    }
  }
}

/** The event bus the other regions forward to: the home region's default bus, or the central bus. */
export function homeBusArn(plan: DeploymentPlan, account: string): string {
  return eventBusArn(plan.partition, plan.region, account, plan.organization?.busName ?? 'default');
}
