/**
 * What `trailguard notify test | status | retry | run` do, over the application layer (src/app). Kept out of
 * notify-command.ts so the CLI loads SQLite and nodemailer only when a notification command runs.
 */
import type { NotificationsConfig } from '../notify/config.js';
import type { Notifier } from '../notify/notifier.js';
import type { RunReport } from '../notify/dispatcher.js';
import { redact } from '../notify/redact.js';
import { testNotification } from '../notify/sample-finding.js';
import type { LogLevel, NotifyLogger } from '../notify/types.js';
import { describeRunReport, openNotifications, outboxStatus } from '../app/notifications.js';
import { DELIVERY_STATES, type DeliveryState, type Store } from '../store/types.js';
import { loadCommandConfig, openCommandStore, type StoreOptions } from './command-context.js';
import type { Reporter } from './reporter.js';
import { parseDurationOption } from './time-options.js';
import { UsageError } from './usage-error.js';

export interface NotifyIo {
  stdout: NodeJS.WritableStream;
  reporter: Reporter;
  cwd?: string;
}

export interface CommonOptions extends StoreOptions {
  verbose?: boolean;
  quiet?: boolean;
}

export function reporterLogger(reporter: Reporter, verbose: boolean | undefined): NotifyLogger {
  return (level: LogLevel, message: string) => {
    const text = redact(message);
    if (level === 'error') reporter.error(text);
    else if (level === 'warn') reporter.warn(text);
    else if (level === 'info' || verbose) reporter.info(text);
  };
}

function requireChannels(notifications: NotificationsConfig | undefined, configFile: string | undefined): NotificationsConfig {
  if (!notifications) throw new UsageError(`no notifications are configured: add a "notifications:" section with channels to ${configFile ?? 'trailguard.config.yaml'} (or name the file with --config)`);
  return notifications;
}

/** What a delivery run did, on stderr: a warning when something failed or is left, else a line of information. */
export function reportRun(report: RunReport, reporter: Reporter): void {
  if (report.failed || report.outstanding) reporter.warn(describeRunReport(report));
  else reporter.info(describeRunReport(report));
}

/** Stops the dispatcher gracefully on the first SIGINT/SIGTERM; a second one exits at once. */
export function stopOnSignals(notifier: Notifier, reporter: Reporter): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopping = true;
    reporter.warn(`${signal}: finishing the deliveries in flight (again to quit at once)`);
    void notifier.dispatcher.stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

// --- notify test ---------------------------------------------------------------------------------

export async function runNotifyTest(options: CommonOptions & { channel: string; timeout?: string }, io: NotifyIo): Promise<number> {
  const loaded = loadCommandConfig(options, io.cwd);
  const notifications = requireChannels(loaded.config.notifications, loaded.file);
  const channel = notifications.channels[options.channel];
  if (!channel) throw new UsageError(`no channel named "${options.channel}" (channels: ${Object.keys(notifications.channels).join(', ')})`);
  const timeout = options.timeout ? parseDurationOption('--timeout', options.timeout) : undefined;
  // notify test sends directly and keeps nothing: an in-memory store is enough for the notifier.
  const { store } = await openCommandStore(loaded, { store: ':memory:' }, 'memory', io.cwd);
  try {
    const notifier = openNotifications({ notifications, store, log: reporterLogger(io.reporter, options.verbose), stdout: io.stdout });
    try {
      const result = await notifier.sendNow(options.channel, testNotification(options.channel), timeout);
      io.reporter.info(redact(`sent a test notification to ${options.channel} (${channel.type})${result.status ? `: ${result.status}` : ''}${result.detail ? ` ${result.detail}` : ''}`));
      return 0;
    } catch (error) {
      io.reporter.error(redact(`test notification to ${options.channel} (${channel.type}) failed: ${(error as Error).message}`));
      return 1;
    } finally {
      await notifier.close();
    }
  } finally {
    await store.close();
  }
}

// --- notify status -------------------------------------------------------------------------------

export interface StatusOptions extends CommonOptions {
  channel?: string;
  state?: string[];
  limit?: string;
  format?: 'table' | 'json';
}

function ago(ms: number, now: number): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 0) return `in ${formatSpan(-s)}`;
  return `${formatSpan(s)} ago`;
}

function formatSpan(s: number): string {
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export async function runNotifyStatus(options: StatusOptions, io: NotifyIo): Promise<number> {
  const states = (options.state ?? []).map((s) => {
    if (!(DELIVERY_STATES as readonly string[]).includes(s)) throw new UsageError(`--state "${s}": use one of ${DELIVERY_STATES.join(', ')}`);
    return s as DeliveryState;
  });
  const limit = options.limit !== undefined ? Number(options.limit) : 50;
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit "${options.limit}" is not a whole number`);
  const loaded = loadCommandConfig(options, io.cwd);
  const { config } = loaded;
  const { store } = await openCommandStore(loaded, options, 'create', io.cwd);
  try {
    const now = Date.now();
    const status = await outboxStatus(store, config.notifications, { ...(options.channel !== undefined ? { channel: options.channel } : {}), states, limit });
    const configuredCount = Object.keys(config.notifications?.channels ?? {}).length;

    if (options.format === 'json') {
      const doc = {
        store: store.location,
        channels: status.channels.map((c) => ({ channel: c.channel, configured: c.configured, pending: c.pending, sending: c.sending, delivered: c.delivered, failed: c.failed })),
        deliveries: status.deliveries.map((r) => ({
          id: r.id,
          channel: r.channel,
          kind: r.kind,
          state: r.state,
          findings: r.count,
          finding: r.subject,
          remediation: r.remediation,
          attempts: r.attempts,
          maxAttempts: r.maxAttempts,
          nextAttemptAt: r.state === 'pending' ? new Date(r.nextAttemptAt).toISOString() : undefined,
          lastError: r.lastError,
          lastStatus: r.lastStatus,
          idempotencyKey: r.idempotencyKey,
          createdAt: new Date(r.createdAt).toISOString(),
        })),
      };
      io.stdout.write(redact(`${JSON.stringify(doc, null, 2)}\n`));
      return 0;
    }

    const lines: string[] = [`Store: ${store.location}`, ''];
    if (status.channels.length === 0) lines.push('No notifications yet.');
    else {
      lines.push(
        table([
          ['CHANNEL', 'PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'OLDEST PENDING'],
          ...status.channels.map((c) => [
            `${c.channel}${c.configured || configuredCount === 0 ? '' : ' (not configured)'}`,
            String(c.pending),
            String(c.sending),
            String(c.delivered),
            String(c.failed),
            c.oldestPendingAt !== undefined ? ago(c.oldestPendingAt, now) : '-',
          ]),
        ]),
      );
    }
    const rows = status.deliveries;
    if (rows.length) {
      lines.push('', `Deliveries (${status.listed.join(', ')}${rows.length === limit ? `, first ${limit}` : ''}):`);
      lines.push(
        table([
          ['ID', 'CHANNEL', 'KIND', 'STATE', 'FINDINGS', 'FIRST / DECISION', 'ATTEMPTS', 'NEXT', 'LAST ERROR'],
          ...rows.map((r) => [
            r.id,
            r.channel,
            r.kind,
            r.state,
            String(r.count),
            r.subject,
            `${r.attempts}/${r.maxAttempts}`,
            r.state === 'pending' ? ago(r.nextAttemptAt, now) : '-',
            (r.lastError ?? '').replace(/\s+/g, ' '),
          ]),
        ]),
      );
    }
    const failed = status.channels.reduce((n, c) => n + c.failed, 0);
    if (failed) lines.push('', `Re-drive the failed ones with: trailguard notify retry${options.channel ? ` --channel ${options.channel}` : ''}`);
    io.stdout.write(redact(`${lines.join('\n')}\n`));
    return 0;
  } finally {
    await store.close();
  }
}

// --- notify retry / run --------------------------------------------------------------------------

export interface DeliverOptions extends CommonOptions {
  timeout?: string;
  watch?: boolean;
}

async function deliverWith(notifications: NotificationsConfig, retainDeliveredDays: number | undefined, store: Store, options: DeliverOptions, io: NotifyIo): Promise<RunReport> {
  const timeout = parseDurationOption('--timeout', options.timeout ?? '2m');
  const notifier = openNotifications({ notifications, store, log: reporterLogger(io.reporter, options.verbose), stdout: io.stdout, ...(retainDeliveredDays !== undefined ? { retainDeliveredDays } : {}) });
  const unsubscribe = stopOnSignals(notifier, io.reporter);
  try {
    const report = await notifier.deliver(options.watch ? { untilIdle: false } : { deadline: Date.now() + timeout });
    reportRun(report, io.reporter);
    return report;
  } finally {
    unsubscribe();
    await notifier.close();
  }
}

export async function runNotifyRetry(options: DeliverOptions & { channel?: string; id?: string[]; deliver?: boolean }, io: NotifyIo): Promise<number> {
  const ids = (options.id ?? []).map((v) => {
    if (!/^\S+$/.test(v)) throw new UsageError(`--id "${v}" is not a delivery id (see trailguard notify status)`);
    return v;
  });
  const loaded = loadCommandConfig(options, io.cwd);
  const { config } = loaded;
  const notifications = options.deliver !== false ? requireChannels(config.notifications, loaded.file) : config.notifications;
  const { store } = await openCommandStore(loaded, options, 'create', io.cwd);
  try {
    if (ids.length > 0) {
      // Each id named is said for: one that matches no delivery, one that is not failed, one on another channel.
      const unknown: string[] = [];
      for (const id of [...new Set(ids)]) {
        const row = await store.outbox.get(id);
        if (!row) unknown.push(id);
        else if (options.channel !== undefined && row.channel !== options.channel) io.reporter.warn(`delivery ${id} is on channel ${row.channel}, not ${options.channel}: left as it is`);
        else if (row.state !== 'failed') io.reporter.warn(`delivery ${id} is ${row.state}, not failed: nothing to retry`);
      }
      if (unknown.length > 0) {
        const what = `no delivery with id ${unknown.join(', ')} in ${store.location} (see trailguard notify status)`;
        // Not one id named a delivery: a mistake in the command, not an empty retry.
        if (unknown.length === new Set(ids).size) throw new UsageError(what);
        io.reporter.warn(what);
      }
    }
    const requeued = await store.outbox.requeueFailed({ ...(options.channel !== undefined ? { channel: options.channel } : {}), ids, now: Date.now() });
    io.reporter.info(`re-queued ${requeued} failed deliver${requeued === 1 ? 'y' : 'ies'}`);
    if (options.deliver === false || requeued === 0 || !notifications) return 0;
    const report = await deliverWith(notifications, config.store?.retainDeliveredDays, store, options, io);
    return report.failed > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

export async function runNotifyRun(options: DeliverOptions, io: NotifyIo): Promise<number> {
  const loaded = loadCommandConfig(options, io.cwd);
  const notifications = requireChannels(loaded.config.notifications, loaded.file);
  const { config } = loaded;
  const { store } = await openCommandStore(loaded, options, 'create', io.cwd);
  try {
    const report = await deliverWith(notifications, config.store?.retainDeliveredDays, store, options, io);
    return report.failed > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
