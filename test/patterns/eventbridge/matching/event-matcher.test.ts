import { describe, expect, it } from 'vitest';
import { compileEventPattern } from '../../../../src/patterns/eventbridge/index.js';
import { MAX_ARRAY_NESTING } from '../../../../src/patterns/eventbridge/limits.js';
import { matches } from '../support/match-helpers.js';

describe('arrays in events', () => {
  // "If the value in the event is an array, then the event pattern matches if the intersection of the event pattern
  // array and the event array is non-empty." (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html;
  // AWS-recorded: localstack/localstack tests/aws/services/events/event_pattern_templates/arrays.json5, arrays_NEG.json5)
  it('match when any element matches', () => {
    const pattern = { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f'] };
    expect(matches(pattern, { resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x', 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] })).toBe(true);
    expect(matches(pattern, { resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x'] })).toBe(false);
    expect(matches(pattern, { resources: [] })).toBe(false);
  });

  // aws/event-ruler README.md "JSON Array Matching": the array structure is "crushed out"; objects in an array are
  // treated as the value of the parent field, at any array depth.
  it('look through arrays of objects and arrays of arrays', () => {
    const employees = [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ];
    expect(matches({ employees: { firstName: ['Anna'] } }, { employees })).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'] } }, { employees: [[employees[0], employees[1]], [employees[2]]] })).toBe(true);
    expect(matches({ tags: ['b'] }, { tags: [['a'], ['b', ['c']]] })).toBe(true);
    expect(matches({ tags: ['d'] }, { tags: [['a'], ['b', ['c']]] })).toBe(false);
  });

  // AWS-recorded: list_within_dict.json5 — exists matches when one element of the list has the key.
  it('apply exists to any element of an array of objects', () => {
    const event = { detail: { automations: [{ key1: 'value1' }, { id: 'match-does-exist' }, { key2: 'value2' }] } };
    expect(matches({ detail: { automations: { id: [{ exists: true }] } } }, event)).toBe(true);
    expect(matches({ detail: { automations: { nope: [{ exists: true }] } } }, event)).toBe(false);
  });

  // README "JSON Array Matching": rulesForJSONEvent (what EventBridge uses) "will refuse to recognize any match in
  // which any two fields are within JSON objects that are in different elements of the same array": the
  // "Anna"/"Jones" rule does not match.
  it('require fields under the same array to match in the same element', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: [{ prefix: 'P' }], lastName: [{ exists: true }] } }, event)).toBe(true);
  });

  it('apply consistency through nested arrays but not between sibling arrays', () => {
    const event = {
      groups: [
        { name: 'a', rules: [{ port: 22 }, { port: 443 }] },
        { name: 'b', rules: [{ port: 80 }] },
      ],
    };
    expect(matches({ groups: { name: ['a'], rules: { port: [22] } } }, event)).toBe(true);
    expect(matches({ groups: { name: ['b'], rules: { port: [22] } } }, event)).toBe(false);
    // two fields in different element of the *inner* array of the same outer element
    expect(matches({ groups: { rules: { port: [22] }, name: ['a'] }, other: [{ exists: false }] }, event)).toBe(true);
    const siblings = { x: [{ a: 1 }], y: [{ b: 2 }, { b: 3 }] };
    expect(matches({ x: { a: [1] }, y: { b: [3] } }, siblings)).toBe(true);
  });

  it('do not tie a scalar to its position in its own array', () => {
    // Ruler records no membership for scalars in arrays (Event.loadArray): tags and ids below are independent.
    expect(matches({ items: { tags: ['x'], ids: [2] } }, { items: [{ tags: ['x', 'y'], ids: [1, 2] }] })).toBe(true);
  });
});

describe('exists: false under arrays', () => {
  // Ruler checks absence against the array elements chosen for the fields that sort before it
  // (NameState.getNameTransitions with ACFinder's membership): "d.a" sorts before "d.b".
  it('holds when the element chosen for earlier fields lacks the key', () => {
    const pattern = { d: { a: [1], b: [{ exists: false }] } };
    expect(matches(pattern, { d: [{ a: 1 }, { b: 2 }] })).toBe(true);
    expect(matches(pattern, { d: [{ a: 1, b: 2 }] })).toBe(false);
  });

  it('looks at the whole event when it sorts first, as Ruler does', () => {
    // "d.a" absent is checked before "d.b" has chosen an element, so any element's "a" counts.
    const pattern = { d: { a: [{ exists: false }], b: [2] } };
    expect(matches(pattern, { d: [{ a: 1 }, { b: 2 }] })).toBe(false);
    expect(matches(pattern, { d: [{ c: 1 }, { b: 2 }] })).toBe(true);
  });
});

describe('field names with dots', () => {
  // aws/event-ruler README.md "Caveat: Compiled rules and JSON keys with dots": {"detail": {"state": {"status": ...}}}
  // and {"detail": {"state.status": ...}} compile to the same rule and both match either event form
  // (AWS-recorded: dot_joining_pattern.json5, dot_joining_pattern_NEG.json5, dot_joining_event_NEG.json5).
  it('treat "a.b" keys and nested a/b keys as the same field, in patterns and in events', () => {
    const nestedEvent = { detail: { state: { status: 'running' } } };
    const dottedEvent = { detail: { 'state.status': 'running' } };
    const nestedPattern = { detail: { state: { status: ['running'] } } };
    const dottedPattern = { detail: { 'state.status': ['running'] } };
    expect(matches(dottedPattern, nestedEvent)).toBe(true);
    expect(matches(dottedPattern, dottedEvent)).toBe(true);
    expect(matches(nestedPattern, dottedEvent)).toBe(true);
    expect(matches({ 'detail.state.status': ['running'] }, nestedEvent)).toBe(true);
    expect(matches({ detail: { 'state.status': { status: ['running'] } } }, nestedEvent)).toBe(false);
    expect(matches(nestedPattern, { detail: { 'state.status': { status: 'running' } } })).toBe(false);
  });
});

describe('events that are not plain JSON', () => {
  it('ignores inherited properties and non-JSON values', () => {
    expect(matches({ constructor: [{ exists: true }] }, {})).toBe(false);
    expect(matches('{"__proto__": [{"exists": true}]}', {})).toBe(false);
    expect(matches({ toString: [{ exists: false }] }, {})).toBe(true);
    expect(matches({ a: [{ exists: true }] }, { a: undefined })).toBe(false);
    expect(matches({ a: [{ exists: true }] }, { a: () => 1 })).toBe(false);
    expect(matches({ a: [{ exists: true }] }, { a: 1n })).toBe(false);
    expect(matches({ a: ['x'] }, Object.assign(Object.create(null) as object, { a: 'x' }))).toBe(true);
  });

  it('ignores a polluted Object.prototype', () => {
    Object.defineProperty(Object.prototype, 'polluted', { value: 'x', configurable: true, enumerable: false });
    try {
      expect(matches({ polluted: ['x'] }, {})).toBe(false);
      expect(matches({ polluted: [{ exists: false }] }, {})).toBe(true);
      expect(matches({ polluted: ['x'] }, { polluted: 'x' })).toBe(true);
    } finally {
      delete (Object.prototype as Record<string, unknown>)['polluted'];
    }
  });

  it('reads an own "__proto__" key of a parsed event', () => {
    const event = JSON.parse('{"__proto__": {"polluted": "yes"}}') as object;
    expect(matches('{"__proto__": {"polluted": ["yes"]}}', event)).toBe(true);
  });

  it('treats values nested deeper than the array-nesting bound as absent instead of overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    const pattern = compileEventPattern({ a: [{ exists: false }] });
    expect(pattern.matches({ a: deep })).toBe(true);
    let shallow: unknown = 'x';
    for (let i = 0; i < MAX_ARRAY_NESTING; i++) shallow = [shallow];
    expect(pattern.matches({ a: shallow })).toBe(false);
  });

  it('lets an error from the event reach the caller (the detector reports it per rule) instead of answering "no match", and matches the next event normally', () => {
    const hostile = Object.defineProperty({}, 'a', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    expect(() => matches({ a: [{ exists: false }] }, hostile)).toThrow('boom');
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(() => matches({ a: ['x'] }, { b: 1, a: revoked.proxy })).toThrow(TypeError);
    expect(matches({ a: ['x'] }, { a: 'x' })).toBe(true);
    // The same compiled pattern after a throw: no state left over from the failed event.
    const pattern = compileEventPattern({ d: { a: [1], b: [2] } });
    expect(() => pattern.matches({ d: [{ a: 1 }, hostile] })).toThrow('boom');
    expect(pattern.matches({ d: [{ a: 1, b: 2 }] })).toBe(true);
    expect(pattern.matches({ d: [{ a: 1 }, { b: 2 }] })).toBe(false);
  });

  it('does not keep matching state from one event to the next', () => {
    const pattern = compileEventPattern({ d: { a: [1], b: [2] } });
    expect(pattern.matches({ d: [{ a: 1, b: 2 }] })).toBe(true);
    expect(pattern.matches({ d: [{ a: 1 }, { b: 2 }] })).toBe(false);
    expect(pattern.matches({ d: [{ b: 2, a: 1 }] })).toBe(true);
  });
});
