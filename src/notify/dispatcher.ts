/**
 * The outbox worker. It claims due notifications channel by channel, sends each with a timeout,
 * and records the outcome: delivered; retried later (exponential backoff with full jitter, or the
 * service's Retry-After when longer); or failed for good (permanent error, or attempts exhausted) —
 * failed rows stay in the store with their last error until `notify retry` re-drives them.
 *
 * Per channel it keeps the load bounded and reacts to trouble:
 *   - concurrency: at most N deliveries in flight;
 *   - rate limit: a token bucket (sends per second, burst);
 *   - throttling (429, Retry-After, SDK throttling errors): the whole channel pauses, not just the
 *     one delivery, so queued rows do not burn their attempts against a closed door;
 *   - circuit breaker: after K consecutive retryable failures the channel's circuit opens for a
 *     cooldown (doubling while it keeps failing); then one probe delivery decides whether it closes.
 * Pausing and the circuit keep rows pending without consuming attempts.
 *
 * Crash safety: a claim is a lease in the store. Rows a dead process left in `sending` are
 * reclaimed on start (same host, pid gone) or when the lease expires (any host). The re-send carries
 * the same idempotency key, so receivers that honour it (PagerDuty dedup_key, OpsGenie alias,
 * webhook-id, SNS FIFO dedup id, e-mail Message-ID) see one alert.
 *
 * stop() is graceful: no new claims; in-flight deliveries finish (bounded by their timeout).
 */
import { hostname } from 'node:os';
import type { NotificationKind, OutboxRow, Store } from '../store/types.js';
import type { RemediationDecision } from '../remediate/types.js';
import { asDeliveryError, type DeliveryError } from './errors.js';
import { redact } from './redact.js';
import type { Notification, NotifyLogger, Sink } from './types.js';

export interface ChannelPolicy {
  maxAttempts: number;
  timeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  concurrency: number;
  circuitFailures: number;
  circuitCooldownMs: number;
  rateLimit?: { perSecond: number; burst: number };
}

export const DEFAULT_CHANNEL_POLICY: ChannelPolicy = {
  maxAttempts: 8,
  timeoutMs: 10_000,
  initialBackoffMs: 2_000,
  maxBackoffMs: 300_000,
  concurrency: 4,
  circuitFailures: 5,
  circuitCooldownMs: 30_000,
};

/** The longest we ever wait on a Retry-After or an open circuit before trying again. */
const MAX_RETRY_AFTER_MS = 3_600_000;
const MAX_CIRCUIT_OPEN_MS = 600_000;

export interface DispatcherOptions {
  store: Store;
  /** The channels this dispatcher works, with their policies; rows of other channels are left alone. */
  channels: ReadonlyMap<string, ChannelPolicy>;
  getSink(channel: string): Promise<Sink>;
  log?: NotifyLogger;
  now?: () => number;
  random?: () => number;
  /** Longest idle sleep between store polls (another process may enqueue). */
  pollMs?: number;
  /** Whether a claim's owner ("host:pid") is a dead process, so its rows can be reclaimed at once. */
  isOwnerDead?: (owner: string) => boolean;
}

export interface RunOptions {
  /** Stop claiming at this time (epoch ms); in-flight deliveries still finish. */
  deadline?: number;
  /** Return when nothing is due before the deadline (default true); false keeps polling until stop(). */
  untilIdle?: boolean;
  /** Send repeat and storm summaries now instead of at the end of their window (a batch run about to exit). */
  flushWindows?: boolean;
  /** Work only notifications of these kinds (e.g. `remediate` delivers its remediation notices, not a scan's backlog). */
  kinds?: readonly NotificationKind[];
  /**
   * Send what is due now and return: no waiting for a backoff, a lease another process holds, a paused channel or
   * its rate limit (what is left stays pending for the next run). For runs billed by the second — a Lambda
   * function delivering what its batch enqueued, the deliver function every minute.
   */
  dueNowOnly?: boolean;
}

export interface RunReport {
  delivered: number;
  retried: number;
  failed: number;
  /** Left pending / sending when the run ended (e.g. backoff beyond the deadline). */
  outstanding: number;
  endedBy: 'idle' | 'deadline' | 'stopped';
  elapsedMs: number;
}

interface ChannelState {
  inFlight: number;
  failures: number;
  opens: number;
  openUntil: number;
  pausedUntil: number;
  tokens: number;
  tokensAt: number;
  /** Settles when the delivery launched last on the channel has started sending (see deliver). */
  sendTurn: Promise<void>;
}

/** "host:pid" claims of processes that no longer exist on this host. */
export function isDeadLocalOwner(owner: string): boolean {
  const i = owner.lastIndexOf(':');
  if (i < 0 || owner.slice(0, i) !== hostname()) return false;
  const pid = Number(owner.slice(i + 1));
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Full jitter: a uniformly random delay in [0, min(cap, base * 2^(attempt-1))] (never below 50 ms). */
export function backoffDelay(attempt: number, policy: Pick<ChannelPolicy, 'initialBackoffMs' | 'maxBackoffMs'>, random: () => number): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(50, Math.floor(random() * ceiling));
}

export class Dispatcher {
  private readonly store: Store;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: NotifyLogger;
  private readonly pollMs: number;
  private readonly state = new Map<string, ChannelState>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private running: Promise<RunReport> | undefined;
  private wake: (() => void) | undefined;
  private counts = { delivered: 0, retried: 0, failed: 0 };

  constructor(private readonly options: DispatcherOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => {});
    this.pollMs = options.pollMs ?? 1_000;
    for (const [name, policy] of options.channels) {
      const burst = policy.rateLimit?.burst ?? 0;
      this.state.set(name, { inFlight: 0, failures: 0, opens: 0, openUntil: 0, pausedUntil: 0, tokens: burst, tokensAt: this.now(), sendTurn: Promise.resolve() });
    }
  }

  /** Works the outbox until idle, the deadline, or stop(). One run at a time. */
  run(options: RunOptions = {}): Promise<RunReport> {
    if (this.running) throw new Error('dispatcher is already running');
    this.stopping = false;
    this.running = this.loop(options).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Graceful stop: no new claims, waits for in-flight deliveries. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
  }

  private async loop(options: RunOptions): Promise<RunReport> {
    const started = this.now();
    this.counts = { delivered: 0, retried: 0, failed: 0 };
    const recovered = await this.store.outbox.recoverAbandoned(this.options.isOwnerDead ?? isDeadLocalOwner, this.now());
    if (recovered > 0) this.log('info', `recovered ${recovered} notification(s) left in flight by a process that stopped`);
    if (options.flushWindows) await this.store.outbox.flushWindows(this.now());
    const untilIdle = options.untilIdle ?? true;
    let endedBy: RunReport['endedBy'] = 'stopped';

    while (!this.stopping) {
      const now = this.now();
      if (options.deadline !== undefined && now >= options.deadline) {
        endedBy = 'deadline';
        break;
      }
      let claimed = 0;
      for (const [channel, policy] of this.options.channels) {
        const limit = this.claimLimit(channel, policy, now);
        if (limit <= 0) continue;
        const rows = await this.store.outbox.claimDue(channel, { now, limit, leaseMs: policy.timeoutMs * 2 + 5_000, owner: this.store.owner, ...(options.kinds ? { kinds: options.kinds } : {}) });
        for (const row of rows) this.launch(row, policy);
        claimed += rows.length;
      }
      if (claimed > 0) {
        // Let sends start before claiming more.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      if (options.dueNowOnly) {
        if (this.inFlight.size === 0) {
          endedBy = 'idle';
          break;
        }
        // Sends in flight: a finishing one wakes the loop (it may have made room under a limit); no store polling.
        await this.sleep(options.deadline !== undefined ? Math.max(1, Math.min(this.pollMs, options.deadline - now)) : this.pollMs);
        continue;
      }
      const wakeAt = await this.nextWake(now, options.kinds);
      if (this.inFlight.size === 0) {
        if (wakeAt === undefined && untilIdle) {
          endedBy = 'idle';
          break;
        }
        if (wakeAt !== undefined && options.deadline !== undefined && wakeAt >= options.deadline) {
          endedBy = 'deadline';
          break;
        }
      }
      const sleep = Math.max(1, Math.min(wakeAt === undefined ? this.pollMs : wakeAt - now, this.pollMs, options.deadline !== undefined ? options.deadline - now : Infinity));
      await this.sleep(sleep);
    }
    await Promise.all(this.inFlight);
    const outstanding = await this.store.outbox.outstanding([...this.options.channels.keys()], options.kinds);
    return { ...this.counts, outstanding, endedBy: this.stopping ? 'stopped' : endedBy, elapsedMs: this.now() - started };
  }

  /** Sleeps up to `ms`; a finished delivery or stop() wakes it early. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private channelState(channel: string): ChannelState {
    return this.state.get(channel)!;
  }

  /** How many rows this channel may claim now: concurrency, throttling pause, circuit, rate limit. */
  private claimLimit(channel: string, policy: ChannelPolicy, now: number): number {
    const s = this.channelState(channel);
    if (now < s.pausedUntil) return 0;
    let limit = policy.concurrency - s.inFlight;
    if (s.openUntil > 0) {
      if (now < s.openUntil) return 0;
      // Half-open: one probe at a time decides whether the circuit closes.
      limit = s.inFlight === 0 ? 1 : 0;
    }
    if (policy.rateLimit) {
      this.refill(s, policy.rateLimit, now);
      limit = Math.min(limit, Math.floor(s.tokens));
    }
    return limit;
  }

  private refill(s: ChannelState, rate: { perSecond: number; burst: number }, now: number): void {
    s.tokens = Math.min(rate.burst, s.tokens + ((now - s.tokensAt) / 1000) * rate.perSecond);
    s.tokensAt = now;
  }

  /** When something may next be claimable on any channel, or undefined when nothing is outstanding. */
  private async nextWake(now: number, kinds?: readonly NotificationKind[]): Promise<number | undefined> {
    let wake: number | undefined;
    for (const [channel, policy] of this.options.channels) {
      const due = await this.store.outbox.nextDueAt(channel, kinds);
      if (due === undefined) continue;
      const s = this.channelState(channel);
      // A channel at capacity is woken by a finishing delivery, not by the clock.
      if (s.inFlight >= policy.concurrency || (s.openUntil > 0 && s.inFlight > 0)) continue;
      let gate = Math.max(s.pausedUntil, s.openUntil);
      if (policy.rateLimit && s.tokens < 1) gate = Math.max(gate, now + ((1 - s.tokens) / policy.rateLimit.perSecond) * 1000);
      const at = Math.max(due, gate);
      wake = wake === undefined ? at : Math.min(wake, at);
    }
    return wake;
  }

  private launch(row: OutboxRow, policy: ChannelPolicy): void {
    const s = this.channelState(row.channel);
    s.inFlight++;
    if (policy.rateLimit) s.tokens -= 1;
    const task: Promise<void> = this.deliver(row, policy)
      .catch((error: unknown) => this.log('error', redact(`internal error delivering notification ${row.id} on ${row.channel}: ${(error as Error).stack ?? String(error)}`)))
      .finally(() => {
        s.inFlight--;
        this.inFlight.delete(task);
        this.wake?.();
      });
    this.inFlight.add(task);
  }

  /** The notification as the sink sees it, built from the store at send time (so counts are current). */
  async loadNotification(row: OutboxRow): Promise<Notification> {
    const outbox = this.store.outbox;
    if (row.kind === 'remediation') {
      const notice = await outbox.remediationOf(row.id);
      if (!notice) throw new Error(`remediation notification ${row.id} on ${row.channel} has no decision in outbox_remediation`);
      const decision = JSON.parse(notice.decisionJson) as RemediationDecision;
      return {
        id: row.id,
        channel: row.channel,
        kind: 'remediation',
        idempotencyKey: row.idempotencyKey,
        incidentKey: row.groupKey,
        count: row.count,
        findings: [],
        findingIds: decision.finding ? [decision.finding.id] : [],
        windowStart: row.windowStart,
        windowEnd: row.windowEnd,
        attempt: row.attempts,
        remediation: decision,
      };
    }
    const order = row.kind === 'repeat' ? 'last' : row.kind === 'storm' ? 'worst' : 'first';
    const [findings, findingIds, stats] = await Promise.all([
      outbox.findingsOf(row.id, row.kind === 'storm' ? 10 : 5, order),
      outbox.findingIdsOf(row.id),
      row.kind === 'storm' || row.count > 1 ? outbox.statsOf(row.id) : undefined,
    ]);
    return {
      id: row.id,
      channel: row.channel,
      kind: row.kind,
      idempotencyKey: row.idempotencyKey,
      incidentKey: row.kind === 'storm' ? `trailguard:storm:${row.channel}:${row.windowStart}` : `trailguard:${row.groupKey}`,
      count: row.count,
      findings,
      findingIds,
      stats,
      windowStart: row.windowStart,
      windowEnd: row.windowEnd,
      attempt: row.attempts,
    };
  }

  private async deliver(row: OutboxRow, policy: ChannelPolicy): Promise<void> {
    const started = this.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    // Sends on a channel start in the order their rows were claimed (oldest due first), however long loading
    // each from the store took: a finding's alert goes out before the remediation notice that joins it.
    const s = this.channelState(row.channel);
    const turn = s.sendTurn;
    let sendingStarted!: () => void;
    s.sendTurn = new Promise<void>((resolve) => (sendingStarted = resolve));
    try {
      const notification = await this.loadNotification(row);
      const sink = await this.options.getSink(row.channel);
      await turn;
      sendingStarted();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          // A sink that ignores the abort signal still cannot hold the slot forever.
          grace = setTimeout(() => reject(new Error(`no answer within ${policy.timeoutMs} ms`)), 1_000);
        }, policy.timeoutMs);
      });
      timeout.catch(() => {});
      const result = await Promise.race([sink.send(notification, { signal: controller.signal, timeoutMs: policy.timeoutMs }), timeout]);
      const now = this.now();
      await this.store.outbox.markDelivered(row.id, now, result.status);
      this.onSuccess(row.channel);
      this.counts.delivered++;
      this.log('debug', redact(`delivered ${row.kind} notification ${row.id} (${row.count} finding${row.count === 1 ? '' : 's'}) to ${row.channel} in ${now - started} ms${result.detail ? `: ${result.detail}` : ''}`));
    } catch (error) {
      sendingStarted();
      await this.onFailure(row, policy, asDeliveryError(error));
    } finally {
      sendingStarted();
      clearTimeout(timer);
      clearTimeout(grace);
    }
  }

  private onSuccess(channel: string): void {
    const s = this.channelState(channel);
    if (s.openUntil > 0) this.log('info', `channel ${channel}: delivering again, circuit closed`);
    s.failures = 0;
    s.opens = 0;
    s.openUntil = 0;
  }

  private async onFailure(row: OutboxRow, policy: ChannelPolicy, error: DeliveryError): Promise<void> {
    const now = this.now();
    const s = this.channelState(row.channel);
    const message = redact(error.message);
    const retryAfter = error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS) : undefined;
    if (error.throttled || retryAfter !== undefined) {
      // The service is pushing back on the channel as a whole.
      const pause = retryAfter ?? backoffDelay(row.attempts, policy, this.random);
      s.pausedUntil = Math.max(s.pausedUntil, now + pause);
      this.log('warn', `channel ${row.channel}: throttled, pausing ${Math.ceil(pause / 1000)} s`);
    } else if (error.retryable) {
      s.failures++;
      if (s.openUntil > 0 || s.failures >= policy.circuitFailures) {
        s.opens++;
        const open = Math.min(policy.circuitCooldownMs * 2 ** (s.opens - 1), MAX_CIRCUIT_OPEN_MS);
        s.openUntil = now + open;
        s.failures = 0;
        this.log('warn', `channel ${row.channel}: ${policy.circuitFailures} failures in a row, circuit open for ${Math.ceil(open / 1000)} s`);
      }
    }
    if (!error.retryable || row.attempts >= row.maxAttempts) {
      const why = error.retryable ? `gave up after ${row.attempts} attempt${row.attempts === 1 ? '' : 's'}` : 'not retryable';
      await this.store.outbox.markFailed(row.id, { error: `${message} (${why})`, status: error.status, now });
      this.counts.failed++;
      this.log('error', `notification ${row.id} to ${row.channel} failed: ${message} (${why})`);
      return;
    }
    const delay = Math.max(retryAfter ?? 0, backoffDelay(row.attempts, policy, this.random));
    await this.store.outbox.markRetry(row.id, { nextAttemptAt: now + delay, error: message, status: error.status, now });
    this.counts.retried++;
    this.log('info', `notification ${row.id} to ${row.channel}: attempt ${row.attempts}/${row.maxAttempts} failed (${message}); retrying in ${Math.ceil(delay / 1000)} s`);
  }
}
