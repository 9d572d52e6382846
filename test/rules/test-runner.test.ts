/**
 * The rules' own tests (`trailguard rules test`): a rule that throws on an event fails the run — on its own test
 * event that case fails, on another rule's event the error is counted against the rule that threw (through the
 * detector's onRuleError, never thrown past it) — and `strict` refuses a rule without tests.
 */
import { describe, expect, it } from 'vitest';
import { compileRuleText } from '../../src/rules/load.js';
import { runRuleTests, runRuleTestSuite } from '../../src/rules/test-runner.js';
import type { Rule, RuleCheck } from '../../src/rules/types.js';
import { ruleText } from '../support/rule-text.js';

function rule(id: string, text = ruleText({ id })): Rule {
  const { rule: compiled, error } = compileRuleText(text, `${id}.yaml`, 'user', false);
  expect(error).toBeUndefined();
  return compiled!;
}

const boom: RuleCheck = {
  name: 'boom',
  description: 'throws on every event it sees',
  run: () => {
    throw new Error('boom on purpose');
  },
};

describe('runRuleTestSuite', () => {
  it('a passing rule: every case passes, no rule errors', () => {
    const run = runRuleTestSuite([rule('my-rule')]);
    expect(run.results.map((r) => [r.kind, r.name, r.passed])).toEqual([
      ['match', 'stop', true],
      ['noMatch', 'other', true],
    ]);
    expect(run.ruleErrors).toEqual([]);
    expect(run.untested).toEqual([]);
  });

  it("a rule that throws on another rule's test event is counted against the rule that threw, not the other rule's case", () => {
    const good = rule('good-rule');
    const throwing: Rule = { ...rule('throwing-rule'), compiledChecks: [boom] };
    const run = runRuleTestSuite([good, throwing]);
    const of = (id: string) => run.results.filter((r) => r.ruleId === id).map((r) => [r.kind, r.passed, r.problem]);
    // The good rule matched its event through the detector although another rule threw on it.
    expect(of('good-rule')).toEqual([
      ['match', true, undefined],
      ['noMatch', true, undefined],
    ]);
    // The throwing rule fails its own must-match case (the near-miss never reaches the check).
    expect(of('throwing-rule')).toEqual([
      ['match', false, 'threw on this event: boom on purpose'],
      ['noMatch', true, undefined],
    ]);
    expect(run.ruleErrors).toEqual([{ ruleId: 'throwing-rule', file: 'throwing-rule.yaml', testOf: { ruleId: 'good-rule', kind: 'match', name: 'stop' }, message: 'boom on purpose' }]);
  });

  it('an error only the detector sees (reported to onRuleError, not thrown) fails the case', () => {
    let calls = 0;
    const flaky: RuleCheck = {
      name: 'flaky',
      description: 'passes once, then throws',
      run: () => {
        if (calls++ === 0) return { matched: true };
        throw new Error('second call fails');
      },
    };
    const r: Rule = { ...rule('flaky-rule'), compiledChecks: [flaky] };
    const match = runRuleTestSuite([r]).results.find((x) => x.kind === 'match')!;
    expect(match).toMatchObject({ passed: false, problem: 'threw on this event: second call fails' });
  });

  it("user rules without tests pass unless strict; strict fails each missing kind", () => {
    const untested = rule('ad-hoc', ruleText({ id: 'ad-hoc' }).replace(/^tests:[\s\S]*$/m, ''));
    const lenient = runRuleTestSuite([untested, rule('my-rule')]);
    expect(lenient.untested).toEqual(['ad-hoc']);
    expect(lenient.results.every((r) => r.passed)).toBe(true);
    const strict = runRuleTestSuite([untested, rule('my-rule')], { strict: true });
    expect(strict.results.filter((r) => !r.passed).map((r) => [r.ruleId, r.kind, r.name, r.problem])).toEqual([
      ['ad-hoc', 'match', '(none)', '--strict: the rule has no event that must match (tests.match)'],
      ['ad-hoc', 'noMatch', '(none)', '--strict: the rule has no near-miss that must not match (tests.noMatch)'],
    ]);
    expect(runRuleTests([untested], { strict: true }).filter((r) => !r.passed)).toHaveLength(2);
  });
});
