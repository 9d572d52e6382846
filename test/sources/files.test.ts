import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingInputs, planInputs, readInputs, ScanCounters } from '../../src/sources/index.js';
import type { SourceChunk } from '../../src/sources/index.js';
import { digestFile, eventBridgeEvent, logFile, simpleRecord } from '../cloudtrail/fixtures.js';

let dir: string;

async function collect(it: AsyncIterable<SourceChunk>): Promise<SourceChunk[]> {
  const out: SourceChunk[] = [];
  for await (const c of it) out.push(c);
  return out;
}

function jsonl(n: number, from = 0): string {
  let s = '';
  for (let i = from; i < from + n; i++) s += JSON.stringify(simpleRecord(i)) + '\n';
  return s;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailguard-sources-'));
  const tree = join(dir, 'AWSLogs', '123456789012');
  mkdirSync(join(tree, 'CloudTrail', 'us-east-1', '2023', '07', '19'), { recursive: true });
  mkdirSync(join(tree, 'CloudTrail-Digest', 'us-east-1'), { recursive: true });
  const ct = join(tree, 'CloudTrail', 'us-east-1', '2023', '07', '19');
  writeFileSync(join(ct, 'b.json.gz'), gzipSync(logFile([simpleRecord(1), simpleRecord(2)])));
  writeFileSync(join(ct, 'a.json'), logFile([simpleRecord(0)]));
  writeFileSync(join(ct, 'c'), jsonl(3, 10)); // no extension: told apart by content
  writeFileSync(join(tree, 'CloudTrail-Digest', 'us-east-1', 'd.json.gz'), gzipSync(JSON.stringify(digestFile())));
  writeFileSync(join(tree, 'empty.json'), '');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('planInputs', () => {
  it('walks directories recursively in a deterministic (code-unit) order with sizes and a total', async () => {
    const plan = await planInputs([dir]);
    const rel = plan.entries.map((e) => e.path.slice(dir.length + 1));
    expect(rel).toEqual([
      'AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/19/a.json',
      'AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/19/b.json.gz',
      'AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/19/c',
      'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/d.json.gz',
      'AWSLogs/123456789012/empty.json',
    ]);
    expect(plan.totalBytes).toBe(plan.entries.reduce((n, e) => n + (e.size ?? 0), 0));
    expect(plan.fileCount).toBe(5);
    expect(plan.hasStdin).toBe(false);
  });

  it('reports missing paths, broken links, link loops and special files as io-error rejects', async () => {
    const d = mkdtempSync(join(tmpdir(), 'trailguard-io-'));
    try {
      mkdirSync(join(d, 'sub'));
      writeFileSync(join(d, 'sub', 'x.json'), logFile([simpleRecord(1)]));
      symlinkSync(join(d, 'nowhere'), join(d, 'broken-link'));
      symlinkSync(d, join(d, 'sub', 'loop'));
      let fifo = false;
      try {
        execFileSync('mkfifo', [join(d, 'pipe')]);
        fifo = true;
      } catch {
        // no mkfifo on this machine
      }
      const plan = await planInputs([join(d, 'missing.json'), d]);
      const errors = plan.entries.filter((e) => e.kind === 'error').map((e) => [e.path.slice(d.length + 1), e.error?.reason, e.error?.skipped ?? false]);
      expect(errors).toEqual([
        ['missing.json', 'cannot read: no such file or directory', false],
        ['broken-link', 'cannot read: no such file or directory', false],
        ...(fifo ? [['pipe', 'not a regular file (device, socket or FIFO): not read', true]] : []),
        ['sub/loop', `directory already read as ${d} (symbolic link loop or duplicate path): not read twice`, true],
      ]);
      expect(plan.entries.filter((e) => e.kind === 'file').map((e) => e.path)).toEqual([join(d, 'sub', 'x.json')]);
      // The errors come through readInputs as rejects, in place.
      const chunks = await collect(readInputs(plan));
      expect(chunks.map((c) => c.result.rejects[0]?.kind ?? c.result.format)).toEqual(['io-error', 'io-error', ...(fifo ? ['io-error'] : []), 'io-error', 'cloudtrail-log-file']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('readInputs', () => {
  it('decodes each file by content, one chunk per small file, bytes adding up to the plan total', async () => {
    const plan = await planInputs([dir]);
    const chunks = await collect(readInputs(plan));
    expect(chunks.map((c) => [c.fileIndex, c.result.format, c.result.records.length, c.result.rejects.map((r) => r.kind).join(), c.last])).toEqual([
      [0, 'cloudtrail-log-file', 1, '', true],
      [1, 'cloudtrail-log-file', 2, '', true],
      [2, 'jsonl', 3, '', true],
      [3, 'cloudtrail-digest-file', 0, 'digest-file', true],
      [4, 'empty', 0, 'empty-input', true],
    ]);
    expect(chunks[1]?.result.compression).toBe('gzip');
    expect(chunks.reduce((n, c) => n + c.bytesRead, 0)).toBe(plan.totalBytes);
    const counters = new ScanCounters();
    for (const c of chunks) counters.add(c);
    expect(counters).toMatchObject({ files: 5, records: 6, rejects: 2, skipped: 2, bytesRead: plan.totalBytes, recordsInRejects: 0 });
    expect(Object.fromEntries(counters.byKind)).toEqual({ 'digest-file': 1, 'empty-input': 1 });
  });

  it('streams a JSON Lines file above the threshold in chunks, with line numbers and byte offsets', async () => {
    const f = join(dir, '..', `${dir.split('/').pop() ?? 'x'}-big.jsonl`);
    const text = jsonl(95) + '{"broken\n' + jsonl(10, 95);
    writeFileSync(f, text);
    try {
      const chunks = await collect(readInputs([f], { streamThreshold: 1000, chunkRecords: 20 }));
      expect(chunks.length).toBeGreaterThan(3);
      expect(chunks.every((c) => c.result.records.length + c.result.rejects.length <= 20)).toBe(true);
      const records = chunks.flatMap((c) => c.result.records);
      expect(records).toHaveLength(105);
      expect(records[0]?.location).toEqual({ source: f, line: 1, offset: 0 });
      const line2 = JSON.stringify(simpleRecord(0)).length + 1;
      expect(records[1]?.location).toEqual({ source: f, line: 2, offset: line2 });
      expect(records[95]?.location.line).toBe(97);
      const rejects = chunks.flatMap((c) => c.result.rejects);
      expect(rejects).toHaveLength(1);
      expect(rejects[0]).toMatchObject({ kind: 'invalid-json', count: 1, location: { line: 96, offset: text.indexOf('{"broken') + 8 } });
      expect(chunks.reduce((n, c) => n + c.bytesRead, 0)).toBe(Buffer.byteLength(text));
      expect(chunks.at(-1)?.last).toBe(true);
      expect(chunks.slice(0, -1).every((c) => !c.last)).toBe(true);
    } finally {
      rmSync(f, { force: true });
    }
  });

  it('streams gzip JSON Lines, and keeps the complete lines of a truncated one', async () => {
    const f = join(tmpdir(), `trailguard-${process.pid}-big.jsonl.gz`);
    const text = jsonl(300);
    const z = gzipSync(text);
    try {
      writeFileSync(f, z);
      let chunks = await collect(readInputs([f], { streamThreshold: 100, chunkRecords: 50 }));
      expect(chunks.flatMap((c) => c.result.records)).toHaveLength(300);
      expect(chunks.flatMap((c) => c.result.rejects)).toEqual([]);
      expect(chunks.reduce((n, c) => n + c.bytesRead, 0)).toBe(z.length);
      expect(chunks[0]?.result.compression).toBe('gzip');

      const cut = z.subarray(0, Math.floor(z.length / 2));
      writeFileSync(f, cut);
      chunks = await collect(readInputs([f], { streamThreshold: 100, chunkRecords: 50 }));
      const recs = chunks.flatMap((c) => c.result.records);
      const rejects = chunks.flatMap((c) => c.result.rejects);
      expect(recs.length).toBeGreaterThan(0);
      expect(recs.length).toBeLessThan(300);
      recs.forEach((r, i) => expect(r.record.eventID).toBe(simpleRecord(i).eventID));
      expect(rejects.map((r) => r.kind)).toContain('invalid-gzip');
      const g = rejects.find((r) => r.kind === 'invalid-gzip');
      expect(g?.reason).toMatch(/^gzip data is damaged at compressed byte \d+ of \d+: unexpected end of file/);
      expect(chunks.reduce((n, c) => n + c.bytesRead, 0)).toBe(cut.length);
    } finally {
      rmSync(f, { force: true });
    }
  });

  it('reads a large non-JSON-Lines document whole', async () => {
    const f = join(tmpdir(), `trailguard-${process.pid}-big.json`);
    const text = JSON.stringify({ Records: Array.from({ length: 200 }, (_, i) => simpleRecord(i)) }, null, 2);
    try {
      writeFileSync(f, text);
      const chunks = await collect(readInputs([f], { streamThreshold: 100 }));
      expect(chunks).toHaveLength(1);
      expect(chunks[0]?.result.format).toBe('cloudtrail-log-file');
      expect(chunks[0]?.result.records).toHaveLength(200);
      expect(chunks[0]?.bytesRead).toBe(Buffer.byteLength(text));
    } finally {
      rmSync(f, { force: true });
    }
  });

  it('reads - from stdin: JSON Lines streamed, documents and gzip decoded', async () => {
    const lines = jsonl(7);
    let chunks = await collect(readInputs(['-'], { stdin: Readable.from([Buffer.from(lines.slice(0, 100)), Buffer.from(lines.slice(100))]) }));
    expect(chunks.flatMap((c) => c.result.records).map((r) => r.location)).toEqual(
      Array.from({ length: 7 }, (_, i) => ({ source: '-', line: i + 1, offset: i * (lines.length / 7) })),
    );
    expect(chunks.reduce((n, c) => n + c.bytesRead, 0)).toBe(lines.length);

    chunks = await collect(readInputs(['-'], { stdin: Readable.from([gzipSync(JSON.stringify(eventBridgeEvent(simpleRecord(1))))]) }));
    expect(chunks[0]?.result).toMatchObject({ format: 'eventbridge-event', compression: 'gzip' });
    expect(chunks[0]?.result.records).toHaveLength(1);

    chunks = await collect(readInputs(['-'], { stdin: Readable.from([gzipSync(lines)]) }));
    expect(chunks.flatMap((c) => c.result.records)).toHaveLength(7);

    chunks = await collect(readInputs(['-'], { stdin: Readable.from([]) }));
    expect(chunks[0]?.result.rejects[0]?.kind).toBe('empty-input');
  });
});

const REAL = resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/cloudtrail-real');
const realPresent = existsSync(join(REAL, 'MANIFEST.json'));
if (!realPresent) console.log(`skipping the real-data scan: ${REAL} not found`);

describe.skipIf(!realPresent)('readInputs on the real data sets', () => {
  it('reads the whole tree: every record of the manifests decoded, everything else rejected with a reason', async () => {
    const manifest = JSON.parse((await import('node:fs')).readFileSync(join(REAL, 'MANIFEST.json'), 'utf8')) as { summaries: Record<string, { records: number }> };
    const expected = Object.values(manifest.summaries).reduce((n, s) => n + s.records, 0);
    const plan = await planInputs([REAL]);
    const counters = new ScanCounters();
    for await (const c of readInputs(plan)) counters.add(c);
    expect(counters.records).toBe(expected);
    // MANIFEST.json itself is one unknown object.
    expect(counters.recordsInRejects).toBe(1);
    expect(counters.bytesRead).toBe(plan.totalBytes);
    // Non-CloudTrail files (licences, READMEs, metadata, ZIP and CSV) are rejected, none silently dropped.
    expect(counters.files).toBe(plan.entries.length);
    expect(Object.fromEntries(counters.byKind)).toEqual({ 'invalid-json': counters.rejects - 1, 'unknown-envelope': 1 });
  });
});

describe('missingInputs', () => {
  it('names the paths that do not exist (a file, under a file, a broken link), never stdin or what exists', () => {
    const other = mkdtempSync(join(tmpdir(), 'trailguard-missing-'));
    const broken = join(other, 'broken-link.json');
    symlinkSync(join(other, 'no-such-target.json'), broken);
    const file = join(dir, 'AWSLogs', '123456789012', 'empty.json');
    const paths = ['-', dir, file, join(dir, 'nope.json'), join(file, 'under-a-file.json'), broken, 's3://bucket/prefix'];
    expect(missingInputs(paths)).toEqual([join(dir, 'nope.json'), join(file, 'under-a-file.json'), broken, 's3://bucket/prefix']);
    rmSync(other, { recursive: true, force: true });
  });
});
