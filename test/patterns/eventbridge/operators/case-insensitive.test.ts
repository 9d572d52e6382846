import { describe, expect, it } from 'vitest';
import {
  caseInsensitive,
  endsWithIgnoringCase,
  equalsIgnoringCase,
  startsWithIgnoringCase,
} from '../../../../src/patterns/eventbridge/operators/case-insensitive.js';
import { accepts } from '../support/match-helpers.js';

describe('equals-ignore-case', () => {
  // "Name": [{"equals-ignore-case": "alice"}] (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html);
  // "Equals-ignore-case matches only work on string-valued fields." (aws/event-ruler README.md)
  it('matches strings equal up to case, and only strings', () => {
    expect(accepts([{ 'equals-ignore-case': 'alice' }], 'Alice')).toBe(true);
    expect(accepts([{ 'equals-ignore-case': 'alice' }], 'ALICE')).toBe(true);
    expect(accepts([{ 'equals-ignore-case': 'alice' }], 'alicia')).toBe(false);
    expect(accepts([{ 'equals-ignore-case': 'alice' }], 'alice ')).toBe(false);
    expect(accepts([{ 'equals-ignore-case': 'true' }], true)).toBe(false);
    expect(accepts([{ 'equals-ignore-case': '1' }], 1)).toBe(false);
  });

  // AWS-recorded: localstack/localstack tests/aws/services/events/event_pattern_templates/content_ignorecase_empty.json5
  // and content_ignorecase_empty_NEG.json5.
  it('with an empty string matches only the empty string', () => {
    expect(accepts([{ 'equals-ignore-case': '' }], '')).toBe(true);
    expect(accepts([{ 'equals-ignore-case': '' }], 'test-value')).toBe(false);
  });

  // Ruler allows, per pattern character, its own lower- or upper-case form (EqualsIgnoreCaseParser), not a full
  // case fold of the event: "ß" upper-cases to "SS"; the Kelvin sign is not the upper case of "k".
  it('follows Ruler per-character case forms outside ASCII', () => {
    expect(accepts([{ 'equals-ignore-case': 'straße' }], 'STRASSE')).toBe(true);
    expect(accepts([{ 'equals-ignore-case': 'straße' }], 'Straße')).toBe(true);
    expect(accepts([{ 'equals-ignore-case': 'k' }], '\u212a')).toBe(false);
    expect(accepts([{ 'equals-ignore-case': 'ÉTÉ' }], 'été')).toBe(true);
  });
});

describe('prefix and suffix with equals-ignore-case', () => {
  // {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]} and {"suffix": {"equals-ignore-case": "tBridge"}}
  // (operator table; content-filtering guide "Prefix matching while ignoring case", "Suffix matching while ignoring case").
  it('matches the start or the end regardless of case', () => {
    expect(accepts([{ prefix: { 'equals-ignore-case': 'eventb' } }], 'EventBridge')).toBe(true);
    expect(accepts([{ prefix: { 'equals-ignore-case': 'eventb' } }], 'EVENTB')).toBe(true);
    expect(accepts([{ prefix: { 'equals-ignore-case': 'eventb' } }], 'Event')).toBe(false);
    expect(accepts([{ suffix: { 'equals-ignore-case': 'tBridge' } }], 'EVENTBRIDGE')).toBe(true);
    expect(accepts([{ suffix: { 'equals-ignore-case': '.png' } }], 'photo.PNG')).toBe(true);
    expect(accepts([{ suffix: { 'equals-ignore-case': '.png' } }], 'photo.PNG.gz')).toBe(false);
    expect(accepts([{ prefix: { 'equals-ignore-case': 'a' } }], 1)).toBe(false);
  });
});

describe('case-insensitive text', () => {
  it('backtracks between spellings of different lengths', () => {
    const eszett = caseInsensitive('ßx');
    expect(eszett.lowerCodes).toBeNull();
    expect(equalsIgnoringCase(eszett, 'SSX')).toBe(true);
    expect(equalsIgnoringCase(eszett, 'ßX')).toBe(true);
    expect(equalsIgnoringCase(eszett, 'SX')).toBe(false);
    expect(startsWithIgnoringCase(eszett, 'SSxyz')).toBe(true);
    expect(startsWithIgnoringCase(eszett, 'Sxyz')).toBe(false);
    expect(endsWithIgnoringCase(eszett, 'abcSSX')).toBe(true);
    expect(endsWithIgnoringCase(eszett, 'abcSX')).toBe(false);
  });

  it('uses char codes when every spelling is one unit long', () => {
    const ascii = caseInsensitive('Ab-1');
    expect(ascii.lowerCodes).not.toBeNull();
    expect(equalsIgnoringCase(ascii, 'aB-1')).toBe(true);
    expect(equalsIgnoringCase(ascii, 'aB_1')).toBe(false);
    expect(startsWithIgnoringCase(ascii, 'ab-12')).toBe(true);
    expect(startsWithIgnoringCase(ascii, 'ab-')).toBe(false);
    expect(endsWithIgnoringCase(ascii, '0AB-1')).toBe(true);
    expect(endsWithIgnoringCase(ascii, 'B-1')).toBe(false);
  });
});
