import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countRecordKeys,
  findJsonError,
  findValueEnd,
  findValueStartReverse,
  lineColumn,
  salvageElements,
} from '../../src/cloudtrail/json-scan.js';
import { simpleRecord } from './fixtures.js';

function parses(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

describe('findJsonError', () => {
  it('agrees with JSON.parse on valid JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => {
        expect(findJsonError(JSON.stringify(v, null, pretty ? 2 : undefined))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with JSON.parse on arbitrary and mutated text', () => {
    const mutated = fc
      .tuple(fc.jsonValue(), fc.nat(), fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', 'x', ' ', '0', '-', '\n', '\u0001'))
      .map(([v, at, c]) => {
        const s = JSON.stringify(v) ?? 'null';
        const i = at % (s.length + 1);
        return s.slice(0, i) + c + s.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), mutated), (s) => {
        expect(findJsonError(s) === undefined).toBe(parses(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('locates errors precisely, with a message a person understands', () => {
    expect(findJsonError('{"a":1,}')).toEqual({ offset: 7, message: "unexpected '}': expected a double-quoted property name" });
    expect(findJsonError('[1 2]')).toEqual({ offset: 3, message: "unexpected '2': expected ',' or ']' after an array element" });
    expect(findJsonError('{"a" 1}')).toEqual({ offset: 5, message: "unexpected '1': expected ':' after a property name" });
    expect(findJsonError('{"a":tru}')?.message).toBe("unexpected 't': expected a value");
    expect(findJsonError('"ab')?.message).toBe('unterminated string (it starts at offset 0)');
    expect(findJsonError('"a\u0001"')?.message).toBe('control character U+0001 inside a string (must be escaped)');
    expect(findJsonError('{} {}')).toEqual({ offset: 3, message: "unexpected '{' after the end of the JSON value" });
    expect(findJsonError('01')?.offset).toBe(1);
    expect(findJsonError('')).toEqual({ offset: 0, message: 'unexpected end of input: expected a value' });
  });

  it('handles very deep nesting without recursion', () => {
    expect(findJsonError('['.repeat(200_000) + ']'.repeat(200_000))).toBeUndefined();
    expect(findJsonError('['.repeat(200_000))?.message).toBe('unexpected end of input: expected a value');
  });
});

describe('value boundaries', () => {
  it('findValueEnd and findValueStartReverse find the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const s = JSON.stringify({ x: [v, { y: v }] });
        const end = findValueEnd(s, 0);
        expect(end).toBe(s.length);
        expect(findValueStartReverse(s, s.length - 1)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('treats escaped quotes and backslashes correctly', () => {
    const s = '{"a":"x\\"}\\\\","b":"\\\\"}';
    expect(JSON.parse(s)).toEqual({ a: 'x"}\\', b: '\\' });
    expect(findValueEnd(s, 0)).toBe(s.length);
    expect(findValueStartReverse(s, s.length - 1)).toBe(0);
  });

  it('lineColumn is 1-based', () => {
    expect(lineColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab', 0)).toEqual({ line: 1, column: 1 });
  });
});

describe('salvageElements', () => {
  const text = JSON.stringify({ Records: [simpleRecord(0), simpleRecord(1), simpleRecord(2)] });

  it('recovers elements on both sides of damage', () => {
    const at = text.indexOf('object-1');
    const s = salvageElements(text.slice(0, at) + '"' + text.slice(at + 1));
    expect(s.container).toBe('records');
    expect(s.before.map((e) => e.index)).toEqual([0]);
    expect(s.after.map((e) => e.index)).toEqual([2]);
    expect(s.lost).toBe(1);
    expect(s.truncated).toBe(false);
  });

  it('reports a truncated document', () => {
    const s = salvageElements(text.slice(0, text.indexOf('object-2')));
    expect(s).toMatchObject({ container: 'records', truncated: true, lost: 1 });
    expect(s.before).toHaveLength(2);
  });

  it('works on a top-level array and when the Records key itself is damaged', () => {
    const arr = JSON.stringify([simpleRecord(0), simpleRecord(1)]);
    expect(salvageElements(arr.slice(0, -5)).before).toHaveLength(1);
    const s = salvageElements(text.replace('{"Records":[', '{"Records":{'));
    expect(s.after).toHaveLength(2);
    expect(s.lost).toBe(1);
  });

  it('countRecordKeys counts keys, not values', () => {
    const t = '{"eventName":"eventName","x":"\\"eventName\\":1"}';
    expect(countRecordKeys(t, 0, t.length)).toBe(1);
  });
});
