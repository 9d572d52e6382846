import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../../src/patterns/filter/index.js';
import { cloudTrailLikeRecord, type Expr, expression, mapConditions, permuted, reference, render, withinQuotas, withParens } from './support/arbitraries.js';

const records = fc.array(cloudTrailLikeRecord, { minLength: 1, maxLength: 6 });

/** A permutation of 0..n-1 drawn from a seed, for reordering && and || operands. */
function orderFrom(seed: number): (n: number) => number[] {
  return (n) => {
    const order = [...Array(n).keys()];
    let s = seed;
    for (let i = n - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  };
}

/** Random combinations can outgrow the 1024-character limit; such cases are skipped (the limit is tested elsewhere). */
function results(text: string, rs: readonly Record<string, unknown>[]): boolean[] {
  fc.pre(text.length <= 1024);
  const pattern = compileFilterPattern(text);
  return rs.map((r) => pattern.matches(r));
}

describe('JSON patterns against an independent reading of the documented semantics', () => {
  it('the engine agrees with the reference evaluator on random patterns and CloudTrail-like records', () => {
    let matched = 0;
    let checked = 0;
    fc.assert(
      fc.property(expression, records, (e, rs) => {
        const text = render(e);
        fc.pre(text.length <= 1024);
        const pattern = compileFilterPattern(text);
        for (const r of rs) {
          const expected = reference(e, r);
          expect(pattern.matches(r), `${text} on ${JSON.stringify(r)}`).toBe(expected);
          expect(pattern.matches(JSON.stringify(r)), `${text} on the JSON text of ${JSON.stringify(r)}`).toBe(expected);
          if (expected) matched++;
          checked++;
        }
      }),
      { numRuns: 3000 },
    );
    // The vocabulary is small enough for both outcomes to be common.
    expect(matched).toBeGreaterThan(checked / 10);
    expect(matched).toBeLessThan((checked * 9) / 10);
  });
});

describe('JSON patterns: equivalent spellings give the same result', () => {
  it('reordered && and || operands', () => {
    fc.assert(
      fc.property(expression, fc.nat(), records, (e, seed, rs) => {
        expect(results(render(permuted(e, orderFrom(seed))), rs)).toEqual(results(render(e), rs));
      }),
      { numRuns: 1000 },
    );
  });

  it('extra parentheses around every operand, or only where precedence needs them', () => {
    fc.assert(
      fc.property(expression, records, (e, rs) => {
        const expected = results(render(e), rs);
        expect(results(render(withParens(e, true)), rs)).toEqual(expected);
        expect(results(render(withParens(e, false)), rs)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('quoted and unquoted values', () => {
    const setQuoted = (e: Expr, quoted: boolean) =>
      mapConditions(e, (c) => (c.test.kind === 'text' ? { ...c, test: { ...c.test, quoted } } : c));
    fc.assert(
      fc.property(expression, records, (e, rs) => {
        expect(results(render(setQuoted(e, true)), rs)).toEqual(results(render(setQuoted(e, false)), rs));
      }),
      { numRuns: 1000 },
    );
  });

  it('spaces, tabs and line breaks between the parts', () => {
    fc.assert(
      fc.property(expression, fc.constantFrom('', ' ', '\t', '\n  ', '   '), records, (e, spacing, rs) => {
        expect(results(render(e, spacing), rs)).toEqual(results(render(e), rs));
      }),
      { numRuns: 500 },
    );
  });

  it('A || B matches what A or B matches; A && B what both match', () => {
    fc.assert(
      fc.property(expression, expression, records, (a, b, rs) => {
        fc.pre(withinQuotas({ kind: 'and', operands: [a, b], parens: false }));
        const ra = results(render(a), rs);
        const rb = results(render(b), rs);
        expect(results(render({ kind: 'or', operands: [a, b], parens: false }), rs)).toEqual(ra.map((x, i) => x || rb[i]!));
        expect(results(render({ kind: 'and', operands: [a, b], parens: false }), rs)).toEqual(ra.map((x, i) => x && rb[i]!));
      }),
      { numRuns: 500 },
    );
  });
});
