/**
 * Notifications as every entry point uses them: a notifier over the store with the known secrets registered
 * for redaction, what the outbox holds (status), re-driving failed deliveries, and following the delivery
 * of a set of remediation notices. The CLI renders what these return; the Lambda handlers log it.
 */
import type { ChannelConfig, NotificationsConfig } from '../notify/config.js';
import type { RunReport } from '../notify/dispatcher.js';
import { createNotifier, type Notifier, type NotifierOptions } from '../notify/notifier.js';
import { redact, secretRedactor } from '../notify/redact.js';
import { hasSecretReference } from '../notify/secrets.js';
import type { DeliveryState, OutboxRow, Store } from '../store/types.js';

/** Secret fields of every channel, by type. */
const SECRET_FIELDS: Partial<Record<ChannelConfig['type'], string[]>> = {
  slack: ['webhookUrl'],
  teams: ['webhookUrl'],
  pagerduty: ['routingKey'],
  opsgenie: ['apiKey'],
  smtp: ['password'],
  webhook: ['url', 'signingSecret'],
};

/**
 * Registers what can be known without a network call — literal secret values and environment
 * references — so that even output that never resolved a secret (notify status) cannot print one. A URL
 * is registered with its parts (its path, its query: src/notify/redact.ts), which a receiver may echo alone.
 */
export function registerKnownSecrets(config: NotificationsConfig, env: NodeJS.ProcessEnv = process.env): void {
  for (const channel of Object.values(config.channels)) {
    const values = (SECRET_FIELDS[channel.type] ?? []).map((f) => (channel as Record<string, unknown>)[f]).filter((v): v is string => typeof v === 'string');
    if (channel.type === 'webhook') values.push(...Object.values(channel.headers ?? {}));
    for (const value of values) {
      if (!hasSecretReference(value)) secretRedactor.add(value);
      for (const m of value.matchAll(/\$\{env:([^}]+)\}/g)) secretRedactor.add(env[m[1]!.trim()]);
      // A value made of literal text and environment references only (`https://hooks.example.com/${env:TOKEN}`) is
      // known whole: registered as the URL it is, so its path and query are redacted wherever they appear alone.
      if (hasSecretReference(value) && !/\$\{(ssm|secretsmanager):/.test(value)) {
        let complete = true;
        const whole = value.replace(/\$\{env:([^}]+)\}/g, (_m, name: string) => {
          const v = env[name.trim()];
          if (v === undefined || v === '') complete = false;
          return v ?? '';
        });
        if (complete) secretRedactor.add(whole);
      }
    }
  }
}

export interface OpenNotificationsOptions extends Omit<NotifierOptions, 'config' | 'store'> {
  notifications: NotificationsConfig;
  store: Store;
  /** The config's store.retainDeliveredDays. */
  retainDeliveredDays?: number;
}

/** The notifier of a session, its configuration's known secrets registered with the redactor first. */
export function openNotifications(options: OpenNotificationsOptions): Notifier {
  const { notifications, store, retainDeliveredDays, ...rest } = options;
  registerKnownSecrets(notifications);
  return createNotifier({
    ...rest,
    config: notifications,
    store,
    ...(retainDeliveredDays !== undefined && rest.retainDeliveredMs === undefined ? { retainDeliveredMs: retainDeliveredDays * 86_400_000 } : {}),
  });
}

export function describeRunReport(report: RunReport): string {
  const parts = [`${report.delivered} delivered`, `${report.failed} failed`];
  if (report.retried) parts.push(`${report.retried} retr${report.retried === 1 ? 'y' : 'ies'}`);
  if (report.outstanding) parts.push(`${report.outstanding} still pending`);
  return `Notifications: ${parts.join(', ')} in ${(report.elapsedMs / 1000).toFixed(1)} s${report.outstanding || report.failed ? ' (see trailguard notify status)' : ''}`;
}

// --- status --------------------------------------------------------------------------------------

export interface ChannelStatus {
  channel: string;
  /** In the config (a channel the store knows but the config no longer names is shown too). */
  configured: boolean;
  pending: number;
  sending: number;
  delivered: number;
  failed: number;
  oldestPendingAt?: number;
}

export interface DeliveryStatus extends OutboxRow {
  /** What the delivery is about: "critical <rule>" for findings, "<status> <action> (<rule>)" for remediation notices. */
  subject: string;
  remediation?: { decisionId: string; status: string; actionId: string; ruleId?: string; findingId?: string };
}

export interface OutboxStatus {
  channels: ChannelStatus[];
  deliveries: DeliveryStatus[];
  /** The states the deliveries were listed for. */
  listed: DeliveryState[];
}

/** Per channel and state, and the deliveries in the given states (default pending, sending, failed). */
export async function outboxStatus(store: Store, notifications: NotificationsConfig | undefined, options: { channel?: string; states?: DeliveryState[]; limit?: number } = {}): Promise<OutboxStatus> {
  const configured = new Set(Object.keys(notifications?.channels ?? {}));
  const byChannel = new Map<string, ChannelStatus>();
  const entry = (channel: string): ChannelStatus => {
    let status = byChannel.get(channel);
    if (!status) {
      status = { channel, configured: configured.has(channel), pending: 0, sending: 0, delivered: 0, failed: 0 };
      byChannel.set(channel, status);
    }
    return status;
  };
  for (const name of configured) if (options.channel === undefined || name === options.channel) entry(name);
  for (const c of await store.outbox.counts()) {
    if (options.channel !== undefined && c.channel !== options.channel) continue;
    const status = entry(c.channel);
    status[c.state] = c.count;
    if (c.state === 'pending') status.oldestPendingAt = c.oldestCreatedAt;
  }
  const listed = options.states?.length ? options.states : (['pending', 'sending', 'failed'] as DeliveryState[]);
  const rows = await store.outbox.list({ states: listed, ...(options.channel !== undefined ? { channel: options.channel } : {}), ...(options.limit !== undefined ? { limit: options.limit } : {}) });
  const deliveries: DeliveryStatus[] = [];
  for (const row of rows) {
    if (row.kind === 'remediation') {
      const notice = await store.outbox.remediationOf(row.id);
      deliveries.push({
        ...row,
        subject: notice ? `${notice.status} ${notice.actionId}${notice.ruleId ? ` (${notice.ruleId})` : ''}` : '',
        ...(notice ? { remediation: { decisionId: notice.decisionId, status: notice.status, actionId: notice.actionId, ruleId: notice.ruleId, findingId: notice.findingId } } : {}),
      });
    } else {
      const [first] = await store.outbox.findingsOf(row.id, 1, row.kind === 'storm' ? 'worst' : 'first');
      deliveries.push({ ...row, subject: first ? `${first.severity} ${first.ruleId}` : '' });
    }
  }
  return { channels: [...byChannel.values()], deliveries, listed };
}

// --- following remediation notices -----------------------------------------------------------------

export interface NoticeOutcome {
  delivered: number;
  pending: number;
  /** Each failed notice with its channel and redacted last error. */
  failed: Array<{ outboxId: string; channel: string; decisionId?: string; status?: string; error: string }>;
}

/**
 * Delivers the remediation notices that are due (only those: a scan's backlog is `notify run`'s) until the
 * deadline, then says what became of the given notices. Never throws for a failed delivery.
 */
export async function deliverRemediationNotices(notifier: Notifier, store: Store, outboxIds: readonly string[], deadline: number): Promise<NoticeOutcome> {
  const outcome: NoticeOutcome = { delivered: 0, pending: 0, failed: [] };
  if (outboxIds.length === 0) return outcome;
  await notifier.deliver({ deadline, kinds: ['remediation'] });
  for (const id of outboxIds) {
    const row = await store.outbox.get(id);
    if (!row) continue;
    if (row.state === 'delivered') outcome.delivered++;
    else if (row.state === 'failed') {
      const notice = await store.outbox.remediationOf(id);
      outcome.failed.push({ outboxId: id, channel: row.channel, ...(notice ? { decisionId: notice.decisionId, status: notice.status } : {}), error: redact(row.lastError ?? 'unknown error') });
    } else outcome.pending++;
  }
  return outcome;
}
