/**
 * (e) `scan s3://` throughput: the same generated trail scanned from moto_server's S3 on loopback (ListObjectsV2 with
 * the layout walk, GetObject `concurrency` at a time) and from the local copy, with the full catalog. Ratio = local
 * time / S3 time, paired round by round. Loopback moto is not S3 (no network latency, one Python process answering):
 * the figure says what the S3 source costs over reading local files, not what a real bucket gives.
 */
import type { Detector } from '../src/detect/detector.js';
import { scanInputs, type ScanSummary } from '../src/pipeline/scan.js';
import { mapLimit } from '../src/util/map-limit.js';
import { s3Access } from '../src/sources/s3-client.js';
import { listS3 } from '../src/sources/s3-list.js';
import { DEFAULT_S3_CONCURRENCY } from '../src/sources/s3-read.js';
import { motoS3Client, uploadTree } from '../test/support/moto-s3.js';
import { MOTO_UNAVAILABLE_REASON, startMoto } from '../test/support/moto.js';
import type { GeneratedTree } from './data.js';
import { interleave, timed } from './harness.js';
import { goalLine, skipped, table, verdict, type GoalResult } from './report.js';
import { mapSummary, ms, num, pairedRatios, spread, summarize } from './stats.js';

export const S3_GOAL = 0.5;
const MEASUREMENT = 's3/local scan throughput (moto on loopback)';

export async function measureS3(tree: GeneratedTree, detector: Detector, rounds: number, log: (line: string) => void): Promise<{ text: string; goal: GoalResult }> {
  const moto = await startMoto();
  if (moto === undefined) return { text: `skipped: ${MOTO_UNAVAILABLE_REASON}`, goal: skipped(MEASUREMENT, `>= ${S3_GOAL}`, 'moto_server not installed') };
  try {
    const client = motoS3Client(moto);
    const upload = await timed(() => uploadTree(client, 'bench-trail', tree.scanDir, 'AWSLogs/'));
    log(`[e] uploaded ${upload.value.length} objects to moto in ${ms(upload.ms)}`);
    const pass = (paths: string[]) => async (): Promise<{ ms: number; summary: ScanSummary }> => {
      const { ms: elapsed, value: summary } = await timed(() => scanInputs(paths, detector, { onFinding: () => {}, s3: { access: async () => s3Access(client) } }));
      return { ms: elapsed, summary };
    };
    // The floor of the S3 side: the same listing and GetObject calls, same concurrency, nothing decoded.
    const access = s3Access(client);
    const getOnly = async (): Promise<{ ms: number; summary: ScanSummary }> => {
      const { ms: elapsed } = await timed(async () => {
        const { objects } = await listS3({ bucket: 'bench-trail', prefix: '' }, access.list);
        await mapLimit(objects, DEFAULT_S3_CONCURRENCY, (o) => access.objects.bytes('bench-trail', o.key));
      });
      return { ms: elapsed, summary: undefined as unknown as ScanSummary };
    };
    const results = await interleave(
      [
        { name: 'local', run: pass([tree.scanDir]) },
        { name: 's3', run: pass(['s3://bench-trail/']) },
        { name: 'get-only', run: getOnly },
      ],
      { rounds, log: (line) => log(`[e] ${line}`), describe: (r) => ms((r as { ms: number }).ms) },
    );
    const times = (name: string) => results.get(name)!.map((r) => r.ms);
    const local = results.get('local')![0]!.summary;
    const remote = results.get('s3')![0]!.summary;
    if (remote.records !== local.records || remote.files !== local.files) throw new Error(`s3 scan read ${remote.files} files / ${remote.records} records, local ${local.files} / ${local.records}`);
    const labels: Record<string, string> = {
      local: `scan ${tree.label} (local files)`,
      s3: `scan s3://bench-trail/ (concurrency ${DEFAULT_S3_CONCURRENCY})`,
      'get-only': `list + GetObject only, nothing decoded (concurrency ${DEFAULT_S3_CONCURRENCY})`,
    };
    const rows = ['local', 's3', 'get-only'].map((name) => {
      const t = summarize(times(name));
      return [labels[name]!, spread(t, ms), spread(mapSummary(t, (v) => local.records / (v / 1000)), (v) => num(v)), spread(mapSummary(t, (v) => local.files / (v / 1000)), (v) => num(v))];
    });
    const ratio = pairedRatios(times('local'), times('s3'));
    const goal: GoalResult = { measurement: MEASUREMENT, figure: spread(ratio, (v) => v.toFixed(2)), goal: `>= ${S3_GOAL}`, verdict: verdict(ratio.median >= S3_GOAL) };
    const text = [
      `${tree.label}: ${num(local.files)} files, ${num(local.records)} records, ${num(tree.storedBytes / 1e6, 1)} MB stored; ${rounds} rounds interleaved, median (min–max)`,
      table(['contender', 'time', 'records/s', 'files/s'], rows, [1, 2, 3]),
      `S3 floor time / S3 scan time per round (what the scan adds to moto's own cost): ${spread(pairedRatios(times('get-only'), times('s3')), (v) => v.toFixed(2))}`,
      goalLine(goal),
    ].join('\n');
    return { text, goal };
  } finally {
    await moto.stop();
  }
}
