/**
 * Reading `trailguard scan` inputs: files, directories (recursive, in a deterministic order) and `-` (stdin),
 * one file at a time, each decoded with decodeRecords. Large JSON Lines inputs (and stdin) are streamed line by
 * line and handed out in chunks of records, so memory stays bounded whatever the input size.
 *
 * Nothing is skipped silently: a path that cannot be read, a directory that cannot be listed, a symlink loop
 * or a special file becomes an `io-error` reject in the stream, at the place where it was met.
 */
import { constants as bufferConstants } from 'node:buffer';
import type { Stats } from 'node:fs';
import { createReadStream, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { constants as zconst, createGunzip, gunzipSync } from 'node:zlib';
import { decodeRecords, JsonLinesDecoder, looksLikeJsonLines } from '../cloudtrail/decode.js';
import type { DecodeResult, Reject } from '../cloudtrail/types.js';

/** One input to read, found by planInputs. */
export interface InputEntry {
  /** The path as given or found under a directory; `-` for stdin. */
  path: string;
  /** Size on disk (or in S3) in bytes; undefined for stdin. */
  size?: number;
  kind: 'file' | 'stdin' | 'error' | 's3';
  /** For kind "error": why the path cannot be read (an io-error reject). */
  error?: Reject;
  /** For kind "s3": the object (`path` is its s3:// URL). */
  s3?: { bucket: string; key: string; folder: 'log' | 'digest' | 'insight' };
}

export interface InputPlan {
  entries: InputEntry[];
  /** Sum of the sizes of all files (stdin not included): the total for a progress bar. */
  totalBytes: number;
  /** Number of readable files (stdin counts as one). */
  fileCount: number;
  /** Whether `-` (stdin) is among the inputs; its size is unknown up front. */
  hasStdin: boolean;
}

export interface ReadOptions {
  /**
   * Inputs whose (expected decompressed) size is above this are streamed: JSON Lines line by line, other
   * documents read whole. Default 64 MiB.
   */
  streamThreshold?: number;
  /** Largest number of records (and rejects) per chunk when streaming JSON Lines. Default 1,000. */
  chunkRecords?: number;
  /** Largest number of decompressed bytes per chunk when streaming JSON Lines. Default 4 MiB. */
  chunkBytes?: number;
  /** Stream used for `-`. Default process.stdin. */
  stdin?: NodeJS.ReadableStream;
}

/** What readInputs yields: the records and rejects of (part of) one input. */
export interface SourceChunk {
  /** Input path, `-` for stdin. */
  path: string;
  /** Position of the input in the plan (0-based). */
  fileIndex: number;
  /** Records and rejects of this chunk; `format` says what the input was recognised as. */
  result: DecodeResult;
  /**
   * Bytes of the input as stored (compressed bytes for gzip) consumed by this chunk, for progress bars:
   * the chunks of one file add up to its size.
   */
  bytesRead: number;
  /** True on the last chunk of an input; small inputs come in a single chunk. */
  last: boolean;
}

const DEFAULT_STREAM_THRESHOLD = 64 * 1024 * 1024;
// Small chunks let decoded records die young: with 2,000+ records per chunk they outlive V8's young
// generation and a JSON Lines scan runs ~40% slower (measured on 1.3M records, 1.4 GB).
const DEFAULT_CHUNK_RECORDS = 1000;
const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
const SNIFF_BYTES = 1024 * 1024;

export function ioError(path: string, reason: string, skipped = false): Reject {
  const r: Reject = { kind: 'io-error', reason, location: { source: path } };
  if (skipped) r.skipped = true;
  return r;
}

function explainIo(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return err?.message ?? String(e);
  }
}

/** Code-unit order, independent of locale: the same tree is always read in the same order. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/*
 * Listing, stat-ing and reading files use the synchronous fs calls on purpose. The scan handles one file at a
 * time, so there is no concurrency to gain, while every promise-based call is a round trip through libuv's thread
 * pool: on a trail of thousands of 1-3-record files that wait, not decoding, was 70% of scan time (bench/,
 * "scan throughput"). Large files and stdin are still streamed.
 */

/**
 * Expand paths into the list of inputs to read, with their sizes (so a progress bar knows the total before
 * reading starts). Directories are walked recursively, entries sorted by name; symbolic links are followed,
 * and a directory reached twice (a link loop) is reported once as a skipped io-error.
 */
export async function planInputs(paths: string[]): Promise<InputPlan> {
  const entries: InputEntry[] = [];
  const seenDirs = new Map<string, string>();
  let totalBytes = 0;
  let fileCount = 0;
  let hasStdin = false;

  const addFile = (path: string, st: Stats): void => {
    entries.push({ path, size: st.size, kind: 'file' });
    totalBytes += st.size;
    fileCount++;
  };

  const walk = (dir: string, shown: string): void => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (e) {
      entries.push({ path: shown, kind: 'error', error: ioError(shown, `cannot resolve directory: ${explainIo(e)}`) });
      return;
    }
    const prev = seenDirs.get(real);
    if (prev !== undefined) {
      entries.push({ path: shown, kind: 'error', error: ioError(shown, `directory already read as ${prev} (symbolic link loop or duplicate path): not read twice`, true) });
      return;
    }
    seenDirs.set(real, shown);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      entries.push({ path: shown, kind: 'error', error: ioError(shown, `cannot list directory: ${explainIo(e)}`) });
      return;
    }
    names.sort(byName);
    for (const name of names) {
      const p = join(shown, name);
      let st: Stats;
      try {
        st = statSync(p);
      } catch (e) {
        entries.push({ path: p, kind: 'error', error: ioError(p, `cannot read: ${explainIo(e)}`) });
        continue;
      }
      if (st.isDirectory()) walk(p, p);
      else if (st.isFile()) addFile(p, st);
      else entries.push({ path: p, kind: 'error', error: ioError(p, 'not a regular file (device, socket or FIFO): not read', true) });
    }
  };

  for (const path of paths) {
    if (path === '-') {
      entries.push({ path: '-', kind: 'stdin' });
      hasStdin = true;
      fileCount++;
      continue;
    }
    let st: Stats;
    try {
      st = statSync(path);
    } catch (e) {
      entries.push({ path, kind: 'error', error: ioError(path, `cannot read: ${explainIo(e)}`) });
      continue;
    }
    if (st.isDirectory()) walk(path, path);
    else if (st.isFile()) addFile(path, st);
    else entries.push({ path, kind: 'error', error: ioError(path, 'not a regular file (device, socket or FIFO): not read', true) });
  }
  return { entries, totalBytes, fileCount, hasStdin };
}

/**
 * The paths among `paths` that do not exist (`-`, stdin, always does). A named input that is not there is a mistake
 * in the invocation, unlike an unreadable file met under a directory: callers stop before reading anything.
 * A broken symbolic link counts as missing.
 */
export function missingInputs(paths: readonly string[]): string[] {
  return paths.filter((path) => {
    if (path === '-') return false;
    try {
      statSync(path);
      return false;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR';
    }
  });
}

function toBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return Buffer.from(v as Uint8Array);
}

function emptyResult(format = 'unknown'): DecodeResult {
  return { records: [], rejects: [], format };
}

/** Read the last 4 bytes of a gzip file: the uncompressed size of its last member modulo 2^32. */
async function gzipExpectedSize(path: string, size: number): Promise<{ gzip: boolean; expected: number }> {
  if (size < 2) return { gzip: false, expected: size };
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) return { gzip: false, expected: size };
    if (size < 18) return { gzip: true, expected: size };
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, size - 4);
    const isize = tail.readUInt32LE(0);
    // ISIZE wraps at 4 GiB: a compressed file larger than its ISIZE is certainly larger than 4 GiB decompressed.
    return { gzip: true, expected: isize < size ? Math.max(size * 4, 2 ** 32) : isize };
  } finally {
    await fh.close();
  }
}

/**
 * Read every input of the plan (or of the given paths), one at a time, yielding decoded chunks. Designed for
 * `for each file → decode → evaluate records → next file`: a chunk's records are not referenced by the
 * reader after it is yielded.
 */
export async function* readInputs(input: string[] | InputPlan, options: ReadOptions = {}): AsyncGenerator<SourceChunk> {
  const plan = Array.isArray(input) ? await planInputs(input) : input;
  for (let fileIndex = 0; fileIndex < plan.entries.length; fileIndex++) {
    const entry = plan.entries[fileIndex];
    if (entry) yield* readLocalEntry(entry, fileIndex, options);
  }
}

/** One local input of a plan (a file, stdin, or a path that could not be read), in chunks. */
export async function* readLocalEntry(entry: InputEntry, fileIndex: number, options: ReadOptions = {}): AsyncGenerator<SourceChunk> {
  const threshold = options.streamThreshold ?? DEFAULT_STREAM_THRESHOLD;
  if (entry.kind === 'error' || entry.kind === 's3') {
    const result = emptyResult('unreadable');
    if (entry.error) result.rejects.push(entry.error);
    else result.rejects.push(ioError(entry.path, 'an S3 object is read by the S3 source, not as a local file'));
    yield { path: entry.path, fileIndex, result, bytesRead: 0, last: true };
    return;
  }
  if (entry.kind === 'stdin') {
    const stdin = options.stdin ?? process.stdin;
    yield* readStream(stdin as NodeJS.ReadableStream & AsyncIterable<Buffer>, '-', fileIndex, undefined, options);
    return;
  }
  const size = entry.size ?? 0;
  let expected = size;
  // Only a large file can decompress beyond the threshold (CloudTrail JSON compresses up to ~50x): small
  // files skip the probe, which matters for trails made of thousands of tiny files.
  if (size * 64 > threshold) {
    try {
      expected = (await gzipExpectedSize(entry.path, size)).expected;
    } catch {
      // Reported by the read below.
    }
  }
  if (expected <= threshold) {
    let buf: Buffer;
    try {
      buf = readFileSync(entry.path);
    } catch (e) {
      const result = emptyResult('unreadable');
      result.rejects.push(ioError(entry.path, `cannot read: ${explainIo(e)}`));
      yield { path: entry.path, fileIndex, result, bytesRead: size, last: true };
      return;
    }
    const result = decodeRecords(buf, { source: entry.path });
    yield { path: entry.path, fileIndex, result, bytesRead: size, last: true };
    return;
  }
  let stream: NodeJS.ReadableStream & AsyncIterable<Buffer>;
  try {
    stream = createReadStream(entry.path) as unknown as NodeJS.ReadableStream & AsyncIterable<Buffer>;
  } catch (e) {
    const result = emptyResult('unreadable');
    result.rejects.push(ioError(entry.path, `cannot read: ${explainIo(e)}`));
    yield { path: entry.path, fileIndex, result, bytesRead: size, last: true };
    return;
  }
  yield* readStream(stream, entry.path, fileIndex, size, options);
}

/**
 * Read one stream (a large file or stdin): sniff its head; JSON Lines (plain or gzip) is decoded line by line
 * and yielded in chunks; anything else is read whole and decoded with decodeRecords.
 */
export async function* readStream(
  raw: NodeJS.ReadableStream & AsyncIterable<Buffer>,
  path: string,
  fileIndex: number,
  size: number | undefined,
  options: ReadOptions,
): AsyncGenerator<SourceChunk> {
  const chunkRecords = options.chunkRecords ?? DEFAULT_CHUNK_RECORDS;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  let chunkStartOffset = 0; // decompressed offset where the current chunk's lines begin
  const iter = raw[Symbol.asyncIterator]();
  // Head: enough raw bytes to see the first line.
  const headParts: Buffer[] = [];
  let headLen = 0;
  let ended = false;
  let readError: unknown;
  try {
    while (headLen < SNIFF_BYTES) {
      const n = await iter.next();
      if (n.done) {
        ended = true;
        break;
      }
      const b = toBuffer(n.value);
      headParts.push(b);
      headLen += b.length;
    }
  } catch (e) {
    readError = e;
    ended = true;
  }
  const head = Buffer.concat(headParts);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  let sample: string;
  try {
    sample = (gzip ? gunzipSync(head, { finishFlush: zconst.Z_SYNC_FLUSH }) : head).subarray(0, SNIFF_BYTES).toString('utf8');
  } catch {
    sample = '';
  }
  const jsonl = looksLikeJsonLines(sample.charCodeAt(0) === 0xfeff ? sample.slice(1) : sample);

  if (!jsonl) {
    // Whole-document input: collect it and decode it in one go (decodeRecords handles gzip damage).
    const parts: Buffer[] = [head];
    let total = head.length;
    let tooLarge = false;
    if (!ended) {
      try {
        for (;;) {
          const n = await iter.next();
          if (n.done) break;
          const b = toBuffer(n.value);
          total += b.length;
          if (total > bufferConstants.MAX_LENGTH || (!gzip && total > bufferConstants.MAX_STRING_LENGTH)) {
            tooLarge = true;
            break;
          }
          parts.push(b);
        }
      } catch (e) {
        readError = e;
      }
    }
    if (tooLarge) {
      const result = emptyResult('too-large');
      result.rejects.push(
        ioError(path, `a single JSON document of more than ${bufferConstants.MAX_STRING_LENGTH} bytes cannot be decoded whole; split it or convert it to JSON Lines (which is streamed)`),
      );
      yield { path, fileIndex, result, bytesRead: size ?? total, last: true };
      return;
    }
    const buf = Buffer.concat(parts);
    const result = decodeRecords(buf, { source: path });
    if (readError !== undefined) result.rejects.push(ioError(path, `read failed after ${total} bytes: ${explainIo(readError)}; decoded what was read`));
    yield { path, fileIndex, result, bytesRead: size ?? total, last: true };
    return;
  }

  // JSON Lines: stream raw → (gunzip) → lines.
  let rawBytes = 0;
  let reported = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      rawBytes += chunk.length;
      cb(null, chunk);
    },
  });
  const gunzip = gzip ? createGunzip() : undefined;
  const out = gunzip ?? counter;
  if (gunzip) counter.pipe(gunzip);
  counter.on('error', (e) => gunzip?.destroy(e));
  // Feed the raw head and the rest of the raw stream into the counter.
  const drained = (): Promise<void> =>
    new Promise((r) => {
      const done = (): void => {
        counter.off('drain', done);
        counter.off('close', done);
        r();
      };
      counter.once('drain', done);
      counter.once('close', done);
    });
  const feed = (async (): Promise<void> => {
    try {
      if (head.length > 0 && !counter.write(head)) await drained();
      if (!ended) {
        while (!counter.destroyed) {
          const n = await iter.next();
          if (n.done) break;
          const b = toBuffer(n.value);
          if (!counter.write(b)) await drained();
        }
      }
    } catch (e) {
      readError = e;
    }
    if (!counter.destroyed) counter.end();
  })();

  const decoder = new JsonLinesDecoder(path, gzip ? 'gzip' : undefined);
  let line = 1;
  let offset = 0; // decompressed byte offset of the current line start
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let streamError: unknown;
  let decompressed = 0;

  const emitLine = (buf: Buffer, start: number, end: number): void => {
    let e = end;
    if (e > start && buf[e - 1] === 13) e--;
    decoder.decode(buf.toString('utf8', start, e), line, offset);
    offset += end - start + 1;
    line++;
  };

  try {
    for await (const c of out as AsyncIterable<Buffer>) {
      const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c);
      const chunkStart = decompressed;
      decompressed += chunk.length;
      let pos = 0;
      for (;;) {
        const nl = chunk.indexOf(10, pos);
        if (nl < 0) break;
        if (pendingLen > 0) {
          pending.push(chunk.subarray(pos, nl));
          const whole = Buffer.concat(pending, pendingLen + (nl - pos));
          pending = [];
          pendingLen = 0;
          emitLine(whole, 0, whole.length);
        } else {
          emitLine(chunk, pos, nl);
        }
        pos = nl + 1;
        if (decoder.size >= chunkRecords || offset - chunkStartOffset >= chunkBytes) {
          chunkStartOffset = offset;
          // Progress in stored bytes: raw bytes for gzip (approximate within a chunk), exact otherwise.
          const at = gzip ? Math.min(rawBytes, size ?? rawBytes) : chunkStart + pos;
          const bytes = Math.max(0, at - reported);
          reported += bytes;
          yield { path, fileIndex, result: decoder.take(), bytesRead: bytes, last: false };
        }
      }
      if (pos < chunk.length) {
        pending.push(chunk.subarray(pos));
        pendingLen += chunk.length - pos;
      }
    }
  } catch (e) {
    streamError = e;
    counter.destroy();
    await iter.return?.();
  }
  await feed;
  if (pendingLen > 0) {
    const whole = Buffer.concat(pending, pendingLen);
    emitLine(whole, 0, whole.length);
  }
  if (streamError !== undefined && readError === undefined) {
    const consumed = gunzip ? gunzip.bytesWritten : rawBytes;
    const m = streamError instanceof Error ? streamError.message : String(streamError);
    decoder.result.rejects.push({
      kind: gzip ? 'invalid-gzip' : 'io-error',
      reason: gzip
        ? `gzip data is damaged at compressed byte ${consumed}${size !== undefined ? ` of ${size}` : ''}: ${m}; the ${decompressed} bytes decompressed before it were decoded line by line; the rest is unreadable (record count unknown)`
        : `read failed: ${m}`,
      location: { source: path, offset: decompressed, compressedOffset: gzip ? consumed : undefined },
    });
  }
  if (readError !== undefined) decoder.result.rejects.push(ioError(path, `read failed after ${rawBytes} bytes: ${explainIo(readError)}; decoded the lines read before it`));
  const total = size ?? (gzip ? rawBytes : decompressed);
  yield { path, fileIndex, result: decoder.take(), bytesRead: Math.max(0, total - reported), last: true };
}

/** Running totals over a scan, for summaries and exit codes. */
export class ScanCounters {
  files = 0;
  bytesRead = 0;
  records = 0;
  rejects = 0;
  /** Rejects that are deliberate skips (digest files, control messages, empty inputs, links read twice). */
  skipped = 0;
  /** Sum of the record counts that rejects stand for (see Reject.count), where known. */
  recordsInRejects = 0;
  /** Rejects whose record count is unknown (e.g. the unreadable rest of a damaged gzip file). */
  rejectsOfUnknownSize = 0;
  readonly byKind = new Map<string, number>();
  readonly formats = new Map<string, number>();

  add(chunk: SourceChunk): void {
    if (chunk.last) {
      this.files++;
      this.formats.set(chunk.result.format, (this.formats.get(chunk.result.format) ?? 0) + 1);
    }
    this.bytesRead += chunk.bytesRead;
    this.records += chunk.result.records.length;
    for (const r of chunk.result.rejects) {
      this.rejects++;
      if (r.skipped) this.skipped++;
      if (r.count === undefined) this.rejectsOfUnknownSize++;
      else this.recordsInRejects += r.count;
      this.byKind.set(r.kind, (this.byKind.get(r.kind) ?? 0) + 1);
    }
  }
}
