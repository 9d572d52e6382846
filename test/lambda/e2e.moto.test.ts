/**
 * The deployed path end to end against moto_server, with the real AWS SDK v3 on loopback: the EventBridge
 * rules, their targets' retry policies and the queues with their redrive are those of the template `trailguard
 * synth` writes for this config (read back with describeEventRouting and created with the SDK); a
 * CloudTrail-shaped event is put on the bus; Lambda's SQS event source is emulated in-process (moto cannot
 * run Lambda: no Docker) and hands the real SQSEvent batches to the handlers; the store is the DynamoDB table.
 * What is checked is what really happened: the notification a queue subscribed to the SNS topic received and
 * the message a Slack-like loopback receiver got, the ingress rule gone from moto's EC2, the poison message in
 * the dead-letter queue, and the log file put in S3 read by the backfill function without a duplicate finding.
 *
 * moto divergences this test does not build on (../shared/DESIGN.md): delivered events lack `account` (the
 * handler rebuilds the envelope from `detail`); DISABLED rules still deliver (none here); patterns through
 * arrays of objects never match (the rules here match on eventSource/eventName; the array logic is the
 * checks'); Lambda/SNS rule targets fail (the targets are SQS queues, as deployed). moto also accepts
 * PutEvents with an `aws.*` source, which AWS reserves for its services: that is how the CloudTrail event gets
 * on the bus here. Concurrent DynamoDB transactions are serialised (see oneAtATime).
 */
import '../notify/support/loopback-only.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../src/cloudtrail/types.js';
import { createBackfillHandler } from '../../src/lambda/backfill.js';
import { createDetectHandler } from '../../src/lambda/detect.js';
import { createRemediateHandler } from '../../src/lambda/remediate.js';
import { LAMBDA_ENV } from '../../src/lambda/environment.js';
import { createRemediationClients } from '../../src/remediate/clients.js';
import { describeEventRouting } from '../../src/infra/routing.js';
import { createStoreTable, openDynamoStore } from '../../src/store/dynamodb/store.js';
import type { Store } from '../../src/store/types.js';
import { gz, logFile } from '../cloudtrail/fixtures.js';
import { blockedConnections } from '../notify/support/loopback-only.js';
import { startServer, type TestServer } from '../notify/support/http-server.js';
import { alice, apiCall, stopLogging } from '../remediate/support/events.js';
import { openSshToTheWorld, sshRules } from '../support/moto-ec2.js';
import { oneAtATime, startMoto } from '../support/moto.js';
import { synth } from '../infra/support.js';
import { capturingObservability, deploymentEnv, pollQueue } from './support.js';

const moto = await startMoto();
const REGION = 'us-east-1';
const TABLE = 'trailguard-e2e';
const run = moto ? describe : describe.skip;

let slack: TestServer;
let store: Store;
const aws = () => ({ ...moto!.clientConfig(REGION), forcePathStyle: true });
const sqs = () => new SQSClient(aws());

interface Queues {
  detect: string;
  detectDlq: string;
  remediate: string;
  backfill: string;
  snsSubscriber: string;
}
let queues: Queues;
/** How often the detect queue hands a message out before dead-lettering it (the template's maxReceiveCount). */
let detectReceives: number;
let topicArn: string;

async function queue(name: string, options: { dlqArn?: string; maxReceiveCount?: number; visibilityTimeoutSeconds?: number } = {}): Promise<{ url: string; arn: string }> {
  const redrive = options.dlqArn ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: options.dlqArn, maxReceiveCount: options.maxReceiveCount ?? 3 }) } : {};
  const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30), ...redrive } }));
  const { Attributes } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/**
 * What `trailguard synth` deploys for this config, recreated in moto: every EventBridge rule of the template with
 * its pattern verbatim and its target's retry policy, the detect queue and its dead-letter queue with the
 * template's maxReceiveCount. Returns the detect queue and its DLQ, and how many rules were created.
 */
async function deployRouting(): Promise<{ detect: { url: string; arn: string }; detectDlq: { url: string; arn: string }; rules: number; maxReceiveCount: number }> {
  const synthesized = synth({ deploy: { name: 'trailguard', region: REGION }, ...config() });
  let routing;
  try {
    routing = describeEventRouting(synthesized.central);
  } finally {
    synthesized.cleanup();
  }
  const detectRoute = routing.queues.find((q) => q.consumers.length > 0 && q.redrive && routing.rules.some((r) => r.targets.some((t) => t.logicalId === q.logicalId)))!;
  const dlq = await queue('trailguard-detect-dlq');
  const detect = await queue('trailguard-detect', { dlqArn: dlq.arn, maxReceiveCount: detectRoute.redrive!.maxReceiveCount, visibilityTimeoutSeconds: 30 });
  const eb = new EventBridgeClient(aws());
  let rules = 0;
  for (const rule of routing.rules.filter((r) => r.patternJson)) {
    const target = rule.targets.find((t) => t.logicalId === detectRoute.logicalId)!;
    expect(rule.eventBusName).toBe('default');
    await eb.send(new PutRuleCommand({ Name: rule.name!, EventPattern: rule.patternJson!, State: 'ENABLED' }));
    await eb.send(
      new PutTargetsCommand({
        Rule: rule.name!,
        Targets: [{ Id: target.id, Arn: detect.arn, RetryPolicy: { MaximumRetryAttempts: target.maximumRetryAttempts!, MaximumEventAgeInSeconds: target.maximumEventAgeInSeconds! } }],
      }),
    );
    rules++;
  }
  return { detect, detectDlq: dlq, rules, maxReceiveCount: detectRoute.redrive!.maxReceiveCount };
}

async function putCloudTrailEvent(record: CloudTrailRecord): Promise<void> {
  const source = `aws.${String(record.eventSource).split('.')[0]}`;
  const { FailedEntryCount } = await new EventBridgeClient(aws()).send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: 'AWS API Call via CloudTrail', Detail: JSON.stringify(record) }] }));
  expect(FailedEntryCount).toBe(0);
}

async function receiveAll(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body ?? ''));
  }
}

function config() {
  return {
    notifications: {
      channels: {
        slack: { type: 'slack' as const, webhookUrl: `${slack.url}/services/T0/B0/x`, delivery: { initialBackoffSeconds: 0.05, maxAttempts: 3 }, rateLimit: { perSecond: 100 } },
        security: { type: 'sns' as const, topicArn },
      },
    },
    remediation: { rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' as const, mode: 'enforce' as const } } },
  };
}

function handlers() {
  const env = deploymentEnv(config(), { [LAMBDA_ENV.remediationQueueUrl]: queues.remediate, [LAMBDA_ENV.tableName]: TABLE });
  const common = { env, store, aws: moto!.clientConfig(REGION) };
  return {
    detect: createDetectHandler({ ...common, observability: capturingObservability('detect').obs }),
    backfill: createBackfillHandler({ ...common, observability: capturingObservability('backfill').obs }),
    remediate: createRemediateHandler({ ...common, clients: createRemediationClients({ configFor: (region) => ({ ...moto!.clientConfig(region), maxAttempts: 1 }) }), observability: capturingObservability('remediate').obs }),
  };
}

beforeAll(async () => {
  if (!moto) return;
  slack = await startServer(() => ({ status: 200, body: 'ok' }));
  await moto.reset();
  const dynamo = oneAtATime(new DynamoDBClient(moto.clientConfig(REGION)));
  await createStoreTable(dynamo, TABLE);
  store = openDynamoStore({ tableName: TABLE, client: dynamo });
  const sns = new SNSClient(aws());
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'security-alerts' }))).TopicArn!;
  const { detect, detectDlq, rules, maxReceiveCount } = await deployRouting();
  detectReceives = maxReceiveCount;
  // The maxReceiveCount of the template decides when a poison message is dead-lettered.
  expect(rules).toBeGreaterThan(40);
  const remediate = await queue('trailguard-remediate');
  const backfill = await queue('trailguard-backfill');
  const subscriber = await queue('security-team-inbox');
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: subscriber.arn }));
  queues = { detect: detect.url, detectDlq: detectDlq.url, remediate: remediate.url, backfill: backfill.url, snsSubscriber: subscriber.url };
  const s3 = new S3Client(aws());
  await s3.send(new CreateBucketCommand({ Bucket: 'org-trail' }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'org-trail',
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: backfill.arn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.json.gz' }] } } }] },
    }),
  );
}, 120_000);

afterAll(async () => {
  await store?.close();
  await slack?.close();
  await moto?.stop();
  expect(blockedConnections).toEqual([]);
});

run('deployed path against moto: EventBridge rule → SQS → detect → store → channels → remediate', () => {
  let incident: { groupId: string; record: CloudTrailRecord };

  it('SSH opened to the world reaches Slack and the SNS topic, and the ingress rule is gone from EC2', async () => {
    incident = await openSshToTheWorld(aws());
    expect(await sshRules(aws(), incident.groupId)).toHaveLength(1);
    await putCloudTrailEvent(incident.record);
    const { detect, remediate } = handlers();

    // Every rule whose pattern matches delivers the event: the open-to-world rule and the CIS security group control.
    const detected = await pollQueue(sqs(), queues.detect, detect, { name: 'trailguard-detect' });
    expect(detected).toEqual({ received: 2, failed: 0 });
    // Both rules the event raises are findings in the DynamoDB table.
    expect(await store.findings.count()).toBe(2);
    expect(slack.requests.map((r) => r.body).join('\n')).toContain(incident.groupId);
    const published = (await receiveAll(queues.snsSubscriber)).map((b) => JSON.parse(b) as { Message: string; Subject?: string });
    expect(published.length).toBeGreaterThanOrEqual(2);
    expect(published.map((p) => p.Message).join('\n')).toContain('0.0.0.0/0');

    // Each delivery hands the finding over; the (event, action) claim lets one of them act.
    const remediated = await pollQueue(sqs(), queues.remediate, remediate, { name: 'trailguard-remediate' });
    expect(remediated).toEqual({ received: 2, failed: 0 });
    expect(await sshRules(aws(), incident.groupId)).toEqual([]);
    const decisions = await store.remediation.listDecisions();
    expect(decisions.map((d) => d.status === 'skipped' ? `skipped:${d.reason}` : d.status).sort()).toEqual(['executed', 'skipped:duplicate-event']);
    expect(decisions.find((d) => d.status === 'executed')).toMatchObject({ actionId: 'revoke-security-group-ingress', eventId: incident.record.eventID });
    expect(slack.requests.map((r) => r.body).filter((b) => b.includes('AUTO-MITIGATED'))).toHaveLength(1);
  }, 60_000);

  it('the same event delivered again changes nothing: no new finding, message or remediation', async () => {
    const before = { findings: await store.findings.count(), slack: slack.requests.length, decisions: (await store.remediation.listDecisions()).length };
    await putCloudTrailEvent(incident.record);
    const { detect, remediate } = handlers();
    expect(await pollQueue(sqs(), queues.detect, detect)).toEqual({ received: 2, failed: 0 });
    const again = await pollQueue(sqs(), queues.remediate, remediate);
    expect(await store.findings.count()).toBe(before.findings);
    expect(slack.requests.length).toBe(before.slack);
    const decisions = await store.remediation.listDecisions();
    expect(decisions.filter((d) => d.status === 'executed')).toHaveLength(1);
    expect(decisions.length - before.decisions).toBe(again.received);
  }, 60_000);

  it('a poison message ends in the dead-letter queue after its receives, and the rest of its batches go on', async () => {
    const { detect } = handlers();
    await sqs().send(new SendMessageCommand({ QueueUrl: queues.detect, MessageBody: '{"detail-type": "AWS API Call via CloudTrail", "detail": {"eventName": ' }));
    const record = stopLogging('arn:aws:cloudtrail:us-east-1:123456789012:trail/management', alice);
    await putCloudTrailEvent(record);
    const polled = await pollQueue(sqs(), queues.detect, detect, { maxRounds: detectReceives + 4 });
    expect(polled.failed).toBe(detectReceives);
    const dead = await receiveAll(queues.detectDlq);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toContain('"eventName": ');
    expect(slack.requests.map((r) => r.body).join('\n')).toContain('StopLogging');
  }, 60_000);

  it('a log file landing in the trail bucket is read by backfill: what was seen live is not found twice, what EventBridge missed is found', async () => {
    const { backfill } = handlers();
    const before = await store.findings.count();
    const missedLive = apiCall('iam.amazonaws.com', 'CreateAccessKey', { userName: 'backup-admin' }, { accessKey: { userName: 'backup-admin', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active' } }, { userIdentity: alice });
    const key = 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/12/07/123456789012_CloudTrail_us-east-1_20261207T1205Z_Ab3 x.json.gz';
    await new S3Client(aws()).send(new PutObjectCommand({ Bucket: 'org-trail', Key: key, Body: gz(logFile([incident.record, missedLive])) }));
    const polled = await pollQueue(sqs(), queues.backfill, backfill, { name: 'trailguard-backfill' });
    // moto sends S3's test event when the notification is configured (skipped), then the object's.
    expect(polled.failed).toBe(0);
    expect(polled.received).toBeGreaterThanOrEqual(1);
    const findings = await store.findings.count();
    expect(findings - before).toBe(1);
    expect(slack.requests.map((r) => r.body).join('\n')).toContain('backup-admin');
  }, 60_000);
});
