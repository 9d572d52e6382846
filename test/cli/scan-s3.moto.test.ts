/**
 * `trailguard scan s3://...` end to end: the built binary, pointed at moto_server by AWS_ENDPOINT_URL as a user's
 * environment would point it at AWS. The samples bucket gives the same findings and summary as `scan samples/`;
 * --accounts/--regions/--since/--until narrow what is read; AWS failures are one line and exit 2.
 * (Which objects are downloaded, request by request, is proven in test/sources/s3.moto.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import type { ScanSummary } from '../../src/pipeline/scan.js';
import { motoS3Client, uploadTree } from '../support/moto-s3.js';
import { startMoto } from '../support/moto.js';
import { requireBuiltCli, runAsync as run, SAMPLES } from './helpers.js';

const moto = await startMoto();
afterAll(() => moto?.stop());
const suite = moto ? describe : describe.skip;

const env = () => ({ AWS_ENDPOINT_URL: moto!.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });
const scanJson = async (args: string[]) => {
  const r = await run(['scan', ...args, '--format', 'json', '--no-progress'], { env: env() });
  return { ...r, out: r.status === 0 || r.status === 1 ? (JSON.parse(r.stdout) as { findings: Finding[]; summary: ScanSummary }) : undefined };
};
/** The SDK's one-line Node.js support warning (Node 20, see condenseSdkWarnings) is not the scan's. */
const withoutSdkWarning = (stderr: string) => stderr.replace(/^warning: the AWS SDK for JavaScript needs Node\.js[^\n]*\n/m, '');
const comparable = ({ elapsedMs: _e, recordsPerSecond: _r, ...rest }: ScanSummary) => rest;

const TREES = ['AWSLogs/123456789012/CloudTrail/us-east-1', 'AWSLogs/123456789012/CloudTrail/eu-west-1'];

suite('trailguard scan s3:// (built CLI, moto)', () => {
  beforeAll(async () => {
    requireBuiltCli();
    // Two regions of one account: the CLI path end to end; the whole samples tree is compared in test/sources.
    for (const dir of TREES) await uploadTree(motoS3Client(moto!), 'cli-trail', `${SAMPLES}/${dir}`, `${dir}/`);
  }, 120_000);

  it('scan s3://bucket/ gives exactly the findings and counts of the same files scanned locally', async () => {
    const local = await scanJson(TREES.map((dir) => `${SAMPLES}/${dir}`));
    const remote = await scanJson(['s3://cli-trail/']);
    expect(remote.status).toBe(0);
    expect(withoutSdkWarning(remote.stderr)).not.toMatch(/error|warning/i);
    expect(comparable(remote.out!.summary)).toEqual(comparable(local.out!.summary));
    expect(remote.out!.findings.map((f) => f.id).sort()).toEqual(local.out!.findings.map((f) => f.id).sort());
    expect(remote.out!.summary.records).toBeGreaterThan(100);
    expect(remote.out!.findings.length).toBeGreaterThan(0);
  });

  it('--accounts, --regions and a time window narrow the scan to what they name', async () => {
    const r = await scanJson(['s3://cli-trail/', '--accounts', '123456789012', '--regions', 'us-east-1', '--since', '2026-11-17', '--until', '2026-11-17T12:00:00Z', '--s3-concurrency', '3']);
    expect(r.status).toBe(0);
    const local = await scanJson([`${SAMPLES}/AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/17`, '--since', '2026-11-17', '--until', '2026-11-17T12:00:00Z']);
    expect(r.out!.summary.files).toBeGreaterThan(0);
    expect(r.out!.summary.files).toBe(local.out!.summary.files);
    expect(r.out!.summary.evaluated).toBe(local.out!.summary.evaluated);
    expect(r.out!.findings.map((f) => f.id).sort()).toEqual(local.out!.findings.map((f) => f.id).sort());
  });

  it('a bucket that does not exist: one line, exit 2, no stack', async () => {
    const r = await run(['scan', 's3://no-such-trail-bucket/'], { env: env() });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(withoutSdkWarning(r.stderr)).toMatch(/^trailguard: s3:\/\/no-such-trail-bucket\/: cannot list the bucket: NoSuchBucket: [^\n]+\n$/);
  });

  it('no credentials anywhere: one line, exit 2', async () => {
    const r = await run(['scan', 's3://cli-trail/'], { env: { AWS_ENDPOINT_URL: moto!.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'trailguard-no-such-profile', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' } });
    expect(r.status).toBe(2);
    const lines = withoutSdkWarning(r.stderr).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^trailguard: s3:\/\/cli-trail\/: cannot list the bucket: no AWS credentials: /);
  });

  it('bad --accounts / --regions / --s3-concurrency values are usage errors', async () => {
    expect((await run(['scan', 's3://cli-trail/', '--accounts', '1234'], { env: env() })).stderr).toBe('trailguard: --accounts 1234: not a 12-digit AWS account id\n');
    expect((await run(['scan', 's3://cli-trail/', '--regions', 'us-east-1,mars-1'], { env: env() })).stderr).toBe('trailguard: --regions mars-1: not an AWS region name (like us-east-1)\n');
    const r = await run(['scan', 's3://cli-trail/', '--s3-concurrency', '0'], { env: env() });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('trailguard: --s3-concurrency "0" is not a whole number from 1 to 256\n');
  });
});
