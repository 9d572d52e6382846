/** Notifications: channels (one sink per file), routing, de-duplication and storms, the durable outbox worker. */
export { createNotifier, Notifier, channelPolicy, windowPolicy } from './notifier.js';
export type { NotifierOptions, EnqueueReport } from './notifier.js';
export { Dispatcher, backoffDelay, isDeadLocalOwner, DEFAULT_CHANNEL_POLICY } from './dispatcher.js';
export type { ChannelPolicy, RunOptions, RunReport } from './dispatcher.js';
export { enqueueOnChannel, idempotencyKey, DEFAULT_WINDOW_POLICY } from './dedupe.js';
export type { EnqueueOutcome, WindowPolicy } from './dedupe.js';
export { createRouter } from './router.js';
export type { Router } from './router.js';
export { notificationsConfigSchema } from './config.js';
export { loadNotifyConfig } from './config-file.js';
export type { NotificationsConfig, ChannelConfig, ChannelType } from './config.js';
export type { LoadedNotifyConfig } from './config-file.js';
export { SecretResolver, awsSecretBackends, SecretError } from './secrets.js';
export { Redactor, secretRedactor, redact } from './redact.js';
export { DeliveryError, NotifyConfigError, parseRetryAfter } from './errors.js';
export { sampleFinding, testNotification } from './sample-finding.js';
export { createSink } from './sinks/index.js';
export type { Notification, Sink, SendContext, SendResult, NotifyLogger } from './types.js';
