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

/**
 * Runs every rule's own test events. A must-match event has to produce a finding for its rule —
 * both evaluated alone and through the detector with all the given rules (so the rule index is
 * tested too) — with the expected severity and summary text; a near-miss must produce none.
 * Test records go through the decoder first: a record the decoder would reject is a failure.
 */
export function runRuleTests(rules: readonly Rule[]): RuleTestResult[] {
  const detector = createDetector(rules, {
    onRuleError: (rule, _event, error) => {
      throw new Error(`rule ${rule.id} threw: ${(error as Error).message}`);
    },
  });
  const results: RuleTestResult[] = [];
  for (const rule of rules) {
    for (const [kind, cases] of [['match', rule.tests.match], ['noMatch', rule.tests.noMatch]] as const) {
      cases.forEach((testCase, i) => {
        const base = { ruleId: rule.id, file: rule.file, kind, name: testCase.name || `${kind}[${i}]` };
        try {
          const problem = runCase(rule, kind, testCase, detector);
          results.push({ ...base, passed: problem === undefined, problem });
        } catch (error) {
          results.push({ ...base, passed: false, problem: (error as Error).message });
        }
      });
    }
  }
  return results;
}

function runCase(rule: Rule, kind: 'match' | 'noMatch', testCase: RuleTestCase, detector: ReturnType<typeof createDetector>): string | undefined {
  const event = testEvent(rule, testCase);
  if (typeof event === 'string') return event;
  const hit = evaluateRule(rule, event);
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
