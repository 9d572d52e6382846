import { describe, expect, it } from 'vitest';
import { PatternError } from '../../../src/patterns/errors.js';
import { compileEventPattern } from '../../../src/patterns/eventbridge/index.js';
import { expectPatternError } from './support/expect-pattern-error.js';
import { matches } from './support/match-helpers.js';

// The EC2 example event of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

describe('compileEventPattern', () => {
  // eb-event-patterns.html: the pattern selecting EC2 instance-termination events.
  const terminated = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } };

  it('matches the documented example, and not when any field differs', () => {
    expect(matches(terminated, ec2Event)).toBe(true);
    expect(matches(terminated, { ...ec2Event, detail: { ...ec2Event.detail, state: 'running' } })).toBe(false);
    expect(matches(terminated, { ...ec2Event, source: 'aws.ec2x' })).toBe(false);
  });

  it('accepts the pattern as JSON text or as an object, and exposes the parsed pattern', () => {
    const fromText = compileEventPattern(JSON.stringify(terminated));
    const fromObject = compileEventPattern(terminated);
    expect(fromText.pattern).toStrictEqual(terminated);
    expect(fromObject.pattern).toBe(terminated);
    expect(fromText.matches(ec2Event)).toBe(true);
    expect(fromObject.matches(ec2Event)).toBe(true);
  });

  // eb-event-patterns.html: "the event must contain all the field names listed in the event pattern ... with the same
  // nesting structure"; fields the pattern does not name are ignored.
  it('requires every named field, with the same nesting, and ignores the others', () => {
    expect(matches({ detail: { state: ['terminated'] } }, { detail: { state: 'terminated', other: 1 }, extra: true })).toBe(true);
    expect(matches({ detail: { state: ['terminated'] } }, { state: 'terminated' })).toBe(false);
    expect(matches({ detail: { state: ['terminated'] }, source: ['aws.ec2'] }, { detail: { state: 'terminated' } })).toBe(false);
  });

  // Field names are matched whole and case-sensitively (AWS-recorded: localstack/localstack
  // tests/aws/services/events/event_pattern_templates/key_case_sensitive_NEG.json5).
  it('never matches a field name partially or with another case', () => {
    expect(matches({ detail: { event: ['x'] } }, { detail: { eventName: 'x' } })).toBe(false);
    expect(matches({ detail: { eventName: ['x'] } }, { detail: { event: 'x' } })).toBe(false);
    expect(matches({ detail: { EventName: ['x'] } }, { detail: { eventName: 'x' } })).toBe(false);
  });

  // A JSON string in the event is a string, not an object to look into (AWS-recorded: nested_json_NEG.json5).
  it('does not parse JSON held in a string field', () => {
    expect(matches({ detail: { 'my-key': ['my-value'] } }, { detail: '{"my-key": "my-value"}' })).toBe(false);
  });

  // Duplicate keys: "if you include a key more than once the last reference will be the one used"
  // (awsdocs/amazon-eventbridge-user-guide doc_source/eb-event-patterns-content-based-filtering.md).
  it('uses the last of duplicated keys in pattern text', () => {
    const pattern = '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}';
    expect(matches(pattern, { detail: { location: 'eu-west' } })).toBe(true);
    expect(matches(pattern, { detail: { location: 'us-east' } })).toBe(false);
  });

  it('only matches events that are JSON objects', () => {
    const pattern = compileEventPattern({ a: [{ exists: false }] });
    expect(pattern.matches({})).toBe(true);
    for (const event of [null, undefined, 'x', 1, true, [], [{}]]) expect(pattern.matches(event)).toBe(false);
  });

  // "Event pattern: 2048 characters maximum." https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
  it('refuses patterns longer than 2048 characters, as text or as serialised objects', () => {
    const sized = (length: number): string => {
      const text = `{"a": ["${'x'.repeat(length - 11)}"]}`;
      expect(text).toHaveLength(length);
      return text;
    };
    expect(() => compileEventPattern(sized(2048))).not.toThrow();
    expectPatternError(sized(2049), { key: '', shows: '2049 characters' });
    const object = (length: number): object => ({ a: ['x'.repeat(length - 10)] });
    expect(JSON.stringify(object(2049))).toHaveLength(2049);
    expect(() => compileEventPattern(object(2048))).not.toThrow();
    expectPatternError(object(2049), { key: '', shows: '2049 characters' });
  });

  // "Filter is not an object" (AWS-recorded: test_events_patterns.snapshot.json, test_invalid_json_event_pattern).
  it.each([
    ['["not", "a", "dict"]', '["not","a","dict"]'],
    ['"text"', '"text"'],
    ['42', '42'],
    ['null', 'null'],
    ['true', 'true'],
  ])('refuses the non-object pattern %s', (text, shows) => {
    expectPatternError(text, { key: '', shows, reason: /must be a JSON object/ });
  });

  it('refuses non-object and non-JSON values passed programmatically', () => {
    for (const value of [null, [], 42, undefined]) {
      expect(() => compileEventPattern(value as unknown as object)).toThrow(PatternError);
    }
    const cyclic: Record<string, unknown> = { a: ['x'] };
    cyclic['self'] = cyclic;
    expectPatternError(cyclic, { key: '', shows: '[object Object]', reason: /plain JSON/ });
    expectPatternError({ a: [1n] }, { key: '', shows: '[object Object]', reason: /plain JSON/ });
    expectPatternError({ a: ['x'], toJSON: () => undefined }, { key: '', shows: '[object Object]', reason: /plain JSON/ });
  });

  it('reports invalid JSON text with its position', () => {
    let error: unknown;
    try {
      compileEventPattern('{"source": ["aws.ec2",]}');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PatternError);
    expect((error as PatternError).offset).toBe(22);
  });
});
