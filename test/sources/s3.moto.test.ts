/**
 * Scanning straight from S3 against moto_server, with the real AWS SDK v3: the bundled samples uploaded to a bucket
 * scan exactly like the local copy; --since/--until, --accounts and --regions prune the listing so that objects
 * outside them are never downloaded (every GetObject the client sends is recorded); organization trails, prefixes
 * inside the layout and above it; a damaged object or a failed download is a reject and the rest is scanned.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../src/detect/detector.js';
import type { Finding } from '../../src/findings/types.js';
import { scanInputs, type ScanOptions, type ScanSummary } from '../../src/pipeline/scan.js';
import { loadRules } from '../../src/rules/load.js';
import { S3SourceError, type S3Access } from '../../src/sources/s3-access.js';
import { s3Access } from '../../src/sources/s3-client.js';
import type { S3Listing } from '../../src/sources/s3-list.js';
import { makeTempDir, removeTempDirs, SAMPLES, stopLogging } from '../cli/helpers.js';
import { countGetObject, createBucket, motoS3Client, putObject, uploadTree } from '../support/moto-s3.js';
import { startMoto } from '../support/moto.js';
import { writeFileSync } from 'node:fs';

const moto = await startMoto();
afterAll(async () => {
  removeTempDirs();
  await moto?.stop();
});
const run = moto ? describe : describe.skip;

const { rules } = loadRules();
const SAMPLE_KEYS: string[] = [];

/** A client of its own per scan, so the GetObject requests recorded are that scan's. */
function client(): { s3: S3Client; gets: string[] } {
  const s3 = motoS3Client(moto!);
  return { s3, gets: countGetObject(s3) };
}

interface Scanned {
  summary: ScanSummary;
  findings: Finding[];
  gets: string[];
  listings: S3Listing[];
}

async function scan(paths: string[], options: Partial<ScanOptions> & { accounts?: string[]; regions?: string[]; access?: (s3: S3Client) => S3Access } = {}): Promise<Scanned> {
  const { s3, gets } = client();
  const findings: Finding[] = [];
  const listings: S3Listing[] = [];
  const { accounts, regions, access, ...rest } = options;
  const summary = await scanInputs(paths, createDetector(rules), {
    ...rest,
    onFinding: (f) => void findings.push(f),
    s3: {
      access: async () => (access ?? s3Access)(s3),
      ...(accounts ? { accounts } : {}),
      ...(regions ? { regions } : {}),
      onListed: (_url, listing) => listings.push(listing),
    },
  });
  return { summary, findings, gets, listings };
}

/** The summary without what depends on the clock. */
const comparable = ({ elapsedMs: _e, recordsPerSecond: _r, ...rest }: ScanSummary) => rest;
const ids = (findings: Finding[]) => findings.map((f) => f.id).sort();

const logFile = (records: unknown[]) => gzipSync(JSON.stringify({ Records: records }));

run('scan s3:// against moto', () => {
  beforeAll(async () => {
    const s3 = motoS3Client(moto!);
    SAMPLE_KEYS.push(...(await uploadTree(s3, 'samples-trail', SAMPLES)));
    // An organization trail under a trail key prefix, with what else lives in such a bucket.
    await createBucket(s3, 'org-trail');
    const org = 'team/logs/AWSLogs/o-exampleorg1';
    await putObject(s3, 'org-trail', `${org}/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_a.json.gz`, logFile([stopLogging({ recipientAccountId: '111122223333', eventID: 'e0000000-0000-4000-8000-000000000001' })]));
    await putObject(s3, 'org-trail', `${org}/444455556666/CloudTrail/eu-west-1/2026/11/20/444455556666_CloudTrail_eu-west-1_20261120T1005Z_b.json.gz`, logFile([stopLogging({ recipientAccountId: '444455556666', eventID: 'e0000000-0000-4000-8000-000000000002' })]));
    await putObject(s3, 'org-trail', `${org}/111122223333/CloudTrail-Insight/us-east-1/2026/11/20/111122223333_CloudTrail-Insight_us-east-1_20261120T1005Z_c.json.gz`, logFile([{ eventType: 'AwsCloudTrailInsight' }]));
    await putObject(s3, 'org-trail', `${org}/111122223333/vpcflowlogs/us-east-1/2026/11/20/flow.log.gz`, 'not CloudTrail');
    await putObject(s3, 'org-trail', 'team/logs/README.txt', 'not a log');
    // A damaged log file among good ones.
    await createBucket(s3, 'damaged-trail');
    const day = 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20';
    await putObject(s3, 'damaged-trail', `${day}/123456789012_CloudTrail_us-east-1_20261120T1000Z_bad.json.gz`, logFile([stopLogging({ eventID: 'e0000000-0000-4000-8000-0000000000bb' }), stopLogging({ eventID: 'e0000000-0000-4000-8000-0000000000cc' })]).subarray(0, 40));
    await putObject(s3, 'damaged-trail', `${day}/123456789012_CloudTrail_us-east-1_20261120T1005Z_good.json.gz`, logFile([stopLogging()]));
  }, 120_000);

  it('the bundled samples scan from S3 exactly as from the local copy: same findings, same record and file counts', async () => {
    const local = await scanInputs([SAMPLES], createDetector(rules), { onFinding: () => {} }).then(async (summary) => {
      const findings: Finding[] = [];
      await scanInputs([SAMPLES], createDetector(rules), { onFinding: (f) => void findings.push(f) });
      return { summary, findings };
    });
    const remote = await scan(['s3://samples-trail/']);
    expect(comparable(remote.summary)).toEqual(comparable(local.summary));
    expect(remote.summary.records).toBe(3000);
    expect(ids(remote.findings)).toEqual(ids(local.findings));
    expect(remote.findings.length).toBeGreaterThan(0);
    // Every log file downloaded once; the digest file never.
    expect(remote.gets).toHaveLength(SAMPLE_KEYS.length - 1);
    expect(remote.gets.some((k) => k.includes('CloudTrail-Digest'))).toBe(false);
    expect(remote.listings[0]!.layout).toBe(true);
  });

  it('--since/--until, --accounts and --regions prune the listing: objects outside them are never downloaded', async () => {
    const since = new Date('2026-11-17T00:00:00Z');
    const until = new Date('2026-11-17T06:00:00Z');
    const dir = 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/17/';
    const remote = await scan(['s3://samples-trail/'], { since, until, accounts: ['123456789012'], regions: ['us-east-1'] });
    const expected = SAMPLE_KEYS.filter((k) => k.startsWith(dir));
    expect(expected.length).toBeGreaterThan(10);
    expect([...remote.gets].sort()).toEqual(expected);
    // The same evaluation as the local copy of that day.
    const local = await scanInputs([join(SAMPLES, dir)], createDetector(rules), { since, until, onFinding: () => {} });
    expect(remote.summary.evaluated).toBe(local.evaluated);
    expect(remote.summary.records).toBe(local.records);
    // Pruned listing, one request each: the bucket root, AWSLogs/, the account's folders, the regions of CloudTrail/
    // and of CloudTrail-Digest/, and one day in each — not the whole bucket.
    expect(remote.listings[0]!.requests).toBe(7);

    // Without --accounts/--regions, the window alone keeps every other day out.
    const windowed = await scan(['s3://samples-trail/'], { since, until });
    expect(windowed.gets.length).toBeGreaterThan(expected.length);
    expect(windowed.gets.every((k) => /\/2026\/11\/17\//.test(k))).toBe(true);
    expect(windowed.gets).toHaveLength(SAMPLE_KEYS.filter((k) => /\/CloudTrail\/[^/]+\/2026\/11\/17\//.test(k)).length);
  });

  it('an organization trail under a trail key prefix: found from the bucket root, --accounts picks member accounts', async () => {
    const all = await scan(['s3://org-trail/']);
    expect(all.summary.records).toBe(2);
    expect(all.summary.files).toBe(3); // two log files and an Insights file, counted as skipped
    expect(all.summary.rejectsByKind).toEqual({ 'insights-file': 1 });
    expect(all.summary.skipped).toBe(1);
    expect(all.gets.every((k) => k.includes('/CloudTrail/'))).toBe(true);
    expect(all.gets).toHaveLength(2);

    const one = await scan(['s3://org-trail/'], { accounts: ['111122223333'], regions: ['us-east-1', 'eu-west-1'] });
    expect(one.summary.records).toBe(1);
    expect(one.gets).toEqual(['team/logs/AWSLogs/o-exampleorg1/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T1005Z_a.json.gz']);
    expect(one.findings.map((f) => f.ruleId)).toContain('cloudtrail-disabled');
  });

  it('a prefix inside the layout (even inside a segment) reads only what is under it', async () => {
    const dir = 'AWSLogs/444455556666/CloudTrail/eu-west-1/2026/11/1';
    const remote = await scan([`s3://samples-trail/${dir}`]);
    const local = await scanInputs([join(SAMPLES, 'AWSLogs/444455556666/CloudTrail/eu-west-1')], createDetector(rules), { onFinding: () => {} });
    expect(remote.summary.records).toBe(local.records);
    expect(remote.summary.files).toBe(local.files);
    expect(remote.gets.every((k) => k.startsWith(dir))).toBe(true);
    // An account prefix with a window: its day prefixes only, across its regions.
    const windowed = await scan(['s3://samples-trail/AWSLogs/444455556666/'], { since: new Date('2026-11-16T00:00:00Z'), until: new Date('2026-11-16T12:00:00Z'), regions: ['eu-west-1'] });
    expect([...windowed.gets].sort()).toEqual(SAMPLE_KEYS.filter((k) => k.startsWith('AWSLogs/444455556666/CloudTrail/eu-west-1/2026/11/16/')));
  });

  it('a damaged object is a reject naming it; the rest of the bucket is scanned', async () => {
    const r = await scan(['s3://damaged-trail/']);
    expect(r.summary.records).toBe(1);
    expect(r.summary.files).toBe(2);
    expect(r.summary.rejectsByKind).toEqual({ 'invalid-gzip': 1 });
    expect(r.findings.map((f) => f.ruleId)).toContain('cloudtrail-disabled');
  });

  it('a download that fails is an io-error reject with the object URL, and the run goes on', async () => {
    const rejects: string[] = [];
    const r = await scan(['s3://damaged-trail/'], {
      onReject: (reject) => void rejects.push(`${reject.kind} ${reject.location.source}: ${reject.reason}`),
      access: (s3) => {
        const real = s3Access(s3);
        const fail = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
        return { list: real.list, objects: { ...real.objects, bytes: (bucket, key, signal) => (key.includes('_bad') ? Promise.reject(fail) : real.objects.bytes(bucket, key, signal)) } };
      },
    });
    expect(rejects).toEqual([
      'io-error s3://damaged-trail/AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/123456789012_CloudTrail_us-east-1_20261120T1000Z_bad.json.gz: cannot download: AccessDenied: Access Denied',
    ]);
    expect(r.summary.records).toBe(1);
  });

  it('local paths and s3:// URLs in one scan', async () => {
    const dir = makeTempDir('trailguard-s3-mixed-');
    writeFileSync(join(dir, 'local.json'), JSON.stringify({ Records: [stopLogging({ eventID: 'e0000000-0000-4000-8000-0000000000aa' })] }));
    const r = await scan([dir, 's3://org-trail/team/', join(dir, 'local.json')]);
    // The local file named twice is read twice (as before) and its event evaluated once.
    expect(r.summary.files).toBe(2 + 3);
    expect(r.summary.records).toBe(2 + 2);
    expect(r.summary.duplicates).toBe(1);
  });

  it('a bucket that does not exist: S3SourceError, one line naming the URL', async () => {
    const error = await scan(['s3://no-such-trail-bucket/AWSLogs/']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3SourceError);
    expect((error as Error).message).toMatch(/^s3:\/\/no-such-trail-bucket\/AWSLogs\/: cannot list the bucket: NoSuchBucket: /);
    expect((error as Error).message).not.toContain('\n');
  });
});
