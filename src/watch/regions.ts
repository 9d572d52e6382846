/**
 * `--all-regions`: the regions enabled for the account, from EC2 DescribeRegions (without AllRegions it lists
 * exactly those: the default regions and the opt-in regions the account opted into). Each has its own CloudTrail
 * event history and its own LookupEvents quota.
 */
import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { classifyAwsError } from '../util/aws-errors.js';
import { WatchSourceError } from './errors.js';

export async function enabledRegions(client: Pick<EC2Client, 'send'>): Promise<string[]> {
  try {
    const output = await client.send(new DescribeRegionsCommand({}));
    return (output.Regions ?? [])
      .map((r) => r.RegionName)
      .filter((name): name is string => typeof name === 'string' && name !== '')
      .sort();
  } catch (error) {
    const c = classifyAwsError(error);
    throw new WatchSourceError(`--all-regions: EC2 DescribeRegions: ${c.code}: ${c.message}`, c.code, { cause: error });
  }
}
