import { describe, expect, it } from 'vitest';
import { globListMatcher, globMatch, hasWildcard } from '../../src/util/glob.js';

describe('globMatch', () => {
  it.each([
    ['arn:aws:sts::123456789012:assumed-role/Deploy/*', 'arn:aws:sts::123456789012:assumed-role/Deploy/gha-1', true],
    ['arn:aws:sts::123456789012:assumed-role/Deploy/*', 'arn:aws:sts::123456789012:assumed-role/Deployer/x', false],
    ['arn:aws:iam::*:role/Admin', 'arn:aws:iam::210987654321:role/Admin', true],
    ['*', '', true],
    ['', '', true],
    ['', 'x', false],
    ['a*', 'a', true],
    ['*a*b*', 'xxaxxbxx', true],
    ['*a*b*', 'xxbxxaxx', false],
    // Every other character is literal: no regular-expression meaning, `?` included unless asked for.
    ['role/a.b', 'role/axb', false],
    ['role/a+b', 'role/a+b', true],
    ['sts:AssumeRol?', 'sts:AssumeRole', false],
    ['sts:AssumeRol?', 'sts:AssumeRol?', true],
    ['(x)|[y]{2}^$\\', '(x)|[y]{2}^$\\', true],
    // A `*` in the value is just a character: the pattern's `*` still spans it.
    ['a*c', 'a*bc', true],
    // Case matters unless told otherwise.
    ['Deploy*', 'deploy-1', false],
  ])('%j ~ %j = %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });

  it('IAM semantics on request: ? is one character, case is ignored', () => {
    const iam = { singleCharacter: true, ignoreCase: true };
    expect(globMatch('sts:AssumeRol?', 'sts:assumerole', iam)).toBe(true);
    expect(globMatch('sts:AssumeRole?', 'sts:assumerole', iam)).toBe(false);
    expect(globMatch('s*s:*Role', 'sts:assumerole', iam)).toBe(true);
    expect(globMatch('sts:*', 'STS:TagSession', iam)).toBe(true);
  });

  it('matches across line breaks like any other character', () => {
    expect(globMatch('a*b', 'a\nb')).toBe(true);
  });

  it('stays fast on adversarial patterns (no regular expression is built from them)', () => {
    const started = Date.now();
    expect(globMatch(`arn:${'*a'.repeat(40)}b`, `arn:${'a'.repeat(20_000)}`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('globListMatcher / hasWildcard', () => {
  it('matches any pattern of the list; patterns without a wildcard are compared exactly', () => {
    const matches = globListMatcher(['cloudtrail-*', 'root-console-login', 'iam-*-changes']);
    expect(['cloudtrail-disabled', 'root-console-login', 'iam-policy-changes'].map(matches)).toEqual([true, true, true]);
    expect(['root-console-login-x', 'vpc-changes', 'iam-changes'].map(matches)).toEqual([false, false, false]);
    expect(globListMatcher([])('x')).toBe(false);
  });

  it('knows what counts as a wildcard', () => {
    expect(hasWildcard('a*')).toBe(true);
    expect(hasWildcard('a?')).toBe(false);
    expect(hasWildcard('a?', { singleCharacter: true })).toBe(true);
  });
});
