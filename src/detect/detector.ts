import { toEventBridgeEnvelope } from '../cloudtrail/envelope.js';
import type { CloudTrailRecord, EventBridgeEnvelope } from '../cloudtrail/types.js';
import { buildFinding, type RuleHit } from '../findings/build.js';
import type { Finding } from '../findings/types.js';
import { severityRank, type Rule } from '../rules/types.js';
import { RuleIndex } from './rule-index.js';
import { withEventScope } from '../patterns/eventbridge/index.js';

export interface Detector {
  readonly rules: readonly Rule[];
  /** Evaluates every rule against one CloudTrail record (wrapped in its EventBridge envelope). */
  evaluate(record: CloudTrailRecord): Finding[];
  /** Evaluates every rule against an event already in EventBridge's envelope. */
  evaluateEvent(event: EventBridgeEnvelope): Finding[];
  /** How rules are spread over the index (rules evaluated for every event are `unindexed`). */
  indexStats(): ReturnType<RuleIndex<Rule>['stats']>;
  /** Rule errors so far (each also reported through onRuleError): in total and per rule id. */
  ruleErrors(): RuleErrorCounts;
}

export interface RuleErrorCounts {
  total: number;
  byRule: Record<string, number>;
}

/**
 * Builds the detector for a rule set. Per event it evaluates only the rules the index cannot
 * rule out, so the per-record cost stays nearly flat as the rule count grows.
 */
export interface DetectorOptions {
  /**
   * Called when evaluating a rule on an event throws — its pattern, one of its checks, or building its finding
   * (an engine bug, a check that does not expect an odd record); the rule then counts as not matched and the
   * other rules still run. Default: a one-line warning on stderr. A caller can count, show or fail on these
   * (`scan --strict`, `rules test`); nothing below the detector swallows them.
   */
  onRuleError?: (rule: Rule, event: EventBridgeEnvelope, error: unknown) => void;
}

export function createDetector(rules: readonly Rule[], options: DetectorOptions = {}): Detector {
  const enabled = rules.filter((rule) => rule.enabled !== false);
  const index = new RuleIndex(enabled);
  const reportRuleError = options.onRuleError ?? warnRuleError;
  const errorsByRule = new Map<string, number>();
  let errorTotal = 0;
  const onRuleError = (rule: Rule, event: EventBridgeEnvelope, error: unknown): void => {
    errorTotal++;
    errorsByRule.set(rule.id, (errorsByRule.get(rule.id) ?? 0) + 1);
    reportRuleError(rule, event, error);
  };

  const evaluateEvent = (event: EventBridgeEnvelope): Finding[] => withEventScope(event, () => evaluateInScope(event));
  const evaluateInScope = (event: EventBridgeEnvelope): Finding[] => {
    let hits: RuleHit[] | undefined;
    const candidates = index.candidates(event);
    for (let i = 0; i < candidates.length; i++) {
      const rule = candidates[i]!;
      let hit: RuleHit | undefined;
      try {
        hit = evaluateRule(rule, event);
      } catch (error) {
        onRuleError(rule, event, error);
      }
      if (hit) (hits ??= []).push(hit);
    }
    if (hits === undefined) return [];
    const findings: Finding[] = [];
    for (const hit of hits) {
      try {
        findings.push(buildFinding(hit, event));
      } catch (error) {
        onRuleError(hit.rule, event, error);
      }
    }
    return findings;
  };

  return {
    rules: enabled,
    evaluateEvent,
    evaluate: (record) => evaluateEvent(toEventBridgeEnvelope(record)),
    indexStats: () => index.stats(),
    ruleErrors: () => ({ total: errorTotal, byRule: Object.fromEntries(errorsByRule) }),
  };
}

/** One rule against one event: the pattern, then every named check; the highest severity wins. */
export function evaluateRule(rule: Rule, event: EventBridgeEnvelope): RuleHit | undefined {
  if (!rule.pattern.matches(event)) return undefined;
  let severity = rule.severity;
  let facts: RuleHit['facts'] = {};
  for (const check of rule.compiledChecks) {
    const outcome = check.run({ record: event.detail, event });
    if (!outcome.matched) return undefined;
    if (outcome.severity !== undefined && severityRank(outcome.severity) > severityRank(severity)) severity = outcome.severity;
    if (outcome.facts) facts = { ...facts, ...outcome.facts };
  }
  return { rule, severity, facts };
}

function warnRuleError(rule: Rule, event: EventBridgeEnvelope, error: unknown): void {
  const eventId = event.detail.eventID ?? '(no eventID)';
  process.stderr.write(`trailguard: rule ${rule.id} failed on event ${eventId}: ${error instanceof Error ? error.message : String(error)}\n`);
}
