import { describe, expect, it } from 'vitest';
import { compileValueTest } from '../../../../src/patterns/filter/matching/value-test.js';
import { compileWildcard, wildcardShape } from '../../../../src/patterns/filter/matching/wildcard.js';

describe('compileWildcard', () => {
  it.each([
    ['*', ['', 'x'], []],
    ['**', ['', '*'], []],
    ['abc', ['abc'], ['ab', 'abcd', 'ABC', '']],
    ['abc*', ['abc', 'abcd'], ['xabc']],
    ['*abc', ['abc', 'xabc'], ['abcd']],
    ['*abc*', ['abc', 'xabcx'], ['ab c']],
    ['a*c', ['a*c'], ['abc', 'ac']],
    ['*a*c*', ['xa*cx'], ['xabcx']],
    ['', [''], ['x']],
  ] as const)('%j', (pattern, yes, no) => {
    const test = compileWildcard(pattern);
    for (const text of yes) expect(test(text), text).toBe(true);
    for (const text of no) expect(test(text), text).toBe(false);
  });

  it('describes its shape for hints', () => {
    expect(wildcardShape('abc')).toEqual({ kind: 'exact', text: 'abc' });
    expect(wildcardShape('a*c')).toEqual({ kind: 'exact', text: 'a*c' });
    expect(wildcardShape('abc*')).toEqual({ kind: 'prefix', text: 'abc' });
    expect(wildcardShape('*abc')).toEqual({ kind: 'other' });
    expect(wildcardShape('*')).toEqual({ kind: 'other' });
  });
});

describe('compileValueTest', () => {
  const number = (text: string) => ({ kind: 'number' as const, text, value: Number(text), offset: 0 });
  const string = (text: string) => ({ kind: 'string' as const, text, quoted: false, offset: 0 });

  it('= with a number: numeric for numbers and fields, as written for strings', () => {
    const test = compileValueTest('=', number('1.0'));
    expect([test.number(1), test.string('1.0'), test.string('1'), test.field('1'), test.field('1.0'), test.field('x')]).toEqual([true, true, false, true, true, false]);
  });

  it('!= negates = for each kind', () => {
    const test = compileValueTest('!=', number('5'));
    expect([test.number(5), test.number(6), test.string('5'), test.string('6'), test.field('5.0'), test.field('x')]).toEqual([false, true, false, true, false, true]);
    const text = compileValueTest('!=', string('a*'));
    expect([text.string('abc'), text.string('b'), text.number(1), text.field('ax')]).toEqual([false, true, true, false]);
  });

  it('order operators hold only for numbers', () => {
    for (const [operator, expected] of [
      ['<', [true, false, false]],
      ['<=', [true, true, false]],
      ['>', [false, false, true]],
      ['>=', [false, true, true]],
    ] as const) {
      const test = compileValueTest(operator, number('5'));
      expect([test.number(4), test.number(5), test.number(6)], operator).toEqual(expected);
      expect(test.string('4') || test.string('6'), operator).toBe(false);
      expect([test.field('4'), test.field('5'), test.field('6'), test.field('five')], operator).toEqual([...expected, false]);
    }
  });

  it('regex tests search the text, numbers through their JSON text', () => {
    const test = compileValueTest('=', { kind: 'regex', source: '^4\\d\\d$', offset: 0 });
    expect([test.number(404), test.number(4040), test.string('404'), test.field('404')]).toEqual([true, false, true, true]);
  });
});
