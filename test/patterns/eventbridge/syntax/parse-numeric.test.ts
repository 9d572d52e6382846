import { describe, expect, it } from 'vitest';
import { expectPatternError } from '../support/expect-pattern-error.js';
import { accepts, acceptsMissing, matches } from '../support/match-helpers.js';

const numeric = (...terms: unknown[]): unknown[] => [{ numeric: terms }];

describe('numeric matching', () => {
  // The documented example: "c-count": [">", 0, "<=", 5], "d-count": ["<", 10], "x-limit": ["=", 3.018e2]
  // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html).
  it('matches the documented example and respects each bound', () => {
    const pattern = {
      detail: {
        'c-count': numeric('>', 0, '<=', 5),
        'd-count': numeric('<', 10),
        'x-limit': numeric('=', 3.018e2),
      },
    };
    expect(matches(pattern, { detail: { 'c-count': 5, 'd-count': 9.99, 'x-limit': 301.8 } })).toBe(true);
    expect(matches(pattern, { detail: { 'c-count': 0, 'd-count': 9, 'x-limit': 301.8 } })).toBe(false);
    expect(matches(pattern, { detail: { 'c-count': 5.000001, 'd-count': 9, 'x-limit': 301.8 } })).toBe(false);
    expect(matches(pattern, { detail: { 'c-count': 1, 'd-count': 10, 'x-limit': 301.8 } })).toBe(false);
    expect(matches(pattern, { detail: { 'c-count': 1, 'd-count': 9, 'x-limit': 301.9 } })).toBe(false);
  });

  it.each([
    [['=', 5], 5, true],
    [['=', 5], 5.0, true],
    [['=', 5], 4.999999, false],
    [['<', 5], 4.9, true],
    [['<', 5], 5, false],
    [['<=', 5], 5, true],
    [['>', 5], 5, false],
    [['>', 5], 5.1, true],
    [['>=', 5], 5, true],
    [['>=', 5, '<', 6], 6, false],
    [['>', 5, '<=', 6], 6, true],
    [['>', -1.5, '<', 0], -0.75, true],
    [['<', 0], -5e9, true],
    [['>', 0], 5e9, true],
  ] as const)('%j against %j is %j', (terms, value, expected) => {
    expect(accepts(numeric(...terms), value)).toBe(expected);
  });

  // "Numeric matching works with values that are JSON numbers" — a numeric-looking string is not one
  // (AWS-recorded: localstack/localstack tests/aws/services/events/event_pattern_templates/numeric-string_NEG.json5,
  // numeric-null_NEG.json5; 101.0 > 100 in numeric-int-float.json5).
  it('only matches JSON numbers', () => {
    expect(accepts(numeric('>', 100), '300')).toBe(false);
    expect(accepts(numeric('>', 100), null)).toBe(false);
    expect(accepts(numeric('>', 100), true)).toBe(false);
    expect(accepts(numeric('>', 100), 101.0)).toBe(true);
    expect(acceptsMissing(numeric('>', 100))).toBe(false);
  });

  // "It is limited to values between -5.0e9 and +5.0e9 inclusive" (aws/event-ruler README.md "Numeric matching"):
  // an event value outside cannot be represented as a number by Ruler, so no comparison holds for it.
  it('never matches event values beyond ±5.0e9', () => {
    expect(accepts(numeric('>', 0), 5e9 + 1)).toBe(false);
    expect(accepts(numeric('<', 0), -5e9 - 1)).toBe(false);
    expect(accepts(numeric('>', 0), Number.POSITIVE_INFINITY)).toBe(false);
  });

  it('matches any element of an array', () => {
    expect(accepts(numeric('>', 0, '<', 10), [100, 5, 200])).toBe(true);
    expect(accepts(numeric('>', 0, '<', 10), [100, 200])).toBe(false);
  });
});

describe('numeric validation', () => {
  const key = 'field';
  // Messages recorded from EventBridge: "Bad numeric range operator: >" for [">", 0, ">", 0] and "Value of < must be
  // numeric" for [">", 0, "<"] (AWS-recorded: content_numeric_EXC.json5, content_numeric_syntax_EXC.json5).
  // The rest follows aws/event-ruler JsonRuleCompiler.processNumericMatchExpression / completeNumericRange.
  it.each([
    [['>', 0, '>', 0], /may only be followed by "<" or "<="/],
    [['>', 0, '<'], /after "<" must be a number/],
    [['<', 10, '>', 0], /too many terms/],
    [['=', 1, '<', 2], /too many terms/],
    [['>', 0, '<', 10, '<', 20], /too many terms/],
    [['>=', 1, '<=', 1], /lower bound must be less than the upper bound/],
    [['>', 5, '<', 1], /lower bound must be less than the upper bound/],
    [['!=', 1], /unrecognized numeric operator "!="/],
    [['=>', 1], /unrecognized numeric operator "=>"/],
    [[], /must start with one of/],
    [[5, '>'], /must start with one of/],
    [['>', '5'], /after ">" must be a number/],
    [['='], /after "=" must be a number/],
    [['>', null], /after ">" must be a number/],
    [['<', 5e9 + 1], /between -5.0e9 and 5.0e9/],
    [['>', -6e9, '<', 0], /between -5.0e9 and 5.0e9/],
    [['=', 1e10], /between -5.0e9 and 5.0e9/],
  ])('refuses %j', (terms, reason) => {
    expectPatternError({ field: numeric(...terms) }, { key, shows: JSON.stringify(terms), reason });
  });

  it.each<[unknown]>([[5], ['>5'], [{ '>': 5 }], [null]])('refuses the non-array operand %j', (operand) => {
    expectPatternError({ field: [{ numeric: operand }] }, { key, shows: JSON.stringify(operand), reason: /must be an array/ });
  });

  it('accepts the bounds of the documented range', () => {
    expect(accepts(numeric('>=', -5e9, '<=', 5e9), 0)).toBe(true);
    expect(accepts(numeric('=', 5e9), 5e9)).toBe(true);
  });
});
