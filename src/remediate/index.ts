/** Auto-remediation: one action per file, the runner, policy, loop guard, audit log and approvals. */
export { ACTIONS, ACTION_IDS, getAction } from './actions/index.js';
export { ApprovalStore, type PendingApproval, type ApprovalStatus } from './approvals.js';
export { createRemediationClients, defaultRemediationClients, type RemediationClients, type AssumeRoleOptions } from './clients.js';
export { remediationConfigSchema, type RemediationConfig, type ActionEntry } from './config.js';
export { buildIamPolicy, enabledActions, allActions, type IamPolicyDocument } from './iam-policy.js';
export { RemediationLog } from './log.js';
export { REMEDIATION_MIGRATIONS, migrateRemediation, type RemediationStore } from './schema.js';
export { decisionFindingOf } from './types.js';
export { ownIdentity } from './loop-guard.js';
export { combineReporters, decisionMessage, jsonLinesReporter, textReporter, type RemediationReporter } from './reporter.js';
export { createRemediationRunner, type RemediationRunner, type RunnerOptions } from './runner.js';
export type * from './types.js';
