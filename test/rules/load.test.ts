import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, compileRuleText, loadRules } from '../../src/rules/load.js';
import { ruleText } from '../support/rule-text.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-rules-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('compileRuleText', () => {
  it('compiles a valid rule with its pattern, templates and tests', () => {
    const { rule, error } = compileRuleText(ruleText(), 'r.yaml');
    expect(error).toBeUndefined();
    expect(rule?.id).toBe('my-rule');
    expect(rule?.pattern.valuesAt(['detail', 'eventName'])?.exact).toEqual(['StopLogging']);
    expect(rule?.templates.summary?.paths).toEqual(['actor.name', 'detail.requestParameters.name']);
  });

  it.each([
    ['invalid YAML', ruleText().replace('severity: high', 'severity: [high'), /^r\.yaml:\d+:\d+: invalid YAML/],
    ['an unknown severity', ruleText({ severity: 'severe' }), /^r\.yaml:3:11: rule my-rule: severity: Invalid option: expected one of "info"\|"low"\|"medium"\|"high"\|"critical" \(got "severe"\)$/],
    ['an unknown key (at the key itself, with the closest known key)', ruleText({ extra: 'serverity: high' }), /^r\.yaml:10:1: rule my-rule: unknown key "serverity" \(did you mean "severity"\?\)$/],
    ['a bad id', ruleText({ id: 'My_Rule' }), /^r\.yaml:1:5: rule My_Rule: id: must be lower-case words joined by hyphens \(got "My_Rule"\)$/],
    ['an invalid pattern', ruleText({ match: '  detail:\n    eventName: StopLogging' }), /^r\.yaml:7:16: rule my-rule: match\.detail\.eventName: .*StopLogging/],
    ['an unknown pattern operator', ruleText({ match: '  detail:\n    eventName: [{ prefx: Stop }]' }), /^r\.yaml:\d+:\d+: rule my-rule: match\.detail\.eventName.*prefx/],
    ['an unknown check', ruleText({ extra: 'checks: [no-such-check]' }), /^r\.yaml:\d+:\d+: rule my-rule: checks\[0\]: unknown check "no-such-check"; known checks: role-trust-allows-external-principal, security-group-open-to-world, targets-other-iam-user, targets-own-iam-user$/],
    ['a misspelled check', ruleText({ extra: 'checks: [targets-other-iam-usr]' }), /^r\.yaml:\d+:\d+: rule my-rule: checks\[0\]: unknown check "targets-other-iam-usr" \(did you mean "targets-other-iam-user"\?\); known checks: /],
    ['a bad summary template', ruleText({ summary: 'summary: "{{record.eventName}}"' }), /^r\.yaml:9:10: rule my-rule: summary: unknown placeholder root "record" at offset 2/],
    ['a bad resources path', ruleText({ extra: 'resources: ["detail..x"]' }), /rule my-rule: resources\[0\]: invalid placeholder "detail\.\.x"/],
    ['a test case with two inputs', ruleText().replace('    - name: stop\n', '    - name: stop\n      file: x.json\n'), /rule my-rule: tests\.match\[0\]: a test case needs exactly one of record, event or file$/],
    ['a bad ATT&CK id', ruleText({ extra: 'attack: [TA0005]' }), /rule my-rule: attack\[0\]: must be a MITRE ATT&CK technique id/],
    ['a bad CIS version key', ruleText({ extra: 'compliance:\n  cis-aws-foundations:\n    "1.4": ["4.5"]' }), /^r\.yaml:\d+:\d+: rule my-rule: compliance\.cis-aws-foundations\["1\.4"\]: must be a CIS benchmark version like v1\.4\.0 \(got "1\.4"\)$/],
  ])('reports %s with file, line, rule id and key', (_what, text, message) => {
    const { error, rule } = compileRuleText(text, 'r.yaml');
    expect(rule).toBeUndefined();
    expect(error?.message).toMatch(message);
  });

  it('reports every problem of a file at once, each located, in file order (schema problems)', () => {
    const text = ruleText({ severity: 'severe', extra: 'tgas: [x]\nattack: [TA0005]' });
    const { error, rule } = compileRuleText(text, 'r.yaml');
    expect(rule).toBeUndefined();
    expect(error?.problems.map((p) => p.message)).toEqual([
      'r.yaml:3:11: rule my-rule: severity: Invalid option: expected one of "info"|"low"|"medium"|"high"|"critical" (got "severe")',
      'r.yaml:10:1: rule my-rule: unknown key "tgas" (did you mean "tags"?)',
      expect.stringMatching(/^r\.yaml:11:10: rule my-rule: attack\[0\]: must be a MITRE ATT&CK technique id/),
    ]);
    // The message has one line per problem; location and detail are the first's.
    expect(error?.message.split('\n')).toEqual(error?.problems.map((p) => p.message));
    expect(error?.location).toMatchObject({ file: 'r.yaml', ruleId: 'my-rule', key: 'severity', line: 3, column: 11 });
  });

  it('reports every problem of a file at once (pattern, checks and templates)', () => {
    const text = ruleText({ match: '  detail:\n    eventName: StopLogging', summary: 'summary: "{{record.x}}"', extra: 'checks: [no-such-check]' });
    const { error } = compileRuleText(text, 'r.yaml');
    expect(error?.problems.map((p) => p.location.key)).toEqual(['match.detail.eventName', 'checks[0]', 'summary']);
  });

  it("a user's rule without tests loads with a warning; a built-in one does not load", () => {
    const untested = ruleText().replace(/^tests:[\s\S]*$/m, '');
    const user = compileRuleText(untested, 'r.yaml');
    expect(user.error).toBeUndefined();
    expect(user.rule?.tests).toEqual({ match: [], noMatch: [] });
    expect(user.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^r\.yaml:1:1: rule my-rule: tests: no tests: add an event that must match \(tests\.match\) and a near-miss/)]);

    const noNearMiss = ruleText().replace(/ {2}noMatch:[\s\S]*$/, '  noMatch: []\n');
    const partial = compileRuleText(noNearMiss, 'r.yaml');
    expect(partial.rule).toBeDefined();
    expect(partial.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/rule my-rule: tests: no tests\.noMatch \(a near-miss that must not match\); rules test --strict refuses/)]);

    const builtin = compileRuleText(noNearMiss, 'r.yaml', 'builtin');
    expect(builtin.rule).toBeUndefined();
    expect(builtin.error?.message).toMatch(/rule my-rule: tests\.noMatch: a rule needs at least one near-miss that must not match$/);
    expect(compileRuleText(untested, 'r.yaml', 'builtin').error?.message).toMatch(/rule my-rule: tests: is required/);
  });

  it('warns about an eventName its eventSource API does not have', () => {
    const { rule, warnings } = compileRuleText(ruleText({ match: '  detail:\n    eventSource: [cloudtrail.amazonaws.com]\n    eventName: [StopLoging, StopLogging]' }), 'r.yaml');
    expect(rule).toBeDefined();
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^r\.yaml:\d+:\d+: rule my-rule: match\.detail\.eventName: "StopLoging" is not an operation of cloudtrail\.amazonaws\.com \(API model cloudtrail-2013-11-01\.min\.json\); a misspelled eventName never matches$/),
    ]);
  });
});

describe('rules with a CloudWatch Logs filter pattern', () => {
  const filterOnly = ruleText({ match: '' }).replace('match:\n\n', 'filterPattern: \'{ ($.eventSource = cloudtrail.amazonaws.com) && ($.eventName = StopLogging) }\'\n');
  const envelope = (eventName: string) => ({ source: 'aws.cloudtrail', detail: { eventSource: 'cloudtrail.amazonaws.com', eventName } });

  it('matches the CloudTrail record (the envelope detail) and indexes by its eventName', () => {
    const { rule, error } = compileRuleText(filterOnly, 'r.yaml');
    expect(error).toBeUndefined();
    expect(rule!.pattern.matches(envelope('StopLogging'))).toBe(true);
    expect(rule!.pattern.matches(envelope('StartLogging'))).toBe(false);
    expect(rule!.pattern.valuesAt(['detail', 'eventName'])?.exact).toEqual(['StopLogging']);
    expect(rule!.pattern.valuesAt(['source'])).toBeNull();
  });

  it('with an EventBridge pattern too, both must match', () => {
    const text = ruleText({ match: '  detail:\n    eventSource: [cloudtrail.amazonaws.com]' }).replace('match:', "filterPattern: '{ $.eventName = StopLogging }'\nmatch:");
    const { rule } = compileRuleText(text, 'r.yaml');
    expect(rule!.pattern.matches(envelope('StopLogging'))).toBe(true);
    expect(rule!.pattern.matches(envelope('DeleteTrail'))).toBe(false);
    expect(rule!.pattern.matches({ detail: { eventSource: 'iam.amazonaws.com', eventName: 'StopLogging' } })).toBe(false);
  });

  it('reports an invalid filter pattern with its offset, and a rule with neither match', () => {
    const bad = compileRuleText(filterOnly.replace('($.eventName = StopLogging)', '($.eventName == StopLogging)'), 'r.yaml');
    expect(bad.error?.message).toMatch(/^r\.yaml:5:16: rule my-rule: filterPattern: invalid CloudWatch Logs filter pattern: .*offset \d+/);
    const neither = compileRuleText(filterOnly.replace(/^filterPattern: .*$/m, ''), 'r.yaml');
    expect(neither.error?.message).toMatch(/rule my-rule: match: a rule needs a match \(EventBridge pattern\), a filterPattern/);
  });
});

describe('loadRules', () => {
  it('loads the built-in catalog with no errors and, checked against the AWS API metadata, no eventName warnings', () => {
    const loaded = loadRules([BUILTIN_RULES_DIR], { checkEventNames: true });
    expect(loaded.errors.map((e) => e.message)).toEqual([]);
    expect(loaded.warnings.map((w) => w.message)).toEqual([]);
    expect(loaded.rules.length).toBeGreaterThanOrEqual(35);
    expect(loaded.rules.every((r) => r.origin === 'builtin')).toBe(true);
  });

  it('keeps loading after a malformed rule, reports duplicates and lets a later directory override by id', () => {
    const first = dirWith({ 'a.yaml': ruleText({ id: 'rule-a' }), 'nested/b.yml': ruleText({ id: 'rule-b', severity: 'bogus' }), 'c.yaml': ruleText({ id: 'rule-a' }), 'notes.txt': 'ignored: not a rule file' });
    const second = dirWith({ 'a.yaml': ruleText({ id: 'rule-a', severity: 'low' }) });
    const loaded = loadRules([first, second]);
    expect(loaded.files).toBe(4);
    expect(loaded.rules.map((r) => [r.id, r.severity])).toEqual([['rule-a', 'low']]);
    expect(loaded.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/c\.yaml:1:5: rule rule-a: id: duplicate rule id: already defined in .*a\.yaml$/),
      expect.stringMatching(/nested\/b\.yml:3:11: rule rule-b: severity: /),
    ]);
    expect(loaded.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/a\.yaml:1:5: rule rule-a: id: overrides the rule of the same id from .*a\.yaml$/)]);
  });

  it('reports a path that cannot be read', () => {
    const loaded = loadRules(['/nonexistent/rules']);
    expect(loaded.rules).toEqual([]);
    expect(loaded.errors[0]?.message).toMatch(/^\/nonexistent\/rules: cannot read rules: ENOENT/);
  });
});
