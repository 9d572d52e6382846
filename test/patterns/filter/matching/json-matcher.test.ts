import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../../../src/patterns/filter/index.js';
import { matches } from '../support/expect-filter-error.js';

/**
 * The JSON log event of the guide's JSON examples (Filter pattern syntax, "Using filter patterns to match terms in
 * JSON log events"), with "ThisFlag" from the 2019-2022 revisions.
 */
const guideEvent = {
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
  SomeObject: null,
  ThisFlag: true,
  'cluster.name': 'c',
};

/** The JSON object of the guide's compound-expression examples. */
const compoundEvent = {
  user: { id: 1, email: 'John.Stiles@example.com' },
  users: [
    { id: 2, email: 'John.Doe@example.com' },
    { id: 3, email: 'Jane.Doe@example.com' },
  ],
  actions: ['GET', 'PUT', 'DELETE'],
  coordinates: [
    [0, 1, 2],
    [4, 5, 6],
    [7, 8, 9],
  ],
};

function both(pattern: string, event: object): boolean {
  const compiled = compileFilterPattern(pattern);
  const asObject = compiled.matches(event);
  expect(compiled.matches(JSON.stringify(event)), `${pattern}: the same event as a JSON message`).toBe(asObject);
  return asObject;
}

describe('JSON patterns: the guide examples', () => {
  it.each([
    '{ $.eventType = "UpdateTrail" }',
    '{ $.sourceIPAddress != 123.123.* }',
    '{ $.arrayKey[0] = "value" }',
    '{ $.objectList[1].id = 2 }',
    '{ $.SomeObject IS NULL }',
    '{ $.SomeOtherObject NOT EXISTS }',
    '{ $.ThisFlag IS TRUE }',
    '{ $.eventType = %Trail% }',
    '{ $.arrayKey[*] = %val.{2}% }',
    '{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }',
    "{ $.['cluster.name'] = \"c\" }",
  ])('%s matches the example event', (pattern) => {
    expect(both(pattern, guideEvent)).toBe(true);
  });

  it.each([
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
    // "matches "email" in "user" with the string "John.Stiles@example.com"": || binds looser than &&.
    ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }', true],
    ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }', false],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
    // The same, as written in the 2019-2022 revisions (unquoted).
    ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', true],
    ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', false],
  ])('%s: %s', (pattern, expected) => {
    expect(both(pattern, compoundEvent)).toBe(expected);
  });

  // "{$.foo = bar} matches pattern 1, {$.foo = baz } matches pattern 2, and {$.foo = bar || $.foo = baz } matches
  // pattern 1 and 2" (OR Pattern Matching, 2019-2022 revisions)
  it('OR pattern matching', () => {
    expect(both('{$.foo = bar}', { foo: 'bar' })).toBe(true);
    expect(both('{$.foo = bar}', { foo: 'baz' })).toBe(false);
    expect(both('{$.foo = baz }', { foo: 'baz' })).toBe(true);
    expect(both('{$.foo = bar || $.foo = baz }', { foo: 'bar' })).toBe(true);
    expect(both('{$.foo = bar || $.foo = baz }', { foo: 'baz' })).toBe(true);
    expect(both('{$.foo = bar || $.foo = baz }', { foo: 'qux' })).toBe(false);
  });

  // "{ $.arrayKey[0] = "value" }: If arrayKey is not an array this will be false." "{ $.objectList[1].id = 2 }: If
  // objectList is not an array this will be false. If the items in objectList are not objects or do not have an id
  // property, this will be false." (2019-2022 revisions)
  it('array indexes need an array, and objects with the property', () => {
    expect(both('{ $.arrayKey[0] = "value" }', { arrayKey: 'value' })).toBe(false);
    expect(both('{ $.arrayKey[0] = "value" }', { arrayKey: { 0: 'value' } })).toBe(false);
    expect(both('{ $.arrayKey[2] = "value" }', guideEvent)).toBe(false);
    expect(both('{ $.objectList[1].id = 2 }', { objectList: [{ id: 2 }] })).toBe(false);
    expect(both('{ $.objectList[1].id = 2 }', { objectList: [{}, 2] })).toBe(false);
    expect(both('{ $.objectList[1].id = 2 }', { objectList: [{}, { name: 'b' }] })).toBe(false);
  });
});

describe('JSON patterns: value nodes', () => {
  // "The SELECTOR must point to a value node (string or number) in the JSON. If it points to an array or object, the
  // filter will not be applied because the log format doesn't match the filter. For example, both {$.users = 1} and
  // {$.users != 1} will fail to match a log event where users is an array" (2019-2022 revisions)
  it('= and != are both false on an array or an object', () => {
    for (const pattern of ['{$.users = 1}', '{$.users != 1}', '{$.users = *}', '{$.users != "x"}', '{$.users = %1%}', '{$.users > 0}']) {
      expect(both(pattern, { users: [1, 2, 3] }), pattern).toBe(false);
      expect(both(pattern, { users: { id: 1 } }), pattern).toBe(false);
    }
    expect(both('{ $.users[0] = 1 }', { users: [1, 2, 3] })).toBe(true);
    expect(both('{ $.users[*] = 2 }', { users: [1, 2, 3] })).toBe(true);
  });

  // A missing field satisfies neither = nor !=: "{ $.user.phone != "0800..." }" does not match an event without
  // user.phone (DevelopersIO, "cloudwatch-logs-json-notexists-false"; DataBiosphere/azul#5884, tested with the
  // CloudWatch console's Test pattern).
  it('!= is false when the field is missing; NOT EXISTS is the way to accept absence', () => {
    const withPhone = { user: { username: 'gonbe', phone: '08012345678' } };
    const withoutPhone = { user: { username: 'gonbe' } };
    expect(both('{ $.user.phone != "08000000000" }', withPhone)).toBe(true);
    expect(both('{ $.user.phone != "08000000000" }', withoutPhone)).toBe(false);
    expect(both('{ $.user.username = "gonbe" && $.user.phone != "08000000000" }', withoutPhone)).toBe(false);
    expect(both('{ ($.user.phone != "08000000000") || ($.user.phone NOT EXISTS) }', withoutPhone)).toBe(true);
    expect(both('{ ($.user.phone != "08000000000") || ($.user.phone NOT EXISTS) }', withPhone)).toBe(true);
    expect(both('{ ($.user.phone != "08012345678") || ($.user.phone NOT EXISTS) }', withPhone)).toBe(false);
    // The same through a missing parent.
    expect(both('{ $.userIdentity.invokedBy != "cloudfront.amazonaws.com" }', { errorCode: 'AccessDenied' })).toBe(false);
    expect(both('{ $.userIdentity.invokedBy NOT EXISTS }', { errorCode: 'AccessDenied' })).toBe(true);
  });

  it('null and booleans are not value nodes for comparisons; IS tests them', () => {
    for (const pattern of ['{ $.a = null }', '{ $.a != "x" }', '{ $.a = * }', '{ $.a = "null" }']) {
      expect(both(pattern, { a: null }), pattern).toBe(false);
    }
    for (const pattern of ['{ $.a = true }', '{ $.a = "true" }', '{ $.a != "x" }', '{ $.a = * }']) {
      expect(both(pattern, { a: true }), pattern).toBe(false);
    }
    expect(both('{ $.a IS NULL }', { a: null })).toBe(true);
    expect(both('{ $.a IS NULL }', { a: 'null' })).toBe(false);
    expect(both('{ $.a IS NULL }', {})).toBe(false);
    expect(both('{ $.a IS TRUE }', { a: true })).toBe(true);
    expect(both('{ $.a IS TRUE }', { a: 'true' })).toBe(false);
    expect(both('{ $.a IS TRUE }', { a: 1 })).toBe(false);
    expect(both('{ $.a IS FALSE }', { a: false })).toBe(true);
    expect(both('{ $.a IS FALSE }', { a: true })).toBe(false);
    expect(both('{ $.a IS FALSE }', { a: 0 })).toBe(false);
  });

  // "{ $.SomeOtherObject NOT EXISTS }: This will only be true if specified object does not exist in log data."
  it('NOT EXISTS is false for any value that is there, null included', () => {
    for (const a of [null, 0, '', false, [], {}, 'x']) expect(both('{ $.a NOT EXISTS }', { a }), JSON.stringify(a)).toBe(false);
    expect(both('{ $.a NOT EXISTS }', {})).toBe(true);
    expect(both('{ $.a.b NOT EXISTS }', { a: 'string' })).toBe(true);
    expect(both('{ $.a[3] NOT EXISTS }', { a: [1] })).toBe(true);
    expect(both('{ $.a[*] NOT EXISTS }', { a: [] })).toBe(true);
    expect(both('{ $.a[*] NOT EXISTS }', { a: [null] })).toBe(false);
    expect(both('{ $.* NOT EXISTS }', {})).toBe(true);
  });

  it('strings compare exactly and case sensitively, with * only at the ends', () => {
    expect(both('{ $.a = "UpdateTrail" }', { a: 'updatetrail' })).toBe(false);
    expect(both('{ $.a = UpdateTrail }', { a: 'UpdateTrail ' })).toBe(false);
    // "*Event will match PutEvent and GetEvent. Event* will match EventId and EventName. Ev*ent will only match the
    // actual string Ev*ent." (2019-2022 revisions)
    expect(both('{ $.a = *Event }', { a: 'PutEvent' })).toBe(true);
    expect(both('{ $.a = "*Event" }', { a: 'GetEvent' })).toBe(true);
    expect(both('{ $.a = *Event }', { a: 'EventId' })).toBe(false);
    expect(both('{ $.a = Event* }', { a: 'EventName' })).toBe(true);
    expect(both('{ $.a = Event* }', { a: 'PutEvent' })).toBe(false);
    expect(both('{ $.a = Ev*ent }', { a: 'Ev*ent' })).toBe(true);
    expect(both('{ $.a = Ev*ent }', { a: 'Event' })).toBe(false);
    expect(both('{ $.a = Ev*ent }', { a: 'EvXent' })).toBe(false);
    expect(both('{ $.a = *html* }', { a: 'GET /index.html HTTP/1.0' })).toBe(true);
    // { $.latency = * }: "Publishing numerical values found in log entries" uses it to require the field.
    expect(both('{ $.latency = * }', { latency: 50 })).toBe(true);
    expect(both('{ $.latency = * }', { latency: '' })).toBe(true);
    expect(both('{ $.latency = * }', {})).toBe(false);
    expect(both('{ $.latency != * }', { latency: 50 })).toBe(false);
    expect(both('{ $.a = "" }', { a: '' })).toBe(true);
    expect(both('{ $.a = "" }', { a: 'x' })).toBe(false);
  });

  it('a quoted % is text, not a regex (aws/aws-cdk#30451: { $.foo = "%bar%" } does not match {"foo":"bar"})', () => {
    expect(both('{ $.foo = "%bar%" }', { foo: 'bar' })).toBe(false);
    expect(both('{ $.foo = "%bar%" }', { foo: '%bar%' })).toBe(true);
    expect(both('{ $.foo = %bar% }', { foo: 'bar' })).toBe(true);
    expect(both('{ $.foo = %bar% }', { foo: 'crowbars' })).toBe(true);
    expect(both('{ $.foo != %bar% }', { foo: 'crowbars' })).toBe(false);
    expect(both('{ $.foo != %bar% }', { foo: 'crow' })).toBe(true);
    expect(both('{ $.foo = %^bar$% }', { foo: 'bars' })).toBe(false);
  });
});

describe('JSON patterns: numbers', () => {
  // "{ $.latency >= 500 } { $.numbers[0] < 10e3 } { $.numbers[0] < 10e-3 } { $.processes[4].averageRuntime <= 55.5 }
  // { $.errorCode = 400 } { $.errorCode != 500 } { $.latency > +1000 }" (Numeric Comparisons, 2019-2022 revisions)
  it('compares JSON numbers numerically', () => {
    expect(both('{ $.latency >= 500 }', { latency: 500 })).toBe(true);
    expect(both('{ $.latency >= 500 }', { latency: 499.9 })).toBe(false);
    expect(both('{ $.numbers[0] < 10e3 }', { numbers: [9999] })).toBe(true);
    expect(both('{ $.numbers[0] < 10e3 }', { numbers: [10000] })).toBe(false);
    expect(both('{ $.numbers[0] < 10e-3 }', { numbers: [0.001] })).toBe(true);
    expect(both('{ $.processes[4].averageRuntime <= 55.5 }', { processes: [{}, {}, {}, {}, { averageRuntime: 55.5 }] })).toBe(true);
    expect(both('{ $.errorCode = 400 }', { errorCode: 400 })).toBe(true);
    expect(both('{ $.errorCode = 400 }', { errorCode: 400.0 })).toBe(true);
    expect(both('{ $.errorCode = 400 }', { errorCode: 4e2 })).toBe(true);
    expect(both('{ $.errorCode = 4e2 }', { errorCode: 400 })).toBe(true);
    expect(both('{ $.errorCode != 500 }', { errorCode: 400 })).toBe(true);
    expect(both('{ $.errorCode != 500 }', { errorCode: 500 })).toBe(false);
    expect(both('{ $.latency > +1000 }', { latency: 1001 })).toBe(true);
    expect(both('{ $.latency > -1 }', { latency: 0 })).toBe(true);
    expect(both('{ $.bandwidth > 75 }', { bandwidth: 75 })).toBe(false);
    expect(both('{ $.number[0] = 1e+3 }', { number: [1000] })).toBe(true);
    expect(both('{ $.number[0] != 1e-3 }', { number: [1000] })).toBe(true);
  });

  it('an unquoted number equals a JSON string only when the string is written the same way', () => {
    // "the recipientAccountId is 123456789012" (2019-2022 revisions); CloudTrail writes it as a string.
    expect(both('{ $.recipientAccountId = 123456789012 }', { recipientAccountId: '123456789012' })).toBe(true);
    expect(both('{ $.errorCode = 400 }', { errorCode: '400.0' })).toBe(false);
    expect(both('{ $.errorCode != 400 }', { errorCode: '400' })).toBe(false);
    expect(both('{ $.errorCode != 400 }', { errorCode: 'abc' })).toBe(true);
  });

  it('<, <=, >, >= need a JSON number: a numeric string is a string', () => {
    for (const pattern of ['{ $.latency > 1 }', '{ $.latency >= 1 }', '{ $.latency < 1000 }', '{ $.latency <= 1000 }']) {
      expect(both(pattern, { latency: '500' }), pattern).toBe(false);
      expect(both(pattern, { latency: 500 }), pattern).toBe(true);
    }
  });

  // "Use the asterisk ("*") as a wild card to match numbers."
  it('text patterns see a number as its JSON text', () => {
    expect(both('{ $.status = 4* }', { status: 404 })).toBe(true);
    expect(both('{ $.status = 4* }', { status: 504 })).toBe(false);
    expect(both('{ $.status = "404" }', { status: 404 })).toBe(true);
    expect(both('{ $.status = %^40[0-9]$% }', { status: 404 })).toBe(true);
    expect(both('{ $.status != 4* }', { status: 504 })).toBe(true);
  });
});

describe('JSON patterns: wildcard selectors', () => {
  // "You can use the JSON wildcard to select any array element or any JSON object field."
  it('$.* looks at every field of the object, [*] at every element of the array', () => {
    expect(both('{ $.* = "c" }', guideEvent)).toBe(true);
    expect(both('{ $.* = "value" }', guideEvent)).toBe(false);
    expect(both('{ $.arrayKey[*] = "another value" }', guideEvent)).toBe(true);
    expect(both('{ $.objectList[*].name = "b" }', guideEvent)).toBe(true);
    expect(both('{ $.objectList[*].id > 1 }', guideEvent)).toBe(true);
    expect(both('{ $.objectList[*].id > 2 }', guideEvent)).toBe(false);
    expect(both('{ $.user.* = 1 }', compoundEvent)).toBe(true);
    expect(both('{ $.coordinates[*][2] = 9 }', compoundEvent)).toBe(true);
  });

  it('a wildcard condition holds when some node satisfies it, also for !=', () => {
    expect(both('{ $.actions[*] != "GET" }', compoundEvent)).toBe(true);
    expect(both('{ $.actions[*] != "GET" }', { actions: ['GET'] })).toBe(false);
    expect(both('{ $.actions[*] = "GET" }', { actions: [] })).toBe(false);
  });

  it('.* does not enter arrays and [*] does not enter objects', () => {
    expect(both('{ $.arrayKey.* = "value" }', guideEvent)).toBe(false);
    expect(both('{ $.user[*] = 1 }', compoundEvent)).toBe(false);
  });
});

describe('JSON patterns: keys', () => {
  it('keys are case sensitive', () => {
    expect(both('{ $.EventName = "ConsoleLogin" }', { eventName: 'ConsoleLogin' })).toBe(false);
  });

  it('a dotted selector is a path, not a key with dots; bracket notation reads such keys', () => {
    expect(both('{ $.cluster.name = "c" }', guideEvent)).toBe(false);
    expect(both('{ $.cluster.name = "c" }', { cluster: { name: 'c' } })).toBe(true);
    expect(both("{ $.['cluster.name'] = \"c\" }", { cluster: { name: 'c' } })).toBe(false);
  });

  it('reads only own properties: a polluted prototype cannot make an event match', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.pollutedForTest = 'yes';
    try {
      expect(matches('{ $.pollutedForTest = "yes" }', {})).toBe(false);
      expect(matches('{ $.pollutedForTest NOT EXISTS }', {})).toBe(true);
      expect(matches('{ $.* = "yes" }', {})).toBe(false);
      expect(matches('{ $.pollutedForTest = "yes" }', '{}')).toBe(false);
    } finally {
      delete proto.pollutedForTest;
    }
    expect(matches('{ $.__proto__ = "x" }', '{"__proto__": "x"}')).toBe(true);
    expect(matches('{ $.constructor NOT EXISTS }', {})).toBe(true);
  });

  it('treats undefined and function properties of JavaScript objects as absent', () => {
    expect(matches('{ $.a NOT EXISTS }', { a: undefined })).toBe(true);
    expect(matches('{ $.a NOT EXISTS }', { a: () => 1 })).toBe(true);
    expect(matches('{ $.a[0] NOT EXISTS }', { a: [undefined] })).toBe(true);
    expect(matches('{ $.a = * }', { a: Number.NaN })).toBe(false);
    expect(matches('{ $.a > 0 }', { a: Number.POSITIVE_INFINITY })).toBe(false);
  });
});
