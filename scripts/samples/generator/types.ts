import type { CloudTrailRecord } from '../../../src/cloudtrail/types.js';

export type { CloudTrailRecord };

/** Options of the sample generator. Every field is optional; defaults produce the committed `samples/` set. */
export interface GeneratorOptions {
  /** Total number of records across all log files (scenario records included). Default 3000. */
  records?: number;
  /** PRNG seed. Same seed + same options → byte-identical output. Default "trailguard". */
  seed?: string | number;
  /** Start of the time window (ISO 8601 or Date). Default 2026-11-16T00:00:00Z. */
  start?: string | Date;
  /** Length of the time window in days (fractions allowed). Default 2. */
  days?: number;
  /**
   * AWS account ids. The first plays "prod" (also the organization management account), the second
   * "dev", the third "security"; further ones behave like dev. Default 123456789012, 111122223333, 444455556666.
   */
  accounts?: string[];
}

export interface ResolvedOptions {
  records: number;
  seed: string;
  /** Window start, epoch seconds, aligned down to 5 minutes. */
  start: number;
  /** Window end (exclusive), epoch seconds. */
  end: number;
  days: number;
  accounts: string[];
}

/** One woven scenario record, as exported to `SCENARIOS.json`. */
export interface ScenarioEntry {
  scenario: string;
  eventName: string;
  eventSource: string;
  eventID: string;
  account: string;
  region: string;
  eventTime: string;
  /** Rule ids this record should trigger (empty: it must trigger none). */
  expectedRules: string[];
  /** For benign near-misses: the rules a naive implementation would wrongly fire here. */
  notExpectedRules?: string[];
}

/** The documented CloudTrail digest file body (CloudTrail-Digest/...json.gz). */
export interface DigestFile {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
  logFiles: Array<{
    s3Bucket: string;
    s3Object: string;
    hashValue: string;
    hashAlgorithm: string;
    newestEventTime: string;
    oldestEventTime: string;
  }>;
}

interface FileBase {
  /** Path relative to the output directory, in the S3 delivery layout (`AWSLogs/<account>/...`). */
  path: string;
  account: string;
  region: string;
  /** Delivery timestamp encoded in the file name, epoch seconds. */
  stamp: number;
}

export interface LogFile extends FileBase {
  kind: 'log';
  /** The file's `Records`, sorted by eventTime. */
  records: CloudTrailRecord[];
}

export interface DigestFileEntry extends FileBase {
  kind: 'digest';
  records: [];
  digest: DigestFile;
}

export type GeneratedFile = LogFile | DigestFileEntry;
