/**
 * Real-shaped CloudTrail records (CloudTrail record contents reference,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html, and the
 * event examples of the sign-in and IAM guides), with the documented example account 123456789012 and documentation
 * IP addresses (RFC 5737). A CloudTrail trail delivering to CloudWatch Logs writes each record as one JSON log event.
 */
export type Record = { [key: string]: unknown };

export const ACCOUNT = '123456789012';

export const iamUser = {
  type: 'IAMUser',
  principalId: 'AIDACKCEVSQ6C2EXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'Alice',
};

export const assumedRole = {
  type: 'AssumedRole',
  principalId: 'AROACKCEVSQ6C2EXAMPLE:deploy',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deploy/deploy`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: 'AROACKCEVSQ6C2EXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:role/Deploy`, accountId: ACCOUNT, userName: 'Deploy' },
    attributes: { creationDate: '2026-11-20T09:00:00Z', mfaAuthenticated: 'false' },
  },
};

export const root = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: '' };

/** A management API call; `overrides` replace top-level fields (undefined removes one). */
export function apiCall(eventSource: string, eventName: string, overrides: Record = {}): Record {
  const record: Record = {
    eventVersion: '1.09',
    userIdentity: iamUser,
    eventTime: '2026-11-20T10:01:02Z',
    eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.17.0 md/command#iam.delete-role-policy',
    requestParameters: {},
    responseElements: null,
    requestID: '9f3a2c41-5b7e-4d0a-8c1e-6f2b3a4d5e6f',
    eventID: '3f2e4a8c-1b7d-4c9e-8f6a-2d5b7c9e1a34',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete record[key];
    else record[key] = value;
  }
  return record;
}

/** A console sign-in (AWS Sign-In events: https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html). */
export function consoleLogin(options: { identity?: Record; result?: 'Success' | 'Failure'; mfa?: 'Yes' | 'No' | undefined } = {}): Record {
  const { identity = iamUser, result = 'Success' } = options;
  const mfa = 'mfa' in options ? options.mfa : 'No';
  const additionalEventData: Record = { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No' };
  if (mfa !== undefined) additionalEventData.MFAUsed = mfa;
  return apiCall('signin.amazonaws.com', 'ConsoleLogin', {
    userIdentity: identity,
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
    sourceIPAddress: '203.0.113.10',
    requestParameters: null,
    responseElements: { ConsoleLogin: result },
    additionalEventData,
    eventType: 'AwsConsoleSignIn',
    ...(result === 'Failure' ? { errorMessage: 'Failed authentication' } : {}),
  });
}
