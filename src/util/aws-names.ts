/**
 * The shapes of AWS names that trailguard checks where people type them (the config file, command-line options):
 * one definition each, so the config schema and the commands accept and refuse the same values.
 */

/** An AWS region name: us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1, cn-north-1. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** A 12-digit AWS account id. */
export const AWS_ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An SNS topic ARN (standard or FIFO). */
export const SNS_TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export const isAwsRegion = (value: string): boolean => AWS_REGION_PATTERN.test(value);
export const isAwsAccountId = (value: string): boolean => AWS_ACCOUNT_ID_PATTERN.test(value);

/**
 * What is wrong with a list of region names given to `flag`, or undefined when every one is a region name:
 * `--regions bogus-9: not an AWS region name (like us-east-1)`.
 */
export function regionListProblem(flag: string, regions: readonly string[] | undefined): string | undefined {
  const bad = (regions ?? []).filter((r) => !isAwsRegion(r));
  if (bad.length === 0) return undefined;
  return `${flag} ${bad.join(', ')}: not ${bad.length === 1 ? 'an AWS region name' : 'AWS region names'} (like us-east-1)`;
}

/**
 * What is wrong with a list of account ids given to `flag`, or undefined when every one is 12 digits:
 * `--accounts abc: not a 12-digit AWS account id`.
 */
export function accountIdListProblem(flag: string, accounts: readonly string[] | undefined): string | undefined {
  const bad = (accounts ?? []).filter((a) => !isAwsAccountId(a));
  if (bad.length === 0) return undefined;
  return `${flag} ${bad.join(', ')}: not ${bad.length === 1 ? 'a 12-digit AWS account id' : '12-digit AWS account ids'}`;
}
