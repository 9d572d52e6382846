import { describe, expect, it } from 'vitest';
import type { JsonExpression } from '../../../../src/patterns/filter/syntax/ast.js';
import { parseJsonPattern } from '../../../../src/patterns/filter/syntax/parse-json-pattern.js';
import { expectFilterError } from '../support/expect-filter-error.js';

/** The expression as nested arrays of selector texts: ['or', a, ['and', b, c]]. */
function shape(expression: JsonExpression): unknown {
  if (expression.kind === 'condition') return expression.selector.text;
  return [expression.kind, ...expression.operands.map(shape)];
}

function parse(text: string): JsonExpression {
  return parseJsonPattern(text, text.indexOf('{'));
}

describe('parseJsonPattern: structure', () => {
  // "Compound expressions support the use of parentheses ("()") and the following standard order of operations:
  // () > && > ||." (Filter pattern syntax, JSON; the same sentence since the 2019 revisions.)
  it('&& binds tighter than ||', () => {
    expect(shape(parse('{ $.a = 1 || $.b = 2 && $.c = 3 }'))).toEqual(['or', '$.a', ['and', '$.b', '$.c']]);
    expect(shape(parse('{ $.a = 1 && $.b = 2 || $.c = 3 }'))).toEqual(['or', ['and', '$.a', '$.b'], '$.c']);
    expect(shape(parse('{ $.a = 1 && $.b = 2 && $.c = 3 || $.d = 4 || $.e = 5 }'))).toEqual([
      'or',
      ['and', '$.a', '$.b', '$.c'],
      '$.d',
      '$.e',
    ]);
  });

  it('parentheses group first, at any depth', () => {
    expect(shape(parse('{ ($.a = 1 || $.b = 2) && $.c = 3 }'))).toEqual(['and', ['or', '$.a', '$.b'], '$.c']);
    expect(shape(parse('{ ((($.a = 1))) }'))).toEqual('$.a');
    expect(shape(parse('{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }'))).toEqual([
      'and',
      '$.eventSource',
      ['or', '$.eventName', '$.eventName'],
    ]);
  });

  it('reads every kind of condition', () => {
    const conditions = (text: string) => {
      const e = parse(text);
      return e.kind === 'condition' ? e.test : e;
    };
    expect(conditions('{ $.a = "x y" }')).toEqual({ kind: 'compare', operator: '=', value: { kind: 'string', text: 'x y', quoted: true, offset: 8 } });
    expect(conditions('{ $.a != x.y* }')).toEqual({ kind: 'compare', operator: '!=', value: { kind: 'string', text: 'x.y*', quoted: false, offset: 9 } });
    expect(conditions('{ $.a >= -1.5e3 }')).toEqual({ kind: 'compare', operator: '>=', value: { kind: 'number', text: '-1.5e3', value: -1500, offset: 9 } });
    expect(conditions('{ $.a = %b+% }')).toEqual({ kind: 'compare', operator: '=', value: { kind: 'regex', source: 'b+', offset: 8 } });
    expect(conditions('{ $.a IS TRUE }')).toEqual({ kind: 'is', value: true });
    expect(conditions('{ $.a IS FALSE }')).toEqual({ kind: 'is', value: false });
    expect(conditions('{ $.a IS NULL }')).toEqual({ kind: 'is', value: null });
    expect(conditions('{ $.a NOT EXISTS }')).toEqual({ kind: 'not-exists' });
    expect(conditions('{$.a!=b}')).toEqual({ kind: 'compare', operator: '!=', value: { kind: 'string', text: 'b', quoted: false, offset: 6 } });
  });

  it('needs no spaces around operators, and accepts any amount of them', () => {
    expect(shape(parse('{$.a=1||$.b=2&&$.c=3}'))).toEqual(['or', '$.a', ['and', '$.b', '$.c']]);
    expect(shape(parse('{\n  ($.a = 1)\n  ||\t($.b = 2)\n}'))).toEqual(['or', '$.a', '$.b']);
  });
});

describe('parseJsonPattern: every syntax error names what was expected, at its offset', () => {
  it.each([
    // [pattern, offset, message]
    ['{ $.eventName }', 14, 'expected an operator after $.eventName'],
    ['{ $.eventName', 13, 'expected an operator after $.eventName'],
    ['{ $.a == 1 }', 6, 'unknown operator =='],
    ['{ $.a =! 1 }', 6, 'unknown operator =!'],
    ['{ $.a <> 1 }', 6, 'unknown operator <>'],
    ['{ $.a LIKE 1 }', 6, 'unknown operator LIKE'],
    ['{ $.a = }', 8, 'expected a value after ='],
    ['{ $.a = 1 ', 0, 'unclosed "{" opened at offset 0'],
    ['{', 0, 'unclosed "{" opened at offset 0'],
    ['{ ($.a = 1 }', 2, 'unclosed parenthesis opened at offset 2'],
    ['{ (($.a = 1) }', 2, 'unclosed parenthesis opened at offset 2'],
    ['{ ($.a = 1', 2, 'unclosed parenthesis opened at offset 2'],
    ['{ $.a = 1 ) }', 10, 'unexpected ")" without a matching "("'],
    ['{ () }', 3, 'empty parentheses'],
    ['{}', 1, 'empty JSON filter pattern'],
    ['{  }', 3, 'empty JSON filter pattern'],
    ['{ $.a = 1 $.b = 2 }', 10, 'expected && or || between conditions'],
    ['{ $.a = 1 & $.b = 2 }', 10, "found a single '&'"],
    ['{ $.a = 1 | $.b = 2 }', 10, "found a single '|'"],
    ['{ $.a = 1 && }', 13, 'expected a condition starting with "$." after && at offset 10'],
    ['{ $.a = 1 || }', 13, 'expected a condition starting with "$." after || at offset 10'],
    ['{ && $.a = 1 }', 2, 'expected a condition'],
    ['{ $.a = 1 && && $.b = 2 }', 13, 'expected a condition'],
    ['{ a = 1 }', 2, 'expected a condition starting with "$."'],
    ['{ $ = 1 }', 3, 'empty selector'],
    ['{ $.a = "x }', 8, 'unterminated string opened at offset 8'],
    ['{ $.a = %x }', 8, 'unterminated regex opened at offset 8'],
    ['{ $.a = 1 } x', 12, 'unexpected \'x\' after the closing "}"'],
    ['{ $.a = 1 }}', 11, 'unexpected \'}\' after the closing "}"'],
    ['{ $.a IS }', 9, 'expected TRUE, FALSE or NULL after IS'],
    ['{ $.a IS maybe }', 9, 'expected TRUE, FALSE or NULL after IS but found maybe'],
    ['{ $.a IS true }', 9, 'expected TRUE, FALSE or NULL after IS but found true'],
    ['{ $.a IS NOT NULL }', 6, 'IS NOT is not supported'],
    ['{ $.a NOT NULL }', 10, 'expected EXISTS after NOT but found NULL'],
    ['{ $.a NOT }', 10, 'expected EXISTS after NOT'],
    ['{ $.a ISNULL }', 6, 'unknown operator ISNULL'],
    ['{ $.a IS(NULL) }', 8, 'expected a space after IS'],
    // "The variables IS NOT and EXISTS currently aren't supported." (Filter pattern syntax, JSON)
    ['{ $.a EXISTS }', 6, 'EXISTS is not supported; only NOT EXISTS is'],
    ['{ $.a > abc }', 8, '> compares numbers, but "abc" is not a number'],
    ['{ $.a < "5" }', 8, '< compares numbers'],
    ['{ $.a >= 4* }', 9, '>= compares numbers'],
    ['{ $.a <= %5% }', 9, '<= compares numbers, but a regex is not a number'],
    ['{ $.a = b:c }', 9, "':' cannot appear in an unquoted value; put the value in double quotes"],
    ['{ $.a = user@example.com }', 12, "'@' cannot appear in an unquoted value"],
    ['{ $.a = x$ }', 9, "'$' cannot appear in an unquoted value"],
    ['{ $.a = "x"y }', 11, 'expected && or || between conditions'],
  ] as const)('%j: offset %i', (text, offset, message) => {
    expectFilterError(text, offset, message);
  });

  // "There is a limit of 2 regex for each filter pattern when creating a delimited or JSON filter pattern"
  it('refuses a third regex, at its offset', () => {
    expect(() => parse('{ $.a = %x% || $.b = %y% }')).not.toThrow();
    expectFilterError('{ $.a = %x% || $.b = %y% || $.c = %z% }', 34, 'at most 2 regex');
    // A % inside a quoted value is not a regex.
    expect(() => parse('{ $.a = %x% || $.b = %y% || $.c = "%z%" }')).not.toThrow();
  });

  // "... and up to three wildcard selectors in a filter pattern with compound expressions"
  it('refuses a fourth wildcard selector, at its selector', () => {
    expect(() => parse('{ $.a.* = 1 && $.b[*] = 2 && $.* = 3 }')).not.toThrow();
    expectFilterError('{ $.a.* = 1 && $.b[*] = 2 && $.c.* = 3 && $.d.* = 4 }', 42, 'at most 3 wildcard selectors');
  });

  it('reports a broken regex inside a JSON pattern at the offending regex character', () => {
    expectFilterError('{ $.a = %ab(c% }', 11, "'(' is not supported in a regex");
  });
});
