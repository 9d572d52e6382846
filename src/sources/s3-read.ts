/**
 * Reading the S3 objects of a plan: downloads run ahead of the scan, at most `concurrency` at a time (S3 answers in
 * tens of milliseconds per object, a trail is thousands of small objects: one at a time the scan would mostly wait),
 * while chunks are still handed out in plan order, so an S3 scan reads, dedupes and reports exactly like a local one.
 * Memory stays bounded: at most `concurrency` objects are held before the scan takes them.
 *
 * A download that fails is an io-error reject naming the object, and the scan goes on. Digest and Insights files are
 * never downloaded: they are counted as skipped, as local digest files are.
 */
import { Readable } from 'node:stream';
import { decodeRecords } from '../cloudtrail/decode.js';
import type { DecodeResult } from '../cloudtrail/types.js';
import { ioError, readStream, type InputEntry, type InputPlan, type ReadOptions, type SourceChunk } from './files.js';
import { s3ErrorText, type S3ObjectSource } from './s3-access.js';

export const DEFAULT_S3_CONCURRENCY = 8;
const DEFAULT_STREAM_THRESHOLD = 64 * 1024 * 1024;
/** Objects above this (as stored) are not downloaded ahead but streamed when their turn comes, so memory stays bounded. */
const PREFETCH_MAX_BYTES = 32 * 1024 * 1024;

type Fetched = { bytes: Uint8Array } | { error: unknown };

/** What a skipped (not downloaded) object is counted as. */
function skipChunk(entry: InputEntry, fileIndex: number): SourceChunk | undefined {
  const folder = entry.s3?.folder;
  if (folder === 'log' || folder === undefined) return undefined;
  const result: DecodeResult = {
    records: [],
    rejects: [
      {
        kind: folder === 'digest' ? 'digest-file' : 'insights-file',
        reason:
          folder === 'digest'
            ? 'CloudTrail digest file (CloudTrail-Digest/): it holds the hashes of log files for integrity validation, no events; skipped, not downloaded'
            : 'CloudTrail Insights file (CloudTrail-Insight/): it holds Insights events about unusual activity, not API calls the rules evaluate; skipped, not downloaded',
        location: { source: entry.path },
        skipped: true,
        count: 0,
      },
    ],
    format: folder === 'digest' ? 'cloudtrail-digest-file' : 'cloudtrail-insight-file',
  };
  return { path: entry.path, fileIndex, result, bytesRead: entry.size ?? 0, last: true };
}

/** The uncompressed size a gzip buffer announces (its last member's ISIZE), or its own size when not gzip. */
function expectedSize(bytes: Uint8Array): number {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.length;
  const isize = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(bytes.length - 4);
  return isize < bytes.length ? Math.max(bytes.length * 4, 2 ** 32) : isize;
}

export interface S3ReadOptions extends ReadOptions {
  /** Downloads in flight (and held) at once. Default 8. */
  concurrency?: number;
}

/**
 * Downloads ahead of the reader: `take(i)` yields the chunks of entry i, having started the downloads of the next
 * S3 entries of the plan first. `close()` aborts whatever is still in flight.
 */
export class S3Prefetcher {
  private readonly pending = new Map<number, Promise<Fetched>>();
  /** One per download in flight: the SDK adds a listener to the signal of each request it sends, and never removes some. */
  private readonly inFlight = new Set<AbortController>();
  private next = 0;
  private readonly concurrency: number;

  constructor(
    private readonly plan: InputPlan,
    private readonly objects: S3ObjectSource,
    private readonly options: S3ReadOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_S3_CONCURRENCY);
  }

  private prefetchable(entry: InputEntry | undefined): entry is InputEntry & { s3: NonNullable<InputEntry['s3']> } {
    return entry?.kind === 's3' && entry.s3 !== undefined && entry.s3.folder === 'log' && (entry.size ?? 0) <= PREFETCH_MAX_BYTES;
  }

  /** Starts downloads for the entries from `from` on until `concurrency` are held. */
  private topUp(from: number): void {
    this.next = Math.max(this.next, from);
    while (this.pending.size < this.concurrency && this.next < this.plan.entries.length) {
      const index = this.next++;
      const entry = this.plan.entries[index];
      if (!this.prefetchable(entry)) continue;
      this.pending.set(index, this.download(entry.s3.bucket, entry.s3.key));
    }
  }

  /** Never rejects: a failed download is a reject of that object, not of the scan. */
  private download(bucket: string, key: string): Promise<Fetched> {
    const abort = new AbortController();
    this.inFlight.add(abort);
    return this.objects
      .bytes(bucket, key, abort.signal)
      .then(
        (bytes) => ({ bytes }),
        (error: unknown) => ({ error }),
      )
      .finally(() => this.inFlight.delete(abort));
  }

  async *take(entry: InputEntry, fileIndex: number): AsyncGenerator<SourceChunk> {
    const skip = skipChunk(entry, fileIndex);
    if (skip) {
      this.topUp(fileIndex + 1);
      yield skip;
      return;
    }
    const { bucket, key } = entry.s3!;
    const size = entry.size ?? 0;
    let fetched = this.pending.get(fileIndex);
    this.pending.delete(fileIndex);
    // This object first (when it was not downloaded ahead), then the ones after it.
    if (fetched === undefined && this.prefetchable(entry)) fetched = this.download(bucket, key);
    this.topUp(fileIndex + 1);
    if (fetched === undefined) {
      // Too large to hold ahead of time: streamed now, decoded as local large files are.
      const abort = new AbortController();
      this.inFlight.add(abort);
      try {
        let stream: NodeJS.ReadableStream & AsyncIterable<Buffer>;
        try {
          stream = await this.objects.stream(bucket, key, abort.signal);
        } catch (error) {
          yield this.failed(entry, fileIndex, error);
          return;
        }
        yield* readStream(stream, entry.path, fileIndex, size, this.options);
      } finally {
        this.inFlight.delete(abort);
      }
      return;
    }
    const got = await fetched;
    if ('error' in got) {
      yield this.failed(entry, fileIndex, got.error);
      return;
    }
    if (expectedSize(got.bytes) > (this.options.streamThreshold ?? DEFAULT_STREAM_THRESHOLD)) {
      const stream = Readable.from([Buffer.from(got.bytes.buffer, got.bytes.byteOffset, got.bytes.byteLength)]) as Readable & AsyncIterable<Buffer>;
      yield* readStream(stream, entry.path, fileIndex, size, this.options);
      return;
    }
    yield { path: entry.path, fileIndex, result: decodeRecords(got.bytes, { source: entry.path }), bytesRead: size, last: true };
  }

  private failed(entry: InputEntry, fileIndex: number, error: unknown): SourceChunk {
    const result: DecodeResult = { records: [], rejects: [ioError(entry.path, `cannot download: ${s3ErrorText(error, 'GetObject')}`)], format: 'unreadable' };
    return { path: entry.path, fileIndex, result, bytesRead: entry.size ?? 0, last: true };
  }

  close(): void {
    for (const abort of this.inFlight) abort.abort();
    this.inFlight.clear();
    this.pending.clear();
  }
}
