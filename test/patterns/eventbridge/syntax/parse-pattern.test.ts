import { describe, expect, it } from 'vitest';
import { compileEventPattern } from '../../../../src/patterns/eventbridge/index.js';
import { expectPatternError } from '../support/expect-pattern-error.js';
import { matches } from '../support/match-helpers.js';

describe('pattern structure', () => {
  // '"int" must be an object or an array' / '"string" must be an object or an array' (AWS-recorded:
  // localstack/localstack tests/aws/services/events/event_pattern_templates/int_nolist_EXC.json5,
  // string_nolist_EXC.json5 and test_events_patterns.snapshot.json).
  it.each([
    [{ source: 'aws.ec2' }, 'source', '"aws.ec2"'],
    [{ detail: { eventName: 42 } }, 'detail.eventName', '42'],
    [{ detail: { eventName: null } }, 'detail.eventName', 'null'],
    [{ detail: { eventName: true } }, 'detail.eventName', 'true'],
  ])('refuses a leaf that is not an array: %j', (pattern, key, shows) => {
    expectPatternError(pattern, { key, shows, reason: /must be an object or an array/ });
  });

  // "Empty arrays are not allowed" (AWS-recorded: arrays_empty_EXC.json5).
  it('refuses empty value arrays', () => {
    expectPatternError({ resources: [] }, { key: 'resources', shows: '[]', reason: /empty arrays/ });
    expectPatternError({ detail: { eventName: [] } }, { key: 'detail.eventName', shows: '[]', reason: /empty arrays/ });
  });

  // "Empty objects are not allowed" (aws/event-ruler src/main/software/amazon/event/ruler/JsonRuleCompiler.java).
  it('refuses empty objects, at the root or nested', () => {
    expectPatternError({}, { key: '', shows: '{}', reason: /empty objects/ });
    expectPatternError({ detail: {} }, { key: 'detail', shows: '{}', reason: /empty objects/ });
  });

  // "Match value must be String, number, true, false, or null" (JsonRuleCompiler.writeRules).
  it('refuses arrays nested in a value array', () => {
    expectPatternError({ detail: { eventName: [['a']] } }, { key: 'detail.eventName', shows: '["a"]', reason: /not arrays/ });
  });
});

describe('$or', () => {
  // aws/event-ruler README.md, "The $or Primitive": Effect of "source" && ("metricName" || "namespace").
  const normalOr = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] };

  it('matches when any branch matches, together with the fields beside it', () => {
    expect(matches(normalOr, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(matches(normalOr, { source: 'aws.cloudwatch', namespace: 'AWS/ES' })).toBe(true);
    expect(matches(normalOr, { source: 'aws.cloudwatch', namespace: 'AWS/S3' })).toBe(false);
    expect(matches(normalOr, { source: 'aws.other', metricName: 'ReadLatency' })).toBe(false);
  });

  // README "Parallel Or": ("metricName" || "namespace") && ("detail.source" || "detail.detail-type").
  it('works at any level and several times in one pattern', () => {
    const parallel = {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };
    expect(matches(parallel, { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } })).toBe(true);
    expect(matches(parallel, { metricName: 'CPUUtilization', detail: { source: 'aws.cloudwatch' } })).toBe(true);
    expect(matches(parallel, { metricName: 'CPUUtilization' })).toBe(false);
    expect(matches(parallel, { detail: { source: 'aws.cloudwatch' } })).toBe(false);
  });

  // README "Nested Or and And": "source" && ("metricName" || ("metricType" && "namespace" && ("metricId" || "spaceId")) || "scope").
  it('nests, with AND inside a branch', () => {
    const nested = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        { scope: ['Service'] },
      ],
    };
    const base = { source: 'aws.cloudwatch' };
    expect(matches(nested, { ...base, metricType: 'MetricType', namespace: 'AWS/ES', spaceId: 1000 })).toBe(true);
    expect(matches(nested, { ...base, metricType: 'MetricType', namespace: 'AWS/ES' })).toBe(false);
    expect(matches(nested, { ...base, metricType: 'MetricType', spaceId: 1000 })).toBe(false);
    expect(matches(nested, { ...base, scope: 'Service' })).toBe(true);
  });

  // AWS-recorded: complex_or.json5 (numeric conditions in $or under "detail").
  it('matches the documented numeric $or example', () => {
    const pattern = {
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }],
      },
    };
    expect(matches(pattern, { detail: { 'c-count': 0, 'd-count': 0, 'x-limit': 9.018e2 } })).toBe(true);
    expect(matches(pattern, { detail: { 'c-count': 0, 'd-count': 10, 'x-limit': 9.018e2 } })).toBe(false);
  });

  // JsonRuleCompiler writes each leaf into every alternative built so far, replacing an earlier value for the same
  // field: the pattern means (a=2) OR (a=1 AND b=3), and reversing the keys gives (a=1) OR (a=1 AND b=3).
  it('lets a later constraint on the same field replace an earlier one, in document order', () => {
    const orLast = '{"a": ["1"], "$or": [{"a": ["2"]}, {"b": ["3"]}]}';
    expect(matches(orLast, { a: '2' })).toBe(true);
    expect(matches(orLast, { a: '1' })).toBe(false);
    expect(matches(orLast, { a: '1', b: '3' })).toBe(true);
    const orFirst = '{"$or": [{"a": ["2"]}, {"b": ["3"]}], "a": ["1"]}';
    expect(matches(orFirst, { a: '2' })).toBe(false);
    expect(matches(orFirst, { a: '1' })).toBe(true);
  });

  // JsonRuleCompiler.parseIntoOrRelationship: "It must be an Array followed with $or.", "Only JSON object is allowed in
  // array of $or relationship.", "There must have at least 2 Objects in $or relationship."; reserved field names
  // inside $or (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). When the $or reading fails, EventBridge retries
  // with the pre-$or compiler (GenericMachine.addRule), so only patterns failing both readings are refused.
  it.each([
    [{ $or: [{ a: ['x'] }] }, '$or', '[{"a":["x"]}]', /at least two/],
    [{ detail: { $or: [] } }, 'detail.$or', '[]', /at least two/],
    [{ $or: [{ a: ['x'] }, 'b'] }, '$or[1]', '"b"', /must be an object/],
    [{ $or: [{ a: ['x'] }, { b: [] }] }, '$or[1].b', '[]', /empty arrays/],
    [{ $or: [{ a: ['x'] }, { prefix: ['y'] }] }, '$or[1].prefix', '["y"]', /reserved/],
    [{ $or: [{ a: ['x'] }, { b: { numeric: ['y'] } }] }, '$or[1].b.numeric', '["y"]', /reserved/],
    [{ $or: 'x' }, '$or', '"x"', /must be an array/],
  ])('refuses the malformed $or %j', (pattern, key, shows, reason) => {
    expectPatternError(pattern, { key, shows, reason });
  });

  // aws/event-ruler README.md "The backward compatibility of using "$or" as filed name in the rule": a "$or" that is
  // not an array of two or more objects is an ordinary field name.
  it('reads "$or" as a field name when it is not the operator', () => {
    const asObject = { source: ['aws.cloudwatch'], $or: { metricType: ['MetricType'], namespace: ['AWS/EC2'] } };
    expect(matches(asObject, { source: 'aws.cloudwatch', $or: { metricType: 'MetricType', namespace: 'AWS/EC2' } })).toBe(true);
    expect(matches(asObject, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' })).toBe(false);
    const asValues = { $or: ['a', 'b'] };
    expect(matches(asValues, { $or: 'b' })).toBe(true);
    expect(matches(asValues, { a: 'b' })).toBe(false);
  });

  it('refuses patterns whose $or combinations multiply past 1000', () => {
    const tenWay = { $or: Array.from({ length: 10 }, (_, i) => ({ [`k${i}`]: ['v'] })) };
    expect(() => compileEventPattern({ a: tenWay, b: tenWay, c: tenWay })).not.toThrow();
    expectPatternError({ a: tenWay, b: tenWay, c: tenWay, d: { $or: [{ x: ['1'] }, { y: ['2'] }] } }, { key: 'd.$or', shows: '[{"x":["1"]},{"y":["2"]}]', reason: /1000/ });
  });
});
