import { describe, expect, it } from 'vitest';
import { apiOperations } from '../../src/rules/api-operations.js';

describe('apiOperations (AWS SDK API models + IAM service authorization data)', () => {
  const lookup = apiOperations();

  it.each([
    ['ec2.amazonaws.com', 'ModifySecurityGroupRules'],
    ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress'],
    ['cloudtrail.amazonaws.com', 'StopLogging'],
    ['monitoring.amazonaws.com', 'DeleteAlarms'],
    ['access-analyzer.amazonaws.com', 'DeleteAnalyzer'],
    ['inspector2.amazonaws.com', 'Disable'],
    ['macie2.amazonaws.com', 'DisableMacie'],
    ['s3.amazonaws.com', 'PutBucketCors'],
    ['s3.amazonaws.com', 'DeleteBucketLifecycle'],
    ['s3.amazonaws.com', 'DeleteBucketPublicAccessBlock'],
    ['s3.amazonaws.com', 'DeleteAccountPublicAccessBlock'],
    ['lambda.amazonaws.com', 'AddPermission20150331v2'],
    ['lambda.amazonaws.com', 'CreateFunction20150331'],
    ['securityhub.amazonaws.com', 'DisableSecurityHubV2'],
    ['config.amazonaws.com', 'DeleteServiceLinkedConfigurationRecorder'],
  ])('knows %s %s', (source, name) => {
    expect(lookup.isOperation(source, name)).toBe(true);
  });

  it.each([
    ['guardduty.amazonaws.com', 'DeleteDetectr'],
    ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngres'],
    ['iam.amazonaws.com', 'StopLogging'],
  ])('flags %s %s', (source, name) => {
    expect(lookup.isOperation(source, name)).toBe(false);
  });

  it('does not judge sources it has no model for, or whose events are not API calls', () => {
    expect(lookup.isOperation('signin.amazonaws.com', 'ConsoleLogin')).toBeUndefined();
    expect(lookup.isOperation('nonexistent-service.amazonaws.com', 'Anything')).toBeUndefined();
  });
});
