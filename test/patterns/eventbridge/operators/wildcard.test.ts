import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWildcard, wildcardMatches } from '../../../../src/patterns/eventbridge/operators/wildcard.js';
import { expectPatternError } from '../support/expect-pattern-error.js';
import { accepts } from '../support/match-helpers.js';

const wildcard = (text: string): unknown[] => [{ wildcard: text }];

describe('wildcard matching', () => {
  // "FileName is a file path with a .png extension, located within the folder dir": "dir/*.png"
  // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html; AWS-recorded
  // localstack/localstack tests/aws/services/events/event_pattern_templates/content_wildcard_repeating.json5).
  it('matches any run of characters, including none, at each *', () => {
    expect(accepts(wildcard('dir/*.png'), 'dir/a.png')).toBe(true);
    expect(accepts(wildcard('dir/*.png'), 'dir/.png')).toBe(true);
    expect(accepts(wildcard('dir/*.png'), 'dir/a/b.png')).toBe(true);
    expect(accepts(wildcard('dir/*.png'), 'dir/a.jpg')).toBe(false);
    expect(accepts(wildcard('dir/*.png'), 'xdir/a.png')).toBe(false);
    expect(accepts(wildcard('/Users/*/dir/dir/dir/dir/dir/doc.txt'), '/Users/ls_user/dir/dir/dir/dir/dir/doc.txt')).toBe(true);
    expect(accepts(wildcard('*'), '')).toBe(true);
    expect(accepts(wildcard('a*b*c'), 'abc')).toBe(true);
    expect(accepts(wildcard('a*b*c'), 'ab')).toBe(false);
    expect(accepts(wildcard('a*a'), 'a')).toBe(false);
    expect(accepts(wildcard('ab*ba'), 'aba')).toBe(false);
    expect(accepts(wildcard('arn:aws:iam::*:role/*'), 'arn:aws:iam::123456789012:role/Admin')).toBe(true);
  });

  it('without any * is an exact, case-sensitive match', () => {
    expect(accepts(wildcard('abc'), 'abc')).toBe(true);
    expect(accepts(wildcard('abc'), 'ABC')).toBe(false);
    expect(accepts(wildcard(''), '')).toBe(true);
    expect(accepts(wildcard(''), 'x')).toBe(false);
  });

  // "Wildcard matches only work on string-valued fields." (aws/event-ruler README.md)
  it('never matches non-strings', () => {
    expect(accepts(wildcard('*'), 1)).toBe(false);
    expect(accepts(wildcard('*'), null)).toBe(false);
    expect(accepts(wildcard('t*'), true)).toBe(false);
  });

  // "The string \* represents the literal * character. The string \\ represents the literal \ character."
  // (EventBridge wildcard docs, quoted in localstack/localstack tests/aws/services/events/test_events_patterns.py
  // test_event_pattern_with_escape_characters); aws/event-ruler input/WildcardParser.java.
  it('treats \\* and \\\\ as literal characters', () => {
    expect(accepts(wildcard('a\\*b'), 'a*b')).toBe(true);
    expect(accepts(wildcard('a\\*b'), 'axb')).toBe(false);
    expect(accepts(wildcard('a\\\\b'), 'a\\b')).toBe(true);
    expect(accepts(wildcard('\\**'), '*anything')).toBe(true); // an escaped star followed by a wildcard
    expect(accepts(wildcard('\\**'), 'anything')).toBe(false);
    expect(accepts(wildcard('*\\*'), 'ends with *')).toBe(true);
  });

  it('agrees with a regular-expression reading of the same glob', () => {
    const alphabet = fc.constantFrom('a', 'b', '*');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }), fc.array(fc.constantFrom('a', 'b'), { maxLength: 10 }), (globChars, valueChars) => {
        const glob = globChars.join('');
        fc.pre(!glob.includes('**'));
        const value = valueChars.join('');
        const regex = new RegExp(`^${glob.replaceAll('*', '.*')}$`, 's');
        expect(wildcardMatches(parseWildcard(glob, 'f'), value)).toBe(regex.test(value));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('wildcard validation', () => {
  // "Consecutive wildcard characters at pos 26" (AWS-recorded: content_wildcard_repeating_star_EXC.json5 and
  // test_events_patterns.snapshot.json); "Invalid escape character" (aws/event-ruler WildcardParser.java).
  it.each([
    ['arn:aws:events:us-east-1:**:event-bus/*', /consecutive wildcard characters at position 25/],
    ['**', /consecutive wildcard characters at position 0/],
    ['a\\b', /invalid escape at position 1/],
    ['trailing\\', /invalid escape at position 8/],
    ['\\"', /invalid escape at position 0/],
  ])('refuses %j', (text, reason) => {
    expectPatternError({ EventBusArn: wildcard(text) }, { key: 'EventBusArn', shows: JSON.stringify(text), reason });
  });

  it('accepts a wildcard after an escaped star', () => {
    expect(parseWildcard('\\**', 'k').pieces).toEqual(['*', '']);
    expect(parseWildcard('a*b\\\\*', 'k').pieces).toEqual(['a', 'b\\', '']);
  });
});
