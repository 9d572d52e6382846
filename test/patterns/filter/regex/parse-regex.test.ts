import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../../../src/patterns/filter/index.js';
import { expectFilterError } from '../support/expect-filter-error.js';

// Filter pattern syntax, "Supported regular expressions (regex) syntax".
describe('the supported regex syntax', () => {
  it.each([
    // The guide's own examples.
    '%AUTHORIZED%',
    '%^[hc]at%',
    '%[hc]at$%',
    '%colou?r%',
    '%[abc]%',
    '%[a-z]%',
    '%[abcx-z]%',
    '%a{3,5}%',
    '%gra|ey%',
    '%^starting|^initializing|^shutting down%',
    '%\\[.\\]%',
    '%10\\.10\\.0\\.1%',
    '%ab*c%',
    '%ab[0-9]*%',
    '%ab+c%',
    '%.at%',
    '%\\d%',
    '%[0-9]%',
    '%\\D%',
    '%[^0-9]%',
    '%\\s%',
    '%\\S%',
    '%\\w%',
    '%[a-zA-Z_0-9]%',
    '%\\W%',
    '%[^a-zA-Z_0-9]%',
    '%\\x3A%',
    '%\\x28%',
    '%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%',
    '%[Ee]rror|[Ff]ail%',
    // "Either m or n can be omitted"
    '%a{3}%',
    '%a{3,}%',
    '%a{,5}%',
    // Every listed symbol: ':', '_', '#', '=', '@', '/', ';', ',', '-'
    '%a:b_c#d=e@f/g;h,i-j%',
    // aws/aws-cdk#36901: a metric filter CloudWatch Logs accepted (spaces inside the regex)
    '%Task timed out after|^REPORT\\s.+\\sStatus: timeout%',
    '%a*?b+?c??%',
    '%}]%',
    '%[\\]\\[]%',
    '%[a-]%',
    '%[-a]%',
    '%[\\d_.]%',
    '%a|%',
  ])('accepts %s', (text) => {
    expect(compileFilterPattern(text).kind).toBe('regex');
  });

  it.each([
    // "The ( and ) operators are not supported. You cannot use parentheses to define a subpattern."
    ['%(a|b)c%', 1, "'(' is not supported in a regex: parentheses cannot define a subpattern"],
    ['%ab)%', 3, "')' is not supported in a regex"],
    ['%\\(%', 2, "'(' is not supported in a regex"],
    // "For example, %something!% would be rejected since '!' is not supported."
    ['%something!%', 10, "'!' is not supported in a regex (use \\x21 to match it)"],
    ['%a"b%', 2, `'"' is not supported in a regex`],
    ["%a'b%", 2, `"'" is not supported in a regex`],
    ['%a&b%', 2, "'&' is not supported in a regex"],
    ['%a~b%', 2, "'~' is not supported in a regex"],
    ['%a\tb%', 2, 'character U+0009 is not supported in a regex'],
    // "Multi-byte characters are not supported."
    ['%café%', 4, 'multi-byte characters are not supported in a regex'],
    ['%%', 0, 'empty regex'],
    ['%abc', 0, 'unterminated regex opened at offset 0'],
    ['%abc% x', 6, "unexpected 'x' after the regex: a regex filter pattern is a single %regex%"],
    ['%*a%', 1, "nothing to repeat before '*'"],
    ['%a|+b%', 3, "nothing to repeat before '+'"],
    ['%?%', 1, "nothing to repeat before '?'"],
    ['%{2}%', 1, "nothing to repeat before '{'"],
    ['%^*%', 2, 'nothing to repeat'],
    ['%a**%', 3, "'*' cannot follow another quantifier"],
    ['%a*+%', 3, "'+' cannot follow another quantifier"],
    ['%a???%', 4, "'?' cannot follow another quantifier"],
    ['%a{x}%', 3, 'expected a number after {'],
    ['%a{2%', 4, 'expected } to close the repetition opened at offset 2'],
    ['%a{2,x}%', 5, 'expected } to close the repetition'],
    ['%a{,}%', 2, 'a repetition {m,n} needs m, n or both'],
    ['%a{5,3}%', 2, 'has its minimum above its maximum'],
    ['%a{3, 5}%', 5, 'expected } to close the repetition'],
    ['%a{200000}%', 2, 'repetition bound too large'],
    ['%[abc%', 1, 'unclosed character class opened at offset 1'],
    ['%[]%', 1, 'empty character class'],
    ['%[a[b]]%', 3, '[ inside a character class must be escaped'],
    ['%[z-a]%', 2, 'range z-a is out of order'],
    // The regex ends at the next %, so a backslash cannot escape it.
    ['%a\\%', 2, 'a regex cannot end with a lone \\'],
    ['%\\q%', 1, 'unsupported escape \\q'],
    ['%\\b%', 1, 'unsupported escape \\b'],
    ['%\\1%', 1, 'unsupported escape \\1'],
    ['%\\xZZ%', 1, '\\x must be followed by two hexadecimal digits'],
    ['%\\x4%', 1, '\\x must be followed by two hexadecimal digits'],
    ['%a{1000}b{1000}c{1000}d{1000}e{1000}%', 1, 'regex too large'],
  ] as const)('%j is refused at offset %i', (text, offset, message) => {
    expectFilterError(text, offset, message);
  });

  it('reports the offset within the whole pattern for a regex inside a field', () => {
    expectFilterError('[ip, url=%/a(b%]', 12, "'(' is not supported in a regex");
  });
});
