import { describe, expect, it } from 'vitest';
import type { DelimitedSlot, FieldExpression } from '../../../../src/patterns/filter/syntax/ast.js';
import { parseDelimitedPattern } from '../../../../src/patterns/filter/syntax/parse-delimited-pattern.js';
import { expectFilterError } from '../support/expect-filter-error.js';

function condition(expression: FieldExpression | null): unknown {
  if (expression === null) return null;
  if (expression.kind === 'compare') {
    const v = expression.value;
    return `${expression.operator}${v.kind === 'regex' ? `%${v.source}%` : v.kind === 'string' && v.quoted ? JSON.stringify(v.text) : v.text}`;
  }
  return [expression.kind, ...expression.operands.map(condition)];
}

function slots(text: string): unknown[] {
  return parseDelimitedPattern(text, text.indexOf('[')).map((slot: DelimitedSlot) =>
    slot.kind === 'ellipsis' ? '...' : slot.condition === null ? slot.name : [slot.name, condition(slot.condition)],
  );
}

// Filter pattern syntax, "Using filter patterns to match terms in space-delimited log events".
describe('parseDelimitedPattern', () => {
  it('reads named fields, ellipses and conditions', () => {
    expect(slots('[ip, user, username, timestamp, request, status_code, bytes]')).toEqual(['ip', 'user', 'username', 'timestamp', 'request', 'status_code', 'bytes']);
    expect(slots('[ip=%127\\.0\\.0\\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]')).toEqual([
      ['ip', '=%127\\.0\\.0\\.[1-9]%'],
      'user',
      'username',
      'timestamp',
      ['request', '=*.html*'],
      ['status_code', '=4*'],
      'bytes',
    ]);
    expect(slots('[..., status_code, bytes]')).toEqual(['...', 'status_code', 'bytes']);
    expect(slots('[ip, user, ..., status_code, bytes]')).toEqual(['ip', 'user', '...', 'status_code', 'bytes']);
    expect(slots('[ip, user, ...]')).toEqual(['ip', 'user', '...']);
    expect(slots('[ip, user, username, timestamp, request, status_code, bytes > 1000]').at(-1)).toEqual(['bytes', '>1000']);
  });

  it('reads && and || inside a field, && binding tighter', () => {
    expect(slots('[w1=ERROR || w1=WARNING, w2]')).toEqual([['w1', ['or', '=ERROR', '=WARNING']], 'w2']);
    expect(slots('[w1!=ERROR && w1!=WARNING, w2]')).toEqual([['w1', ['and', '!=ERROR', '!=WARNING']], 'w2']);
    expect(slots('[..., status_code = 404 || status_code = 410, bytes]')).toEqual(['...', ['status_code', ['or', '=404', '=410']], 'bytes']);
    expect(slots('[a = 1 || a = 2 && a != 3]')).toEqual([['a', ['or', '=1', ['and', '=2', '!=3']]]]);
  });

  // "[..., request=*.html*, status_code=4*,]" is the guide's example of extracted fields: the trailing comma adds an
  // unnamed field ($7 in the extracted fields).
  it('reads empty fields as unnamed fields', () => {
    expect(slots('[..., request=*.html*, status_code=4*,]')).toEqual(['...', ['request', '=*.html*'], ['status_code', '=4*'], null]);
    expect(slots('[,]')).toEqual([null, null]);
  });

  it('reads quoted values with commas and brackets inside', () => {
    expect(slots('[date, time, tag="rh-sched*", x02="jobs.", msg="a, b]", ...]')).toEqual([
      'date',
      'time',
      ['tag', '="rh-sched*"'],
      ['x02', '="jobs."'],
      ['msg', '="a, b]"'],
      '...',
    ]);
  });

  it.each([
    ['[a, b', 0, 'unclosed "[" opened at offset 0'],
    ['[', 0, 'unclosed "[" opened at offset 0'],
    ['[]', 0, 'empty space-delimited pattern'],
    ['[a] x', 4, 'unexpected \'x\' after the closing "]"'],
    ['[a b]', 3, 'expected "," or "]" after a field'],
    ['[a, .., b]', 4, 'expected a field name, "..." or ","'],
    ['[a = ]', 5, 'expected a value after ='],
    ['[a == 1]', 3, 'unknown operator =='],
    // The guide once wrote [w1=!ERROR&&w1=!WARN, w2]; it became [w1!=ERROR && w1!=WARNING, w2].
    ['[w1=!ERROR, w2]', 3, 'unknown operator =!'],
    ['[a > x]', 5, '> compares numbers'],
    ['[a = 1 && b = 2]', 10, 'a condition in the field a tests b'],
    ['[a = 1 && = 2]', 10, 'expected a condition on a'],
    ['[a = 1 && a 2]', 12, 'expected an operator after a'],
    ['[a = x:y]', 6, "':' cannot appear in an unquoted value"],
    ['[a = "x]', 5, 'unterminated string opened at offset 5'],
    ['[a = %x]', 5, 'unterminated regex opened at offset 5'],
    ['[a = %x%, b = %y%, c = %z%]', 23, 'at most 2 regex'],
    ['[a = (1)]', 5, 'expected a value after ='],
  ] as const)('%j is refused at offset %i', (text, offset, message) => {
    expectFilterError(text, offset, message);
  });
});
