/**
 * trailguard's application layer (`trailguard/app`): the sessions every entry point runs — the CLI, the Lambda
 * handlers, and hosts of your own — over the config, the store, the notifier and remediation.
 */
export { createEventPipeline, type EventPipeline, type EventPipelineOptions, type ProcessReport, type RuleFailure } from './events.js';
export {
  openNotifications,
  registerKnownSecrets,
  outboxStatus,
  deliverRemediationNotices,
  describeRunReport,
  type OpenNotificationsOptions,
  type OutboxStatus,
  type ChannelStatus,
  type DeliveryStatus,
  type NoticeOutcome,
} from './notifications.js';
export { openRemediation, type RemediationSession, type RemediationSessionOptions } from './remediation.js';
export { remediationClients } from './remediation-clients.js';
export { remediationQueueSender, handApprovalToQueue, type RemediationRequest, type ApprovalRequest } from './remediation-queue.js';
export { scanNotifications, type ScanNotifications } from './scan.js';
export { watchSession, type WatchSession, type WatchSessionOptions } from './watch.js';
