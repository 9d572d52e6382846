import { describe, expect, it } from 'vitest';
import { expectPatternError } from '../support/expect-pattern-error.js';
import { accepts, acceptsMissing, matches } from '../support/match-helpers.js';

describe('exact values', () => {
  // "For strings, EventBridge uses exact character-by-character matching without case-folding or any other string
  // normalization." https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
  it('match strings exactly and case-sensitively', () => {
    expect(accepts(['Alice'], 'Alice')).toBe(true);
    expect(accepts(['Alice'], 'alice')).toBe(false);
    expect(accepts(['Alice'], 'Alice ')).toBe(false);
    expect(accepts(['Alice'], 'Alic')).toBe(false);
    expect(accepts(['\u00e9'], 'e\u0301')).toBe(false); // the same letter, composed differently: not normalised
    expect(acceptsMissing(['Alice'])).toBe(false);
  });

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html: [""] matches empty
  // strings, [null] matches null, and "Null values and empty strings are not interchangeable".
  it('keep the empty string and null apart, and neither matches a missing field', () => {
    expect(accepts([''], '')).toBe(true);
    expect(accepts([''], null)).toBe(false);
    expect(accepts([null], null)).toBe(true);
    expect(accepts([null], '')).toBe(false);
    expect(accepts([null], 'null')).toBe(false);
    expect(acceptsMissing([null])).toBe(false);
    expect(acceptsMissing([''])).toBe(false);
  });

  // The docs' example: {"detail": {"responseElements": [null]}} against "responseElements": null.
  it('match the documented null-value event', () => {
    const event = { source: 'aws.autoscaling', detail: { eventVersion: '', responseElements: null } };
    expect(matches({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matches({ detail: { eventVersion: [''] } }, event)).toBe(true);
    // AWS-recorded: localstack/localstack tests/aws/services/events/event_pattern_templates/arrays_empty_null_NEG.json5
    expect(matches({ resources: [null] }, { resources: [] })).toBe(false);
  });

  // JSON literals match only themselves: "xyz": "true" matches the string, true the literal (aws/event-ruler README
  // "JSON text matching").
  it('match true and false only as JSON literals', () => {
    expect(accepts([true], true)).toBe(true);
    expect(accepts([true], 'true')).toBe(false);
    expect(accepts(['true'], true)).toBe(false);
    expect(accepts([false], false)).toBe(true);
    expect(accepts([false], 0)).toBe(false);
    expect(accepts([false], null)).toBe(false);
  });

  // Numbers: Ruler compiles a number into both a numeric-equality and a literal match (JsonRuleCompiler.writeRules),
  // so 300 matches 300.0 — recorded against EventBridge itself (AWS-recorded: number_comparison_float.json5), although
  // eb-event-patterns.html still says "300, 300.0, and 3.0e2 are not considered equal". The service wins.
  it('match numbers by value, never strings that look like them', () => {
    expect(matches('{"number": [300]}', JSON.parse('{"number": 300.0}'))).toBe(true);
    expect(matches('{"number": [300]}', JSON.parse('{"number": 3e2}'))).toBe(true);
    expect(matches('{"number": [3.0e2]}', { number: 300 })).toBe(true);
    expect(accepts([300], '300')).toBe(false);
    expect(accepts(['300'], 300)).toBe(false);
    expect(accepts([0], -0)).toBe(true);
    expect(accepts([300], 300.5)).toBe(false);
    // Beyond ±5e9 Ruler compares the literal text only; events here are parsed, so equal values match (documented gap).
    expect(accepts([123456789012], 123456789012)).toBe(true);
  });

  // "The value of each field in an event pattern is an array containing one or more values. An event pattern
  // matches the event if any of the values in the array match the value in the event."
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
  it('match if any listed value matches', () => {
    expect(accepts(['aws.ec2', 'aws.fargate'], 'aws.fargate')).toBe(true);
    expect(accepts(['aws.ec2', 'aws.fargate'], 'aws.s3')).toBe(false);
    expect(accepts([1, 'one', null], null)).toBe(true);
    expect(accepts([1, 'one', null], 1)).toBe(true);
  });

  // Ruler turns an exact string that is an IP literal into an address match (JsonRuleCompiler.writeRules,
  // CIDR.ipToRangeIfPossible; CIDRTest.TestCorrectRangesForSingleIpAddress), so other spellings of the address match.
  it('match IP literals as addresses', () => {
    expect(accepts(['10.0.0.1'], '10.0.0.1')).toBe(true);
    expect(accepts(['10.0.0.1'], '010.000.000.001')).toBe(true);
    expect(accepts(['10.0.0.1'], '10.0.0.2')).toBe(false);
    expect(accepts(['2001:db8::1'], '2001:0DB8:0:0:0:0:0:1')).toBe(true);
    expect(accepts(['2001:db8::1'], '2001:db8::2')).toBe(false);
    expect(accepts(['10.0.0.1'], '::ffff:a00:1')).toBe(true); // IPv4-mapped: java.net.InetAddress returns IPv4
    expect(accepts(['10.0.0.1'], 167772161)).toBe(false);
    expect(accepts(['10.0.0.999'], '10.0.0.999')).toBe(true); // not an address, so an ordinary string
  });
});

describe('value list validation', () => {
  // "Match value must be String, number, true, false, or null" (aws/event-ruler JsonRuleCompiler.writeRules).
  it('refuses values that are not JSON', () => {
    expectPatternError({ detail: { x: [undefined] } }, { key: 'detail.x', shows: 'undefined', reason: /JSON values/ });
    expectPatternError({ detail: { x: [Number.NaN] } }, { key: 'detail.x', shows: 'null', reason: /NaN/ });
  });
});
