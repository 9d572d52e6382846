/**
 * The notifier: config → router, per-channel policies, lazily created sinks and the dispatcher,
 * over one store (SQLite locally, DynamoDB in AWS). The application layer (src/app) wires it for the CLI
 * and the Lambda handlers alike:
 *
 *   const notifier = createNotifier({ config: notifications, store });
 *   await notifier.enqueue(findings);                 // written to the store first, each finding with its notifications
 *   const report = await notifier.deliver({ deadline }); // work the outbox
 *   await notifier.close();
 */
import type { Finding } from '../findings/types.js';
import { DECISION_STATUSES, type RemediationDecision, type SkipReason } from '../remediate/types.js';
import type { NewRemediationNotice, Store } from '../store/types.js';
import type { ChannelConfig, NotificationsConfig, TemplatesConfig } from './config.js';
import { groupKeyOf, idempotencyKey, planEnqueue, stormClockTime, DEFAULT_WINDOW_POLICY, type EnqueueOutcome, type StormClock, type WindowPolicy } from './dedupe.js';
import { DEFAULT_CHANNEL_POLICY, Dispatcher, type ChannelPolicy, type RunOptions, type RunReport } from './dispatcher.js';
import { DeliveryError, NotifyConfigError } from './errors.js';
import { ContentRenderer } from './render/content.js';
import { decisionSeverity, remediationIncidentKey } from './render/remediation.js';
import { createRouter, type RouteSubject, type Router } from './router.js';
import { awsSecretBackends, SecretError, SecretResolver } from './secrets.js';
import { createSink, type AwsClientOptions, type SinkDeps } from './sinks/index.js';
import type { Notification, NotifyLogger, SendResult, Sink } from './types.js';

/** Skip reasons left out by default: a duplicate is the same event decided again; its first decision was already notified. */
export const DEFAULT_QUIET_SKIP_REASONS: readonly SkipReason[] = ['duplicate-event'];

/** Default sending rates where the service documents one: Slack ~1 message/s with short bursts; Teams 4/s but 100/hour per webhook. */
const DEFAULT_RATE_LIMITS: Partial<Record<ChannelConfig['type'], { perSecond: number; burst: number }>> = {
  slack: { perSecond: 1, burst: 10 },
  teams: { perSecond: 1, burst: 4 },
};

export interface NotifierOptions {
  config: NotificationsConfig;
  store: Store;
  /** Secret resolution (default: environment, and SSM / Secrets Manager through the AWS SDK). */
  secrets?: SecretResolver;
  /** AWS client defaults for SNS/SES (default: the config's `aws` section and the SDK's credential chain). */
  aws?: AwsClientOptions;
  log?: NotifyLogger;
  now?: () => number;
  random?: () => number;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Replaces the built-in sink factories (tests). */
  sinkFactory?: (config: ChannelConfig, deps: SinkDeps) => Promise<Sink>;
  /** Longest idle sleep of the dispatcher between store polls. */
  pollMs?: number;
  /**
   * Delivered notifications older than this are deleted when delivery starts (failed and pending
   * ones never are). Default: kept. A finding whose notification was purged counts as not yet
   * notified again, so re-scanning old logs after the purge notifies it once more.
   */
  retainDeliveredMs?: number;
  /**
   * What the storm rate is measured on (see dedupe.ts): `arrival` (default) — when findings are enqueued, for
   * live events; `event` — the findings' event times, for replays of logs (`scan --notify`, the backfill function).
   */
  stormClock?: StormClock;
}

export interface EnqueueReport {
  findings: number;
  /** Findings the store did not have yet (the others were seen before: a redelivered or re-scanned event). */
  newFindings: number;
  /** Per outcome, over every (finding, channel) pair. */
  outcomes: Record<EnqueueOutcome, number>;
  /** Findings no route sent anywhere (still saved in the store). */
  unrouted: number;
}

export interface RemediationNotices {
  /** The channels the decision goes to (none when filtered out or unrouted). */
  channels: string[];
  /** One notice per channel, to be committed with the decision (RemediationStore.commit). */
  notices: NewRemediationNotice[];
  /** Why no channel: the status or skip reason is not notified, or no route takes it. */
  filtered?: 'status' | 'skip-reason' | 'unrouted';
}

/** A decision routed as the finding it acts on: rule id, severity and tags of the finding, account and region of the event. */
export function remediationRouteSubject(decision: RemediationDecision): RouteSubject {
  return {
    ruleId: decision.finding?.ruleId ?? decision.ruleId ?? '',
    severity: decisionSeverity(decision),
    tags: decision.finding?.tags ?? [],
    account: decision.account,
    region: decision.region,
  };
}

export function channelPolicy(config: NotificationsConfig, channel: ChannelConfig): ChannelPolicy {
  const d = { ...config.delivery, ...channel.delivery };
  const rate = channel.rateLimit ? { perSecond: channel.rateLimit.perSecond, burst: channel.rateLimit.burst ?? Math.max(1, Math.ceil(channel.rateLimit.perSecond)) } : DEFAULT_RATE_LIMITS[channel.type];
  return {
    maxAttempts: d.maxAttempts ?? DEFAULT_CHANNEL_POLICY.maxAttempts,
    timeoutMs: d.timeoutSeconds !== undefined ? d.timeoutSeconds * 1000 : DEFAULT_CHANNEL_POLICY.timeoutMs,
    initialBackoffMs: d.initialBackoffSeconds !== undefined ? d.initialBackoffSeconds * 1000 : DEFAULT_CHANNEL_POLICY.initialBackoffMs,
    maxBackoffMs: d.maxBackoffSeconds !== undefined ? d.maxBackoffSeconds * 1000 : DEFAULT_CHANNEL_POLICY.maxBackoffMs,
    concurrency: d.concurrency ?? DEFAULT_CHANNEL_POLICY.concurrency,
    circuitFailures: d.circuitBreakerFailures ?? DEFAULT_CHANNEL_POLICY.circuitFailures,
    circuitCooldownMs: d.circuitBreakerCooldownSeconds !== undefined ? d.circuitBreakerCooldownSeconds * 1000 : DEFAULT_CHANNEL_POLICY.circuitCooldownMs,
    ...(rate ? { rateLimit: rate } : {}),
  };
}

export function windowPolicy(config: NotificationsConfig, channel: ChannelConfig): WindowPolicy {
  const dedupe = { ...config.dedupe, ...channel.dedupe };
  const storm = { ...config.storm, ...channel.storm };
  return {
    dedupeWindowMs: dedupe.windowSeconds !== undefined ? dedupe.windowSeconds * 1000 : DEFAULT_WINDOW_POLICY.dedupeWindowMs,
    stormThreshold: storm.threshold ?? DEFAULT_WINDOW_POLICY.stormThreshold,
    stormWindowMs: storm.windowSeconds !== undefined ? storm.windowSeconds * 1000 : DEFAULT_WINDOW_POLICY.stormWindowMs,
    maxAttempts: channelPolicy(config, channel).maxAttempts,
  };
}

function mergeTemplates(base: TemplatesConfig | undefined, own: TemplatesConfig | undefined): TemplatesConfig {
  return { ...base, ...own };
}

export class Notifier {
  readonly router: Router;
  readonly dispatcher: Dispatcher;
  private readonly sinks = new Map<string, Promise<Sink>>();
  private readonly secrets: SecretResolver;
  private readonly aws: AwsClientOptions;
  private readonly now: () => number;
  private readonly log: NotifyLogger;
  private readonly windows = new Map<string, WindowPolicy>();

  constructor(private readonly options: NotifierOptions) {
    const { config } = options;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => {});
    this.aws = options.aws ?? { region: config.aws?.region, endpoint: config.aws?.endpoint };
    this.secrets = options.secrets ?? new SecretResolver({ ...awsSecretBackends({ region: this.aws.region, endpoint: this.aws.endpoint, credentials: this.aws.credentials }) });
    this.router = createRouter(config);
    const policies = new Map<string, ChannelPolicy>();
    for (const [name, channel] of Object.entries(config.channels)) {
      if (channel.enabled === false) continue;
      policies.set(name, channelPolicy(config, channel));
      this.windows.set(name, windowPolicy(config, channel));
    }
    this.dispatcher = new Dispatcher({
      store: options.store,
      channels: policies,
      getSink: (name) => this.sink(name),
      log: options.log,
      now: options.now,
      random: options.random,
      pollMs: options.pollMs,
    });
  }

  get channels(): string[] {
    return [...this.windows.keys()];
  }

  /**
   * Saves each finding and links it to a notification on every channel its routes name, before anything is
   * sent: one store operation per finding (atomic per finding and channel, safe against concurrent writers).
   * Idempotent: a finding already covered on a channel is left alone.
   */
  async enqueue(findings: readonly Finding[]): Promise<EnqueueReport> {
    const report: EnqueueReport = { findings: findings.length, newFindings: 0, outcomes: { new: 0, joined: 0, repeat: 0, storm: 0, duplicate: 0 }, unrouted: 0 };
    const { store } = this.options;
    const clock = this.options.stormClock ?? 'arrival';
    for (const finding of findings) {
      const now = this.now();
      const rateAt = stormClockTime(finding, clock, now);
      const channels = this.router.route(finding);
      if (channels.length === 0) report.unrouted++;
      const groupKey = groupKeyOf(finding);
      const targets = channels.map((channel) => {
        const policy = this.windows.get(channel)!;
        return { channel, groupKey, stormWindowMs: policy.stormWindowMs, rateAt, decide: (view: Parameters<typeof planEnqueue>[0]) => planEnqueue(view, finding, channel, policy, now, rateAt) };
      });
      const result = await store.outbox.enqueueFinding(finding, targets, now);
      if (result.isNew) report.newFindings++;
      for (const { outcome } of result.channels) report.outcomes[outcome]++;
    }
    return report;
  }

  /**
   * Where a remediation decision is notified: nowhere when `notifications.remediation` leaves out its
   * status (or skip reason: by default every reason but duplicate-event), else the configured list of
   * channels, else (`inherit`, the default) the channels the routes pick for its finding.
   */
  remediationChannels(decision: RemediationDecision): { channels: string[]; filtered?: RemediationNotices['filtered'] } {
    const config = this.options.config.remediation ?? {};
    const statuses: readonly string[] = config.statuses ?? DECISION_STATUSES;
    if (!statuses.includes(decision.status)) return { channels: [], filtered: 'status' };
    if (decision.status === 'skipped') {
      const reason = decision.reason ?? 'not-applicable';
      const notified = config.skipReasons ? config.skipReasons.includes(reason) : !DEFAULT_QUIET_SKIP_REASONS.includes(reason);
      if (!notified) return { channels: [], filtered: 'skip-reason' };
    }
    const channels = Array.isArray(config.channels) ? config.channels.filter((c) => this.windows.has(c)) : this.router.route(remediationRouteSubject(decision));
    return channels.length > 0 ? { channels } : { channels, filtered: 'unrouted' };
  }

  /**
   * The notices of a remediation decision, one per channel, for the store to commit together with the
   * decision (nothing is written here). Idempotent per (decision id, channel): the same decision gives the
   * same idempotency keys, so committing it again creates nothing.
   */
  remediationNotices(decision: RemediationDecision): RemediationNotices {
    const { channels, filtered } = this.remediationChannels(decision);
    const json = JSON.stringify(decision);
    const incidentKey = remediationIncidentKey(decision);
    const now = this.now();
    const notices = channels.map(
      (channel): NewRemediationNotice => ({
        channel,
        groupKey: incidentKey,
        idempotencyKey: idempotencyKey('remediation', channel, decision.id),
        maxAttempts: this.windows.get(channel)!.maxAttempts,
        nextAttemptAt: now,
        decisionId: decision.id,
        status: decision.status,
        actionId: decision.actionId,
        ...(decision.ruleId !== undefined ? { ruleId: decision.ruleId } : {}),
        ...(decision.finding ? { findingId: decision.finding.id } : {}),
        decisionJson: json,
      }),
    );
    return { channels, notices, ...(filtered ? { filtered } : {}) };
  }

  /** Works the outbox (see Dispatcher.run). */
  async deliver(options: RunOptions = {}): Promise<RunReport> {
    if (this.options.retainDeliveredMs !== undefined) {
      const purged = await this.options.store.outbox.purgeDelivered(this.now() - this.options.retainDeliveredMs);
      if (purged > 0) this.log('debug', `purged ${purged} delivered notification(s) past the retention period`);
    }
    return this.dispatcher.run(options);
  }

  /** The channel's sink, created (and its secrets resolved) on first use. */
  sink(name: string): Promise<Sink> {
    let sink = this.sinks.get(name);
    if (!sink) {
      const channel = this.options.config.channels[name];
      if (!channel) return Promise.reject(new NotifyConfigError(`no channel named "${name}" in the notifications config`));
      const deps: SinkDeps = {
        name,
        resolve: (value, opts) => this.secrets.resolve(value, opts),
        renderer: new ContentRenderer({ templates: mergeTemplates(this.options.config.templates, channel.templates) }),
        aws: this.aws,
        stdout: this.options.stdout ?? process.stdout,
        stderr: this.options.stderr ?? process.stderr,
        now: this.now,
      };
      sink = (this.options.sinkFactory ?? createSink)(channel, deps).catch((error: unknown) => {
        // Do not cache a failure: the secret may resolve next time (throttling, network).
        this.sinks.delete(name);
        if (error instanceof SecretError) throw new DeliveryError(`channel "${name}": ${error.message}`, { retryable: error.retryable });
        throw error;
      });
      this.sinks.set(name, sink);
    }
    return sink;
  }

  /** Sends one notification straight to a channel, outside the outbox (`notify test`). */
  async sendNow(channel: string, notification: Notification, timeoutMs?: number): Promise<SendResult> {
    const config = this.options.config.channels[channel];
    if (!config) throw new NotifyConfigError(`no channel named "${channel}" in the notifications config (channels: ${Object.keys(this.options.config.channels).join(', ') || 'none'})`);
    const timeout = timeoutMs ?? channelPolicy(this.options.config, config).timeoutMs;
    const sink = await this.sink(channel);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeout);
    try {
      return await sink.send(notification, { signal: controller.signal, timeoutMs: timeout });
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.stop();
    const sinks = await Promise.allSettled(this.sinks.values());
    await Promise.allSettled(sinks.map((s) => (s.status === 'fulfilled' ? s.value.close?.() : undefined)));
    this.sinks.clear();
  }
}

export function createNotifier(options: NotifierOptions): Notifier {
  return new Notifier(options);
}
