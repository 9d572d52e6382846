/** `trailguard audit`: account posture checks for the CIS monitoring controls, judged by what the account's own filters match. */
export { readAccount, type ReadAccountOptions } from './account.js';
export { applyPlan, type ApplyResult } from './apply.js';
export { callAws, describeCallError, type RetryOptions } from './aws-call.js';
export { createAwsClients, defaultAwsClients, type AwsClients } from './clients.js';
export { planToTemplate, renderTemplate, renderTemplate as renderAuditCloudFormation } from './cloudformation.js';
export { buildBattery } from './controls/battery.js';
export { MONITORING_CONTROLS, findControl, patternFor, type MonitoringControl, type PatternSet } from './controls/catalog.js';
export { trailRecords, managementCoverageGaps } from './event-selectors.js';
export { evaluateAccount, allControlIds, TRAIL_CONTROL_IDS, type EvaluateOptions } from './evaluate.js';
export { planFixes, renderFixPlan, type FixPlan, type FixStep, type FixOptions } from './fix-plan.js';
export { judgeFilter, judgeMatcher, type FilterJudgement } from './judge-filter.js';
export { renderAuditJson, renderAuditTable, renderComplianceSummary, summarizeCompliance, type FrameworkSummary } from './render.js';
export type * from './types.js';
