/**
 * The synthesized templates created in moto's CloudFormation (moto_server on a loopback port): the central stack of
 * an organization deployment and the member template, in one account, then an event through the real routing:
 * PutEvents on the default bus → forwarding rules → the central bus → the trailguard rule → the detect queue; and a
 * log file through the backfill path (bucket notification → backfill queue).
 *
 * What moto needs and where it diverges (worked around here; never relied on):
 *  - a bootstrapped environment: the SSM parameter /cdk-bootstrap/hnb659fds/version and the asset bucket with the
 *    function code objects (moto stores the code; it cannot run Lambda without Docker);
 *  - Custom::S3BucketNotifications never completes (moto cannot run the handler Lambda): deploy.backfill.notification
 *    is manual here, and the test adds the notification with PutBucketNotificationConfiguration;
 *  - a rule with a Lambda target crashes moto's PutEvents (NotImplementedError), and moto runs schedule-only rules on
 *    every event: the deliver schedule's target is removed before sending events;
 *  - AWS::Events::EventBusPolicy is created but not attached (DescribeEventBus shows no Policy): the organization
 *    condition is asserted on the template (organization.test.ts), not here;
 *  - moto drops `account` from delivered events and matches some patterns differently: only "at least one
 *    trailguard rule delivered it to the detect queue" is asserted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EventBridgeClient, DescribeRuleCommand, ListRulesCommand, ListTargetsByRuleCommand, PutEventsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrailguardConfig } from '../../src/config/schema.js';
import { startMoto } from '../support/moto.js';
import { MotoCloudFormation, type CfnStackStatus } from './moto-cloudformation.js';
import { ACCOUNT, builtinRules, synth } from './support.js';

process.env.CDK_VALIDATION = 'false';

const REGION = 'eu-west-1';
const moto = await startMoto();
const config: TrailguardConfig = {
  deploy: { region: REGION, account: ACCOUNT, organization: { id: 'o-a1b2c3d4e5' }, backfill: { bucket: 'trail-bucket', notification: 'manual' } },
  remediation: {
    assumeRole: { roleName: 'trailguard-member-remediation', externalId: 'tg-external-4821' },
    identity: [{ role: 'trailguard-remediation' }, { role: 'trailguard-member-remediation' }],
    rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' } },
  },
};
const s = moto ? synth(config, builtinRules()) : undefined;
afterAll(async () => {
  s?.cleanup();
  await moto?.stop();
});

describe.skipIf(!moto)('the templates in moto\'s CloudFormation', () => {
  const clients = () => {
    const c = moto!.clientConfig(REGION);
    return { cfn: new MotoCloudFormation(moto!.endpoint, REGION), events: new EventBridgeClient(c), sqs: new SQSClient(c), s3: new S3Client({ ...c, forcePathStyle: true }), ssm: new SSMClient(c) };
  };
  let central: CfnStackStatus;
  let member: CfnStackStatus;

  it('the central stack creates, once the environment looks bootstrapped', async () => {
    const { cfn, s3, ssm } = clients();
    await ssm.send(new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String', Overwrite: true }));
    const bucket = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    const assets = JSON.parse(readFileSync(path.join(s!.outdir, 'trailguard.assets.json'), 'utf8')) as { files: Record<string, { source: { packaging?: string }; destinations: Record<string, { objectKey: string }> }> };
    for (const file of Object.values(assets.files)) {
      if (file.source.packaging !== 'zip') continue;
      for (const d of Object.values(file.destinations)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: d.objectKey, Body: 'code' }));
    }
    central = await cfn.deploy('trailguard', JSON.stringify(s!.central));
    expect(central.status, central.reason).toBe('CREATE_COMPLETE');
    const types = central.resources.map((r) => r.type);
    expect(types.filter((t) => t === 'AWS::Events::Rule')).toHaveLength(s!.built.plan.rules.length + 2);
    expect(types).toEqual(expect.arrayContaining(['AWS::Events::EventBus', 'AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::Lambda::Function', 'AWS::Lambda::EventSourceMapping', 'AWS::SQS::Queue']));
    expect(central.outputs.DetectQueueUrl).toMatch(/DetectQueue/);
  });

  it('the member template creates with its parameter defaults', async () => {
    const { cfn } = clients();
    member = await cfn.deploy('trailguard-member', JSON.stringify(s!.templates['trailguard-member']));
    expect(member.status, member.reason).toBe('CREATE_COMPLETE');
    expect(member.resources.find((r) => r.logicalId === 'RemediationRole')?.physicalId).toBe('trailguard-member-remediation');
    expect(member.resources.find((r) => r.logicalId === 'ForwardRule')?.physicalId).toBe('trailguard.to-central-bus');
  });

  it('the rules are on the central bus, patterns and states as synthesized', async () => {
    const { events } = clients();
    const onBus = (await events.send(new ListRulesCommand({ EventBusName: 'trailguard-central', Limit: 100 }))).Rules ?? [];
    expect(onBus.map((r) => r.Name).sort()).toEqual(s!.built.plan.rules.map((r) => r.ruleName).sort());
    const unauthorized = await events.send(new DescribeRuleCommand({ Name: 'trailguard.unauthorized-api-calls', EventBusName: 'trailguard-central' }));
    expect(unauthorized.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(JSON.parse(unauthorized.EventPattern!)).toEqual(builtinRules().find((r) => r.id === 'unauthorized-api-calls')!.match);
    const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: 'trailguard.to-central-bus' }))).Targets ?? [];
    expect(targets[0]).toMatchObject({ Arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/trailguard-central`, RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 } });
  });

  it('a CloudTrail event on the default bus is forwarded to the central bus and reaches the detect queue', async () => {
    const { events, sqs } = clients();
    // moto cannot deliver to a Lambda target and runs schedule rules on every event: take the schedule's target off.
    await events.send(new RemoveTargetsCommand({ Rule: 'trailguard.deliver-schedule', Ids: ['deliver'] }));
    const detail = {
      eventVersion: '1.10',
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: REGION,
      eventID: 'e0b6f7a8-1111-4c2d-9e3f-abcdefabcdef',
      eventType: 'AwsApiCall',
      readOnly: false,
      sourceIPAddress: '198.51.100.7',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/mallory`, accountId: ACCOUNT, userName: 'mallory' },
      requestParameters: { name: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management-events` },
    };
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: 'aws.cloudtrail', DetailType: 'AWS API Call via CloudTrail', Detail: JSON.stringify(detail) }] }));
    expect(put.FailedEntryCount).toBe(0);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: central.outputs.DetectQueueUrl!, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const bodies = (received.Messages ?? []).map((m) => JSON.parse(m.Body!) as { 'detail-type': string; detail: { eventName: string; eventID: string } });
    expect(bodies.length).toBeGreaterThanOrEqual(1);
    for (const body of bodies) expect(body).toMatchObject({ 'detail-type': 'AWS API Call via CloudTrail', detail: { eventName: 'StopLogging', eventID: detail.eventID } });
    const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: central.outputs.TargetDeadLetterQueueUrl!, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(dlq.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it('backfill (notification: manual): a log file landing in the trail bucket reaches the backfill queue', async () => {
    const { s3, sqs } = clients();
    await s3.send(new CreateBucketCommand({ Bucket: 'trail-bucket', CreateBucketConfiguration: { LocationConstraint: REGION } }));
    const filter = s!.built.plan.backfill!.filters[0]!;
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'trail-bucket',
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: central.outputs.BackfillQueueArn!, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: filter.prefix }, { Name: 'suffix', Value: filter.suffix }] } } }],
        },
      }),
    );
    const key = `AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/12/07/${ACCOUNT}_CloudTrail_${REGION}_20261207T1005Z_abc.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: 'trail-bucket', Key: key, Body: '{"Records":[]}' }));
    const url = central.resources.find((r) => r.logicalId.startsWith('BackfillQueueB') && r.type === 'AWS::SQS::Queue')!.physicalId!;
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url.replace(/^https:\/\/sqs\.[^/]+/, moto!.endpoint), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const bodies = (received.Messages ?? []).map((m) => JSON.parse(m.Body!) as { Event?: string; Records?: Array<{ s3: { object: { key: string } } }> });
    // S3 sends an s3:TestEvent first (the backfill handler must skip it); keys arrive URL-encoded, as from S3.
    expect(bodies.some((b) => b.Event === 's3:TestEvent')).toBe(true);
    expect(bodies.flatMap((b) => b.Records ?? []).map((r) => decodeURIComponent(r.s3.object.key))).toEqual([key]);
  });
});
