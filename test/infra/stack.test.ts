/**
 * The central stack of a single-account deployment with every optional part on (backfill, CIS alarms, channels,
 * remediation), synthesized once for the whole file: EventBridge rules equal to the rules' patterns, dead-letter
 * queues, retry policies and maximum event age on every target, encryption, key and queue policies, IAM exactly as
 * configured, alarms, the backfill path, the functions and their bundle, and the event routing description.
 */
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrailguardConfig } from '../../src/config/schema.js';
import { cisAlarmResources } from '../../src/infra/cis.js';
import { SQS_POLICY_MAX_ACTIONS_PER_STATEMENT, SQS_POLICY_MAX_BYTES, SQS_POLICY_MAX_STATEMENTS } from '../../src/infra/limits.js';
import { describeEventRouting } from '../../src/infra/routing.js';
import { KEY_ACTIONS, TABLE_ACTIONS } from '../../src/infra/stacks.js';
import { checkTemplate, findDependencyCycles } from '../../src/infra/template-limits.js';
import { lambdaBundlePlan } from '../../src/lambda/bundle.js';
import { LAMBDA_ENV } from '../../src/lambda/environment.js';
import { buildIamPolicy, enabledActions } from '../../src/remediate/iam-policy.js';
import { ACCOUNT, actionsOf, allStatements, asArray, builtinRules, logicalIdStartingWith, resources, roleStatements, synth, userRule, type Statement } from './support.js';

process.env.CDK_VALIDATION = 'false';

const remediation = {
  scope: { accounts: [ACCOUNT] },
  rules: {
    'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' as const },
    'cloudtrail-disabled': { action: 'start-cloudtrail-logging' as const },
  },
};
const config: TrailguardConfig = {
  deploy: {
    region: 'eu-west-1',
    account: ACCOUNT,
    backfill: { bucket: 'my-trail-bucket', kmsKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
    cisAlarms: { logGroupName: 'aws-cloudtrail-logs' },
    alarms: { email: 'secops@example.com' },
    configParameter: '/trailguard/config',
    lambda: { maxConcurrency: 5 },
    functions: { detect: { reservedConcurrency: 20 } },
  },
  notifications: {
    channels: {
      slack: { type: 'slack', webhookUrl: '${ssm:/trailguard/slack-webhook}' },
      pd: { type: 'pagerduty', routingKey: '${secretsmanager:trailguard/pagerduty#routingKey}' },
      ops: { type: 'sns', topicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:secops` },
      mail: { type: 'ses', from: 'Trailguard <alerts@example.com>', to: ['secops@example.com'] },
    },
  },
  remediation,
};
const rules = [...builtinRules(), userRule('filter-pattern-only', { filterPattern: '{ $.eventName = "RunInstances" }' })];
const s = synth(config, rules, { nag: true });
const t = s.central;
const R = t.Resources!;
afterAll(() => s.cleanup());

const eventRules = resources(t, 'AWS::Events::Rule');
const patternRules = eventRules.filter(([, r]) => r.Properties?.EventPattern !== undefined);
const keyId = logicalIdStartingWith(t, 'AWS::KMS::Key', 'Key');
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const queueId = (prefix: string) => logicalIdStartingWith(t, 'AWS::SQS::Queue', prefix);
const targetDlq = queueId('TargetDeadLetters');
const detectQueue = resources(t, 'AWS::SQS::Queue').find(([id]) => /^DetectQueue[0-9A-F]{8}$/.test(id))![0];

describe('EventBridge rules', () => {
  it('one per selected rule with a match, its EventPattern deep-equal to the rule\'s match', () => {
    const selected = rules.filter((r) => r.match !== undefined);
    expect(patternRules).toHaveLength(selected.length);
    for (const rule of selected) {
      const found = patternRules.find(([, r]) => r.Properties!.Name === `trailguard.${rule.id}`);
      expect(found, rule.id).toBeDefined();
      expect(found![1].Properties!.EventPattern).toStrictEqual(rule.match);
    }
    expect(patternRules.some(([, r]) => String(r.Properties!.Name).includes('filter-pattern-only'))).toBe(false);
    expect(s.built.plan.skipped).toEqual([{ ruleId: 'filter-pattern-only', reason: expect.stringContaining('filter pattern') }]);
  });

  it('rule names within 64 characters, unique, within the pattern size quota', () => {
    const names = eventRules.map(([, r]) => String(r.Properties!.Name));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
    expect(checkTemplate('central', t).problems).toEqual([]);
    expect(findDependencyCycles(t)).toEqual([]);
  });

  it('every target has a dead-letter queue, a retry policy and a maximum event age', () => {
    expect(eventRules.length).toBe(patternRules.length + 1);
    for (const [id, rule] of eventRules) {
      const targets = rule.Properties!.Targets as Array<Record<string, unknown>>;
      expect(targets.length, id).toBeGreaterThan(0);
      for (const target of targets) {
        expect(target.DeadLetterConfig, id).toEqual({ Arn: getAtt(targetDlq) });
        expect(target.RetryPolicy, id).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
      }
    }
    for (const [, rule] of patternRules) expect((rule.Properties!.Targets as Array<{ Arn: unknown }>)[0]!.Arn).toEqual(getAtt(detectQueue));
  });

  it('delivers read-only management events only to the rules that can match them', () => {
    const states = Object.fromEntries(patternRules.map(([, r]) => [r.Properties!.Name, r.Properties!.State]));
    expect(Object.entries(states).filter(([, v]) => v !== 'ENABLED').map(([k]) => k).sort()).toEqual(['trailguard.root-account-usage', 'trailguard.unauthorized-api-calls']);
    for (const [name, state] of Object.entries(states)) if (state !== 'ENABLED') expect(state, name).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  });

  it('the deliver schedule runs every minute', () => {
    const schedule = eventRules.find(([, r]) => r.Properties!.ScheduleExpression !== undefined)![1];
    expect(schedule.Properties).toMatchObject({ Name: 'trailguard.deliver-schedule', ScheduleExpression: 'rate(1 minute)' });
    const deliverFn = logicalIdStartingWith(t, 'AWS::Lambda::Function', 'DeliverFunction');
    expect((schedule.Properties!.Targets as Array<{ Arn: unknown }>)[0]!.Arn).toEqual(getAtt(deliverFn));
    expect(resources(t, 'AWS::Lambda::Permission')[0]![1].Properties).toMatchObject({ Principal: 'events.amazonaws.com', FunctionName: getAtt(deliverFn) });
  });
});

describe('queues and encryption', () => {
  it('every queue is encrypted with the customer managed key, every work queue has a dead-letter queue', () => {
    const queues = resources(t, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(7);
    for (const [id, q] of queues) expect(q.Properties!.KmsMasterKeyId, id).toEqual(getAtt(keyId));
    const routing = describeEventRouting(t);
    const work = routing.queues.filter((q) => q.consumers.length > 0);
    expect(work.map((q) => q.logicalId).sort()).toEqual([queueId('BackfillQueueB'), detectQueue, queueId('RemediationQueue6')].sort());
    for (const q of work) expect(q.redrive).toMatchObject({ maxReceiveCount: 5, deadLetterQueueLogicalId: expect.stringMatching(/DeadLetters/) });
  });

  it('visibility timeouts are six times the consuming function\'s timeout', () => {
    const routing = describeEventRouting(t);
    for (const q of routing.queues.filter((q) => q.consumers.length > 0)) {
      const fn = R[q.consumers[0]!.functionLogicalId!]!;
      expect(q.visibilityTimeoutSeconds, q.logicalId).toBe(6 * (fn.Properties!.Timeout as number));
    }
  });

  it('the key admits EventBridge, S3 and CloudWatch to its data-key calls, held to the account, and rotates', () => {
    const key = R[keyId]!.Properties!;
    expect(key.EnableKeyRotation).toBe(true);
    const statements = asArray((key.KeyPolicy as { Statement: Statement[] }).Statement);
    for (const service of ['events.amazonaws.com', 's3.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      const statement = statements.find((st) => (st.Principal as { Service?: string }).Service === service);
      expect(statement, service).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } });
    }
    const admin = statements.find((st) => st.Sid === 'KeyAdministrationByTheAccount')!;
    expect(actionsOf(admin)).toContain('kms:PutKeyPolicy');
    expect(actionsOf(admin).every((a) => /^kms:[A-Za-z]+$/.test(a))).toBe(true);
  });

  it('queue policies: one statement for all rules (ArnLike prefix), within SQS\'s policy quotas', () => {
    const measured = checkTemplate('central', t).measure.queuePolicies;
    expect(measured).toHaveLength(7);
    for (const p of measured) {
      expect(p.statements).toBeLessThanOrEqual(SQS_POLICY_MAX_STATEMENTS);
      expect(p.maxActions).toBeLessThanOrEqual(SQS_POLICY_MAX_ACTIONS_PER_STATEMENT);
      expect(p.bytes).toBeLessThanOrEqual(SQS_POLICY_MAX_BYTES);
    }
    const policy = resources(t, 'AWS::SQS::QueuePolicy').find(([, p]) => asArray(p.Properties!.Queues as unknown[]).some((q) => JSON.stringify(q).includes(detectQueue)))![1];
    const allow = asArray((policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement).filter((st) => st.Effect === 'Allow');
    expect(allow).toEqual([
      {
        Sid: 'EventBridgeRulesOfThisDeployment',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt(detectQueue),
        Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:rule/trailguard.*']] } }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ]);
  });
});

describe('IAM', () => {
  const fnRole = (prefix: string) => logicalIdStartingWith(t, 'AWS::IAM::Role', `${prefix}Role`);
  const bySid = (statements: Statement[]) => Object.fromEntries(statements.map((st) => [st.Sid ?? `(cdk) ${actionsOf(st).join(',')}`, actionsOf(st)]));
  const consume = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];
  const channels = {
    ReadConfigAndSecretParameters: ['ssm:GetParameter'],
    ReadChannelSecrets: ['secretsmanager:GetSecretValue'],
    PublishToChannelTopics: ['sns:Publish'],
    SendWithChannelIdentities: ['ses:SendEmail'],
  };
  const common = { WriteOwnLogStreams: ['logs:CreateLogStream', 'logs:PutLogEvents'], StoreTable: [...TABLE_ACTIONS].sort(), UseDeploymentKey: [...KEY_ACTIONS].sort() };
  const consumer = { [`(cdk) ${consume.join(',')}`]: consume, '(cdk) kms:Decrypt': ['kms:Decrypt'] };

  it('detect: its queue, the store, the key, the channels\' secrets/topics/identities, the remediation queue — nothing else', () => {
    expect(bySid(roleStatements(t, fnRole('Detect')))).toEqual({ ...common, ...consumer, ...channels, SendToRemediationQueue: ['sqs:SendMessage'] });
  });

  it('backfill: as detect, plus reading the trail\'s log files (and their key)', () => {
    expect(bySid(roleStatements(t, fnRole('Backfill')))).toEqual({ ...common, ...consumer, ...channels, SendToRemediationQueue: ['sqs:SendMessage'], ReadTrailLogFiles: ['s3:GetObject'], DecryptTrailLogFiles: ['kms:Decrypt'] });
    const read = roleStatements(t, fnRole('Backfill')).find((st) => st.Sid === 'ReadTrailLogFiles')!;
    expect(read.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-trail-bucket/AWSLogs/*']] });
  });

  it('deliver: the store, the key and the channels', () => {
    expect(bySid(roleStatements(t, fnRole('Deliver')))).toEqual({ ...common, ...channels });
  });

  it('the channels\' resources are exactly the ones configured', () => {
    const statements = roleStatements(t, fnRole('Deliver'));
    const text = (sid: string) => JSON.stringify(statements.find((st) => st.Sid === sid)!.Resource);
    expect(text('ReadConfigAndSecretParameters')).toContain(':ssm:eu-west-1:123456789012:parameter/trailguard/config');
    expect(text('ReadConfigAndSecretParameters')).toContain(':ssm:eu-west-1:123456789012:parameter/trailguard/slack-webhook');
    expect(text('ReadChannelSecrets')).toContain(':secretsmanager:eu-west-1:123456789012:secret:trailguard/pagerduty-??????');
    expect(statements.find((st) => st.Sid === 'PublishToChannelTopics')!.Resource).toBe(`arn:aws:sns:eu-west-1:${ACCOUNT}:secops`);
    expect(text('SendWithChannelIdentities')).toContain(':ses:eu-west-1:123456789012:identity/alerts@example.com');
  });

  it('remediate: exactly `trailguard remediate policy`\'s statements, plus its queue, the store and the config parameter', () => {
    const role = fnRole('Remediate');
    expect(R[role]!.Properties!.RoleName).toBe('trailguard-remediation');
    const policies = resources(t, 'AWS::IAM::Policy').filter(([id, p]) => id.startsWith('RemediationActions') && asArray(p.Properties!.Roles as unknown[]).some((r) => JSON.stringify(r).includes(role)));
    expect(policies).toHaveLength(1);
    const expected = buildIamPolicy(enabledActions(remediation), { accounts: [ACCOUNT] });
    const normalize = (statements: Statement[]) => statements.map((st) => ({ ...st, Action: actionsOf(st), Resource: asArray(st.Resource as string | string[]).slice().sort() }));
    expect(normalize(asArray((policies[0]![1].Properties!.PolicyDocument as { Statement: Statement[] }).Statement))).toEqual(normalize(expected.Statement as Statement[]));
    const others = roleStatements(t, role).filter((st) => !expected.Statement.some((e) => e.Sid === st.Sid));
    expect(bySid(others)).toEqual({ ...common, ...consumer, ReadConfigParameter: ['ssm:GetParameter'] });
  });

  it('no role uses an AWS managed policy, except CDK\'s own bucket-notification handler', () => {
    for (const [id, role] of resources(t, 'AWS::IAM::Role')) {
      if (id.startsWith('BucketNotificationsHandler')) continue;
      expect(role.Properties!.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('no statement anywhere allows a wildcard action; the only wildcard actions are TLS-enforcing denies', () => {
    const statements = allStatements(t);
    expect(statements.length).toBeGreaterThan(40);
    for (const { resource, statement } of statements) {
      const wildcard = asArray(statement.Action).filter((a) => a.includes('*'));
      if (wildcard.length === 0) continue;
      expect(statement.Effect, `${resource}: ${wildcard.join(',')}`).toBe('Deny');
      expect(statement.Condition, resource).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    }
  });
});

describe('alarms', () => {
  const alarms = resources(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
  const topic = { Ref: logicalIdStartingWith(t, 'AWS::SNS::Topic', 'AlarmTopic') };

  it('every dead-letter queue has a depth alarm', () => {
    const dlqs = describeEventRouting(t).queues.filter((q) => q.isTargetDeadLetterQueue || q.isRedriveDeadLetterQueue);
    expect(dlqs).toHaveLength(4);
    for (const q of dlqs) {
      const alarm = alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Dimensions).includes(q.logicalId));
      expect(alarm, q.logicalId).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [topic] });
    }
  });

  it('every function has an errors and a throttles alarm', () => {
    for (const [fnId] of resources(t, 'AWS::Lambda::Function').filter(([id]) => !id.startsWith('BucketNotificationsHandler'))) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarms.find((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(fnId)), `${fnId} ${metric}`).toMatchObject({ AlarmActions: [topic] });
      }
    }
  });

  it('the alarm topic is encrypted with the key, requires TLS and has the configured subscriber', () => {
    expect(R[topic.Ref]!.Properties!.KmsMasterKeyId).toEqual(getAtt(keyId));
    expect(resources(t, 'AWS::SNS::Subscription')[0]![1].Properties).toMatchObject({ Protocol: 'email', Endpoint: 'secops@example.com', TopicArn: topic });
  });

  it('the CIS metric filters and alarms are exactly audit --fix\'s', () => {
    const expected = cisAlarmResources({ logGroupName: 'aws-cloudtrail-logs', region: 'eu-west-1', partition: 'aws', account: ACCOUNT, topicArn: '<topic>' });
    const filters = resources(t, 'AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
    expect(filters).toEqual(Object.values(expected.resources).filter((r) => r.Type === 'AWS::Logs::MetricFilter').map((r) => r.Properties));
    const cisAlarms = alarms.filter((a) => String(a.AlarmName ?? '').startsWith('trailguard-'));
    expect(cisAlarms).toHaveLength(15);
    expect(cisAlarms).toEqual(Object.values(expected.resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => ({ ...r.Properties, AlarmActions: [topic] })));
  });
});

describe('backfill path', () => {
  it('the trail bucket notifies the backfill queue on .json.gz objects under AWSLogs/', () => {
    const notifications = resources(t, 'Custom::S3BucketNotifications');
    expect(notifications).toHaveLength(1);
    const props = notifications[0]![1].Properties!;
    expect(props.BucketName).toBe('my-trail-bucket');
    expect(props.Managed).toBe(false);
    expect(props.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.json.gz' }, { Name: 'prefix', Value: 'AWSLogs/' }] } },
          QueueArn: getAtt(queueId('BackfillQueueB')),
        },
      ],
    });
    const policy = JSON.stringify(resources(t, 'AWS::SQS::QueuePolicy').map(([, p]) => p.Properties));
    expect(policy).toContain('"Service":"s3.amazonaws.com"');
    expect(policy).toContain(':s3:::my-trail-bucket');
  });
});

describe('functions', () => {
  const fns = Object.fromEntries(
    resources(t, 'AWS::Lambda::Function')
      .filter(([id]) => !id.startsWith('BucketNotificationsHandler'))
      .map(([id, f]) => [id.replace(/Function[0-9A-F]{8}$/, ''), { id, p: f.Properties! }]),
  );

  it('nodejs24.x on arm64, ESM handler, timeouts, memory, concurrency, environment', () => {
    expect(Object.keys(fns).sort()).toEqual(['Backfill', 'Deliver', 'Detect', 'Remediate']);
    for (const [name, { p }] of Object.entries(fns)) {
      expect(p, name).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
      const env = (p.Environment as { Variables: Record<string, unknown> }).Variables;
      const own = name === 'Remediate' ? [LAMBDA_ENV.ownRoles] : [];
      expect(Object.keys(env).sort(), name).toEqual([LAMBDA_ENV.configParameter, LAMBDA_ENV.deploymentName, LAMBDA_ENV.remediationQueueUrl, LAMBDA_ENV.tableName, ...own].sort());
      expect(env[LAMBDA_ENV.deploymentName]).toBe('trailguard');
      expect(env[LAMBDA_ENV.configParameter]).toBe('/trailguard/config');
      expect(env[LAMBDA_ENV.deployment], 'the document is in the code, not the environment').toBeUndefined();
    }
    expect(fns.Detect!.p).toMatchObject({ MemorySize: 512, Timeout: 60, ReservedConcurrentExecutions: 20 });
    expect(fns.Backfill!.p).toMatchObject({ MemorySize: 1024, Timeout: 300 });
    expect(fns.Remediate!.p.ReservedConcurrentExecutions).toBeUndefined();
    // The remediate function's loop guard knows its own role, whatever remediation.identity says.
    expect((fns.Remediate!.p.Environment as { Variables: Record<string, unknown> }).Variables[LAMBDA_ENV.ownRoles]).toBe('trailguard-remediation');
  });

  it('log groups with retention', () => {
    const groups = resources(t, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(4);
    for (const [, g] of groups) expect(g.Properties!.RetentionInDays).toBe(90);
    for (const { p } of Object.values(fns)) expect(JSON.stringify(p.LoggingConfig)).toContain('Logs');
  });

  it('SQS event sources: batches of 10, a short batching window, partial batch responses, maximum concurrency', () => {
    const mappings = resources(t, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties!);
    expect(mappings).toHaveLength(3);
    for (const m of mappings) expect(m).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 5 } });
    const detect = mappings.find((m) => JSON.stringify(m.FunctionName).includes(fns.Detect!.id))!;
    expect(detect.MaximumBatchingWindowInSeconds).toBe(2);
  });

  it('the bundle is one ESM file with the AWS SDK and the deployment document inside, and it runs', async () => {
    const asset = readdirSync(s.outdir).find((f) => f.startsWith('asset.') && readdirSync(path.join(s.outdir, f)).includes('index.mjs'))!;
    const file = path.join(s.outdir, asset, 'index.mjs');
    const code = readFileSync(file, 'utf8');
    // src/lambda/bundle.ts's plan: its banner, nothing left out for a config with every kind of channel.
    const bundle = lambdaBundlePlan('detect', s.built.plan.document, { configParameter: true });
    expect(bundle.external).toEqual([]);
    expect(code.startsWith(bundle.banner)).toBe(true);
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(code).not.toMatch(/import\(["']@aws-sdk\//);
    expect(code).toContain('security-group-ingress-open-to-world');
    expect(code.length / code.split('\n').length, 'minified: long lines').toBeGreaterThan(2000);
    // Runs as Lambda would load it: the define + inject made process.env.TRAILGUARD_DEPLOYMENT the document.
    const copy = path.join(s.outdir, 'run-bundle.mjs');
    copyFileSync(file, copy);
    const { handler } = (await import(pathToFileURL(copy).href)) as { handler: () => Promise<{ rules: number; sdk: string }> };
    expect(await handler()).toEqual({ rules: rules.length, sdk: 'function' });
  });
});

describe('store table', () => {
  it('pk/sk, gsi1/gsi2, TTL, on demand, point-in-time recovery, the key, kept on delete', () => {
    const [id, table] = resources(t, 'AWS::DynamoDB::Table')[0]!;
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: getAtt(keyId) },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      DeletionProtectionEnabled: true,
    });
    expect((table.Properties!.GlobalSecondaryIndexes as Array<{ IndexName: string }>).map((i) => i.IndexName)).toEqual(['gsi1', 'gsi2']);
    expect((table as unknown as { DeletionPolicy: string }).DeletionPolicy).toBe('Retain');
    expect(id).toMatch(/^Store/);
  });
});

describe('describeEventRouting', () => {
  it('lists each rule with its pattern, bus, target queue, DLQ and retry policy, and each queue with its redrive', () => {
    const routing = describeEventRouting(s.outdir, 'trailguard');
    expect(routing.stack).toBe('trailguard');
    const rule = routing.rules.find((r) => r.name === 'trailguard.cloudtrail-disabled')!;
    expect(rule).toMatchObject({ eventBusName: 'default', state: 'ENABLED' });
    expect(JSON.parse(rule.patternJson!)).toEqual(rules.find((r) => r.id === 'cloudtrail-disabled')!.match);
    expect(rule.targets).toEqual([{ id: 'detect', arn: getAtt(detectQueue), logicalId: detectQueue, kind: 'queue', deadLetterQueueLogicalId: targetDlq, deadLetterQueueArn: getAtt(targetDlq), maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 }]);
    const queue = routing.queues.find((q) => q.logicalId === detectQueue)!;
    expect(queue).toMatchObject({ encryption: { kmsKeyLogicalId: keyId, sqsManaged: false }, visibilityTimeoutSeconds: 360, redrive: { maxReceiveCount: 5 }, consumers: [{ batchSize: 10, reportBatchItemFailures: true }] });
    expect(routing.queues.find((q) => q.logicalId === targetDlq)).toMatchObject({ isTargetDeadLetterQueue: true, consumers: [] });
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('passes: every finding is fixed or acknowledged, finding by finding, with a reason', () => {
    // synth() ran the AwsSolutions pack in-memory: an unacknowledged finding would have thrown.
    const acks = s.built.acknowledgements;
    const ids = [...new Set(acks.map((a) => `${a.path.replace(/^trailguard\//, '')} ${a.id}`))].sort();
    expect(ids).toEqual(
      [
        'Backfill/Function/Resource AwsSolutions-L1',
        'Backfill/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::my-trail-bucket/AWSLogs/*]',
        'BucketNotificationsHandler050a0587b7544547bf325f094a3db834 AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'Deliver/Function/Resource AwsSolutions-L1',
        'Detect/Function/Resource AwsSolutions-L1',
        'Remediate/Function/Resource AwsSolutions-L1',
        ...s.built.plan
          .remediation.policy!.Statement.flatMap((st) => st.Resource)
          .filter((r) => r.includes('*'))
          .map((r) => `RemediationActions/Resource AwsSolutions-IAM5[Resource::${r}]`),
        'TargetDeadLetters/Queue AwsSolutions-SQS3',
      ]
        .filter((v, i, a) => a.indexOf(v) === i)
        .sort(),
    );
    for (const ack of acks) expect(ack.reason.length, ack.id).toBeGreaterThan(60);
  });
});
