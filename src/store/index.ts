/** The embedded SQLite store: findings, the delivery outbox, and a migration hook for other features' tables. */
export { openStore, resolveStorePath, defaultOwner, DEFAULT_STORE_PATH, StoreError } from './store.js';
export type { Store, Migration, OpenStoreOptions, SqliteDatabase } from './store.js';
export { FindingsTable } from './findings.js';
export type { StoredFinding } from './findings.js';
export { Outbox, DELIVERY_STATES, NOTIFICATION_KINDS, OUTBOX_MIGRATIONS } from './outbox.js';
export type { OutboxRow, DeliveryState, NotificationKind, NewNotification, NewRemediationNotice, RemediationNoticeRow, NotificationStats, StateCount } from './outbox.js';
export { storeConfigSchema } from './config.js';
export type { StoreConfig } from './config.js';
