/**
 * SNS, SES and the AWS secret references against moto_server: the real AWS SDK v3, and what AWS
 * "received" read back through moto's /moto-api/data.json (SNS Topic.sent_notifications, SES
 * RawMessage.raw_data).
 */
import '../support/loopback-only.js';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsSecretBackends, SecretError, SecretResolver } from '../../../src/notify/secrets.js';
import { Redactor } from '../../../src/notify/redact.js';
import { createSink } from '../../../src/notify/sinks/index.js';
import { SNS_MAX_MESSAGE_BYTES } from '../../../src/notify/sinks/sns.js';
import type { Sink } from '../../../src/notify/types.js';
import { motoAvailable, startMoto, type Moto } from '../../support/moto.js';
import { blockedConnections } from '../support/loopback-only.js';
import { makeFinding, realFindings } from '../support/findings.js';
import { notificationOf, sendContext, sinkDeps } from '../support/sinks.js';

let moto: Moto | undefined;
const region = 'us-east-1';

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
beforeEach(async () => {
  await moto?.reset();
});
afterAll(async () => {
  await moto?.stop();
  expect(blockedConnections).toEqual([]);
});

interface MotoData {
  sns?: { Topic?: { arn: string; sent_notifications: [string, string, string | null, Record<string, { Type: string; Value: string }> | null, string | null][] }[] };
  ses?: { RawMessage?: { id: string; source: string; destinations: string[]; raw_data: string }[] };
}

async function sinkOf(config: Parameters<typeof createSink>[0]): Promise<Sink> {
  const { credentials } = moto!.clientConfig(region);
  return createSink(config, sinkDeps('aws-channel', { aws: { region, endpoint: moto!.endpoint, credentials } }));
}

// Without moto_server (outside CI) startMoto prints the reason and these are skipped; under CI it fails instead.
describe.skipIf(!motoAvailable())('against moto_server', () => {
  it('SNS: publishes a JSON-structured message (text for email/sms, JSON for machines), an ASCII subject and filterable attributes', async () => {
    const sns = new SNSClient(moto!.clientConfig(region));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'security-alerts' }));
    const sink = await sinkOf({ type: 'sns', topicArn: TopicArn! });
    const finding = realFindings().find((f) => f.ruleId === 'cloudtrail-disabled')!;
    const n = notificationOf([finding]);
    const result = await sink.send(n, sendContext());
    expect(result.detail).toMatch(/^MessageId /);
    await sink.close?.();

    const data = await moto!.api<MotoData>('data.json');
    const topic = data.sns!.Topic!.find((t) => t.arn === TopicArn)!;
    expect(topic.sent_notifications).toHaveLength(1);
    const [, message, subject, attributes] = topic.sent_notifications[0]!;
    expect(subject).toBe('CRITICAL: CloudTrail logging stopped or trail deleted');
    expect(subject).toMatch(/^[\x20-\x7E]{1,99}$/);
    const structured = JSON.parse(message) as Record<string, string>;
    expect(Object.keys(structured).sort()).toEqual(['default', 'email', 'email-json', 'firehose', 'http', 'https', 'lambda', 'sms', 'sqs']);
    expect(structured.default).toContain('Who:');
    expect(structured.default).toContain(finding.consoleUrl);
    expect(structured.email).toBe(structured.default);
    expect(structured.sms!.length).toBeLessThanOrEqual(140);
    const machine = JSON.parse(structured.sqs!) as { id: string; findings: { id: string }[]; severity: string };
    expect(machine).toMatchObject({ id: n.idempotencyKey, severity: 'critical', findings: [{ id: finding.id }] });
    // moto keeps message attributes in SNS's delivery form ({Type, Value}).
    expect(attributes).toMatchObject({ severity: { Type: 'String', Value: 'critical' }, ruleId: { Value: 'cloudtrail-disabled' }, account: { Value: '123456789012' }, idempotencyKey: { Value: n.idempotencyKey } });
    expect(Buffer.byteLength(message)).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it('SNS: keeps a huge notification under 256 KB and the subject under 100 printable ASCII characters', async () => {
    const sns = new SNSClient(moto!.clientConfig(region));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'big' }));
    const sink = await sinkOf({ type: 'sns', topicArn: TopicArn! });
    const bulky = makeFinding(1, { title: `Ünïcödé — “quoted” ${'long '.repeat(40)}`, record: { eventVersion: '1', eventTime: 't', eventSource: 's', eventName: 'n', blob: 'x'.repeat(200_000) } as never });
    await sink.send(notificationOf([bulky]), sendContext());
    await sink.close?.();
    const [, message, subject] = (await moto!.api<MotoData>('data.json')).sns!.Topic!.find((t) => t.arn === TopicArn)!.sent_notifications[0]!;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(subject).toMatch(/^CRITICAL: Unicode - "quoted" long/);
    expect(subject!.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7E]+$/);
    expect((JSON.parse(JSON.parse(message).sqs) as { findings: { recordOmitted?: boolean }[] }).findings[0]!.recordOmitted).toBe(true);
  });

  it('SNS: a missing topic is a permanent error', async () => {
    const sink = await sinkOf({ type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:nope' });
    await expect(sink.send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('NotFound') });
    await sink.close?.();
  });

  it('SES v2: sends a multipart text + HTML message with our headers to a verified identity', async () => {
    const ses = new SESv2Client(moto!.clientConfig(region));
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'alerts@example.com' }));
    const sink = await sinkOf({ type: 'ses', from: 'trailguard <alerts@example.com>', to: ['secops@example.com'], cc: ['audit@example.com'], bcc: ['archive@example.com'] });
    const finding = realFindings().find((f) => f.ruleId === 'cloudtrail-disabled')!;
    const n = notificationOf([finding]);
    await sink.send(n, sendContext());
    await sink.close?.();

    const [sent] = (await moto!.api<MotoData>('data.json')).ses!.RawMessage!;
    expect(sent!.source).toBe('trailguard <alerts@example.com>');
    // moto adds the To/Cc headers it parses to the Destination it was given; Bcc only comes from Destination.
    expect([...new Set(sent!.destinations)].sort()).toEqual(['archive@example.com', 'audit@example.com', 'secops@example.com']);
    const raw = sent!.raw_data;
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
    expect(raw).toMatch(/^Content-Type: text\/html; charset=utf-8/m);
    expect(raw).toContain(`Message-ID: <${n.idempotencyKey}@trailguard.notify>`);
    // Header names are case-insensitive (nodemailer writes X-Trailguard-ID).
    expect(raw).toMatch(new RegExp(`^X-Trailguard-Id: ${n.idempotencyKey}$`, 'mi'));
    expect(raw).toMatch(/^X-Trailguard-Severity: critical$/im);
    expect(raw).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(raw).not.toMatch(/^Bcc:/m);
    expect(raw.split(/\r?\n/).every((line) => line.length <= 1000)).toBe(true);
  });

  it('SES v2: an unverified sender is rejected permanently', async () => {
    const sink = await sinkOf({ type: 'ses', from: 'nobody@unverified.example', to: ['secops@example.com'] });
    await expect(sink.send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable: false, message: expect.stringContaining('MessageRejected') });
    await sink.close?.();
  });

  it('resolves ${ssm:...} (decrypted) and ${secretsmanager:name#key} references, registering the values as secrets', async () => {
    const config = moto!.clientConfig(region);
    await new SSMClient(config).send(new PutParameterCommand({ Name: '/trailguard/pagerduty', Type: 'SecureString', Value: 'pd-routing-key-0123456789abcdef' }));
    await new SecretsManagerClient(config).send(new CreateSecretCommand({ Name: 'trailguard/smtp', SecretString: JSON.stringify({ username: 'mailer', password: 'smtp-p@ss-w0rd' }) }));
    const redactor = new Redactor();
    const resolver = new SecretResolver(awsSecretBackends({ region, endpoint: moto!.endpoint, credentials: config.credentials }), redactor);
    expect(await resolver.resolve('${ssm:/trailguard/pagerduty}')).toBe('pd-routing-key-0123456789abcdef');
    expect(await resolver.resolve('${secretsmanager:trailguard/smtp#password}')).toBe('smtp-p@ss-w0rd');
    expect(redactor.redact('key pd-routing-key-0123456789abcdef pass smtp-p@ss-w0rd')).toBe('key [REDACTED] pass [REDACTED]');
    const missing = await resolver.resolve('${ssm:/trailguard/missing}').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SecretError);
    expect(missing).toMatchObject({ retryable: false, message: expect.stringContaining('ParameterNotFound') });
  });
});
