/**
 * trailguard's public API. Stable: tests and users depend on it.
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

export { readAccount, evaluateAccount, judgeFilter, planFixes, applyPlan, renderTemplate as renderAuditCloudFormation, MONITORING_CONTROLS } from './audit/index.js';
export type { AuditReport, ControlResult, AccountSnapshot } from './audit/types.js';

export { openStore } from './store/index.js';
export type { Store } from './store/index.js';
export { createNotifier } from './notify/index.js';
export type { NotifierOptions, Notification } from './notify/index.js';
export { createRemediationRunner, buildIamPolicy as buildRemediationIamPolicy, ACTION_IDS as REMEDIATION_ACTION_IDS } from './remediate/index.js';
export type { RemediationRunner, RemediationDecision, RemediationReporter } from './remediate/index.js';
