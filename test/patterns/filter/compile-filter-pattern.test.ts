import { describe, expect, it, vi } from 'vitest';
import { PatternError } from '../../../src/patterns/errors.js';
import { compileFilterPattern } from '../../../src/patterns/filter/index.js';
import { expectFilterError } from './support/expect-filter-error.js';

// Filter pattern syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
describe('compileFilterPattern: the kind of pattern', () => {
  it.each([
    ['{ $.eventName = "ConsoleLogin" }', 'json'],
    ['  {$.a=1}  ', 'json'],
    ['[ip, user, ...]', 'space-delimited'],
    ['%AUTHORIZED%', 'regex'],
    ['ERROR', 'terms'],
    ['?ERROR ?WARN', 'terms'],
    ['"INTERNAL SERVER ERROR"', 'terms'],
    ['-DEBUG', 'terms'],
    ['', 'match-all'],
    ['   ', 'match-all'],
    // "The filter pattern "" matches all log events" (before 2023); "You can match everything ... with double
    // quotation marks": " " (today).
    ['""', 'match-all'],
    ['" "', 'match-all'],
  ] as const)('%j is a %s pattern', (text, kind) => {
    const pattern = compileFilterPattern(text);
    expect(pattern.kind).toBe(kind);
    expect(pattern.text).toBe(text);
  });

  it('a match-all pattern matches every message and every record', () => {
    for (const text of ['', ' ', '""', '" "', '?" "']) {
      const pattern = compileFilterPattern(text);
      expect(pattern.matches('')).toBe(true);
      expect(pattern.matches('anything at all')).toBe(true);
      expect(pattern.matches({ eventName: 'ConsoleLogin' })).toBe(true);
    }
  });

  it('a blank quoted term next to other terms adds nothing', () => {
    expect(compileFilterPattern('ERROR " "').kind).toBe('terms');
    expect(compileFilterPattern('ERROR " "').matches('ERROR x')).toBe(true);
    expect(compileFilterPattern('ERROR " "').matches('WARN x')).toBe(false);
  });
});

describe('compileFilterPattern: limits', () => {
  // filterPattern "Length Constraints: Minimum length of 0. Maximum length of 1024." (CloudWatch Logs API Reference).
  it('accepts a pattern of 1024 characters and refuses 1025, at offset 1024', () => {
    const atLimit = `{ $.eventName = "${'A'.repeat(1024 - 20)}" }`;
    expect(atLimit).toHaveLength(1024);
    expect(compileFilterPattern(atLimit).matches({ eventName: 'A'.repeat(1004) })).toBe(true);
    const error = expectFilterError(`${atLimit} `, 1024, 'at most 1024');
    expect(error.message).toContain('1025 characters');
  });

  it('counts the length before anything else, so an over-long pattern is refused even if it is also malformed', () => {
    expectFilterError('{'.repeat(2000), 1024, 'at most 1024');
  });

  it('refuses a value that is not a string with a PatternError', () => {
    for (const value of [undefined, null, 42, {}, ['x']]) {
      expect(() => compileFilterPattern(value as unknown as string)).toThrow(PatternError);
    }
  });
});

describe('compileFilterPattern: inputs', () => {
  const json = compileFilterPattern('{ $.eventName = "ConsoleLogin" }');
  const terms = compileFilterPattern('ConsoleLogin');

  it('a JSON pattern matches a parsed record and the same record as a JSON message', () => {
    const record = { eventName: 'ConsoleLogin' };
    expect(json.matches(record)).toBe(true);
    expect(json.matches(JSON.stringify(record))).toBe(true);
    expect(json.matches(`  ${JSON.stringify(record)}\n`)).toBe(true);
  });

  it('a JSON pattern does not match a message that is not a JSON object', () => {
    for (const message of ['ConsoleLogin', '{"eventName": "ConsoleLogin"', '["ConsoleLogin"]', '"ConsoleLogin"', 'null', '', '42']) {
      expect(json.matches(message), message).toBe(false);
    }
    expect(json.matches(['ConsoleLogin'])).toBe(false);
  });

  it('the other kinds match an object against its JSON text', () => {
    expect(terms.matches({ eventName: 'ConsoleLogin' })).toBe(true);
    expect(terms.matches({ eventName: 'GetObject' })).toBe(false);
    expect(compileFilterPattern('"\\"eventName\\":\\"ConsoleLogin\\""').matches({ eventName: 'ConsoleLogin' })).toBe(true);
    expect(compileFilterPattern('%eventName\\x22:\\x22Console%').matches({ eventName: 'ConsoleLogin' })).toBe(true);
    expect(compileFilterPattern('[w1 = *ConsoleLogin*]').matches({ eventName: 'ConsoleLogin' })).toBe(true);
  });

  it('never throws on inputs no log event could be', () => {
    const cyclic: Record<string, unknown> = { eventName: 'ConsoleLogin' };
    cyclic.self = cyclic;
    const throwing = Object.defineProperty({}, 'eventName', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const pattern of [json, terms, compileFilterPattern('[a]'), compileFilterPattern('%x%'), compileFilterPattern('{ $.* = x }')]) {
      for (const input of [cyclic, throwing, revoked.proxy, { big: 10n }, null, undefined, 42, Symbol('x')] as unknown[]) {
        expect(() => pattern.matches(input as object)).not.toThrow();
      }
    }
    expect(json.matches(throwing)).toBe(false);
    expect(terms.matches({ big: 10n })).toBe(false);
    expect(compileFilterPattern('').matches(null as unknown as object)).toBe(false);
  });
});

describe('compileFilterPattern: cost', () => {
  it('matches a JSON pattern against an object without serialising or parsing it', () => {
    const pattern = compileFilterPattern('{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") || $.* = %x% }');
    const stringify = vi.spyOn(JSON, 'stringify');
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(pattern.matches({ eventName: 'ConsoleLogin', additionalEventData: { MFAUsed: 'No' } })).toBe(true);
      expect(pattern.matches({ eventName: 'GetObject', a: 'x' })).toBe(true);
      expect(stringify).not.toHaveBeenCalled();
      expect(parse).not.toHaveBeenCalled();
    } finally {
      stringify.mockRestore();
      parse.mockRestore();
    }
  });

  it('parses deeply nested parentheses up to the length limit', () => {
    const depth = 500;
    const text = `{${'('.repeat(depth)}$.a = 1${')'.repeat(depth)}}`;
    expect(text.length).toBeLessThanOrEqual(1024);
    expect(compileFilterPattern(text).matches({ a: 1 })).toBe(true);
  });
});
