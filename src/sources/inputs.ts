/**
 * The inputs of a scan, wherever they are: local paths (files, directories, `-`) and `s3://bucket/prefix` URLs, in
 * the order given, become one plan (entries with sizes, so a progress bar knows the total before reading starts),
 * then one stream of chunks. Local entries are read by files.ts, S3 objects by s3-read.ts; the pipeline sees no
 * difference.
 */
import { planInputs, readLocalEntry, type InputEntry, type InputPlan, type ReadOptions, type SourceChunk } from './files.js';
import { s3ErrorText, S3SourceError, type S3Access } from './s3-access.js';
import { isS3Url, parseS3Url, s3Url } from './s3-layout.js';
import { listS3, type S3Listing } from './s3-list.js';
import { S3Prefetcher } from './s3-read.js';

export interface S3SourceOptions {
  /** The S3 client, made on first use: a scan without an s3:// input never touches AWS. */
  access: () => Promise<S3Access>;
  /** Only these accounts / regions are listed (default all). */
  accounts?: readonly string[];
  regions?: readonly string[];
  /** Listings and downloads in flight at once. Default 8. */
  concurrency?: number;
  /** Each S3 input once listed (for tests and diagnostics: how many requests the pruned listing took). */
  onListed?(url: string, listing: S3Listing): void;
}

export interface SourceOptions extends ReadOptions {
  /** The time window: S3 listings are pruned to its days. */
  since?: Date;
  until?: Date;
  s3?: S3SourceOptions;
}

export interface SourcePlan extends InputPlan {
  /** Where the S3 entries are read from, when there are any. */
  s3?: S3Access;
}

/** Plans every input, local and S3, in the order given. A bucket or prefix that cannot be listed throws S3SourceError. */
export async function planSources(inputs: readonly string[], options: SourceOptions = {}): Promise<SourcePlan> {
  const plan: SourcePlan = { entries: [], totalBytes: 0, fileCount: 0, hasStdin: false };
  let access: S3Access | undefined;
  // Consecutive local paths are planned together, as planInputs always has (a directory reached twice is read once).
  let local: string[] = [];
  const flushLocal = async (): Promise<void> => {
    if (local.length === 0) return;
    const part = await planInputs(local);
    local = [];
    plan.entries.push(...part.entries);
    plan.totalBytes += part.totalBytes;
    plan.fileCount += part.fileCount;
    plan.hasStdin ||= part.hasStdin;
  };
  for (const input of inputs) {
    if (!isS3Url(input)) {
      local.push(input);
      continue;
    }
    await flushLocal();
    const location = parseS3Url(input);
    if (location === undefined) throw new S3SourceError(`${input}: not an S3 URL (s3://bucket/prefix)`);
    if (options.s3 === undefined) throw new S3SourceError(`${input}: S3 inputs need S3 access, which this caller does not give`);
    let listing: S3Listing;
    try {
      access ??= await options.s3.access();
      listing = await listS3(location, access.list, {
        ...(options.s3.accounts ? { accounts: options.s3.accounts } : {}),
        ...(options.s3.regions ? { regions: options.s3.regions } : {}),
        ...(options.since ? { since: options.since } : {}),
        ...(options.until ? { until: options.until } : {}),
        ...(options.s3.concurrency !== undefined ? { concurrency: options.s3.concurrency } : {}),
      });
    } catch (error) {
      if (error instanceof S3SourceError) throw error;
      throw new S3SourceError(`${input}: cannot list the bucket: ${s3ErrorText(error, 'ListObjectsV2')}`, { cause: error });
    }
    options.s3.onListed?.(input, listing);
    for (const object of listing.objects) {
      const entry: InputEntry = { path: s3Url(location.bucket, object.key), size: object.size, kind: 's3', s3: { bucket: location.bucket, key: object.key, folder: object.folder } };
      plan.entries.push(entry);
      plan.totalBytes += object.size;
      plan.fileCount++;
    }
  }
  await flushLocal();
  if (access !== undefined) plan.s3 = access;
  return plan;
}

/** Every input of the plan in order, in chunks; S3 objects are downloaded ahead, `concurrency` at a time. */
export async function* readSources(plan: SourcePlan, options: SourceOptions = {}): AsyncGenerator<SourceChunk> {
  const prefetch = plan.s3 ? new S3Prefetcher(plan, plan.s3.objects, { ...options, ...(options.s3?.concurrency !== undefined ? { concurrency: options.s3.concurrency } : {}) }) : undefined;
  try {
    for (let fileIndex = 0; fileIndex < plan.entries.length; fileIndex++) {
      const entry = plan.entries[fileIndex];
      if (!entry) continue;
      if (entry.kind === 's3' && prefetch) yield* prefetch.take(entry, fileIndex);
      else yield* readLocalEntry(entry, fileIndex, options);
    }
  } finally {
    // The scan stopped early (stdout closed, an error): downloads still in flight are dropped.
    prefetch?.close();
  }
}
