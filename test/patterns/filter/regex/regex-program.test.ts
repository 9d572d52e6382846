import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRegex } from '../../../../src/patterns/filter/regex/regex-program.js';

function test(regex: string, text: string): boolean {
  return compileRegex(regex).test(text);
}

// Filter pattern syntax, "Usage of supported operators": each documented example, both ways.
describe('RegexProgram: the documented operators', () => {
  it.each([
    ['^[hc]at', ['hat', 'cat and dog'], ['that', 'a cat']],
    ['[hc]at$', ['a hat', 'bobcat'], ['hats', 'cat!']],
    ['colou?r', ['color', 'colour', 'watercolors'], ['colouur', 'colr']],
    ['[abc]', ['a', 'xbx', 'c'], ['d', '']],
    ['[a-z]', ['q'], ['Q', '1']],
    ['[abcx-z]', ['y', 'b'], ['d', 'w']],
    // "%a{3,5}% matches only "aaa", "aaaa", and "aaaaa"": as a search, any text holding three a's in a row.
    ['a{3,5}', ['aaa', 'aaaa', 'aaaaa', 'xaaax'], ['aa', 'a a a']],
    ['gra|ey', ['gray', 'grey'], ['gruy', 'gr ay']],
    ['^starting|^initializing|^shutting down', ['starting now', 'initializing x', 'shutting down'], ['skipping initializing ...', 'shutting']],
    ['abcc|ab[^c]$', ['abcc ...', 'aba', 'xxaba'], ['aac ...', 'abc']],
    ['\\[.\\]', ['[a]', '[b]', '[7]', '[@]', '[]]', '[ ]'], ['[]', '[ab]']],
    ['10\\.10\\.0\\.1', ['10.10.0.1'], ['10010,051']],
    ['10.10.0.1', ['10010,051', '10.10.0.1'], ['10.10.0']],
    ['ab*c', ['ac', 'abc', 'abbbc'], ['ab', 'a c']],
    ['ab[0-9]*', ['ab', 'ab0', 'ab129'], ['a b']],
    ['ab+c', ['abc', 'abbc', 'abbbc'], ['ac']],
    ['.at', ['hat', 'cat', 'bat', '4at', '#at', ' at'], ['at', '\nat']],
    ['\\d', ['x7'], ['xyz']],
    ['\\D', ['7x'], ['123', '']],
    ['\\s', ['a b', 'a\tb', 'a\nb'], ['ab']],
    ['\\S', [' a '], ['  \t']],
    ['\\w', ['_'], ['-+ ']],
    ['\\W', ['a-b'], ['a_b9']],
    ['\\x3A', ['a:b'], ['ab']],
    ['\\x28', ['f(x)'], ['fx']],
    ['a{,2}b', ['b', 'ab', 'aab', 'aaab'], ['a']],
    ['a{2,}', ['aa', 'aaaa'], ['a', 'aba']],
    ['a{0}b', ['b'], ['a']],
    ['^$', [''], ['x']],
    ['a|', ['', 'anything'], []],
  ] as const)('%s', (regex, yes, no) => {
    for (const text of yes) expect(test(regex, text), `${regex} on ${JSON.stringify(text)}`).toBe(true);
    for (const text of no) expect(test(regex, text), `${regex} on ${JSON.stringify(text)}`).toBe(false);
  });

  it('is case sensitive ("Filter patterns are case sensitive")', () => {
    expect(test('AUTHORIZED', 'authorized')).toBe(false);
    expect(test('[A-Z]', 'abc')).toBe(false);
  });

  it('reads characters, not UTF-16 halves', () => {
    expect(test('^.$', '😀')).toBe(true);
    expect(test('^..$', '😀')).toBe(false);
    expect(test('^\\W$', '😀')).toBe(true);
    expect(test('[^a]', '😀')).toBe(true);
    expect(test('^.$', '\u2028')).toBe(false);
    expect(test('^\\xE9$', 'é')).toBe(true);
  });

  it('takes linear time where a backtracking engine would not', () => {
    const hostile = 'a'.repeat(50_000);
    const started = Date.now();
    expect(test('a*a*a*a*a*a*a*a*a*a*a*a*b', hostile)).toBe(false);
    expect(test('^\\w*\\w*\\w*\\w*\\w*\\w*-?$|x{0,50}y', hostile)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('can be used again and again (state is reset between calls)', () => {
    const program = compileRegex('ab$');
    expect(program.test('xab')).toBe(true);
    expect(program.test('abx')).toBe(false);
    expect(program.test('ab')).toBe(true);
    expect(program.test('')).toBe(false);
  });
});

/** Random regexes of the supported dialect, written both for this engine and for JavaScript's RegExp. */
const ALPHABET = ['a', 'b', 'c', '1', ' ', '-', ':', '_', 'A', '.', '[', ']', '\n', '\\', '{'];
const atom: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.constantFrom('a', 'b', 'c', '1', ' ', '-', ':', '_', 'A').map((ch): [string, string] => [ch, ch === '-' ? '\\-' : ch]),
  fc.constantFrom('.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\.', '\\[', '\\]', '\\\\', '\\{', '\\x41', '\\x5B').map((s): [string, string] => [s, s]),
  fc.constantFrom('[abc]', '[^a]', '[a-c1]', '[\\d_]', '[^\\w]', '[-a]', '[\\]\\[]', '[ A]').map((s): [string, string] => [s, s]),
);
const quantifier = fc.constantFrom<[string, string]>(['', ''], ['', ''], ['*', '*'], ['+', '+'], ['?', '?'], ['{2}', '{2}'], ['{1,}', '{1,}'], ['{,2}', '{0,2}'], ['{1,3}', '{1,3}'], ['*?', '*?'], ['+?', '+?']);
const item = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(atom, quantifier).map(([[a, b], [q, r]]): [string, string] => [a + q, b + r]) },
  { weight: 1, arbitrary: fc.constantFrom<[string, string]>(['^', '^'], ['$', '$']) },
);
const branch = fc.array(item, { minLength: 1, maxLength: 5 }).map((items): [string, string] => [items.map((i) => i[0]).join(''), items.map((i) => i[1]).join('')]);
const regex = fc.array(branch, { minLength: 1, maxLength: 3 }).map((branches): [string, string] => [
  branches.map((b) => b[0]).join('|'),
  branches.map((b) => b[1]).join('|'),
]);
const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 12 }).map((chars) => chars.join(''));

describe('RegexProgram against JavaScript RegExp', () => {
  it('agrees on every regex of the dialect and ASCII text (RegExp as oracle)', () => {
    fc.assert(
      fc.property(regex, fc.array(text, { minLength: 1, maxLength: 8 }), ([ours, theirs], texts) => {
        const program = compileRegex(ours);
        const oracle = new RegExp(theirs);
        for (const t of texts) expect(program.test(t), `${ours} on ${JSON.stringify(t)}`).toBe(oracle.test(t));
      }),
      { numRuns: 3000 },
    );
  });
});
