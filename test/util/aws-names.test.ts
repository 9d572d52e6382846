import { describe, expect, it } from 'vitest';
import { accountIdListProblem, isAwsAccountId, isAwsRegion, regionListProblem } from '../../src/util/aws-names.js';

describe('AWS names', () => {
  it('region names', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'ap-southeast-4', 'us-gov-west-1', 'cn-north-1', 'il-central-1']) expect(isAwsRegion(region), region).toBe(true);
    for (const region of ['bogus-9', 'us-east', 'US-EAST-1', 'us-east-12', 'useast1', '']) expect(isAwsRegion(region), region).toBe(false);
    expect(regionListProblem('--regions', ['us-east-1', 'bogus-9'])).toBe('--regions bogus-9: not an AWS region name (like us-east-1)');
    expect(regionListProblem('--regions', ['x', 'y'])).toBe('--regions x, y: not AWS region names (like us-east-1)');
    expect(regionListProblem('--regions', ['eu-west-1'])).toBeUndefined();
    expect(regionListProblem('--regions', undefined)).toBeUndefined();
  });

  it('account ids: 12 digits', () => {
    expect(isAwsAccountId('123456789012')).toBe(true);
    for (const id of ['abc', '12345678901', '1234567890123', '12345678901a', ' 123456789012']) expect(isAwsAccountId(id), id).toBe(false);
    expect(accountIdListProblem('--accounts', ['abc'])).toBe('--accounts abc: not a 12-digit AWS account id');
    expect(accountIdListProblem('--accounts', ['123456789012', '1', '2'])).toBe('--accounts 1, 2: not 12-digit AWS account ids');
    expect(accountIdListProblem('--accounts', ['123456789012'])).toBeUndefined();
  });
});
