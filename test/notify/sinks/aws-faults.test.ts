/** AWS failure modes moto cannot produce, through aws-sdk-client-mock: how each becomes retryable or not. */
import '../support/loopback-only.js';
import { PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { SendEmailCommand, SESv2Client, SESv2ServiceException } from '@aws-sdk/client-sesv2';
import { GetParameterCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { awsSecretBackends, SecretResolver } from '../../../src/notify/secrets.js';
import { Redactor } from '../../../src/notify/redact.js';
import { createSink } from '../../../src/notify/sinks/index.js';
import { makeFinding } from '../support/findings.js';
import { notificationOf, sendContext, sinkDeps } from '../support/sinks.js';

const snsMock = mockClient(SNSClient);
const sesMock = mockClient(SESv2Client);
const ssmMock = mockClient(SSMClient);
const smMock = mockClient(SecretsManagerClient);
afterEach(() => {
  snsMock.reset();
  sesMock.reset();
  ssmMock.reset();
  smMock.reset();
});
// The stubs sit on the client classes: give them back for the test files that run after this one in the worker.
afterAll(() => {
  for (const mock of [snsMock, sesMock, ssmMock, smMock]) mock.restore();
});

const aws = { region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
const sns = () => createSink({ type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' }, sinkDeps('sns', { aws }));
const fifo = () => createSink({ type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts.fifo' }, sinkDeps('sns', { aws }));
const ses = () => createSink({ type: 'ses', from: 'alerts@example.com', to: ['secops@example.com'] }, sinkDeps('ses', { aws }));

function snsError(name: string, status: number, fault: 'client' | 'server', retryable?: { throttling: boolean }) {
  return new SNSServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} happened`, ...(retryable ? { $retryable: retryable } : {}) });
}

describe('SNS faults', () => {
  it.each([
    ['ThrottledException', 429, 'client', { throttling: true }, true, true],
    ['InternalErrorException', 500, 'server', undefined, true, false],
    ['KMSThrottlingException', 400, 'client', undefined, true, true],
    ['InvalidParameterException', 400, 'client', undefined, false, false],
    ['AuthorizationErrorException', 403, 'client', undefined, false, false],
    ['NotFoundException', 404, 'client', undefined, false, false],
  ] as const)('%s (HTTP %i) → retryable %s', async (name, status, fault, retryableFlag, retryable, throttled) => {
    snsMock.on(PublishCommand).rejects(snsError(name, status, fault, retryableFlag));
    const sink = await sns();
    await expect(sink.send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable, throttled, status, message: expect.stringContaining(name) });
  });

  it('a request that never got an answer is retryable', async () => {
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect((await sns()).send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable: true });
  });

  it('publishes to a FIFO topic with the idempotency key as MessageDeduplicationId', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1', $metadata: { httpStatusCode: 200 } });
    const n = notificationOf([makeFinding(1)]);
    await (await fifo()).send(n, sendContext());
    const input = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ MessageDeduplicationId: n.idempotencyKey, MessageGroupId: 'trailguard-test-channel', MessageStructure: 'json' });
  });
});

describe('SES faults', () => {
  const sesError = (name: string, status: number, fault: 'client' | 'server') => new SESv2ServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: name });
  it.each([
    ['TooManyRequestsException', 429, 'client', true, true],
    ['MessageRejected', 400, 'client', false, false],
    ['MailFromDomainNotVerifiedException', 400, 'client', false, false],
    ['SendingPausedException', 400, 'client', false, false],
    ['AccountSuspendedException', 400, 'client', false, false],
    ['InternalFailure', 500, 'server', true, false],
  ] as const)('%s → retryable %s', async (name, status, fault, retryable, throttled) => {
    sesMock.on(SendEmailCommand).rejects(sesError(name, status, fault));
    await expect((await ses()).send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable, throttled });
  });
});

describe('secret reference faults', () => {
  const resolver = () => new SecretResolver(awsSecretBackends(aws), new Redactor());
  it('throttling is retryable and not cached: the next resolve tries again', async () => {
    ssmMock.on(GetParameterCommand).rejectsOnce(new SSMServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' })).resolves({ Parameter: { Value: 'v4lue-after-retry' } });
    const r = resolver();
    await expect(r.resolve('${ssm:/p}')).rejects.toMatchObject({ retryable: true, message: 'secret ${ssm:/p}: ThrottlingException: Rate exceeded' });
    await expect(r.resolve('${ssm:/p}')).resolves.toBe('v4lue-after-retry');
    expect(ssmMock.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({ Name: '/p', WithDecryption: true });
  });

  it('a missing key in a JSON secret names the key, never the secret string', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: '{"user":"u","password":"hunter2-very-secret"}' });
    const error = (await resolver().resolve('${secretsmanager:app/smtp#token}').catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('secret ${secretsmanager:app/smtp#token}: key "token" is missing or not a string');
    expect(error.message).not.toContain('hunter2');
  });

  it('a non-JSON secret has no keys', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: 'plain-secret-value' });
    await expect(resolver().resolve('${secretsmanager:x#k}')).rejects.toMatchObject({ retryable: false, message: expect.not.stringContaining('plain-secret-value') });
    await expect(resolver().resolve('${secretsmanager:x}')).resolves.toBe('plain-secret-value');
  });
});
