/**
 * The benchmark's data: generated CloudTrail trees (cached on disk, reused while the generator is unchanged), the
 * real sets under ../shared/cloudtrail-real, and generated records decoded in memory.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFiles, serializeRecords, writeSampleTree } from '../scripts/samples/generator/index.js';
import { decodeRecords } from '../src/cloudtrail/decode.js';
import type { CloudTrailRecord } from '../src/cloudtrail/types.js';
import { planInputs } from '../src/sources/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REAL_DATA_ROOT = path.resolve(REPO_ROOT, '../shared/cloudtrail-real');
export const CACHE_ROOT = path.join(tmpdir(), 'trailguard-bench');
const GENERATOR_DIR = path.join(REPO_ROOT, 'scripts/samples/generator');
const MARKER = 'COMPLETE.json';

/** A set of files to scan, in the order the scan reads them. */
export interface Dataset {
  label: string;
  /** What `trailguard scan` is given. */
  scanDir: string;
  /** Every file under scanDir, in planInputs order (the order scanInputs reads them). */
  files: string[];
  /** Size on disk (gzipped). */
  storedBytes: number;
}

export interface GeneratedTree extends Dataset {
  records: number;
  /** Uncompressed JSON bytes of all files. */
  rawBytes: number;
}

interface Marker {
  records: number;
  seed: string;
  generator: string;
  files: number;
  rawBytes: number;
  storedBytes: number;
  writeMs: number;
}

/** Hash of the generator's sources: a cached tree is reused only if the generator that wrote it is unchanged. */
function generatorFingerprint(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(GENERATOR_DIR).sort()) {
    if (!name.endsWith('.ts')) continue;
    hash.update(name).update('\0').update(readFileSync(path.join(GENERATOR_DIR, name))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export async function datasetFromDir(label: string, scanDir: string): Promise<Dataset> {
  const plan = await planInputs([scanDir]);
  const files = plan.entries.filter((e) => e.kind === 'file').map((e) => e.path);
  return { label, scanDir, files, storedBytes: plan.totalBytes };
}

/**
 * The generated tree for (records, seed) under `<tmp>/trailguard-bench/<records>-<seed>/`: `AWSLogs/...` (what is
 * scanned) and SCENARIOS.json beside it, not inside. Written once; a completion marker holding the generator's
 * fingerprint makes later runs reuse it.
 */
export async function generatedTree(records: number, seed: string, log: (line: string) => void): Promise<GeneratedTree> {
  const dir = path.join(CACHE_ROOT, `${records}-${seed}`);
  const markerPath = path.join(dir, MARKER);
  const fingerprint = generatorFingerprint();
  let marker: Marker | undefined;
  if (existsSync(markerPath)) {
    const cached = JSON.parse(await readFile(markerPath, 'utf8')) as Marker;
    if (cached.generator === fingerprint && cached.records === records && cached.seed === seed) marker = cached;
    else log(`cache ${dir} was written by another generator version: regenerating`);
  }
  if (marker === undefined) {
    await rm(dir, { recursive: true, force: true });
    log(`generating ${records.toLocaleString('en-US')} records (seed "${seed}") into ${dir} ...`);
    const summary = await writeSampleTree({ records, seed, out: dir, manifest: path.join(dir, 'SCENARIOS.json') });
    marker = { records: summary.records, seed, generator: fingerprint, files: summary.files, rawBytes: summary.rawBytes, storedBytes: summary.bytes, writeMs: summary.ms };
    await writeFile(markerPath, JSON.stringify(marker, null, 2) + '\n');
    log(`generated ${summary.files} files, ${(summary.rawBytes / 1e6).toFixed(0)} MB of JSON in ${(summary.ms / 1000).toFixed(1)} s`);
  }
  const dataset = await datasetFromDir(`generated ${records / 1000}k`, path.join(dir, 'AWSLogs'));
  if (dataset.files.length !== marker.files) throw new Error(`${dir}: ${dataset.files.length} files on disk, marker says ${marker.files}; delete the directory`);
  return { ...dataset, records: marker.records, rawBytes: marker.rawBytes };
}

/** A real data set under ../shared/cloudtrail-real, or the reason it cannot be used. */
export async function realDataset(folder: string, label: string): Promise<Dataset | { missing: string }> {
  const dir = path.join(REAL_DATA_ROOT, folder);
  if (!existsSync(dir)) return { missing: `${dir} not found` };
  const dataset = await datasetFromDir(label, dir);
  if (dataset.files.length === 0) return { missing: `${dir} holds no files` };
  return dataset;
}

/**
 * Generated records as a scan holds them: each log file serialized and decoded again (so every record is a fresh
 * JSON.parse object, with the shapes V8 gives parsed JSON), without touching the disk.
 */
export function decodedRecords(records: number, seed: string): CloudTrailRecord[] {
  const out: CloudTrailRecord[] = [];
  for (const file of generateFiles({ records, seed })) {
    if (file.kind !== 'log') continue;
    for (const { record } of decodeRecords(serializeRecords(file.records)).records) out.push(record);
  }
  return out;
}
