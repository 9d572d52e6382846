/**
 * The decoder on real CloudTrail output, read at run time from ../shared/cloudtrail-real (never copied into
 * the repository): every record of the JSON sets is decoded or counted by a reject with a reason, and the
 * totals equal the record counts of the data set's MANIFEST.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeRecords } from '../../src/cloudtrail/decode.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const REAL_DATA = resolve(repoRoot, '../shared/cloudtrail-real');
const manifestPath = join(REAL_DATA, 'MANIFEST.json');
const present = existsSync(manifestPath);
if (!present) console.log(`skipping real-data tests: ${manifestPath} not found (the shared real CloudTrail data sets are not on this machine)`);

interface ManifestFile {
  path: string;
  bytes: number;
  records?: number;
  format?: string;
}
interface Manifest {
  manifest: Record<string, ManifestFile[]>;
  summaries: Record<string, { records: number; files: number }>;
}

describe.skipIf(!present)('real CloudTrail data sets', () => {
  const manifest = present ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest) : { manifest: {}, summaries: {} };

  it.each(['invictus-ir-sigma-aws', 'stratus-red-team-detonation-logs', 'otrf-security-datasets', 'sans-504-s3-ransomware-lab'])(
    '%s: every record decoded or counted, totals equal MANIFEST.json',
    (dataset) => {
      const files = (manifest.manifest[dataset] ?? []).filter((f) => typeof f.records === 'number');
      expect(files.length).toBeGreaterThan(0);
      let decoded = 0;
      let rejected = 0;
      for (const f of files) {
        const r = decodeRecords(readFileSync(join(REAL_DATA, f.path)), { source: f.path });
        for (const j of r.rejects) expect(j.reason.length).toBeGreaterThan(10);
        const counted = r.rejects.reduce((n, j) => n + (j.count ?? 0), 0);
        expect(r.records.length + counted, f.path).toBe(f.records);
        decoded += r.records.length;
        rejected += counted;
      }
      expect(decoded + rejected).toBe(manifest.summaries[dataset]?.records);
      // These sets are intact: nothing should need a reject.
      expect(rejected).toBe(0);
    },
  );

  it('the OTRF Logstash set has no eventTime: taken from @timestamp, the rest intact', () => {
    const f = (manifest.manifest['otrf-security-datasets'] ?? []).find((x) => x.path.endsWith('.json'));
    expect(f).toBeDefined();
    const r = decodeRecords(readFileSync(join(REAL_DATA, f?.path ?? '')));
    expect(r.format).toBe('jsonl');
    for (const { record } of r.records) {
      expect(record.eventTime).toBe(record['@timestamp']);
      expect(record['@version']).toBeDefined();
    }
  });

  it('the OTRF CSV export is rejected with a clear reason, not a crash', () => {
    const f = (manifest.manifest['otrf-security-datasets'] ?? []).find((x) => x.path.endsWith('.csv'));
    expect(f).toBeDefined();
    const r = decodeRecords(readFileSync(join(REAL_DATA, f?.path ?? '')), { source: f?.path ?? '' });
    expect(r.records).toEqual([]);
    expect(r.rejects).toHaveLength(1);
    expect(r.rejects[0]?.kind).toBe('invalid-json');
    expect(r.rejects[0]?.reason).toMatch(/^not JSON: this looks like CSV \(302 lines; first line "Event Type,Event Name,Request ID,/);
  });

  it('the ZIP archives next to the data are named as such', () => {
    const f = (manifest.manifest['otrf-security-datasets'] ?? []).find((x) => x.path.endsWith('.zip'));
    const r = decodeRecords(readFileSync(join(REAL_DATA, f?.path ?? '')));
    expect(r.rejects[0]?.reason).toMatch(/^not JSON: this is a ZIP archive/);
  });

  it('AWS service events without userIdentity.type are valid (Invictus set)', () => {
    const files = manifest.manifest['invictus-ir-sigma-aws'] ?? [];
    let untyped = 0;
    for (const f of files.filter((x) => typeof x.records === 'number')) {
      for (const { record } of decodeRecords(readFileSync(join(REAL_DATA, f.path))).records) {
        if (record.userIdentity && record.userIdentity.type === undefined) untyped++;
      }
    }
    expect(untyped).toBe(42);
  });
});
