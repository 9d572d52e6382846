import { describe, expect, it } from 'vitest';
import { parseTermPattern } from '../../../../src/patterns/filter/syntax/parse-term-pattern.js';
import { expectFilterError } from '../support/expect-filter-error.js';

// Filter pattern syntax, "Using filter patterns to match terms in unstructured log events".
describe('parseTermPattern', () => {
  it('reads plain, quoted, optional and excluded terms', () => {
    expect(parseTermPattern('ERROR ARGUMENTS')).toEqual([
      { kind: 'include', text: 'ERROR', quoted: false, offset: 0 },
      { kind: 'include', text: 'ARGUMENTS', quoted: false, offset: 6 },
    ]);
    expect(parseTermPattern('"INTERNAL SERVER ERROR"')).toEqual([{ kind: 'include', text: 'INTERNAL SERVER ERROR', quoted: true, offset: 0 }]);
    expect(parseTermPattern('?ERROR ?ARGUMENTS')).toEqual([
      { kind: 'optional', text: 'ERROR', quoted: false, offset: 0 },
      { kind: 'optional', text: 'ARGUMENTS', quoted: false, offset: 7 },
    ]);
    expect(parseTermPattern('ERROR -ARGUMENTS')).toEqual([
      { kind: 'include', text: 'ERROR', quoted: false, offset: 0 },
      { kind: 'exclude', text: 'ARGUMENTS', quoted: false, offset: 6 },
    ]);
    expect(parseTermPattern('?"clean up" -"[DEBUG]" snake_case_1')).toEqual([
      { kind: 'optional', text: 'clean up', quoted: true, offset: 0 },
      { kind: 'exclude', text: '[DEBUG]', quoted: true, offset: 12 },
      { kind: 'include', text: 'snake_case_1', quoted: false, offset: 23 },
    ]);
  });

  // Before 2023 the guide wrote the exclusion as: "ERROR" - "Exiting" (a space after the minus sign).
  it('accepts a space between the sign and its term', () => {
    expect(parseTermPattern('"ERROR" - "Exiting"')).toEqual([
      { kind: 'include', text: 'ERROR', quoted: true, offset: 0 },
      { kind: 'exclude', text: 'Exiting', quoted: true, offset: 8 },
    ]);
  });

  it('reads nothing from a blank pattern', () => {
    expect(parseTermPattern('')).toEqual([]);
    expect(parseTermPattern(' \t\n')).toEqual([]);
  });

  // "Metric filter terms that include characters other than alphanumeric or underscore must be placed inside double
  // quotes" (before 2023); "Enclose exact phrases and terms that include non-alphanumeric characters in double
  // quotation marks" (today).
  it.each([
    ['request-id-123', 7, "'-' cannot appear in an unquoted term; put terms with characters other than letters, digits and _ in double quotes"],
    ['ERROR:', 5, "':' cannot appear in an unquoted term"],
    // A pattern that starts with "[" is a space-delimited pattern, not a term: "[ERROR]" needs quotes.
    ['[ERROR]x', 7, 'unexpected \'x\' after the closing "]"'],
    ['ERROR [x]', 6, "'[' can only start a JSON ({...}) or space-delimited ([...]) pattern"],
    ['10.0.0.1', 2, "'.' cannot appear in an unquoted term"],
    ['ERROR %x%', 6, 'a regex (%...%) cannot be combined with terms'],
    ['ERROR?', 5, "'?' cannot appear in an unquoted term"],
    ['?', 1, "expected a term after '?'"],
    ['ERROR -', 7, "expected a term after '-'"],
    ['"abc', 0, 'unterminated string opened at offset 0'],
    ['ERROR "abc', 6, 'unterminated string opened at offset 6'],
    ['"abc"def', 5, 'expected a space after the quoted term'],
    ['ERROR"x"', 5, `'"' cannot appear in an unquoted term`],
    ['café', 3, "'é' cannot appear in an unquoted term"],
  ] as const)('%j is refused at offset %i', (text, offset, message) => {
    expectFilterError(text, offset, message);
  });
});
