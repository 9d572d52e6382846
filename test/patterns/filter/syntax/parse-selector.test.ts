import { describe, expect, it } from 'vitest';
import { Cursor } from '../../../../src/patterns/filter/syntax/cursor.js';
import { readSelector } from '../../../../src/patterns/filter/syntax/parse-selector.js';
import { expectFilterError } from '../support/expect-filter-error.js';

function steps(text: string) {
  const cursor = new Cursor(text);
  const selector = readSelector(cursor);
  return { steps: selector.steps, text: selector.text, rest: text.slice(cursor.pos) };
}

// Filter pattern syntax, JSON: "Set off property selectors with a dollar sign followed by a period ("$.").
// Property selectors are alphanumeric strings that support hyphen ("-") and underscore ("_") characters."
describe('readSelector', () => {
  it('reads names, indexes and nested indexes', () => {
    expect(steps('$.eventName = x')).toEqual({ steps: [{ kind: 'key', key: 'eventName' }], text: '$.eventName', rest: ' = x' });
    expect(steps('$.users[0].email=')).toEqual({
      steps: [{ kind: 'key', key: 'users' }, { kind: 'index', index: 0 }, { kind: 'key', key: 'email' }],
      text: '$.users[0].email',
      rest: '=',
    });
    // { $.coordinates[0][1] = nonmatch } (compound-expression examples)
    expect(steps('$.coordinates[0][1]').steps).toEqual([{ kind: 'key', key: 'coordinates' }, { kind: 'index', index: 0 }, { kind: 'index', index: 1 }]);
    expect(steps('$.my-field_2.x').steps).toEqual([{ kind: 'key', key: 'my-field_2' }, { kind: 'key', key: 'x' }]);
  });

  // "You can use the JSON wildcard to select any array element or any JSON object field."
  it('reads the wildcards $.* and [*]', () => {
    expect(steps('$.*').steps).toEqual([{ kind: 'any-key' }]);
    expect(steps('$.arrayKey[*]').steps).toEqual([{ kind: 'key', key: 'arrayKey' }, { kind: 'any-index' }]);
    expect(steps('$.a.*.b').steps).toEqual([{ kind: 'key', key: 'a' }, { kind: 'any-key' }, { kind: 'key', key: 'b' }]);
  });

  // "If the JSON property contains a period ("."), then the bracket notation may be used": { $.['cluster.name'] = "c" }
  it("reads bracket notation for keys with periods: $.['cluster.name']", () => {
    expect(steps("$.['cluster.name'] = c").steps).toEqual([{ kind: 'key', key: 'cluster.name' }]);
    expect(steps("$.a['b.c'].d").steps).toEqual([{ kind: 'key', key: 'a' }, { kind: 'key', key: 'b.c' }, { kind: 'key', key: 'd' }]);
    expect(steps("$.a.['@timestamp']").steps).toEqual([{ kind: 'key', key: 'a' }, { kind: 'key', key: '@timestamp' }]);
  });

  it.each([
    ['{ $. = 1 }', 4, 'expected a property name after "."'],
    ['{ $.a. = 1 }', 6, 'expected a property name after "."'],
    ['{ $.@timestamp = 1 }', 4, "expected a property name after \".\" but found '@'"],
    ['{ $$.a = 1 }', 3, 'empty selector'],
    // "Array elements are denoted with [NUMBER] syntax, and must follow a property" (before 2023)
    ['{ $.[0] = 1 }', 4, 'an array index must follow a property name'],
    ['{ $.a.[0] = 1 }', 6, 'an array index must follow a property name'],
    ['{ $.a[] = 1 }', 6, 'expected an array index or * after "["'],
    ['{ $.a[x] = 1 }', 6, 'expected an array index or * after "["'],
    ['{ $.a[-1] = 1 }', 6, 'expected an array index or * after "["'],
    ['{ $.a[0 = 1 }', 7, 'expected "]" to close the "[" opened at offset 5'],
    ['{ $.a[*x] = 1 }', 7, 'expected "]"'],
    ["{ $.['a.b = 1 }", 4, "unterminated ['...'] property name opened at offset 4"],
    ["{ $.['a.b'x = 1 }", 10, 'expected "]" after the quoted property name'],
    // "You can only use up to one wildcard selector in a property selector."
    ['{ $.a.*.b[*] = 1 }', 9, 'at most 1 wildcard'],
    ['{ $.*.* = 1 }', 6, 'at most 1 wildcard'],
  ] as const)('%j is refused at offset %i', (text, offset, message) => {
    expectFilterError(text, offset, message);
  });
});
