import { describe, expect, it } from 'vitest';
import { accepts, acceptsMissing } from '../support/match-helpers.js';

describe('prefix', () => {
  // "Region": [{"prefix": "us-"}] (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html);
  // "Prefix matches only work on string-valued fields." (aws/event-ruler README.md)
  it('matches strings that start with it, case-sensitively', () => {
    expect(accepts([{ prefix: 'us-' }], 'us-east-1')).toBe(true);
    expect(accepts([{ prefix: 'us-' }], 'us-')).toBe(true);
    expect(accepts([{ prefix: 'us-' }], 'US-east-1')).toBe(false);
    expect(accepts([{ prefix: 'us-' }], 'eu-west-1')).toBe(false);
    expect(accepts([{ prefix: '2017-10-02' }], '2017-10-02T18:43:48Z')).toBe(true);
  });

  it('never matches numbers, booleans, null or a missing field', () => {
    expect(accepts([{ prefix: '12' }], 123)).toBe(false);
    expect(accepts([{ prefix: 'tr' }], true)).toBe(false);
    expect(accepts([{ prefix: 'nu' }], null)).toBe(false);
    expect(acceptsMissing([{ prefix: '' }])).toBe(false);
  });

  // Ruler compiles a prefix into the quoted form '"' + prefix (JsonRuleCompiler), so "" matches every string and
  // only strings.
  it('treats the empty prefix as "any string"', () => {
    expect(accepts([{ prefix: '' }], '')).toBe(true);
    expect(accepts([{ prefix: '' }], 'anything')).toBe(true);
    expect(accepts([{ prefix: '' }], 0)).toBe(false);
    expect(accepts([{ prefix: '' }], null)).toBe(false);
  });
});

describe('suffix', () => {
  // "FileName": [{"suffix": ".png"}] (operator table); "Suffix matches only work on string-valued fields." (README)
  it('matches strings that end with it, case-sensitively, and nothing else', () => {
    expect(accepts([{ suffix: '.png' }], 'image.png')).toBe(true);
    expect(accepts([{ suffix: '.png' }], '.png')).toBe(true);
    expect(accepts([{ suffix: '.png' }], 'image.PNG')).toBe(false);
    expect(accepts([{ suffix: '.png' }], 'image.png.bak')).toBe(false);
    expect(accepts([{ suffix: '5' }], 5)).toBe(false);
    expect(accepts([{ suffix: '' }], 'x')).toBe(true);
    expect(accepts([{ suffix: '' }], false)).toBe(false);
  });
});

describe('exists: true', () => {
  // "ProductName": [{"exists": true}] (operator table). Any leaf value counts, null included: Ruler records null as a
  // field value like any other (aws/event-ruler Event.java) and existence matches every value.
  it('matches any present leaf value, null and the empty string included', () => {
    for (const value of ['x', '', 0, false, null, ['a'], [null]]) expect(accepts([{ exists: true }], value)).toBe(true);
    expect(acceptsMissing([{ exists: true }])).toBe(false);
  });

  // "Exists matching only works on leaf nodes. It does not work on intermediate nodes."
  // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html);
  // AWS-recorded: localstack/localstack tests/aws/services/events/event_pattern_templates/exists_dynamodb_NEG.json5
  // (an object), exists_list_empty_NEG.json5 (an empty array).
  it('does not match objects or empty arrays, which are not leaves', () => {
    expect(accepts([{ exists: true }], { S: 'test123' })).toBe(false);
    expect(accepts([{ exists: true }], [])).toBe(false);
    expect(accepts([{ exists: true }], [{ a: 1 }])).toBe(false);
  });
});

describe('exists: false', () => {
  // The docs' example: [{"exists": false}] on detail.c-count matches events without it, and events where c-count is
  // an object, "because c-count isn't a leaf node" (content-filtering guide; aws/event-ruler README "Exists matching").
  it('matches a missing field, an object, or an empty array, and not a present leaf', () => {
    expect(acceptsMissing([{ exists: false }])).toBe(true);
    expect(accepts([{ exists: false }], { c1: 100 })).toBe(true);
    expect(accepts([{ exists: false }], [])).toBe(true);
    expect(accepts([{ exists: false }], null)).toBe(false);
    expect(accepts([{ exists: false }], '')).toBe(false);
    expect(accepts([{ exists: false }], [1])).toBe(false);
  });

  // AWS-recorded: or-exists.json5 / or-exists-parent.json5 — [{"anything-but": ["roses"]}, {"exists": false}] on a
  // field that is absent matches through the exists branch.
  it('combines with other values as an alternative', () => {
    const values = [{ 'anything-but': ['roses'] }, { exists: false }];
    expect(acceptsMissing(values)).toBe(true);
    expect(accepts(values, 'tulips')).toBe(true);
    expect(accepts(values, 'roses')).toBe(false);
  });
});
