import { describe, expect, it } from 'vitest';
import { PatternError } from '../../../../src/patterns/errors.js';
import { parseJsonText } from '../../../../src/patterns/eventbridge/syntax/json-text.js';

function syntaxError(text: string): PatternError {
  try {
    parseJsonText(text);
  } catch (error) {
    if (error instanceof PatternError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(text)} parsed, but should not have`);
}

describe('parseJsonText', () => {
  it('parses what JSON.parse parses, to the same values', () => {
    const samples = [
      '{"a": ["b", 1, -2.5e3, true, false, null, {"c": []}]}',
      ' {\n\t"x" : "\\u00e9\\n\\"\\\\\\/" } ',
      '[]',
      '0',
      '"s"',
      '{"a": 1, "a": 2}',
      '{"__proto__": ["x"]}',
    ];
    for (const text of samples) expect(parseJsonText(text)).toStrictEqual(JSON.parse(text));
  });

  it('keeps "__proto__" as an ordinary key instead of changing the prototype', () => {
    const parsed = parseJsonText('{"__proto__": {"polluted": ["yes"]}}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  // EventBridge refuses unparseable patterns with the parser's position, e.g. "Unexpected character (''' (code 39)):
  // was expecting double-quote to start field name ... line: 1, column: 2" (localstack/localstack
  // tests/aws/services/events/test_events_patterns.snapshot.json, test_invalid_json_event_pattern, AWS-recorded).
  it.each([
    ["{'bad': 'quotation'}", 1],
    ['{"not": closed mark"', 8],
    ['this is valid json but not a dict', 0],
    ['{"a": [1,}', 9],
    ['{"a": [1] ', 10],
    ['{"a" [1]}', 5],
    ['{"a": "unterminated', 19],
    ['{"a": ["\\x"]}', 8],
    ['{"a": [01]}', 8],
    ['{"a": [1.]}', 9],
    ['{"a": [-]}', 8],
    ['{"a": ["tab\there"]}', 11],
    ['{"a": [1]} extra', 11],
    ['', 0],
  ])('refuses %j with the position %d', (text, offset) => {
    const error = syntaxError(text);
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(`position ${offset}`);
  });
});
