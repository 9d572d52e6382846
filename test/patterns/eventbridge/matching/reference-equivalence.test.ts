import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEventPattern } from '../../../../src/patterns/eventbridge/index.js';
import { arrayHeavyEvent, eventObject, validPattern } from '../support/arbitraries.js';
import { referenceMatches } from '../support/reference-matcher.js';

describe('the optimised matcher agrees with a literal transcription of Ruler', () => {
  // Oracle: test/patterns/eventbridge/support/reference-matcher.ts, which follows aws/event-ruler Event.java
  // (flattening with array membership), ACFinder.java and NameState.getNameTransitions (absence under array
  // consistency). Dotted keys, arrays of objects, arrays of arrays and $or are all in the generated inputs.
  it('on random patterns and events', () => {
    let matched = 0;
    let missed = 0;
    fc.assert(
      fc.property(validPattern, eventObject, (pattern, event) => {
        const expected = referenceMatches(pattern, event);
        expect(compileEventPattern(pattern).matches(event)).toBe(expected);
        if (expected) matched++;
        else missed++;
      }),
      { numRuns: 10_000 },
    );
    // Both outcomes must be common, or the comparison says little.
    expect(matched).toBeGreaterThan(300);
    expect(missed).toBeGreaterThan(1000);
  });

  it('on random patterns and events made of arrays of objects', () => {
    let matched = 0;
    fc.assert(
      fc.property(validPattern, arrayHeavyEvent, (pattern, event) => {
        const expected = referenceMatches(pattern, event);
        expect(compileEventPattern(pattern).matches(event)).toBe(expected);
        if (expected) matched++;
      }),
      { numRuns: 10_000 },
    );
    expect(matched).toBeGreaterThan(200);
  });

  it('on events built to share arrays of objects between fields', () => {
    const sharedArrays = fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('p', 'q', 1, null), { maxKeys: 3 }), {
      maxLength: 4,
    });
    const pattern = fc.constantFrom<Record<string, unknown>>(
      { x: { a: ['p'], b: ['q'] } },
      { x: { a: ['p'], b: [{ exists: false }] } },
      { x: { a: [{ exists: false }], b: ['q'] } },
      { x: { a: [{ 'anything-but': 'p' }], c: [{ exists: true }] } },
      { x: { $or: [{ a: ['p'] }, { b: ['q'], c: [1] }] } },
    );
    fc.assert(
      fc.property(pattern, sharedArrays, (p, items) => {
        const event = { x: items };
        expect(compileEventPattern(p).matches(event)).toBe(referenceMatches(p, event));
      }),
      { numRuns: 2000 },
    );
  });
});
