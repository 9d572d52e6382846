/**
 * Listing the CloudTrail log files under an `s3://bucket/prefix`, pruned before anything is downloaded: the layout is
 * walked level by level with the `/` delimiter (AWSLogs → [organization →] accounts → CloudTrail folders → regions),
 * keeping only the accounts and regions asked for, and inside a region only the day prefixes of the time window.
 * A prefix may point above `AWSLogs/` (the bucket root, a trail's key prefix), at it, or anywhere inside it. Where no
 * `AWSLogs/` layout is found, everything under the prefix is listed.
 *
 * Objects come out in key order per prefix and prefixes in S3's order, so a bucket is always read in the same order.
 */
import { isAwsRegion } from '../util/aws-names.js';
import type { S3Lister } from './s3-access.js';
import {
  dayPrefixes,
  DELIVERY_SLACK_MS,
  folderOfKey,
  isAccountSegment,
  isLogFileKey,
  isOrgId,
  keyDay,
  MAX_DAY_PREFIXES,
  prefixPosition,
  trailFolder,
  windowDays,
  type S3Location,
  type TrailFolder,
} from './s3-layout.js';
import { mapLimit } from '../util/map-limit.js';

export interface S3ListFilters {
  /** Account ids to read (organization trails: the member account); default all. */
  accounts?: readonly string[];
  regions?: readonly string[];
  since?: Date;
  until?: Date;
  /** How many listings run at once. Default 8. */
  concurrency?: number;
  /** "Now", for a window without --until. */
  now?: number;
}

export interface S3ListedObject {
  key: string;
  size: number;
  folder: TrailFolder;
}

export interface S3Listing {
  objects: S3ListedObject[];
  /** List requests made (one per page). */
  requests: number;
  /** Whether the AWSLogs layout was found and pruned by; false: everything under the prefix was listed. */
  layout: boolean;
}

/** How many levels under a prefix above `AWSLogs/` are searched for it (a trail's key prefix may have several segments). */
const SEARCH_DEPTH = 3;
/** At most this many folders are searched for `AWSLogs/` before the prefix is listed whole. */
const SEARCH_FOLDERS = 200;

const lastSegment = (dir: string): string => dir.slice(0, -1).split('/').pop() ?? '';

/** The account and region a key names, when it has the layout. */
function keyScope(key: string): { account: string; region: string } | undefined {
  const match = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?(\d{12})\/CloudTrail(?:-Digest|-Insight)?\/([^/]+)\//.exec(key);
  return match ? { account: match[1]!, region: match[2]! } : undefined;
}

export async function listS3(location: S3Location, list: S3Lister, filters: S3ListFilters = {}): Promise<S3Listing> {
  const { bucket } = location;
  const concurrency = filters.concurrency ?? 8;
  const accounts = filters.accounts && filters.accounts.length > 0 ? new Set(filters.accounts) : undefined;
  const regions = filters.regions && filters.regions.length > 0 ? new Set(filters.regions) : undefined;
  const days = windowDays(filters.since, filters.until);
  let requests = 0;

  const pages = async function* (prefix: string, delimiter?: string) {
    for await (const page of list(bucket, prefix, delimiter)) {
      requests++;
      yield page;
    }
  };
  const children = async (prefix: string): Promise<string[]> => {
    const out: string[] = [];
    for await (const page of pages(prefix, '/')) out.push(...page.prefixes);
    return out;
  };
  const objects = async (prefix: string, keep: (key: string) => boolean = () => true): Promise<S3ListedObject[]> => {
    const out: S3ListedObject[] = [];
    for await (const page of pages(prefix)) {
      for (const o of page.objects) if (isLogFileKey(o.key) && keep(o.key)) out.push({ key: o.key, size: o.size, folder: folderOfKey(o.key) });
    }
    return out;
  };
  const each = async (dirs: string[], walk: (dir: string) => Promise<S3ListedObject[]>): Promise<S3ListedObject[]> =>
    (await mapLimit(dirs, concurrency, walk)).flat();

  /** A region's files under `prefix` (the region folder, or deeper): the window's day prefixes only. */
  const region = async (regionDir: string, prefix: string): Promise<S3ListedObject[]> => {
    if (days === undefined) return objects(prefix);
    const first = days.first;
    const last = days.last ?? Math.floor(((filters.now ?? Date.now()) + DELIVERY_SLACK_MS) / 86_400_000) * 86_400_000;
    const inWindow = (key: string): boolean => {
      const day = keyDay(key, regionDir);
      return day === undefined || ((first === undefined || day >= first) && day <= last);
    };
    if (first === undefined || (last - first) / 86_400_000 + 1 > MAX_DAY_PREFIXES) return objects(prefix, inWindow);
    const targets = dayPrefixes({ first, last }).flatMap((d) => {
      const day = regionDir + d;
      if (day.startsWith(prefix)) return [day];
      if (prefix.startsWith(day)) return [prefix];
      return [];
    });
    return each(targets, (p) => objects(p));
  };

  const folder = async (dir: string, partial = ''): Promise<S3ListedObject[]> => {
    const dirs = (await children(dir + partial)).filter((d) => isAwsRegion(lastSegment(d)) && (regions === undefined || regions.has(lastSegment(d))));
    return each(dirs, (d) => region(d, d));
  };
  const account = async (dir: string, partial = ''): Promise<S3ListedObject[]> => {
    const dirs = (await children(dir + partial)).filter((d) => trailFolder(lastSegment(d)) !== undefined);
    return each(dirs, (d) => folder(d));
  };
  const accountsUnder = async (dir: string, partial = '', orgs = true): Promise<S3ListedObject[]> => {
    const dirs = await children(dir + partial);
    return each(
      dirs.filter((d) => (orgs && isOrgId(lastSegment(d))) || (isAccountSegment(lastSegment(d)) && (accounts === undefined || accounts.has(lastSegment(d))))),
      (d) => (isOrgId(lastSegment(d)) ? accountsUnder(d, '', false) : account(d)),
    );
  };
  /** `AWSLogs/` folders at most SEARCH_DEPTH levels under the prefix. */
  const findAwsLogs = async (dir: string, partial: string): Promise<string[]> => {
    const found: string[] = [];
    let level = [dir + partial];
    let searched = 0;
    for (let depth = 0; depth < SEARCH_DEPTH && level.length > 0 && searched < SEARCH_FOLDERS; depth++) {
      searched += level.length;
      const next = (await mapLimit(level, concurrency, children)).flat();
      found.push(...next.filter((d) => lastSegment(d) === 'AWSLogs'));
      level = next.filter((d) => lastSegment(d) !== 'AWSLogs').slice(0, SEARCH_FOLDERS);
    }
    return found;
  };

  const position = prefixPosition(location.prefix);
  const { dir, partial } = position;
  let listed: S3ListedObject[];
  let layout = true;
  switch (position.level) {
    case 'above': {
      const roots = await findAwsLogs(dir, partial);
      if (roots.length > 0) listed = await each(roots, (d) => accountsUnder(d));
      else {
        layout = false;
        listed = await objects(location.prefix);
      }
      break;
    }
    case 'awslogs':
      listed = await accountsUnder(dir, partial);
      break;
    case 'org':
      listed = await accountsUnder(dir, partial, false);
      break;
    case 'account':
      listed = await account(dir, partial);
      break;
    case 'folder':
      listed = await folder(dir, partial);
      break;
    case 'region':
    case 'inside-region':
      listed = await region(position.regionDir!, location.prefix);
      break;
    default:
      layout = false;
      listed = await objects(location.prefix);
  }
  // A prefix given inside an account or region is not pruned by the walk above: its keys are.
  if (accounts !== undefined || regions !== undefined) {
    listed = listed.filter((o) => {
      const scope = keyScope(o.key);
      return scope === undefined || ((accounts === undefined || accounts.has(scope.account)) && (regions === undefined || regions.has(scope.region)));
    });
  }
  return { objects: listed, requests, layout };
}
