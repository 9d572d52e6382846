/** `--all-regions`: the account's enabled regions from EC2 DescribeRegions, against moto_server. */
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { isAwsRegion } from '../../src/util/aws-names.js';
import { enabledRegions } from '../../src/watch/regions.js';
import { startMoto } from '../support/moto.js';

const moto = await startMoto();
afterAll(() => moto?.stop());
const suite = moto ? describe : describe.skip;

suite('enabledRegions (moto)', () => {
  it('every region DescribeRegions lists, sorted, each a region name', async () => {
    const client = new EC2Client(moto!.clientConfig('us-east-1'));
    try {
      const regions = await enabledRegions(client);
      expect(regions).toContain('us-east-1');
      expect(regions).toContain('eu-west-1');
      expect(regions).toEqual([...regions].sort());
      expect(regions.every(isAwsRegion)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('a refusal is one line naming the call', async () => {
    // No moto behind this endpoint: the connection is refused.
    const client = new EC2Client({ ...moto!.clientConfig('us-east-1'), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    try {
      await expect(enabledRegions(client)).rejects.toThrow(/^--all-regions: EC2 DescribeRegions: [^\n]+$/);
    } finally {
      client.destroy();
    }
  });
});
