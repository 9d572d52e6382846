import fc from 'fast-check';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRecords } from '../../src/cloudtrail/decode.js';
import type { DecodeResult } from '../../src/cloudtrail/types.js';
import { cwlPayload, eventBridgeEvent, simpleRecord, snsNotification, sqsLambdaEvent } from './fixtures.js';

const RUNS = 300;

/** Shape checks every result must pass, whatever the input. */
function wellFormed(r: DecodeResult): void {
  expect(Array.isArray(r.records)).toBe(true);
  expect(Array.isArray(r.rejects)).toBe(true);
  expect(typeof r.format).toBe('string');
  for (const x of r.records) {
    expect(typeof x.record.eventSource).toBe('string');
    expect(typeof x.record.eventName).toBe('string');
    expect(typeof x.record.eventTime).toBe('string');
    expect(typeof x.location.source).toBe('string');
  }
  for (const j of r.rejects) {
    expect(typeof j.reason).toBe('string');
    expect(j.reason.length).toBeGreaterThan(0);
    expect(j.reason).not.toContain('internal decoder error');
  }
}

function covered(r: DecodeResult): number {
  return r.records.length + r.rejects.reduce((n, j) => n + (j.count ?? 0), 0);
}

const records = (min: number, max: number): fc.Arbitrary<ReturnType<typeof simpleRecord>[]> =>
  fc.integer({ min, max }).map((n) => Array.from({ length: n }, (_, i) => simpleRecord(i)));

describe('decodeRecords never throws', () => {
  it('on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        wellFormed(decodeRecords(Buffer.from(bytes)));
      }),
      { numRuns: RUNS },
    );
  });

  it('on any gzip-compressed bytes and any bytes after a gzip magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), fc.boolean(), (bytes, compress) => {
        const input = compress ? gzipSync(bytes) : Buffer.concat([Buffer.from([0x1f, 0x8b]), bytes]);
        wellFormed(decodeRecords(input));
      }),
      { numRuns: RUNS },
    );
  });

  it('on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500, unit: 'binary' }), (s) => {
        wellFormed(decodeRecords(s));
      }),
      { numRuns: RUNS },
    );
  });

  it('on any JSON value, as an object, as text and as bytes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        wellFormed(decodeRecords(v as object));
        const text = JSON.stringify(v);
        wellFormed(decodeRecords(text));
        wellFormed(decodeRecords(Buffer.from(text)));
      }),
      { numRuns: RUNS },
    );
  });

  it('on envelopes with arbitrary payloads', () => {
    const payload = fc.oneof(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.string({ maxLength: 60 }));
    fc.assert(
      fc.property(payload, fc.integer({ min: 0, max: 4 }), (p, kind) => {
        const env = [
          () => sqsLambdaEvent([p]),
          () => snsNotification(p),
          () => cwlPayload([p]),
          () => ({ awslogs: { data: p } }),
          () => eventBridgeEvent(p),
        ][kind];
        wellFormed(decodeRecords(env ? env() : {}));
      }),
      { numRuns: RUNS },
    );
  });

  it('on deeply nested input', () => {
    const deep = '['.repeat(100_000);
    wellFormed(decodeRecords(deep));
    wellFormed(decodeRecords(`{"Records":${'['.repeat(50_000)}`));
    let v: unknown = simpleRecord(1);
    for (let i = 0; i < 5000; i++) v = [v];
    wellFormed(decodeRecords(v as object));
  });
});

describe('every record of damaged input is decoded or counted by a reject', () => {
  it('valid log file: all records, no reject', () => {
    fc.assert(
      fc.property(records(0, 30), fc.boolean(), (recs, pretty) => {
        const r = decodeRecords(JSON.stringify({ Records: recs }, null, pretty ? 2 : undefined));
        expect(r.records).toHaveLength(recs.length);
        expect(r.rejects).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('log file with one byte overwritten at a random point (plain, compact or pretty-printed)', () => {
    fc.assert(
      fc.property(records(1, 12), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 }), (recs, pretty, where, byte) => {
        const text = Buffer.from(JSON.stringify({ Records: recs }, null, pretty ? 2 : undefined));
        const at = Math.min(text.length - 1, Math.floor(where * text.length));
        fc.pre(text[at] !== byte);
        const bad = Buffer.from(text);
        bad[at] = byte;
        const r = decodeRecords(bad);
        wellFormed(r);
        expect(covered(r)).toBe(recs.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('log file truncated at a random point: complete records decoded, the partial one counted', () => {
    fc.assert(
      fc.property(records(1, 12), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (recs, pretty, where) => {
        const text = JSON.stringify({ Records: recs }, null, pretty ? 2 : undefined);
        const cut = Math.floor(where * text.length);
        // `{` and `{"` alone are ambiguous (a record or a log file could start so): counted as one object.
        const part = text.slice(0, cut);
        const compact = part.replace(/\s+/g, '').length;
        fc.pre(compact === 0 || compact >= 3);
        // Records present in the input: those whose opening brace survived the cut.
        let present = 0;
        for (let i = text.indexOf('"eventVersion"'); i >= 0; i = text.indexOf('"eventVersion"', i + 1)) {
          if (text.lastIndexOf('{', i) < cut) present++;
        }
        const r = decodeRecords(part);
        wellFormed(r);
        expect(covered(r)).toBe(cut === text.length ? recs.length : present);
        if (cut < text.length) expect(r.rejects.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('gzip log file truncated at a random point', () => {
    fc.assert(
      fc.property(records(1, 40), fc.double({ min: 0, max: 1, noNaN: true }), (recs, where) => {
        const text = JSON.stringify({ Records: recs });
        const z = gzipSync(text);
        const cut = Math.floor(where * z.length);
        const part = z.subarray(0, cut);
        let readable = '';
        try {
          readable = gunzipSync(part, { finishFlush: 2 }).toString('utf8');
        } catch {
          readable = '';
        }
        // Records whose opening brace survived: the first one opens right after "[", the others after "},"
        // (these records hold no arrays of objects, so "[{" and "},{" occur only between records).
        const present = (readable.match(/\[\{/g)?.length ?? 0) + (readable.match(/\},\{/g)?.length ?? 0);
        const r = decodeRecords(part);
        wellFormed(r);
        if (cut < z.length) expect(r.rejects.length).toBeGreaterThan(0);
        if (cut >= 2 && cut < z.length) expect(r.rejects.some((j) => j.kind === 'invalid-gzip')).toBe(true);
        // A fragment that is still a prefix of the envelope's opening ('{"', '{"Rec' ...) cannot be told from the
        // opening of a record: the decoder counts it as one damaged record, the only over-count it may make.
        const ambiguous = present === 0 && readable.length > 0 && '{"Records":['.startsWith(readable);
        expect(covered(r)).toBe(readable.length === text.length ? recs.length : ambiguous ? 1 : present);
        // Recovered records are exactly the first ones, in order.
        r.records.forEach((x, i) => expect(x.record.eventID).toBe(recs[i]?.eventID));
      }),
      { numRuns: 300 },
    );
  });

  it('JSON Lines with one byte overwritten (not a newline) or truncated', () => {
    fc.assert(
      fc.property(
        records(2, 12),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 255 }).filter((b) => b !== 10 && b !== 13),
        fc.boolean(),
        (recs, where, byte, truncate) => {
          const text = Buffer.from(recs.map((x) => JSON.stringify(x)).join('\n') + '\n');
          const at = Math.min(text.length - 1, Math.floor(where * text.length));
          let input: Buffer;
          let expected = recs.length;
          if (truncate) {
            input = text.subarray(0, at);
            const s = input.toString('utf8');
            expected = s.split('\n').filter((l) => l.trim() !== '').length;
          } else {
            fc.pre(text[at] !== byte && text[at] !== 10);
            input = Buffer.from(text);
            input[at] = byte;
          }
          const r = decodeRecords(input);
          wellFormed(r);
          expect(covered(r)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
