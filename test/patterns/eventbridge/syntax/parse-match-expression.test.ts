import { describe, expect, it } from 'vitest';
import { expectPatternError } from '../support/expect-pattern-error.js';
import { accepts } from '../support/match-helpers.js';

const at = (expression: unknown): object => ({ detail: { eventName: [expression] } });
const key = 'detail.eventName';

describe('operator objects', () => {
  // Operator names are case-sensitive: "Unrecognized match type EXISTS" / "Unrecognized match type NUMERIC"
  // (AWS-recorded: localstack/localstack tests/aws/services/events/event_pattern_templates/operator_case_sensitive_EXC.json5,
  // content_numeric_operatorcasing_EXC.json5, test_events_patterns.snapshot.json). "exactly" exists in recent Ruler
  // (Constants.EXACT_MATCH) but is not an EventBridge operator, so it is refused too.
  it.each([['EXISTS'], ['NUMERIC'], ['contains'], ['exactly'], ['equals'], ['begins-with']])('refuses the unknown operator %j', (name) => {
    expectPatternError(at({ [name]: 'x' }), { key, shows: `{"${name}":"x"}`, reason: /unrecognized operator/ });
  });

  // "Match expression name not found" (aws/event-ruler JsonRuleCompiler.processMatchExpression).
  it('refuses an operator object without an operator', () => {
    expectPatternError(at({}), { key, shows: '{}', reason: /must name an operator/ });
  });

  // "Only one key allowed in match expression" (JsonRuleCompiler): operators are combined by listing several
  // objects (OR), never by putting two in one object.
  it.each([
    [{ prefix: 'a', suffix: 'b' }],
    [{ exists: true, prefix: 'a' }],
    [{ 'equals-ignore-case': 'a', wildcard: 'b*' }],
    [{ cidr: '10.0.0.0/8', prefix: '10.' }],
    [{ numeric: ['>', 1], exists: true }],
    [{ 'anything-but': 'x', prefix: 'y' }],
  ])('refuses two operators in one object: %j', (expression) => {
    expectPatternError(at(expression), { key, shows: JSON.stringify(expression), reason: /exactly one operator/ });
  });

  // The operand is checked before the extra key is noticed, as in Ruler, so its problem is the one reported.
  it('reports a bad operand before an extra operator', () => {
    expectPatternError(at({ prefix: 1, suffix: 'b' }), { key, shows: '1', reason: /"prefix" must be a string/ });
  });

  it('accepts several operator objects in one list as alternatives', () => {
    const values = [{ prefix: 'Create' }, { suffix: 'Policy' }, 'Exact'];
    expect(accepts(values, 'CreateUser')).toBe(true);
    expect(accepts(values, 'PutRolePolicy')).toBe(true);
    expect(accepts(values, 'Exact')).toBe(true);
    expect(accepts(values, 'DeleteUser')).toBe(false);
  });
});

describe('operand types', () => {
  // "prefix match pattern must be a string", "suffix match pattern must be a string", "equals-ignore-case match
  // pattern must be a string", "wildcard match pattern must be a string" (AWS-recorded: content_prefix_int_EXC,
  // content_prefix_list_EXC, content_suffix_int_EXC, content_suffix_list_EXC, content_ignorecase_EXC,
  // content_ignorecase_list_EXC, content_wildcard_int_EXC, content_wildcard_list_EXC, content_ip_address_type_EXC).
  it.each([
    [{ prefix: 123 }, '123', /"prefix" must be a string/],
    [{ prefix: ['2022-07-13'] }, '["2022-07-13"]', /"prefix" must be a string/],
    [{ prefix: null }, 'null', /"prefix" must be a string/],
    [{ suffix: 123 }, '123', /"suffix" must be a string/],
    [{ suffix: ['.png'] }, '[".png"]', /"suffix" must be a string/],
    [{ 'equals-ignore-case': ['ec2'] }, '["ec2"]', /"equals-ignore-case" must be a string/],
    [{ 'equals-ignore-case': { prefix: 'ec2' } }, '{"prefix":"ec2"}', /"equals-ignore-case" must be a string/],
    [{ wildcard: 123 }, '123', /"wildcard" must be a string/],
    [{ wildcard: ['a*'] }, '["a*"]', /"wildcard" must be a string/],
    [{ cidr: ['bad-type'] }, '["bad-type"]', /"cidr" must be a string/],
    [{ cidr: 10 }, '10', /"cidr" must be a string/],
  ])('refuses %j', (expression, shows, reason) => {
    expectPatternError(at(expression), { key, shows, reason });
  });

  // "exists match pattern must be either true or false." (JsonRuleCompiler.processExistsExpression)
  it.each([['true'], [1], [null], [[true]]])('refuses {"exists": %j}', (operand) => {
    expectPatternError(at({ exists: operand }), { key, shows: JSON.stringify(operand), reason: /"exists" must be true or false/ });
  });

  // {"prefix": {"equals-ignore-case": "x"}} is the only nested form (JsonRuleCompiler.processPrefixEqualsIgnoreCaseExpression:
  // "Unsupported prefix pattern", "Prefix expression name not found", "Only one key allowed in match expression").
  it.each([
    [{ prefix: { suffix: 'x' } }, '{"suffix":"x"}', /only accepts a nested "equals-ignore-case"/],
    [{ prefix: {} }, '{}', /only accepts a nested "equals-ignore-case"/],
    [{ suffix: { wildcard: 'x' } }, '{"wildcard":"x"}', /only accepts a nested "equals-ignore-case"/],
    [{ prefix: { 'equals-ignore-case': 1 } }, '1', /"equals-ignore-case" must be a string/],
    [{ suffix: { 'equals-ignore-case': 'x', prefix: 'y' } }, '{"equals-ignore-case":"x","prefix":"y"}', /exactly one nested operator/],
  ])('refuses the nested affix %j', (expression, shows, reason) => {
    expectPatternError(at(expression), { key, shows, reason });
  });
});
