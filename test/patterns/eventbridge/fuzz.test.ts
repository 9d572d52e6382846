import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatternError } from '../../../src/patterns/errors.js';
import { compileEventPattern, type CompiledEventPattern } from '../../../src/patterns/eventbridge/index.js';
import { validPattern } from './support/arbitraries.js';

/** Compiles, or returns the PatternError; any other exception fails the property. */
function compileOrPatternError(pattern: unknown): CompiledEventPattern | PatternError {
  try {
    return compileEventPattern(pattern as object);
  } catch (error) {
    if (error instanceof PatternError) return error;
    throw error;
  }
}

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr', '$or', 'NUMERIC', 'x'];

/** JSON that looks like patterns: keys are often operator names, leaves often arrays, so validation goes deep. */
const patternLike: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...OPERATORS), fc.string({ maxLength: 3 })), tie('node'), { maxKeys: 3 }),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.constantFrom<unknown>(['>', 0, '<', 5], ['=', 1e10], '10.0.0.0/8', '::/200', 'a**b', 'a\\b', '', [], {}),
  ),
})).node;

describe('patterns never fail with anything but PatternError', () => {
  it('for arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => void compileOrPatternError(value)), { numRuns: 5000 });
  });

  it('for arbitrary JSON objects shaped like patterns', () => {
    let compiled = 0;
    fc.assert(
      fc.property(patternLike, (value) => {
        if (!(compileOrPatternError(value) instanceof PatternError)) compiled++;
        // The same pattern as text behaves the same way.
        const text = JSON.stringify(value);
        if (text !== undefined) compileOrPatternError(text);
      }),
      { numRuns: 20_000 },
    );
    expect(compiled).toBeGreaterThan(100);
  });

  it('for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.json().map((json) => json.slice(0, json.length - 1))), (text) => void compileOrPatternError(text)),
      { numRuns: 5000 },
    );
  });

  it('for arbitrary JavaScript values', () => {
    fc.assert(fc.property(fc.anything(), (value) => void compileOrPatternError(value)), { numRuns: 3000 });
  });
});

describe('events never make matching throw', () => {
  const patterns = fc.sample(validPattern, { numRuns: 200, seed: 42 }).map((pattern) => compileEventPattern(pattern));

  it('for arbitrary JSON events', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(patterns.length - 1), (event, index) => {
        expect(typeof patterns[index]!.matches(event)).toBe('boolean');
      }),
      { numRuns: 20_000 },
    );
  });

  it('for arbitrary JavaScript values, including non-JSON ones', () => {
    const anything = fc.anything({
      key: fc.constantFrom('a', 'b', 'c', 'x', 'y', 'x.y', '__proto__', 'constructor'),
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(anything, fc.nat(patterns.length - 1), (event, index) => {
        expect(typeof patterns[index]!.matches(event)).toBe('boolean');
        expect(typeof patterns[index]!.matches({ a: event, x: { y: event } })).toBe('boolean');
      }),
      { numRuns: 20_000 },
    );
  });
});
