import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatternError } from '../../../src/patterns/errors.js';
import { type CompiledFilterPattern, compileFilterPattern } from '../../../src/patterns/filter/index.js';
import { cloudTrailLikeRecord } from './support/arbitraries.js';
import { ALL_CIS_TEXTS } from './support/cis-filters.js';

/** Compiles, or returns the PatternError; any other exception fails the property. */
function compileOrError(text: string): CompiledFilterPattern | PatternError {
  try {
    return compileFilterPattern(text);
  } catch (error) {
    if (error instanceof PatternError) {
      expect(error.offset, error.message).toBeGreaterThanOrEqual(0);
      expect(error.offset!, error.message).toBeLessThanOrEqual(text.length);
      expect(error.message).toMatch(/offset \d+/);
      return error;
    }
    throw error;
  }
}

/** Pieces of every kind of pattern, so that random concatenations reach deep into the parsers. */
const TOKENS = [
  '{', '}', '(', ')', '[', ']', '$', '$.', '$.a', '$.eventName', '$.*', '[*]', '[0]', ".['k.x']", '.', ',', '...',
  '=', '!=', '<', '<=', '>', '>=', '==', '&&', '||', '&', '|', '!', '"', '"x y"', '\\', '%', '%a+%', '%(%', '%[a-%',
  'IS', 'NOT', 'EXISTS', 'TRUE', 'FALSE', 'NULL', 'x', '4*', '*x*', '-', '?', '1e3', '-5', ' ', ' ', ' ', '\t', '\n',
  'ERROR', 'w1', 'é', '\u0000', '{m,n}', '{2,', '\\d', '\\x4', '^', '$',
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 25 }).map((tokens) => tokens.join(''));
const structured = fc
  .tuple(fc.constantFrom('{', '[', '%', ''), tokenSoup, fc.constantFrom('}', ']', '%', ''))
  .map(([open, middle, close]) => open + middle + close);

/** A CIS text with one character deleted, inserted or replaced. */
const mutatedCis = fc
  .tuple(fc.constantFrom(...ALL_CIS_TEXTS), fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...'{}()[]$.=!<>&|" %*\\aZ9 \t'.split('')))
  .map(([text, at, how, ch]) => {
    const i = at % text.length;
    if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
    if (how === 'insert') return text.slice(0, i) + ch + text.slice(i);
    return text.slice(0, i) + ch + text.slice(i + 1);
  });

const anyInput: fc.Arbitrary<unknown> = fc.oneof(
  cloudTrailLikeRecord,
  fc.string(),
  fc.json(),
  fc.jsonValue(),
  fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }),
);

function neverThrows(pattern: CompiledFilterPattern, input: unknown): void {
  const result = pattern.matches(input as object);
  expect(typeof result).toBe('boolean');
}

describe('compileFilterPattern never fails with anything but PatternError', () => {
  it('for arbitrary text', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), (text) => void compileOrError(text)), { numRuns: 5000 });
  });

  it('for text built from pattern pieces', () => {
    let compiled = 0;
    fc.assert(
      fc.property(fc.oneof(tokenSoup, structured), (text) => {
        if (!(compileOrError(text) instanceof PatternError)) compiled++;
      }),
      { numRuns: 20_000 },
    );
    expect(compiled).toBeGreaterThan(500);
  });

  it('for CIS filters with one character changed', () => {
    let refused = 0;
    fc.assert(
      fc.property(mutatedCis, (text) => {
        if (compileOrError(text) instanceof PatternError) refused++;
      }),
      { numRuns: 5000 },
    );
    expect(refused).toBeGreaterThan(500);
  });
});

describe('matches never throws', () => {
  it('for any compiled pattern and any input', () => {
    fc.assert(
      fc.property(fc.oneof(structured, fc.constantFrom(...ALL_CIS_TEXTS)), fc.array(anyInput, { maxLength: 5 }), (text, inputs) => {
        const pattern = compileOrError(text);
        if (pattern instanceof PatternError) return;
        for (const input of inputs) neverThrows(pattern, input);
      }),
      { numRuns: 5000 },
    );
  });

  it('for JSON patterns on deeply nested and wide values', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = { a: [deep] };
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    for (const text of ['{ $.a[0].a[0].a = x }', '{ $.* = 9999 }', '{ $.a[*].a[0] NOT EXISTS }', '%x%', 'x', '[a]']) {
      const pattern = compileFilterPattern(text);
      neverThrows(pattern, deep);
      neverThrows(pattern, wide);
    }
    expect(compileFilterPattern('{ $.* = 9999 }').matches(wide)).toBe(true);
  });
});
