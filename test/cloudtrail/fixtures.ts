/**
 * Real-shaped CloudTrail records and envelopes, written from the examples in the AWS documentation
 * (account 123456789012 and the documented example identifiers only). Each builder returns a fresh object.
 */
import { gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../../src/cloudtrail/types.js';

export const ACCOUNT = '123456789012';

/** CloudTrail user guide, userIdentity element: request made with the credentials of IAM user Alice. */
export function iamUserRecord(): CloudTrailRecord {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAJ45Q7YFFAREXAMPLE',
      arn: 'arn:aws:iam::123456789012:user/Alice',
      accountId: ACCOUNT,
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'Alice',
    },
    eventTime: '2023-07-19T21:11:57Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateUser',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.0',
    userAgent: 'aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64',
    requestParameters: { userName: 'Bob' },
    responseElements: {
      user: {
        path: '/',
        arn: 'arn:aws:iam::123456789012:user/Bob',
        userId: 'AIDACKCEVSQ6C2EXAMPLE',
        createDate: 'Jul 19, 2023 9:11:57 PM',
        userName: 'Bob',
      },
    },
    requestID: '2d528c76-329e-410b-9516-EXAMPLE565dc',
    eventID: 'ba0801a1-87ec-4d26-be87-EXAMPLE75bbb',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

/** CloudTrail user guide: request made with temporary credentials from assuming role RoleToBeAssumed. */
export function assumedRoleRecord(): CloudTrailRecord {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAIDPPEZS35WEXAMPLE:MySessionName',
      arn: 'arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName',
      accountId: ACCOUNT,
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAIDPPEZS35WEXAMPLE',
          arn: 'arn:aws:iam::123456789012:role/RoleToBeAssumed',
          accountId: ACCOUNT,
          userName: 'RoleToBeAssumed',
        },
        attributes: { mfaAuthenticated: 'false', creationDate: '2023-07-19T21:10:03Z' },
      },
    },
    eventTime: '2023-07-19T21:11:57Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.0',
    userAgent: 'aws-cli/2.13.5',
    requestParameters: {
      groupId: 'sg-1234567890abcdef0',
      ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] },
    },
    responseElements: { requestId: 'c6acd5b7-EXAMPLE', _return: true },
    requestID: 'c6acd5b7-EXAMPLE',
    eventID: '6b1d6aa8-EXAMPLE-4f49-a5b0-EXAMPLE1c4c3',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

/** CloudTrail user guide, console sign-in events: root user sign-in without MFA. */
export function rootConsoleLoginRecord(): CloudTrailRecord {
  return {
    eventVersion: '1.05',
    userIdentity: {
      type: 'Root',
      principalId: ACCOUNT,
      arn: 'arn:aws:iam::123456789012:root',
      accountId: ACCOUNT,
      accessKeyId: '',
    },
    eventTime: '2014-07-16T15:49:27Z',
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-2',
    sourceIPAddress: '192.0.2.110',
    userAgent: 'Mozilla/5.0 (Windows NT 6.1; WOW64; rv:24.0) Gecko/20100101 Firefox/24.0',
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { LoginTo: 'https://console.aws.amazon.com/s3/', MobileVersion: 'No', MFAUsed: 'No' },
    eventID: 'deb1e1f9-c99b-4612-8e9f-21f93b5e79c0',
    eventType: 'AwsConsoleSignIn',
    recipientAccountId: ACCOUNT,
  };
}

/** CloudTrail user guide, AWS service events: KMS automatic key rotation (userIdentity without type). */
export function serviceEventRecord(): CloudTrailRecord {
  return {
    eventVersion: '1.08',
    userIdentity: { accountId: ACCOUNT, invokedBy: 'kms.amazonaws.com' },
    eventTime: '2023-07-19T15:34:11Z',
    eventSource: 'kms.amazonaws.com',
    eventName: 'RotateKey',
    awsRegion: 'us-east-1',
    sourceIPAddress: 'kms.amazonaws.com',
    userAgent: 'kms.amazonaws.com',
    requestParameters: null,
    responseElements: null,
    eventID: 'a24b3967-ddad-417f-9b22-2332b918db06',
    readOnly: false,
    resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    serviceEventDetails: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' },
    eventCategory: 'Management',
  };
}

/** A minimal valid record in CloudTrail's key order, distinguishable by `n`. */
export function simpleRecord(n: number): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAJ45Q7YFFAREXAMPLE',
      arn: 'arn:aws:iam::123456789012:user/Alice',
      accountId: ACCOUNT,
      userName: 'Alice',
    },
    eventTime: `2023-07-19T21:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.0',
    requestParameters: { bucketName: 'amzn-s3-demo-bucket', key: `object-${n}` },
    responseElements: null,
    eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
  };
}

export function logFile(records: unknown[]): string {
  return JSON.stringify({ Records: records });
}

export function gz(s: string | Buffer): Buffer {
  return gzipSync(s);
}

/** EventBridge event for a CloudTrail record (EventBridge user guide, "AWS API Call via CloudTrail"). */
export function eventBridgeEvent(detail: unknown, detailType = 'AWS API Call via CloudTrail', source = 'aws.iam'): Record<string, unknown> {
  return {
    version: '0',
    id: '36eb8523-97d0-4518-b33d-ee3579ff19f0',
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: '2023-07-19T21:11:57Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** SNS notification (SNS developer guide, HTTP/S notification JSON format). */
export function snsNotification(message: string): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:MyTopic',
    Subject: 'My First Message',
    Message: message,
    Timestamp: '2012-05-02T00:54:06.655Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLEw6JRN...',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96',
  };
}

/** Lambda SNS event (Lambda developer guide, "Using Lambda with Amazon SNS"). */
export function snsLambdaEvent(messages: string[]): Record<string, unknown> {
  return {
    Records: messages.map((m) => ({
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:sns-lambda:21be56ed-a058-49f5-8c98-aedd2564c486',
      EventSource: 'aws:sns',
      Sns: {
        SignatureVersion: '1',
        Timestamp: '2019-01-02T12:45:07.000Z',
        Signature: 'tcc6faL2yUC6dgZdmrwh1Y4cGa/ebXEkAi6RibDsvpi+tE/1+82j...65r==',
        SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-ac565b8b1a6c5d002d285f9598aa1d9b.pem',
        MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
        Message: m,
        MessageAttributes: {},
        Type: 'Notification',
        UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&amp;SubscriptionArn=arn:aws:sns:us-east-1:123456789012:test-lambda:21be56ed-a058-49f5-8c98-aedd2564c486',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:sns-lambda',
        Subject: 'TestInvoke',
      },
    })),
  };
}

/** Lambda SQS event (Lambda developer guide, "Using Lambda with Amazon SQS"). */
export function sqsLambdaEvent(bodies: string[]): Record<string, unknown> {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `059f36b4-87a3-44ab-83d2-66197${String(i).padStart(7, '0')}`,
      receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1545082649183',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1545082649185',
      },
      messageAttributes: {},
      md5OfBody: '098f6bcd4621d373cade4e832627b4f6',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:my-queue',
      awsRegion: 'us-east-1',
    })),
  };
}

/** S3 event notification (S3 user guide, "Event message structure"). */
export function s3Notification(bucket: string, key: string): Record<string, unknown> {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2023-07-19T21:15:00.000Z',
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAJDPLRKLG7UEXAMPLE' },
        requestParameters: { sourceIPAddress: '192.0.2.0' },
        responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'testConfigRule',
          bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key, size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' },
        },
      },
    ],
  };
}

/** CloudWatch Logs subscription payload, decoded form (CloudWatch Logs user guide, subscription filters). */
export function cwlPayload(messages: string[], messageType = 'DATA_MESSAGE'): Record<string, unknown> {
  return {
    messageType,
    owner: ACCOUNT,
    logGroup: 'aws-cloudtrail-logs-123456789012-e0ee6ab2',
    logStream: '123456789012_CloudTrail_us-east-1',
    subscriptionFilters: ['cloudtrail-to-lambda'],
    logEvents: messages.map((message, i) => ({ id: `3195310660696698337880902507980421114328961542429EXAMPLE${i}`, timestamp: 1432826855000 + i, message })),
  };
}

/** CloudWatch Logs control message (sent to check the destination is reachable). */
export function cwlControlMessage(): Record<string, unknown> {
  return {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [{ id: '', timestamp: 1432826855000, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
  };
}

/** The Lambda form of a CloudWatch Logs subscription: base64 of the gzipped payload. */
export function awslogsLambdaEvent(payload: unknown): Record<string, unknown> {
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } };
}

/** CloudTrail digest file (CloudTrail user guide, "CloudTrail digest file structure"). */
export function digestFile(): Record<string, unknown> {
  return {
    awsAccountId: ACCOUNT,
    digestStartTime: '2015-08-17T14:01:31Z',
    digestEndTime: '2015-08-17T15:01:31Z',
    digestS3Bucket: 'amzn-s3-demo-bucket',
    digestS3Object: 'AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2015/08/17/123456789012_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz',
    digestPublicKeyFingerprint: '31e8b5433410dfb61a9dc45cc65b22ff',
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: '2015-08-17T14:52:27Z',
    oldestEventTime: '2015-08-17T14:42:27Z',
    previousDigestS3Bucket: 'amzn-s3-demo-bucket',
    previousDigestS3Object: 'AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2015/08/17/123456789012_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T140131Z.json.gz',
    previousDigestHashValue: '97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d',
    previousDigestHashAlgorithm: 'SHA-256',
    previousDigestSignature: '50887ccffad4c002b97caa37cc9dc626e3c680207d41d27fa5835458e066e0d3652fc4dfc30937e4d5f4cc7f796e7a258fb50a43ac427f2237f6e505d4efaf373d156e15e3b68dea9f58111d395b62628d6bd367a9024d2183b5b5c2d0a3754e9ec57d8d6ef5a0a63c37a1ec3c45e2d4ea3e5b9d0b4b4fc7f16df6a0c0e5c3b5ceb0f1d8ff6a7b1c5d0b1d3cbe2c79e3d6dbf0b5e1e4f6d1c3e1fd2ab6cf5c6ab3d1e5',
    logFiles: [
      {
        s3Bucket: 'amzn-s3-demo-bucket',
        s3Object: 'AWSLogs/123456789012/CloudTrail/us-east-2/2015/08/17/123456789012_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz',
        hashValue: '9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6',
        hashAlgorithm: 'SHA-256',
        newestEventTime: '2015-08-17T14:52:27Z',
        oldestEventTime: '2015-08-17T14:42:27Z',
      },
    ],
  };
}
