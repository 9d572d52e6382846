/** Auto-remediation: one action per file, the runner, policy, loop guard; the log, approvals and claims live in the store. */
export { ACTIONS, ACTION_IDS, getAction } from './actions/index.js';
export type { PendingApproval, ApprovalStatus, RemediationStore } from '../store/types.js';
export { createRemediationClients, defaultRemediationClients, type RemediationClients, type AssumeRoleOptions } from './clients.js';
export { remediationConfigSchema, type RemediationConfig, type ActionEntry } from './config.js';
export { buildIamPolicy, enabledActions, allActions, type IamPolicyDocument } from './iam-policy.js';
export { decisionFindingOf } from './types.js';
export { ownIdentity } from './loop-guard.js';
export { combineReporters, decisionMessage, jsonLinesReporter, textReporter, type RemediationReporter } from './reporter.js';
export { createRemediationRunner, ApprovalError, RemediationBusyError, RemediationCommitError, DEFAULT_CLAIM_LEASE_MS, type RemediationRunner, type RunnerOptions, type RemediationNoticeSource } from './runner.js';
export type * from './types.js';
