/**
 * Where things are in a CloudTrail bucket: `s3://` URLs, the key layout CloudTrail writes
 * (`[<trail prefix>/]AWSLogs/[<o-orgid>/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz`, digest and
 * Insights files beside it under `CloudTrail-Digest/` and `CloudTrail-Insight/`), and the day prefixes a time window
 * needs. Pure functions: the listing that uses them is in s3-list.ts.
 */

export interface S3Location {
  bucket: string;
  /** The key prefix after the bucket, as given (may be empty, may end inside a path segment). */
  prefix: string;
}

export const isS3Url = (value: string): boolean => /^s3:\/\//i.test(value);

/** Bucket names as S3 allows them today (3-63 characters; lower case, digits, dots, hyphens); periods-only names are refused by S3 itself. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket/some/prefix` → bucket and prefix; undefined when it is not a usable S3 URL. */
export function parseS3Url(url: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(url);
  if (!match) return undefined;
  const bucket = match[1] ?? '';
  if (!BUCKET.test(bucket)) return undefined;
  return { bucket, prefix: match[2] ?? '' };
}

export const s3Url = (bucket: string, key: string): string => `s3://${bucket}/${key}`;

/** An organization trail puts member accounts one level down: `AWSLogs/o-exampleorgid/<account>/`. */
export const isOrgId = (segment: string): boolean => /^o-[a-z0-9]{10,32}$/.test(segment);
export const isAccountSegment = (segment: string): boolean => /^\d{12}$/.test(segment);

/** The folders CloudTrail writes under an account: log files, and files that hold no events to evaluate. */
export type TrailFolder = 'log' | 'digest' | 'insight';
const FOLDERS: Record<string, TrailFolder> = { CloudTrail: 'log', 'CloudTrail-Digest': 'digest', 'CloudTrail-Insight': 'insight' };
export const trailFolder = (segment: string): TrailFolder | undefined => FOLDERS[segment];

/** Keys a scan reads: CloudTrail writes `.json.gz`; `.json` is what people copy back uncompressed. */
export const isLogFileKey = (key: string): boolean => /\.json(\.gz)?$/i.test(key);

/** Digest and Insights files are listed but never downloaded: they are counted as skipped, like local digest files. */
export function folderOfKey(key: string): TrailFolder {
  if (/(^|\/)CloudTrail-Digest\//.test(key)) return 'digest';
  if (/(^|\/)CloudTrail-Insight\//.test(key)) return 'insight';
  return 'log';
}

/**
 * How deep a prefix reaches into the layout, counted in whole segments after `AWSLogs/`: the listing starts at that
 * level. `partial` is the trailing text after the last `/` (a prefix may end inside a segment: `AWSLogs/1234`).
 */
export type LayoutLevel = 'above' | 'awslogs' | 'org' | 'account' | 'folder' | 'region' | 'inside-region' | 'unknown';

export interface PrefixPosition {
  level: LayoutLevel;
  /** The prefix up to and including its last `/` (or '' when it has none). */
  dir: string;
  partial: string;
  /** The folder the prefix is in, when it reaches that far. */
  folder?: TrailFolder;
  /** For 'region' and 'inside-region': the region's folder, `…/CloudTrail/us-east-1/`. */
  regionDir?: string;
}

/** Where a user's prefix sits in the layout (see LayoutLevel). The last `AWSLogs` segment counts, as a trail prefix may hold one too. */
export function prefixPosition(prefix: string): PrefixPosition {
  const cut = prefix.lastIndexOf('/');
  const dir = prefix.slice(0, cut + 1);
  const partial = prefix.slice(cut + 1);
  const segments = dir === '' ? [] : dir.slice(0, -1).split('/');
  const at = segments.lastIndexOf('AWSLogs');
  if (at < 0) return { level: 'above', dir, partial };
  const after = segments.slice(at + 1);
  let i = 0;
  const position = (level: LayoutLevel, extra: Partial<PrefixPosition> = {}): PrefixPosition => ({ level, dir, partial, ...extra });
  if (after.length === 0) return position('awslogs');
  if (isOrgId(after[0]!)) {
    i = 1;
    if (after.length === 1) return position('org');
  }
  if (!isAccountSegment(after[i]!)) return position('unknown');
  if (after.length === i + 1) return position('account');
  const folder = trailFolder(after[i + 1]!);
  if (folder === undefined) return position('unknown');
  if (after.length === i + 2) return position('folder', { folder });
  const regionDir = `${[...segments.slice(0, at + 1), ...after.slice(0, i + 3)].join('/')}/`;
  return position(after.length === i + 3 ? 'region' : 'inside-region', { folder, regionDir });
}

/**
 * The day a log file was delivered, from its key (`…/<yyyy>/<mm>/<dd>/…`), as the UTC midnight in ms; undefined when
 * the key does not have the layout.
 */
export function keyDay(key: string, regionDir: string): number | undefined {
  if (!key.startsWith(regionDir)) return undefined;
  const match = /^(\d{4})\/(\d{2})\/(\d{2})\//.exec(key.slice(regionDir.length));
  if (!match) return undefined;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

const DAY_MS = 86_400_000;

/**
 * CloudTrail files a log under the day it is delivered, typically within 5 minutes of the events in it and
 * occasionally much later: the window's last day is taken this much after --until, so late deliveries are listed.
 * (The first day needs no margin: a file never holds events from after its delivery.)
 */
export const DELIVERY_SLACK_MS = 60 * 60 * 1000;

/**
 * Beyond this many days a window is not listed day by day (one request each per region) but whole per region,
 * with the keys outside the window dropped before anything is downloaded.
 */
export const MAX_DAY_PREFIXES = 400;

export interface DayRange {
  /** UTC midnight of the first day, ms. */
  first: number;
  /** UTC midnight of the last day, ms (inclusive). */
  last: number;
}

const midnight = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** The delivery days a window [since, until) needs, or undefined without a window (everything is needed). */
export function windowDays(since: Date | undefined, until: Date | undefined): { first?: number; last?: number } | undefined {
  if (since === undefined && until === undefined) return undefined;
  return {
    ...(since !== undefined ? { first: midnight(since.getTime()) } : {}),
    ...(until !== undefined ? { last: midnight(until.getTime() - 1 + DELIVERY_SLACK_MS) } : {}),
  };
}

/** `yyyy/mm/dd/` of each day in the range, oldest first. */
export function dayPrefixes(range: DayRange): string[] {
  const out: string[] = [];
  for (let day = range.first; day <= range.last; day += DAY_MS) {
    const d = new Date(day);
    out.push(`${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/`);
  }
  return out;
}
