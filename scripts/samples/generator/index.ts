/**
 * trailguard sample generator: deterministic, realistic CloudTrail log files in the S3 delivery layout.
 *
 *   AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<16 alnum>.json.gz
 *   AWSLogs/<account>/CloudTrail-Digest/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail-Digest_<region>_<trail>_<region>_<yyyymmddThhmmssZ>.json.gz
 *
 * Same options → byte-identical output (seeded PRNG, no clock, no Math.random, gzip with a fixed level,
 * mtime 0 and a fixed OS byte). Generation streams one 5-minute window at a time, so memory stays bounded
 * whatever `records` is.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { gzip as gzipCb, gzipSync } from 'node:zlib';
import { Rng, Weighted } from './prng.js';
import { FIVE_MINUTES, datePath, digestStamp, fileStamp, isoSeconds } from './time.js';
import { type Account, DEFAULT_ACCOUNTS, TRAIL_NAME, buckets, makeAccounts, stable } from './principals.js';
import { NOISE_SHARE, SESSION_TYPES, Session, type SessionType } from './background.js';
import { buildScenarios } from './scenarios.js';
import type { CloudTrailRecord, DigestFile, GeneratedFile, GeneratorOptions, LogFile, ResolvedOptions, ScenarioEntry } from './types.js';

export type { CloudTrailRecord, DigestFile, GeneratedFile, GeneratorOptions, LogFile, ResolvedOptions, ScenarioEntry } from './types.js';
export type { DigestFileEntry } from './types.js';
export { RULES } from './scenarios.js';
export { REGIONS } from './background.js';
export { DEFAULT_ACCOUNTS } from './principals.js';

export const DEFAULTS = {
  records: 3000,
  seed: 'trailguard',
  start: '2026-11-16T00:00:00Z',
  days: 2,
  accounts: [...DEFAULT_ACCOUNTS] as string[],
} as const;

/** gzip level used for every file (fixed, so output is reproducible). */
export const GZIP_LEVEL = 6;

/** The file name pattern of CloudTrail log files (and the digest file pattern). */
export const LOG_FILE_RE = /^AWSLogs\/(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_CloudTrail_\2_(\d{8}T\d{4}Z)_([A-Za-z0-9]{16})\.json\.gz$/;
export const DIGEST_FILE_RE = /^AWSLogs\/(\d{12})\/CloudTrail-Digest\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/\1_CloudTrail-Digest_\2_[A-Za-z0-9._-]+_[a-z0-9-]+_(\d{8}T\d{6}Z)\.json\.gz$/;

export function resolveOptions(o: GeneratorOptions = {}): ResolvedOptions {
  const records = o.records ?? DEFAULTS.records;
  if (!Number.isInteger(records) || records < 0) throw new RangeError(`records must be a non-negative integer, got ${records}`);
  const days = o.days ?? DEFAULTS.days;
  if (!(days >= 1 / 24) || !Number.isFinite(days)) throw new RangeError(`days must be at least 1/24 (one hour), got ${days}`);
  const startMs = (o.start instanceof Date ? o.start : new Date(o.start ?? DEFAULTS.start)).getTime();
  if (!Number.isFinite(startMs)) throw new RangeError(`start is not a valid date: ${String(o.start)}`);
  const accounts = o.accounts?.length ? [...o.accounts] : [...DEFAULTS.accounts];
  for (const a of accounts) if (!/^\d{12}$/.test(a)) throw new RangeError(`account ids are 12 digits, got "${a}"`);
  if (new Set(accounts).size !== accounts.length) throw new RangeError('account ids must be distinct');
  const start = Math.floor(startMs / 1000 / FIVE_MINUTES) * FIVE_MINUTES;
  const windows = Math.max(1, Math.round((days * 86_400) / FIVE_MINUTES));
  return { records, seed: String(o.seed ?? DEFAULTS.seed), start, end: start + windows * FIVE_MINUTES, days, accounts };
}

/** The exact bytes of a file before compression: `{"Records":[...]}` for log files, the digest object for digests. */
export function serializeFile(f: GeneratedFile): string {
  return f.kind === 'log' ? serializeRecords(f.records) : JSON.stringify(f.digest);
}

/** JSON of sub-objects shared by many records (a session's userIdentity, tlsDetails), computed once. */
const sharedJson = new WeakMap<object, string>();

function jsonOf(v: unknown): string {
  if (v !== null && typeof v === 'object') {
    let s = sharedJson.get(v);
    if (s === undefined) {
      s = JSON.stringify(v);
      sharedJson.set(v, s);
    }
    return s;
  }
  return JSON.stringify(v);
}

/**
 * Exactly `'{"Records":' + JSON.stringify(records) + '}'`, faster: the userIdentity and tlsDetails objects a
 * session shares across its records are serialized once (records are never mutated after creation).
 */
export function serializeRecords(records: CloudTrailRecord[]): string {
  let out = '{"Records":[';
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as Record<string, unknown>;
    out += i === 0 ? '{' : ',{';
    let first = true;
    for (const k in r) {
      const v = r[k];
      if (v === undefined) continue;
      out += (first ? '"' : ',"') + k + '":' + (k === 'userIdentity' || k === 'tlsDetails' ? jsonOf(v) : JSON.stringify(v));
      first = false;
    }
    out += '}';
  }
  return out + ']}';
}

/** Byte 9 of a gzip member is the OS; CloudTrail's files say 3 (Unix). Fixed so output is platform-independent. */
function fixGzipHeader(buf: Buffer): Buffer {
  buf[9] = 3;
  return buf;
}

export function gzipDeterministic(data: string | Buffer, level = GZIP_LEVEL): Buffer {
  return fixGzipHeader(gzipSync(data, { level }));
}

const gzipAsync = promisify(gzipCb) as (data: string | Buffer, opts: { level: number }) => Promise<Buffer>;
export async function gzipDeterministicAsync(data: string | Buffer, level = GZIP_LEVEL): Promise<Buffer> {
  return fixGzipHeader(await gzipAsync(data, { level }));
}

interface Plan {
  type: SessionType;
  accounts: Weighted<Account>;
}

function lanePlans(accounts: Account[], lane: 0 | 1): Weighted<Plan> {
  const entries: Array<[Plan, number]> = [];
  for (const type of SESSION_TYPES) {
    if (type.lane !== lane) continue;
    const accEntries: Array<[Account, number]> = [];
    for (const a of accounts) {
      const roleWeight = type.roles[a.role] ?? 0;
      const sameRole = accounts.filter((b) => b.role === a.role).length;
      if (roleWeight > 0) accEntries.push([a, roleWeight / sameRole]);
    }
    if (accEntries.length) entries.push([{ type, accounts: new Weighted(accEntries) }, type.weight]);
  }
  return new Weighted(entries);
}

/** Activity weight of each 5-minute window for human/automation sessions: business hours, weekends, bursts. */
function activityWeights(o: ResolvedOptions, rng: Rng): Float64Array {
  const n = (o.end - o.start) / FIVE_MINUTES;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = o.start + i * FIVE_MINUTES;
    const hour = Math.floor((t % 86_400) / 3600);
    const dow = new Date(t * 1000).getUTCDay();
    let v = hour >= 7 && hour < 22 ? 1 : 0.18;
    if (dow === 0 || dow === 6) v *= 0.35;
    v *= rng.chance(0.1) ? 3 + 6 * rng.next() : 0.5 + rng.next();
    w[i] = v;
  }
  return w;
}

export interface SampleGenerator {
  options: ResolvedOptions;
  /** The woven scenario records' manifest (SCENARIOS.json), sorted by time. */
  scenarios: ScenarioEntry[];
  /** The files, in delivery order (by 5-minute window, then account and region). */
  files(): Generator<GeneratedFile>;
}

export function createGenerator(opts: GeneratorOptions = {}): SampleGenerator {
  const o = resolveOptions(opts);
  const accounts = makeAccounts(o.accounts);
  const woven = buildScenarios(o, accounts);
  return {
    options: o,
    scenarios: woven.map((w) => w.entry),
    files: () => files(o, accounts, woven),
  };
}

function* files(o: ResolvedOptions, accounts: Account[], woven: ReturnType<typeof buildScenarios>): Generator<GeneratedFile> {
  const root = new Rng(o.seed);
  const planRng = root.fork('plan');
  const contentRng = root.fork('content');
  const nameRng = root.fork('names');
  const windows = (o.end - o.start) / FIVE_MINUTES;

  const background = Math.max(0, o.records - woven.length);
  const laneTotal = [Math.round(background * NOISE_SHARE), 0];
  laneTotal[1] = background - laneTotal[0]!;
  const laneDone = [0, 0];
  const plans = [lanePlans(accounts, 0), lanePlans(accounts, 1)];
  const weights = activityWeights(o, root.fork('weights'));
  let weightSum = 0;
  for (const v of weights) weightSum += v;

  // Records waiting for their window: window index → "account|region" → records.
  const pending = new Map<number, Map<string, CloudTrailRecord[]>>();
  const sink = (t: number, rec: CloudTrailRecord): void => {
    const w = Math.floor((t - o.start) / FIVE_MINUTES);
    let streams = pending.get(w);
    if (!streams) pending.set(w, (streams = new Map()));
    const key = rec.recipientAccountId + '|' + rec.awsRegion;
    const list = streams.get(key);
    if (list) list.push(rec);
    else streams.set(key, [rec]);
  };

  const runSession = (lane: 0 | 1, wStart: number): void => {
    const plan = plans[lane]!.sample(planRng);
    const a = plan.accounts.sample(planRng);
    const region = plan.type.regions.sample(planRng);
    const size = Math.min(plan.type.size(planRng), laneTotal[lane]! - laneDone[lane]!);
    const start = Math.min(wStart + planRng.int(FIVE_MINUTES), o.end - 1);
    const room = o.end - 1 - start;
    const gap = size > 1 ? Math.min(plan.type.gap, Math.floor(room / (size - 1))) : plan.type.gap;
    const s = new Session(contentRng, accounts, a, region, start, size, o.end - 1, gap, sink);
    plan.type.run(s);
    if (!s.done) throw new Error(`session ${plan.type.name} emitted fewer records than planned`);
    laneDone[lane]! += size;
  };

  // The digest covers the first hour of the first account's us-east-1 deliveries.
  const digestAccount = accounts[0]!;
  const digestKey = `${digestAccount.id}|us-east-1`;
  const digestEnd = Math.min(o.start + 3600, o.end);
  const digestLogs: DigestFile['logFiles'] = [];
  let digestDone = false;

  let cumWeight = 0;
  let wovenAt = 0;
  for (let w = 0; w < windows; w++) {
    const wStart = o.start + w * FIVE_MINUTES;
    const wEnd = wStart + FIVE_MINUTES;
    cumWeight += weights[w]!;
    const target0 = Math.round((laneTotal[0]! * (w + 1)) / windows);
    const target1 = w === windows - 1 ? laneTotal[1]! : Math.round((laneTotal[1]! * cumWeight) / weightSum);
    while (laneDone[0]! < target0) runSession(0, wStart);
    while (laneDone[1]! < target1) runSession(1, wStart);
    while (wovenAt < woven.length && woven[wovenAt]!.t < wEnd) {
      const wr = woven[wovenAt++]!;
      sink(wr.t, wr.record);
    }

    const streams = pending.get(w);
    pending.delete(w);
    if (streams) {
      const keys = [...streams.keys()].sort();
      for (const key of keys) {
        const recs = streams.get(key)!;
        recs.sort(byEventTime);
        const [account, region] = key.split('|') as [string, string];
        for (const chunk of chunkRecords(recs, nameRng)) {
          const file = logFile(account, region, wEnd, chunk, nameRng);
          if (key === digestKey && !digestDone && wEnd <= digestEnd) {
            digestLogs.push({
              s3Bucket: buckets(digestAccount).trail,
              s3Object: file.path,
              hashValue: createHash('sha256').update(serializeRecords(chunk)).digest('hex'),
              hashAlgorithm: 'SHA-256',
              newestEventTime: chunk[chunk.length - 1]!.eventTime,
              oldestEventTime: chunk[0]!.eventTime,
            });
          }
          yield file;
        }
      }
    }
    if (!digestDone && wEnd >= digestEnd) {
      digestDone = true;
      yield digestFile(digestAccount, 'us-east-1', digestEnd, digestLogs);
    }
  }
  if (laneDone[0] !== laneTotal[0] || laneDone[1] !== laneTotal[1] || pending.size) {
    throw new Error('internal: background plan not fully emitted');
  }
}

function byEventTime(a: CloudTrailRecord, b: CloudTrailRecord): number {
  return a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0;
}

/** CloudTrail splits busy windows into several files and sometimes delivers two files for the same window. */
function chunkRecords(recs: CloudTrailRecord[], rng: Rng): CloudTrailRecord[][] {
  const max = 250 + rng.int(250);
  if (recs.length > max) {
    const out: CloudTrailRecord[][] = [];
    for (let i = 0; i < recs.length; i += max) out.push(recs.slice(i, i + max));
    return out;
  }
  if (recs.length >= 12 && rng.chance(0.08)) {
    const cut = 1 + rng.int(recs.length - 1);
    return [recs.slice(0, cut), recs.slice(cut)];
  }
  return [recs];
}

function logFile(account: string, region: string, stamp: number, records: CloudTrailRecord[], rng: Rng): LogFile {
  const [y, m, d] = datePath(stamp);
  const path = `AWSLogs/${account}/CloudTrail/${region}/${y}/${m}/${d}/${account}_CloudTrail_${region}_${fileStamp(stamp)}_${rng.alnum(16)}.json.gz`;
  return { kind: 'log', path, account, region, stamp, records };
}

function digestFile(a: Account, region: string, end: number, logFiles: DigestFile['logFiles']): GeneratedFile {
  const digestEndT = end + 91;
  const [y, m, d] = datePath(digestEndT);
  const path = `AWSLogs/${a.id}/CloudTrail-Digest/${region}/${y}/${m}/${d}/${a.id}_CloudTrail-Digest_${region}_${TRAIL_NAME}_us-east-1_${digestStamp(digestEndT)}.json.gz`;
  const times = logFiles.flatMap((f) => [f.oldestEventTime, f.newestEventTime]).sort();
  const digest: DigestFile = {
    awsAccountId: a.id,
    digestStartTime: isoSeconds(digestEndT - 3600),
    digestEndTime: isoSeconds(digestEndT),
    digestS3Bucket: buckets(a).trail,
    digestS3Object: path,
    digestPublicKeyFingerprint: stable(`digest-key:${region}`, (g) => g.hex(32)),
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: times.length ? times[times.length - 1]! : null,
    oldestEventTime: times.length ? times[0]! : null,
    // A starting digest (log file validation just enabled): the previous-digest fields are null.
    previousDigestS3Bucket: null,
    previousDigestS3Object: null,
    previousDigestHashValue: null,
    previousDigestHashAlgorithm: null,
    previousDigestSignature: null,
    logFiles,
  };
  return { kind: 'digest', path, account: a.id, region, stamp: digestEndT, records: [], digest };
}

// ---------------------------------------------------------------------------------------------
// Public API

/** All files, synchronously, one at a time (bounded memory). */
export function* generateFiles(opts: GeneratorOptions = {}): Generator<GeneratedFile> {
  yield* createGenerator(opts).files();
}

/** All files as an async iterable (`for await (const { path, records } of generateLogs(...))`). */
export async function* generateLogs(opts: GeneratorOptions = {}): AsyncGenerator<GeneratedFile> {
  for (const f of generateFiles(opts)) yield f;
}

/** The SCENARIOS.json content for these options (cheap: does not generate the background). */
export function scenarioManifest(opts: GeneratorOptions = {}): ScenarioEntry[] {
  return createGenerator(opts).scenarios;
}

export function serializeManifest(entries: ScenarioEntry[]): string {
  return JSON.stringify(entries, null, 2) + '\n';
}

export interface WriteOptions extends GeneratorOptions {
  /** Output directory (created). Default `samples` relative to the current directory. */
  out?: string;
  /** Where the scenario manifest goes. Default `<out>/SCENARIOS.json`. */
  manifest?: string;
  /** Worker threads that compress and write files while the main thread generates. Default: max(2, cores - 1). */
  workers?: number;
  /** Called after each file is written. */
  onFile?: (file: GeneratedFile, gzBytes: number, rawBytes: number) => void;
}

export interface TreeSummary {
  out: string;
  manifest: string;
  files: number;
  logFiles: number;
  digestFiles: number;
  records: number;
  scenarios: number;
  /** Total size on disk (gzipped files + SCENARIOS.json). */
  bytes: number;
  /** Total uncompressed JSON of the log and digest files. */
  rawBytes: number;
  ms: number;
}

export const MANIFEST_NAME = 'SCENARIOS.json';

/** Plain-JS worker (evaluated, so it needs no TypeScript loader): gzip with the fixed level, fix the OS byte, write. */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { gzipSync } = require('node:zlib');
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const dirs = new Set();
parentPort.on('message', (m) => {
  try {
    const gz = gzipSync(m.data, { level: workerData.level });
    gz[9] = 3;
    const dir = dirname(m.target);
    if (!dirs.has(dir)) { mkdirSync(dir, { recursive: true }); dirs.add(dir); }
    writeFileSync(m.target, gz);
    parentPort.postMessage({ id: m.id, bytes: gz.length });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.stack || e) });
  }
});
`;

/**
 * Write the tree under `out`: `AWSLogs/...`, and the scenario manifest. A previous tree written by this function
 * (recognised by its manifest) is replaced; an `AWSLogs` directory of unknown origin is left alone and
 * the call fails.
 *
 * The main thread generates and serializes; worker threads compress and write, with bounded backpressure
 * (memory stays flat however many records are requested).
 */
export async function writeSampleTree(opts: WriteOptions = {}): Promise<TreeSummary> {
  const t0 = performance.now();
  const out = resolve(opts.out ?? 'samples');
  const manifestPath = resolve(opts.manifest ?? join(out, MANIFEST_NAME));
  const awsLogs = join(out, 'AWSLogs');
  if (existsSync(awsLogs)) {
    if (!existsSync(manifestPath)) throw new Error(`${awsLogs} exists and was not written by the sample generator (no ${MANIFEST_NAME}); refusing to replace it`);
    await rm(awsLogs, { recursive: true, force: true });
  }
  await mkdir(out, { recursive: true });

  const gen = createGenerator(opts);
  const summary: TreeSummary = { out, manifest: manifestPath, files: 0, logFiles: 0, digestFiles: 0, records: 0, scenarios: gen.scenarios.length, bytes: 0, rawBytes: 0, ms: 0 };
  // At least two writers: one can compress while the other waits on the disk.
  const nWorkers = Math.max(1, opts.workers ?? Math.max(2, availableParallelism() - 1));
  const workers = Array.from({ length: nWorkers }, () => new Worker(WRITER_SOURCE, { eval: true, workerData: { level: GZIP_LEVEL } }));
  const MAX_INFLIGHT_BYTES = 64 * 1024 * 1024;
  const inflight = new Map<number, { file: GeneratedFile; raw: number }>();
  let inflightBytes = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  for (const w of workers) {
    w.on('message', (m: { id: number; bytes?: number; error?: string }) => {
      const job = inflight.get(m.id)!;
      inflight.delete(m.id);
      inflightBytes -= job.raw;
      if (m.error) failure ??= new Error(`writing ${job.file.path}: ${m.error}`);
      else {
        summary.bytes += m.bytes!;
        opts.onFile?.(job.file, m.bytes!, job.raw);
      }
      wake?.();
    });
    w.on('error', (e) => {
      failure ??= e;
      wake?.();
    });
  }
  const drainTo = async (bytes: number, count: number): Promise<void> => {
    while (!failure && (inflightBytes > bytes || inflight.size > count)) await new Promise<void>((r) => (wake = r));
  };

  try {
    let id = 0;
    for (const file of gen.files()) {
      if (failure) break;
      const raw = serializeFile(file);
      const rawBytes = Buffer.byteLength(raw);
      summary.files++;
      if (file.kind === 'log') summary.logFiles++;
      else summary.digestFiles++;
      summary.records += file.records.length;
      summary.rawBytes += rawBytes;
      inflight.set(id, { file, raw: rawBytes });
      inflightBytes += rawBytes;
      workers[id % nWorkers]!.postMessage({ id, target: join(out, file.path), data: raw });
      id++;
      if (inflightBytes > MAX_INFLIGHT_BYTES || inflight.size > 256) await drainTo(MAX_INFLIGHT_BYTES / 2, 128);
    }
    await drainTo(0, 0);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failure) throw failure;
  const manifest = serializeManifest(gen.scenarios);
  await mkdir(dirname(manifestPath), { recursive: true });
  await writeFile(manifestPath, manifest);
  summary.bytes += Buffer.byteLength(manifest);
  summary.ms = Math.round(performance.now() - t0);
  return summary;
}
