import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeRecords } from '../cloudtrail/decode.js';
import { toEventBridgeEnvelope } from '../cloudtrail/envelope.js';
import type { EventBridgeEnvelope } from '../cloudtrail/types.js';
import { createDetector, evaluateRule } from '../detect/detector.js';
import { buildFinding } from '../findings/build.js';
import type { Rule, RuleTestCase } from './types.js';

export interface RuleTestResult {
  ruleId: string;
  file: string;
  kind: 'match' | 'noMatch';
  name: string;
  passed: boolean;
  /** Why it failed. */
  problem?: string;
}

/** A rule that threw while the detector evaluated another rule's test event (the detector's onRuleError). */
export interface RuleErrorReport {
  /** The rule that threw. */
  ruleId: string;
  file: string;
  /** Whose test event it was, and which. */
  testOf: { ruleId: string; kind: 'match' | 'noMatch'; name: string };
  message: string;
}

export interface RuleTestRun {
  results: RuleTestResult[];
  /** Rules that threw on test events of other rules (a rule throwing on its own events fails that case instead). */
  ruleErrors: RuleErrorReport[];
  /** Rules without both kinds of test event (user rules may omit them; with `strict` each is a failed result too). */
  untested: string[];
}

export interface RuleTestOptions {
  /** A rule without an event that must match or without a near-miss fails (`rules test --strict`). */
  strict?: boolean;
}

/**
 * Runs every rule's own test events. A must-match event has to produce a finding for its rule —
 * both evaluated alone and through the detector with all the given rules (so the rule index is
 * tested too) — with the expected severity and summary text; a near-miss must produce none.
 * Test records go through the decoder first: a record the decoder would reject is a failure.
 * A rule that throws on an event fails too: on its own test event the case fails; on another rule's event (reported
 * through the detector's onRuleError, never thrown past it) the error is counted in `ruleErrors`.
 */
export function runRuleTestSuite(rules: readonly Rule[], options: RuleTestOptions = {}): RuleTestRun {
  let reported: Array<{ rule: Rule; error: unknown }> = [];
  const detector = createDetector(rules, {
    onRuleError: (rule, _event, error) => {
      reported.push({ rule, error });
    },
  });
  const run: RuleTestRun = { results: [], ruleErrors: [], untested: [] };
  for (const rule of rules) {
    const missing = (['match', 'noMatch'] as const).filter((kind) => rule.tests[kind].length === 0);
    if (missing.length > 0) run.untested.push(rule.id);
    if (options.strict) {
      for (const kind of missing) {
        const what = kind === 'match' ? 'event that must match (tests.match)' : 'near-miss that must not match (tests.noMatch)';
        run.results.push({ ruleId: rule.id, file: rule.file, kind, name: '(none)', passed: false, problem: `--strict: the rule has no ${what}` });
      }
    }
    for (const [kind, cases] of [['match', rule.tests.match], ['noMatch', rule.tests.noMatch]] as const) {
      cases.forEach((testCase, i) => {
        const base = { ruleId: rule.id, file: rule.file, kind, name: testCase.name || `${kind}[${i}]` };
        reported = [];
        let problem: string | undefined;
        try {
          problem = runCase(rule, kind, testCase, detector);
        } catch (error) {
          problem = messageOf(error);
        }
        const own = reported.find((r) => r.rule.id === rule.id);
        if (own && !problem?.startsWith('threw on this event')) problem = `threw on this event: ${messageOf(own.error)}`;
        for (const other of reported.filter((r) => r.rule.id !== rule.id)) {
          run.ruleErrors.push({ ruleId: other.rule.id, file: other.rule.file, testOf: { ruleId: rule.id, kind, name: base.name }, message: messageOf(other.error) });
        }
        run.results.push({ ...base, passed: problem === undefined, ...(problem !== undefined ? { problem } : {}) });
      });
    }
  }
  return run;
}

/** The results of runRuleTestSuite alone (kept for the library API; rule errors on other rules' events are left out). */
export function runRuleTests(rules: readonly Rule[], options: RuleTestOptions = {}): RuleTestResult[] {
  return runRuleTestSuite(rules, options).results;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function runCase(rule: Rule, kind: 'match' | 'noMatch', testCase: RuleTestCase, detector: ReturnType<typeof createDetector>): string | undefined {
  const event = testEvent(rule, testCase);
  if (typeof event === 'string') return event;
  let hit: ReturnType<typeof evaluateRule>;
  try {
    hit = evaluateRule(rule, event);
  } catch (error) {
    // Still through the detector, so that other rules throwing on this event are counted as well.
    detector.evaluateEvent(event);
    return `threw on this event: ${messageOf(error)}`;
  }
  const viaDetector = detector.evaluateEvent(event).some((f) => f.ruleId === rule.id);
  if (kind === 'noMatch') {
    if (hit) return 'matched, but it is a near-miss that must not match';
    return undefined;
  }
  if (!hit) return 'did not match';
  if (!viaDetector && rule.enabled !== false) return 'matched alone but not through the detector: the rule index lost it';
  const finding = buildFinding(hit, event);
  if (testCase.expect?.severity && finding.severity !== testCase.expect.severity) {
    return `severity is ${finding.severity}, expected ${testCase.expect.severity}`;
  }
  for (const text of testCase.expect?.summaryIncludes ?? []) {
    if (!finding.summary.includes(text)) return `summary "${finding.summary}" does not include "${text}"`;
  }
  return undefined;
}

function testEvent(rule: Rule, testCase: RuleTestCase): EventBridgeEnvelope | string {
  let input: unknown = testCase.record ?? testCase.event;
  if (testCase.file !== undefined) {
    const file = path.resolve(path.dirname(rule.file), testCase.file);
    try {
      input = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      return `cannot read test file ${file}: ${(error as Error).message}`;
    }
  }
  const decoded = decodeRecords(input as object, { source: `${rule.file}#${testCase.name}` });
  const reject = decoded.rejects[0];
  if (reject) return `the decoder rejects this test event: ${reject.reason}`;
  if (decoded.records.length !== 1) return `a test case must hold exactly one CloudTrail record, found ${decoded.records.length}`;
  const envelope = toEventBridgeEnvelope(decoded.records[0]!.record);
  // A test written as a whole EventBridge event keeps its own envelope fields.
  return testCase.event ? ({ ...(testCase.event as object), detail: envelope.detail } as EventBridgeEnvelope) : envelope;
}
