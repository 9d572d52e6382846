import { describe, expect, it } from 'vitest';
import { expectPatternError } from '../support/expect-pattern-error.js';
import { accepts, acceptsMissing } from '../support/match-helpers.js';

const but = (operand: unknown): unknown[] => [{ 'anything-but': operand }];

// Event-ruler/EventBridge sources used below:
//  [docs]   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html (operator table)
//           and eb-event-patterns-content-based-filtering.html ("lists that contain only strings, or only numbers")
//  [ruler]  aws/event-ruler src/main/software/amazon/event/ruler/JsonRuleCompiler.java and ByteMachine.java
//  [aws]    localstack/localstack tests/aws/services/events/event_pattern_templates/<name>.json5, recorded against
//           EventBridge's TestEventPattern (errors in test_events_patterns.snapshot.json)
describe('anything-but', () => {
  // [docs] "state": [{"anything-but": "initializing"}], "x-limit": [{"anything-but": 123}], lists of either.
  it('excludes single strings, single numbers and lists of either', () => {
    expect(accepts(but('initializing'), 'running')).toBe(true);
    expect(accepts(but('initializing'), 'initializing')).toBe(false);
    expect(accepts(but(123), 124)).toBe(true);
    expect(accepts(but(123), 123)).toBe(false);
    expect(accepts(but(123), 123.0)).toBe(false);
    expect(accepts(but(['stopped', 'overloaded']), 'running')).toBe(true);
    expect(accepts(but(['stopped', 'overloaded']), 'overloaded')).toBe(false);
    expect(accepts(but([100, 200, 300]), 250)).toBe(true);
    expect(accepts(but([100, 200, 300]), 300)).toBe(false);
    expect(accepts(but(0), 789)).toBe(true); // [aws] content_anything_but_number_zero
  });

  // [aws] content_anything_but_string_missing_NEG: a missing field matches no anything-but.
  it('never matches a missing field', () => {
    expect(acceptsMissing(but('x'))).toBe(false);
    expect(acceptsMissing(but({ prefix: 'x' }))).toBe(false);
    expect(acceptsMissing(but([1, 2]))).toBe(false);
  });

  // [aws] content_anything_but_string_null (null matches anything-but "initializing"; the same with a PutEvents rule in
  // tests/aws/services/events/test_events_patterns.py test_put_events_with_rule_pattern_anything_but), and
  // content_anything_prefix_int_value / content_anything_wildcard_int (a number matches anything-but prefix/wildcard).
  // [ruler] ByteMachine: an exclusion only fails values of its own type, since strings are compared quoted.
  it('matches values of another type than the excluded ones, null included', () => {
    expect(accepts(but('initializing'), null)).toBe(true);
    expect(accepts(but(['a', 'b']), 5)).toBe(true);
    expect(accepts(but(['300']), 300)).toBe(true);
    expect(accepts(but([300]), '300')).toBe(true);
    expect(accepts(but([1]), true)).toBe(true);
    expect(accepts(but({ prefix: 'init' }), 12)).toBe(true);
    expect(accepts(but({ wildcard: '*/dir/*' }), 123)).toBe(true);
    expect(accepts(but({ suffix: '.png' }), null)).toBe(true);
    expect(accepts(but({ 'equals-ignore-case': 'x' }), false)).toBe(true);
  });

  // Each element of an event array is a separate value; the field matches if any of them does
  // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html, [ruler] Event.java).
  it('matches an array when any element is not excluded, and not an empty array', () => {
    expect(accepts(but('banned'), ['banned', 'ok'])).toBe(true);
    expect(accepts(but('banned'), ['banned', 'banned'])).toBe(false);
    expect(accepts(but('banned'), [])).toBe(false);
  });

  // [docs] operator table: anything-but with prefix, suffix, equals-ignore-case and wildcard; lists of each
  // ([aws] content_anything_prefix_list, content_anything_suffix_list, content_anything_but_ignorecase_list,
  // content_anything_wildcard_list and their _NEG counterparts).
  it('excludes prefixes, suffixes, case-insensitive values and wildcards, singly or in lists', () => {
    expect(accepts(but({ prefix: 'us-' }), 'eu-west-1')).toBe(true);
    expect(accepts(but({ prefix: 'us-' }), 'us-east-1')).toBe(false);
    expect(accepts(but({ prefix: ['us-', 'eu-'] }), 'eu-west-1')).toBe(false);
    expect(accepts(but({ prefix: ['us-', 'eu-'] }), 'ap-south-1')).toBe(true);
    expect(accepts(but({ suffix: '.png' }), 'a.jpg')).toBe(true);
    expect(accepts(but({ suffix: '.png' }), 'a.png')).toBe(false);
    expect(accepts(but({ suffix: ['.png', '.txt'] }), 'a.txt')).toBe(false);
    expect(accepts(but({ 'equals-ignore-case': 'initializing' }), 'INITIALIZING')).toBe(false);
    expect(accepts(but({ 'equals-ignore-case': 'initializing' }), 'running')).toBe(true);
    expect(accepts(but({ 'equals-ignore-case': ['a', 'B'] }), 'b')).toBe(false);
    expect(accepts(but({ wildcard: '*/lib/*' }), '/usr/lib/x')).toBe(false);
    expect(accepts(but({ wildcard: '*/lib/*' }), '/usr/bin/x')).toBe(true);
    expect(accepts(but({ wildcard: ['*.png', '*/lib/*'] }), 'x.png')).toBe(false);
    // [aws] content_anything_wildcard_empty: an empty wildcard excludes only the empty string.
    expect(accepts(but({ wildcard: '' }), 'dir/init/file')).toBe(true);
    expect(accepts(but({ wildcard: '' }), '')).toBe(false);
  });
});

describe('anything-but validation', () => {
  const key = 'detail.state';
  const at = (operand: unknown): object => ({ detail: { state: but(operand) } });

  it.each([
    // [aws] content_anything_but_string_null_type_EXC; [ruler] "Value of anything-but must be an array or single string/number value."
    [null, 'null', /must be a string, a number, a list of them, or an object/],
    [true, 'true', /must be a string, a number, a list of them, or an object/],
    // [docs] "lists that contain only strings, or only numbers"; [ruler] "mixed type is not supported"
    [['a', 1], '["a",1]', /only strings or only numbers/],
    [[], '[]', /must not be empty/],
    // [ruler] "Inside anything but list, start|null|boolean is not supported."
    [['a', null], '["a",null]', /only hold strings or numbers/],
    [[['a']], '[["a"]]', /only hold strings or numbers/],
    [[{ prefix: 'a' }], '[{"prefix":"a"}]', /only hold strings or numbers/],
    // [ruler] ComparableNumber: numbers are limited to ±5.0e9
    [6e9, '6000000000', /between -5.0e9 and 5.0e9/],
    [[1, 1e10], '[1,10000000000]', /between -5.0e9 and 5.0e9/],
    // [ruler] "Unsupported anything-but pattern", "Anything-but expression name not found"
    [{ numeric: ['>', 1] }, '{"numeric":[">",1]}', /not "numeric"/],
    [{ exists: false }, '{"exists":false}', /not "exists"/],
    [{}, '{}', /needs an operator/],
    // [aws] content_anything_prefix_empty_EXC, content_anything_suffix_empty_EXC: "Null prefix/suffix not allowed"
    [{ prefix: '' }, '""', /must not be empty/],
    [{ suffix: ['', '.x'] }, '["",".x"]', /must not be empty/],
    // [aws] content_anything_prefix_int_EXC, content_anything_suffix_int_EXC, content_anything_wildcard_type_EXC,
    // content_anything_but_ignorecase_EXC and the _list_type_EXC variants
    [{ prefix: 123 }, '123', /prefix values must be strings/],
    [{ suffix: [123, '.txt'] }, '[123,".txt"]', /suffix values must be strings/],
    [{ wildcard: 123 }, '123', /wildcard values must be strings/],
    [{ wildcard: [123, '*/dir/*'] }, '[123,"*/dir/*"]', /wildcard values must be strings/],
    [{ 'equals-ignore-case': 123 }, '123', /equals-ignore-case values must be strings/],
    [{ 'equals-ignore-case': [123, 456] }, '[123,456]', /equals-ignore-case values must be strings/],
    // [aws] content_anything_prefix_ignorecase_EXC / content_anything_suffix_ignorecase_EXC: no nesting deeper
    [{ prefix: { 'equals-ignore-case': 'file' } }, '{"equals-ignore-case":"file"}', /must be a string or a list of strings/],
    [{ suffix: null }, 'null', /must be a string or a list of strings/],
    [{ prefix: [] }, '[]', /must not be empty/],
    // [ruler] after the operand the object must end: "Too many elements in numeric expression"
    [{ prefix: 'a', suffix: 'b' }, '{"prefix":"a","suffix":"b"}', /exactly one operator/],
    // wildcard syntax applies inside anything-but too ([ruler] processAnythingButValuesSetMatchExpression)
    [{ wildcard: 'a**' }, '"a**"', /consecutive wildcard/],
  ])('refuses {"anything-but": %j}', (operand, shows, reason) => {
    expectPatternError(at(operand), { key, shows, reason });
  });

  it('refuses a second operator beside anything-but', () => {
    expectPatternError({ detail: { state: [{ 'anything-but': 'x', prefix: 'y' }] } }, { key, shows: '{"anything-but":"x","prefix":"y"}', reason: /exactly one operator/ });
  });
});
