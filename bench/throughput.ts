/**
 * (a) Scan throughput with the full catalog against the floor: the same files, in the same order, only read,
 * gunzipped and JSON.parsed. Ratio = floor time / scan time.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { Detector } from '../src/detect/detector.js';
import { scanInputs } from '../src/pipeline/scan.js';
import type { Dataset } from './data.js';
import { interleave, timed } from './harness.js';
import { goalLine, table, verdict, type GoalResult } from './report.js';
import { mapSummary, ms, num, pairedRatios, sig, spread, summarize } from './stats.js';

export const THROUGHPUT_GOAL = 0.8;

interface PassResult {
  ms: number;
  records: number;
  /** Uncompressed bytes of the files (the floor counts them; the scan's summary gives bytes as stored). */
  bytes: number;
  findings?: number;
}

/**
 * The floor: per file, read + gunzip + JSON.parse, nothing else. A file that is not JSON is read and skipped.
 * `read` is readFileSync (the least a one-file-at-a-time reader must do); the async variant, with
 * fs.promises.readFile as readInputs uses, is measured beside it to show what the I/O API alone costs.
 */
export async function floorPass(files: readonly string[], read: 'sync' | 'async' = 'sync'): Promise<PassResult> {
  const { ms: elapsed, value } = await timed(async () => {
    let records = 0;
    let bytes = 0;
    for (const file of files) {
      const buf = read === 'sync' ? readFileSync(file) : await readFile(file);
      const data = buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
      bytes += data.length;
      let doc: unknown;
      try {
        doc = JSON.parse(data.toString('utf8'));
      } catch {
        continue;
      }
      const recs = (doc as { Records?: unknown } | null)?.Records;
      if (Array.isArray(recs)) records += recs.length;
    }
    return { records, bytes };
  });
  return { ms: elapsed, ...value };
}

/** The subject: exactly what `trailguard scan DIR` runs (planInputs → readInputs → detector per record). */
export async function scanPass(dir: string, detector: Detector): Promise<PassResult> {
  let findings = 0;
  const { ms: elapsed, value: summary } = await timed(() => scanInputs([dir], detector, { onFinding: () => void findings++ }));
  return { ms: elapsed, records: summary.records, bytes: summary.bytes, findings };
}

export interface ThroughputResult {
  text: string;
  goal: GoalResult;
}

const CONTENDERS = ['floor', 'floor, async read', 'scan'] as const;

export async function measureThroughput(dataset: Dataset, detector: Detector, rounds: number, log: (line: string) => void): Promise<ThroughputResult> {
  const run: Record<(typeof CONTENDERS)[number], () => Promise<PassResult>> = {
    floor: () => floorPass(dataset.files, 'sync'),
    'floor, async read': () => floorPass(dataset.files, 'async'),
    scan: () => scanPass(dataset.scanDir, detector),
  };
  const results = await interleave<PassResult>(
    CONTENDERS.map((name) => ({ name, run: run[name] })),
    { rounds, log: (line) => log(`[a ${dataset.label}] ${line}`), describe: (r) => ms((r as PassResult).ms) },
  );
  const times = (name: string): number[] => results.get(name)!.map((r) => r.ms);
  const jsonBytes = results.get('floor')![0]!.bytes;
  const labels: Record<string, string> = {
    floor: 'floor: readFileSync+gunzip+JSON.parse',
    'floor, async read': 'floor with fs.promises.readFile',
    scan: `scanInputs, ${detector.rules.length} rules`,
  };
  const rows = CONTENDERS.map((name) => {
    const t = summarize(times(name));
    const first = results.get(name)![0]!;
    return [
      labels[name]!,
      spread(t, ms),
      spread(mapSummary(t, (v) => first.records / (v / 1000)), (v) => num(v)),
      spread(mapSummary(t, (v) => jsonBytes / 1e6 / (v / 1000)), sig),
      num(first.records),
      first.findings === undefined ? '' : num(first.findings),
    ];
  });
  const ratio = pairedRatios(times('floor'), times('scan'));
  const asyncRatio = pairedRatios(times('floor, async read'), times('scan'));
  const goal: GoalResult = {
    measurement: `scan/floor throughput, ${dataset.label}`,
    figure: `${spread(ratio, (v) => v.toFixed(2))}`,
    goal: `>= ${THROUGHPUT_GOAL}`,
    verdict: verdict(ratio.median >= THROUGHPUT_GOAL),
  };
  const text = [
    `${dataset.label}: ${num(dataset.files.length)} files, ${num(dataset.storedBytes / 1e6, 1)} MB stored, ${num(jsonBytes / 1e6, 1)} MB JSON, ${num(results.get('floor')![0]!.records / dataset.files.length, 1)} records/file; ${rounds} rounds interleaved, median (min–max)`,
    table(['contender', 'time', 'records/s', 'MB/s (JSON)', 'records', 'findings'], rows, [1, 2, 3, 4, 5]),
    `floor time / scan time per round: ${spread(ratio, (v) => v.toFixed(3))}; against the async-read floor: ${spread(asyncRatio, (v) => v.toFixed(3))}`,
    goalLine(goal),
  ].join('\n');
  return { text, goal };
}
