/** ARNs as the audit needs them: arn:partition:service:region:account:resource. */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { partition: parts[1]!, service: parts[2]!, region: parts[3]!, accountId: parts[4]!, resource: parts.slice(5).join(':') };
}

/** arn:aws:logs:us-east-1:123456789012:log-group:NAME:* (the form CloudTrail stores) or without the trailing :*. */
export function parseLogGroupArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'logs' || !parsed.resource.startsWith('log-group:')) return undefined;
  const name = parsed.resource.slice('log-group:'.length).replace(/:\*$/, '');
  if (name === '') return undefined;
  return { region: parsed.region, accountId: parsed.accountId, name };
}

export { partitionOfRegion } from '../util/aws-partition.js';
