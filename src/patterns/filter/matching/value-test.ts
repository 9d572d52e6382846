import { compileRegex } from '../regex/regex-program.js';
import type { ComparisonOperator, ValueLiteral } from '../syntax/ast.js';
import { parseNumberText } from '../syntax/parse-value.js';
import { compileWildcard } from './wildcard.js';

/**
 * One comparison (OPERATOR VALUE) compiled for the three kinds of value it meets:
 *  - a JSON string: its text. A JSON string is never read as a number ("Strings don't support scientific notation").
 *  - a JSON number: numeric comparisons use the number; text comparisons (wildcards, regex, the text of an unquoted
 *    number) use its JSON text, so 4* matches 404 ("Use the asterisk ("*") as a wild card to match numbers").
 *  - a field of a space-delimited line: text, read as a number for numeric operators when it is one
 *    ("CloudWatch Logs supports both string and numeric conditional fields").
 * != is the negation of = over a value that is there: a missing field or a value of another kind never satisfies
 * either (see json-matcher.ts).
 */
export interface ValueTest {
  string(text: string): boolean;
  number(value: number): boolean;
  field(text: string): boolean;
}

export function compileValueTest(operator: ComparisonOperator, value: ValueLiteral): ValueTest {
  const negate = operator === '!=';
  switch (value.kind) {
    case 'string':
      return textTest(compileWildcard(value.text), negate);
    case 'regex': {
      const program = compileRegex(value.source, value.offset + 1);
      return textTest((text) => program.test(text), negate);
    }
    case 'number':
      return operator === '=' || operator === '!=' ? numberEquality(value.value, value.text, negate) : numberOrder(operator, value.value);
  }
}

function textTest(test: (text: string) => boolean, negate: boolean): ValueTest {
  return {
    string: (text) => test(text) !== negate,
    number: (value) => test(String(value)) !== negate,
    field: (text) => test(text) !== negate,
  };
}

/**
 * = / != with an unquoted number: a JSON number compares numerically (400 = 400.0 = 4e2); a JSON string compares as
 * text with the number as written, since an unquoted number is also an unquoted string ("For example, the eventName is
 * "UpdateTrail" and the recipientAccountId is 123456789012" - recipientAccountId is a string in CloudTrail records);
 * a delimited field is equal when it reads as the same number or is the same text.
 */
function numberEquality(expected: number, written: string, negate: boolean): ValueTest {
  return {
    string: (text) => (text === written) !== negate,
    number: (value) => (value === expected) !== negate,
    field: (text) => (text === written || parseNumberText(text) === expected) !== negate,
  };
}

/** <, <=, >, >= hold only for numbers: JSON numbers, or delimited fields that read as numbers. */
function numberOrder(operator: ComparisonOperator, bound: number): ValueTest {
  const compare = orderTest(operator, bound);
  return {
    string: () => false,
    number: compare,
    field: (text) => {
      const value = parseNumberText(text);
      return value !== undefined && compare(value);
    },
  };
}

function orderTest(operator: ComparisonOperator, bound: number): (value: number) => boolean {
  switch (operator) {
    case '<':
      return (value) => value < bound;
    case '<=':
      return (value) => value <= bound;
    case '>':
      return (value) => value > bound;
    default:
      return (value) => value >= bound;
  }
}
