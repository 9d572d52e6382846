/**
 * What `trailguard notify ...` and `scan --notify` do. Kept out of src/cli/notify-command.ts so the
 * CLI only loads SQLite, undici and nodemailer when a notification command actually runs.
 */
import { ConfigError } from '../config/load.js';
import type { Finding } from '../findings/types.js';
import { UsageError } from '../cli/usage-error.js';
import type { Reporter } from '../cli/reporter.js';
import { openStore, resolveStorePath, type Store } from '../store/store.js';
import { DELIVERY_STATES, type DeliveryState, type OutboxRow } from '../store/outbox.js';
import type { ChannelConfig, NotificationsConfig } from './config.js';
import { loadNotifyConfig } from './config-file.js';
import type { RunReport } from './dispatcher.js';
import { createNotifier, type Notifier } from './notifier.js';
import { createRemediationNotifier, type RemediationNotifier } from './remediation.js';
import { redact, secretRedactor } from './redact.js';
import { hasSecretReference } from './secrets.js';
import { testNotification } from './sample-finding.js';
import type { LogLevel, NotifyLogger } from './types.js';

export interface NotifyIo {
  stdout: NodeJS.WritableStream;
  reporter: Reporter;
  cwd?: string;
}

export interface CommonOptions {
  config?: string;
  store?: string;
  verbose?: boolean;
  quiet?: boolean;
}

/** "90s", "2m", "1h", "500ms" or a number of seconds. */
export function parseDuration(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(value.trim());
  if (!m) throw new UsageError(`${name} "${value}" is not a duration (e.g. 30s, 2m, 1h)`);
  const unit = (m[2] ?? 's').toLowerCase();
  return Math.round(Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']);
}

function reporterLogger(reporter: Reporter, verbose: boolean | undefined): NotifyLogger {
  return (level: LogLevel, message: string) => {
    const text = redact(message);
    if (level === 'error') reporter.error(text);
    else if (level === 'warn') reporter.warn(text);
    else if (level === 'info' || verbose) reporter.info(text);
  };
}

interface Context {
  notifications?: NotificationsConfig;
  storePath: string;
  retainDeliveredMs?: number;
}

function loadContext(options: CommonOptions, cwd: string, requireChannels: boolean): Context {
  const loaded = loadNotifyConfig(options.config, cwd);
  if (requireChannels && !loaded.notifications) {
    throw new UsageError(`no notifications are configured: add a "notifications:" section with channels to ${loaded.file ?? 'trailguard.config.yaml'} (or name the file with --config)`);
  }
  if (loaded.notifications) registerKnownSecrets(loaded.notifications);
  const storePath = resolveStorePath(options.store ?? loaded.store?.path, cwd);
  const days = loaded.store?.retainDeliveredDays;
  return { notifications: loaded.notifications, storePath, retainDeliveredMs: days !== undefined ? days * 86_400_000 : undefined };
}

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
 * references — so that even output that never resolved a secret (notify status) cannot print one.
 */
export function registerKnownSecrets(config: NotificationsConfig, env: NodeJS.ProcessEnv = process.env): void {
  for (const channel of Object.values(config.channels)) {
    const values = (SECRET_FIELDS[channel.type] ?? []).map((f) => (channel as Record<string, unknown>)[f]).filter((v): v is string => typeof v === 'string');
    if (channel.type === 'webhook') values.push(...Object.values(channel.headers ?? {}));
    for (const value of values) {
      if (!hasSecretReference(value)) secretRedactor.add(value);
      for (const m of value.matchAll(/\$\{env:([^}]+)\}/g)) secretRedactor.add(env[m[1]!.trim()]);
    }
  }
}

function openFor(ctx: Context): Store {
  return openStore(ctx.storePath);
}

function notifierFor(ctx: Context, store: Store, io: NotifyIo, verbose?: boolean): Notifier {
  return createNotifier({ config: ctx.notifications!, store, log: reporterLogger(io.reporter, verbose), stdout: io.stdout, retainDeliveredMs: ctx.retainDeliveredMs });
}

/** Stops the dispatcher gracefully on the first SIGINT/SIGTERM; a second one exits at once. */
function onSignals(notifier: Notifier, reporter: Reporter): () => void {
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

export function describeReport(report: RunReport): string {
  const parts = [`${report.delivered} delivered`, `${report.failed} failed`];
  if (report.retried) parts.push(`${report.retried} retr${report.retried === 1 ? 'y' : 'ies'}`);
  if (report.outstanding) parts.push(`${report.outstanding} still pending`);
  return `Notifications: ${parts.join(', ')} in ${(report.elapsedMs / 1000).toFixed(1)} s${report.outstanding || report.failed ? ' (see trailguard notify status)' : ''}`;
}

// --- notify test ---------------------------------------------------------------------------------

export async function runNotifyTest(options: CommonOptions & { channel: string; timeout?: string }, io: NotifyIo): Promise<number> {
  const ctx = loadContext(options, io.cwd ?? process.cwd(), true);
  const channel = ctx.notifications!.channels[options.channel];
  if (!channel) throw new UsageError(`no channel named "${options.channel}" (channels: ${Object.keys(ctx.notifications!.channels).join(', ')})`);
  // notify test sends directly and keeps nothing: an in-memory store is enough for the notifier.
  const store = openStore(':memory:');
  const notifier = notifierFor(ctx, store, io, options.verbose);
  try {
    const result = await notifier.sendNow(options.channel, testNotification(options.channel), options.timeout ? parseDuration('--timeout', options.timeout) : undefined);
    io.reporter.info(redact(`sent a test notification to ${options.channel} (${channel.type})${result.status ? `: ${result.status}` : ''}${result.detail ? ` ${result.detail}` : ''}`));
    return 0;
  } catch (error) {
    io.reporter.error(redact(`test notification to ${options.channel} (${channel.type}) failed: ${(error as Error).message}`));
    return 1;
  } finally {
    await notifier.close();
    store.close();
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
  const ctx = loadContext(options, io.cwd ?? process.cwd(), false);
  const states = (options.state ?? []).map((s) => {
    if (!(DELIVERY_STATES as readonly string[]).includes(s)) throw new UsageError(`--state "${s}": use one of ${DELIVERY_STATES.join(', ')}`);
    return s as DeliveryState;
  });
  const limit = options.limit !== undefined ? Number(options.limit) : 50;
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit "${options.limit}" is not a whole number`);
  const store = openFor(ctx);
  try {
    const now = Date.now();
    const configured = new Set(Object.keys(ctx.notifications?.channels ?? {}));
    const counts = store.outbox.counts().filter((c) => options.channel === undefined || c.channel === options.channel);
    const byChannel = new Map<string, Record<DeliveryState, number> & { oldestPending?: number }>();
    for (const name of configured) if (options.channel === undefined || name === options.channel) byChannel.set(name, { pending: 0, sending: 0, delivered: 0, failed: 0 });
    for (const c of counts) {
      const entry = byChannel.get(c.channel) ?? { pending: 0, sending: 0, delivered: 0, failed: 0 };
      entry[c.state] = c.count;
      if (c.state === 'pending') entry.oldestPending = c.oldestCreatedAt;
      byChannel.set(c.channel, entry);
    }
    const listStates = states.length ? states : (['pending', 'sending', 'failed'] as DeliveryState[]);
    const rows = store.outbox.list({ states: listStates, channel: options.channel, limit });
    const describe = (row: OutboxRow) => {
      if (row.kind === 'remediation') {
        const notice = store.outbox.remediationOf(row.id);
        return notice ? `${notice.status} ${notice.actionId}${notice.ruleId ? ` (${notice.ruleId})` : ''}` : '';
      }
      const [first] = store.outbox.findingsOf(row.id, 1, row.kind === 'storm' ? 'worst' : 'first');
      return first ? `${first.severity} ${first.ruleId}` : '';
    };
    const remediationOf = (row: OutboxRow) => {
      const notice = row.kind === 'remediation' ? store.outbox.remediationOf(row.id) : undefined;
      return notice ? { decisionId: notice.decisionId, status: notice.status, actionId: notice.actionId, ruleId: notice.ruleId, findingId: notice.findingId } : undefined;
    };

    if (options.format === 'json') {
      const doc = {
        store: ctx.storePath,
        channels: [...byChannel].map(([channel, c]) => ({ channel, configured: configured.has(channel), pending: c.pending, sending: c.sending, delivered: c.delivered, failed: c.failed })),
        deliveries: rows.map((r) => ({
          id: r.id,
          channel: r.channel,
          kind: r.kind,
          state: r.state,
          findings: r.count,
          finding: describe(r),
          remediation: remediationOf(r),
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

    const lines: string[] = [`Store: ${ctx.storePath}`, ''];
    if (byChannel.size === 0) lines.push('No notifications yet.');
    else {
      lines.push(
        table([
          ['CHANNEL', 'PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'OLDEST PENDING'],
          ...[...byChannel].map(([channel, c]) => [
            `${channel}${configured.has(channel) || configured.size === 0 ? '' : ' (not configured)'}`,
            String(c.pending),
            String(c.sending),
            String(c.delivered),
            String(c.failed),
            c.oldestPending !== undefined ? ago(c.oldestPending, now) : '-',
          ]),
        ]),
      );
    }
    if (rows.length) {
      lines.push('', `Deliveries (${listStates.join(', ')}${rows.length === limit ? `, first ${limit}` : ''}):`);
      lines.push(
        table([
          ['ID', 'CHANNEL', 'KIND', 'STATE', 'FINDINGS', 'FIRST / DECISION', 'ATTEMPTS', 'NEXT', 'LAST ERROR'],
          ...rows.map((r) => [
            String(r.id),
            r.channel,
            r.kind,
            r.state,
            String(r.count),
            describe(r),
            `${r.attempts}/${r.maxAttempts}`,
            r.state === 'pending' ? ago(r.nextAttemptAt, now) : '-',
            (r.lastError ?? '').replace(/\s+/g, ' '),
          ]),
        ]),
      );
    }
    const failed = [...byChannel.values()].reduce((n, c) => n + c.failed, 0);
    if (failed) lines.push('', `Re-drive the failed ones with: trailguard notify retry${options.channel ? ` --channel ${options.channel}` : ''}`);
    io.stdout.write(redact(`${lines.join('\n')}\n`));
    return 0;
  } finally {
    store.close();
  }
}

// --- notify retry / run --------------------------------------------------------------------------

export interface DeliverOptions extends CommonOptions {
  timeout?: string;
  watch?: boolean;
}

async function deliverWith(ctx: Context, store: Store, options: DeliverOptions, io: NotifyIo): Promise<RunReport> {
  const notifier = notifierFor(ctx, store, io, options.verbose);
  const unsubscribe = onSignals(notifier, io.reporter);
  try {
    const timeout = parseDuration('--timeout', options.timeout ?? '2m');
    const report = await notifier.deliver(options.watch ? { untilIdle: false } : { deadline: Date.now() + timeout });
    if (report.failed || report.outstanding) io.reporter.warn(describeReport(report));
    else io.reporter.info(describeReport(report));
    return report;
  } finally {
    unsubscribe();
    await notifier.close();
  }
}

export async function runNotifyRetry(options: DeliverOptions & { channel?: string; id?: string[]; deliver?: boolean }, io: NotifyIo): Promise<number> {
  const ctx = loadContext(options, io.cwd ?? process.cwd(), options.deliver !== false);
  const ids = (options.id ?? []).map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--id "${v}" is not a delivery id (see trailguard notify status)`);
    return n;
  });
  const store = openFor(ctx);
  try {
    const requeued = store.outbox.requeueFailed({ channel: options.channel, ids, now: Date.now() });
    io.reporter.info(`re-queued ${requeued} failed deliver${requeued === 1 ? 'y' : 'ies'}`);
    if (options.deliver === false || requeued === 0) return 0;
    const report = await deliverWith(ctx, store, options, io);
    return report.failed > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}

export async function runNotifyRun(options: DeliverOptions, io: NotifyIo): Promise<number> {
  const ctx = loadContext(options, io.cwd ?? process.cwd(), true);
  const store = openFor(ctx);
  try {
    const report = await deliverWith(ctx, store, options, io);
    return report.failed > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}

// --- scan --notify -------------------------------------------------------------------------------

export interface ScanNotifyOptions {
  config?: string;
  store?: string;
  notifyTimeout?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export interface ScanNotifications {
  /** Queues a finding; they are written to the store in batches, all before any delivery starts. */
  add(finding: Finding): void;
  /** Writes what is queued, delivers until done or the timeout, and reports on stderr. */
  finish(): Promise<RunReport>;
  /** Releases the store without delivering (the scan failed). */
  abort(): Promise<void>;
}

const BATCH = 500;

export function startScanNotifications(options: ScanNotifyOptions, io: NotifyIo): ScanNotifications {
  const ctx = loadContext(options, io.cwd ?? process.cwd(), true);
  const timeout = parseDuration('--notify-timeout', options.notifyTimeout ?? '60s');
  let store: Store;
  try {
    store = openFor(ctx);
  } catch (error) {
    throw new ConfigError(`--notify: ${(error as Error).message}`);
  }
  const notifier = notifierFor(ctx, store, io, options.verbose);
  const queue: Finding[] = [];
  let queued = 0;
  const flush = () => {
    if (queue.length) notifier.enqueue(queue.splice(0));
  };
  return {
    add(finding) {
      queue.push(finding);
      queued++;
      if (queue.length >= BATCH) flush();
    },
    async finish() {
      const unsubscribe = onSignals(notifier, io.reporter);
      try {
        flush();
        if (!options.quiet) io.reporter.info(`Notifying: ${queued} finding${queued === 1 ? '' : 's'} saved to ${ctx.storePath}`);
        // The scan is a batch: summaries of repeats and storms go out now rather than at the end of their window.
        const report = await notifier.deliver({ deadline: Date.now() + timeout, flushWindows: true });
        if (report.failed || report.outstanding) io.reporter.warn(describeReport(report));
        else io.reporter.info(describeReport(report));
        return report;
      } finally {
        unsubscribe();
        await notifier.close();
        store.close();
      }
    },
    async abort() {
      // What was found so far is kept (and delivered by the next run or `notify run`).
      flush();
      await notifier.close();
      store.close();
    },
  };
}

// --- remediate: decisions as notifications -------------------------------------------------------

export interface RemediationNotifyOptions {
  /** How long `finish` delivers before leaving the rest pending (default 60s). */
  notifyTimeout?: string;
  verbose?: boolean;
  retainDeliveredDays?: number;
}

export interface RemediationNotifications {
  /** Give it to the remediation runner (with `transaction: store.transaction`). */
  reporter: RemediationNotifier;
  /**
   * Delivers the remediation notices due (only those: a scan's backlog is `notify run`'s), then says
   * on stderr what failed — each with its channel, redacted last error and the `notify retry` that
   * re-drives it — and what is still pending. Never throws for a failed delivery.
   */
  finish(): Promise<{ delivered: number; failed: number; pending: number }>;
  close(): Promise<void>;
}

/** Notification of remediation decisions for `trailguard remediate`, on the store the command already opened. */
export function startRemediationNotifications(notifications: NotificationsConfig, store: Store, options: RemediationNotifyOptions, io: NotifyIo): RemediationNotifications {
  registerKnownSecrets(notifications);
  const timeout = parseDuration('--notify-timeout', options.notifyTimeout ?? '60s');
  const notifier = createNotifier({
    config: notifications,
    store,
    log: reporterLogger(io.reporter, options.verbose),
    stdout: io.stdout,
    ...(options.retainDeliveredDays !== undefined ? { retainDeliveredMs: options.retainDeliveredDays * 86_400_000 } : {}),
  });
  const reporter = createRemediationNotifier(notifier);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await notifier.close();
  };
  return {
    reporter,
    async finish() {
      const unsubscribe = onSignals(notifier, io.reporter);
      try {
        if (reporter.outboxIds.length === 0) return { delivered: 0, failed: 0, pending: 0 };
        await notifier.deliver({ deadline: Date.now() + timeout, kinds: ['remediation'] });
        let delivered = 0;
        let failed = 0;
        let pending = 0;
        for (const id of reporter.outboxIds) {
          const row = store.outbox.get(id);
          if (!row) continue;
          if (row.state === 'delivered') delivered++;
          else if (row.state === 'failed') {
            failed++;
            const notice = store.outbox.remediationOf(id);
            io.reporter.warn(
              redact(`remediation notice ${id} (${notice?.status ?? 'decision'} ${notice?.decisionId ?? ''}) to ${row.channel} failed: ${row.lastError ?? 'unknown error'} — re-drive with: trailguard notify retry --id ${id}`),
            );
          } else pending++;
        }
        const summary = `Remediation notices: ${delivered} delivered, ${failed} failed${pending ? `, ${pending} still pending (trailguard notify run delivers them)` : ''}`;
        if (failed || pending) io.reporter.warn(summary);
        else io.reporter.info(summary);
        return { delivered, failed, pending };
      } finally {
        unsubscribe();
        await close();
      }
    },
    close,
  };
}
