/**
 * The one AWS error classification (src/util/aws-errors.ts) and its users agreeing on it: the notification sinks
 * (SNS, SES), secret references (SSM, Secrets Manager), remediation and the audit — which used to keep three
 * throttling lists of their own that had drifted apart. And an answer that was not the service's (an HTML error
 * page from a proxy) as one line, wherever it is met.
 */
import '../notify/support/loopback-only.js';
import { SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify as auditClassify, toCallError } from '../../src/audit/aws-call.js';
import { createSink } from '../../src/notify/sinks/index.js';
import { awsDeliveryError } from '../../src/notify/sinks/aws.js';
import { Redactor, SecretResolver } from '../../src/notify/secrets.js';
import { errorCodeOf } from '../../src/remediate/execute.js';
import { openDynamoStore } from '../../src/store/dynamodb/store.js';
import { awsErrorCode, awsErrorMessage, classifyAwsError, isAwsThrottling } from '../../src/util/aws-errors.js';
import { startServer, type TestServer } from '../notify/support/http-server.js';
import { makeFinding } from '../notify/support/findings.js';
import { notificationOf, sendContext, sinkDeps } from '../notify/support/sinks.js';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  new SNSServiceException({ name, $fault: status !== undefined && status >= 500 ? 'server' : 'client', $metadata: status !== undefined ? { httpStatusCode: status } : {}, message: `${name} happened`, ...extra });

describe('one classification', () => {
  it.each([
    // name, HTTP status, throttled, retryable
    ['ThrottlingException', 400, true, true],
    ['Throttling', 400, true, true],
    ['RequestThrottledException', 400, true, true],
    ['EC2ThrottledException', 503, true, true],
    ['ProvisionedThroughputExceededException', 400, true, true],
    ['KMSThrottlingException', 400, true, true],
    ['SlowDown', 503, true, true],
    ['TooManyRequestsException', 429, true, true],
    ['SomethingNew', 429, true, true],
    ['InternalFailure', 500, false, true],
    ['ServiceUnavailable', 503, false, true],
    ['AccessDeniedException', 400, false, false],
    ['ParameterNotFound', 400, false, false],
    ['ValidationException', 400, false, false],
  ] as const)('%s (HTTP %i): throttled %s, retryable %s — the same for every user', (name, status, throttled, retryable) => {
    const error = sdkError(name, status);
    expect(classifyAwsError(error)).toMatchObject({ code: name, status, throttled, retryable });
    expect(isAwsThrottling(error)).toBe(throttled);
    // The notification sinks.
    expect(awsDeliveryError(error, 'sns channel "x"', 1000, false)).toMatchObject({ throttled, retryable, status });
    // The audit.
    expect(auditClassify(name, error) === 'throttled').toBe(throttled);
    // Remediation names it the same.
    expect(errorCodeOf(error)).toBe(name);
  });

  it('the modelled traits count: $retryable makes an error retryable, $retryable.throttling a throttle', () => {
    expect(classifyAwsError(Object.assign(sdkError('Odd', 400), { $retryable: {} }))).toMatchObject({ retryable: true, throttled: false });
    expect(classifyAwsError(Object.assign(sdkError('Odd', 400), { $retryable: { throttling: true } }))).toMatchObject({ retryable: true, throttled: true });
    expect(classifyAwsError(sdkError('Odd', 400))).toMatchObject({ retryable: false, throttled: false });
    expect(classifyAwsError(sdkError('Odd', 501))).toMatchObject({ retryable: true, serverFault: true });
  });

  it('no answer at all (refused, reset, DNS, a timeout) is retryable', () => {
    const reset = classifyAwsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(reset).toMatchObject({ retryable: true, transient: true });
    expect(reset.status).toBeUndefined();
    expect(classifyAwsError(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }))).toMatchObject({ retryable: true });
    expect(classifyAwsError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toMatchObject({ retryable: true, transient: true });
  });

  it('secret references: a wrong reference or a refusal stays wrong; throttling, server faults and no answer may pass', async () => {
    const resolver = (error: unknown) => new SecretResolver({ ssm: () => Promise.reject(error) }, new Redactor());
    await expect(resolver(sdkError('ParameterNotFound', 400)).resolve('${ssm:/a}')).rejects.toMatchObject({ retryable: false, message: 'secret ${ssm:/a}: ParameterNotFound: ParameterNotFound happened' });
    await expect(resolver(sdkError('AccessDeniedException', 400)).resolve('${ssm:/b}')).rejects.toMatchObject({ retryable: false });
    await expect(resolver(sdkError('RequestThrottledException', 400)).resolve('${ssm:/c}')).rejects.toMatchObject({ retryable: true });
    await expect(resolver(sdkError('InternalServerError', 500)).resolve('${ssm:/d}')).rejects.toMatchObject({ retryable: true });
    await expect(resolver(Object.assign(new Error('reset'), { code: 'ECONNRESET' })).resolve('${ssm:/e}')).rejects.toMatchObject({ retryable: true });
  });
});

describe('an HTML error page instead of the service\'s answer', () => {
  let server: TestServer;
  const page = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
  beforeAll(async () => {
    server = await startServer(() => ({ status: 502, headers: { 'content-type': 'text/html' }, body: page }));
  });
  afterAll(() => server.close());
  const noise = /Unexpected token|Deserialization|\$response|XML parse|SyntaxError|not valid JSON/;
  const aws = () => ({ region: 'us-east-1', endpoint: server.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

  it('an SNS delivery: one line naming the status and the call, retryable', async () => {
    const sink = await createSink({ type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' }, sinkDeps('sns', { aws: aws() }));
    const error = (await sink.send(notificationOf([makeFinding(1)]), sendContext()).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ retryable: true, status: 502, message: 'sns channel "sns": BadGateway (HTTP 502): HTTP 502 from sns Publish (502 Bad Gateway)' });
    await sink.close?.();
  });

  it('the SDK error itself: the code is the status\'s name, the message one line', async () => {
    const client = new SNSClient({ ...aws(), maxAttempts: 1 });
    const { PublishCommand } = await import('@aws-sdk/client-sns');
    const error = await client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'x' })).catch((e: unknown) => e);
    client.destroy();
    expect((error as Error).message).toMatch(noise); // what the SDK says
    expect(awsErrorCode(error)).toBe('BadGateway');
    expect(awsErrorMessage(error, { service: 'sns', operation: 'Publish' })).toBe('HTTP 502 from sns Publish (502 Bad Gateway)');
    expect(classifyAwsError(error)).toMatchObject({ unreadable: true, retryable: true, status: 502 });
    // The audit's record of it.
    expect(toCallError(error, 'sns:Publish', 'us-east-1')).toMatchObject({ code: 'BadGateway', message: 'HTTP 502 from sns:Publish (502 Bad Gateway)', kind: 'other' });
  });

  it('the DynamoDB store: "HTTP 502 from dynamodb <operation>"', async () => {
    const store = openDynamoStore({ tableName: 'tg', ...aws() });
    try {
      const error = (await store.findings.get('f1').catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/^dynamodb:tg: findings\.get failed: BadGateway: HTTP 502 from dynamodb findings\.get/);
      expect(error.message).not.toMatch(noise);
    } finally {
      await store.close();
    }
  }, 30_000);
});
