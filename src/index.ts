/**
 * trailguard's public API: the engine only (decode, patterns, rules, detect, findings, config), which loads
 * no AWS SDK, SQLite, HTTP or mail client, so a Lambda handler's cold start stays small. Stable: tests and
 * users depend on it. The rest are subpath exports, each loading only what it needs:
 * `trailguard/audit`, `trailguard/notify`, `trailguard/remediate`, `trailguard/store`, `trailguard/lambda`,
 * `trailguard/app` (test/package/entry-points.test.ts holds the root to this).
 */
export { compileEventPattern } from './patterns/eventbridge/index.js';
export type { CompiledEventPattern } from './patterns/eventbridge/index.js';
export { PatternError } from './patterns/errors.js';
export type { CompiledPattern, FieldValueHint } from './patterns/types.js';
export { compileFilterPattern } from './patterns/filter/index.js';
export type { CompiledFilterPattern } from './patterns/filter/index.js';

export { decodeRecords } from './cloudtrail/decode.js';
export { normalizeActor } from './cloudtrail/actor.js';
export { toEventBridgeEnvelope } from './cloudtrail/envelope.js';
export type * from './cloudtrail/types.js';

export { loadRules, compileRuleText, BUILTIN_RULES_DIR } from './rules/load.js';
export type { LoadedRules, LoadRulesOptions } from './rules/load.js';
export { RuleLoadError } from './rules/errors.js';
export type { RuleWarning, RuleProblemLocation } from './rules/errors.js';
export { runRuleTests } from './rules/test-runner.js';
export type { RuleTestResult } from './rules/test-runner.js';
export { selectRules } from './rules/select.js';
export { SEVERITIES, severityRank } from './rules/types.js';
export type { Rule, RuleDefinition, Severity, Compliance, RuleCheck, CheckOutcome } from './rules/types.js';

export { createDetector } from './detect/detector.js';
export type { Detector, DetectorOptions } from './detect/detector.js';
export type { Finding } from './findings/types.js';

export { loadConfig, ConfigError } from './config/load.js';
export type { TrailguardConfig } from './config/schema.js';
