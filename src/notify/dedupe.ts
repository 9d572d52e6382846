/**
 * Turning findings into notifications on one channel: de-duplication windows and storm summaries.
 *
 * De-duplication (per channel, per dedupe key, window W): the first finding of a key opens a
 * notification that is sent at once. Findings with the same key that arrive while it is still
 * waiting to be sent join it (one notification, with a count). Findings that arrive after it went
 * out but within W join one follow-up "repeat" notification, sent when the window closes. So a key
 * produces at most two notifications per window, and the count says how many findings they stand for.
 * Dedupe windows run on the time the finding is enqueued (`now`).
 *
 * Storms (per channel, threshold N per window S): once N individual notifications were opened on a
 * channel within S on the storm clock, further findings join one storm summary for the channel, sent
 * when its window closes — except findings the summary would bury:
 *   - a critical finding always goes out on its own;
 *   - a finding more severe than what the storm is mostly made of goes out on its own. "Mostly made of"
 *     is the most common severity among the channel's recent individual notifications (those that made
 *     the rate) and the open summary's findings together (a tie goes to the more severe).
 * The storm clock is `rateAt`: the enqueue time for live events, the finding's event time when logs are
 * replayed (`scan --notify`, the backfill function) — a replay of five days in two seconds is five days
 * of events, not a storm. A storm summary's window is on that clock (its findings' event times in a replay).
 *
 * Nothing is dropped: every finding is linked to exactly one notification per channel and stays in the store.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../findings/types.js';
import { severityRank, SEVERITIES, type Severity } from '../rules/types.js';
import type { ChannelView, EnqueuePlan, NotificationKind, SeverityCounts } from '../store/types.js';

export interface WindowPolicy {
  /** 0 disables de-duplication. */
  dedupeWindowMs: number;
  /** 0 disables storm summaries. */
  stormThreshold: number;
  stormWindowMs: number;
  maxAttempts: number;
}

export const DEFAULT_WINDOW_POLICY: WindowPolicy = { dedupeWindowMs: 300_000, stormThreshold: 20, stormWindowMs: 60_000, maxAttempts: 8 };

/** new: a notification of its own; joined: added to one waiting to be sent; repeat: to the window's follow-up; storm: to the storm summary; duplicate: already covered on this channel. */
export type { EnqueueOutcome } from '../store/types.js';

/** Stable for a given notification: the same inputs after a restart give the same key. */
export function idempotencyKey(kind: NotificationKind, channel: string, discriminator: string): string {
  return `tg_${createHash('sha256').update(`${kind}\u0000${channel}\u0000${discriminator}`).digest('hex').slice(0, 32)}`;
}

/**
 * The decision for one finding on one channel, from what the store read of the channel (see the module
 * comment for the rules). Pure: the store may ask again with a fresher view when a concurrent writer got
 * there first. `rateAt` is the finding's time on the storm clock (default `now`).
 */
export function planEnqueue(view: ChannelView, finding: Finding, channel: string, policy: WindowPolicy, now: number, rateAt: number = now): EnqueuePlan {
  if (view.covering !== undefined) return { outcome: 'duplicate', outboxId: view.covering };
  const groupKey = groupKeyOf(finding);
  const latest = policy.dedupeWindowMs > 0 ? view.latestInGroup : undefined;
  if (latest && latest.state === 'pending') return { outcome: latest.kind === 'repeat' ? 'repeat' : 'joined', attachTo: latest };

  if (policy.stormThreshold > 0 && view.createdSince >= policy.stormThreshold && foldsIntoStorm(finding.severity, view)) {
    if (view.openStorm) return { outcome: 'storm', attachTo: view.openStorm };
    // Live, the window starts now; in a replay, at the finding's event time (two storms opened at the same
    // wall-clock millisecond for different event windows must not share a key).
    const discriminator = rateAt === now ? String(now) : `${rateAt}@${now}`;
    return {
      outcome: 'storm',
      create: {
        channel,
        kind: 'storm',
        groupKey: `storm:${rateAt}`,
        idempotencyKey: idempotencyKey('storm', channel, discriminator),
        maxAttempts: policy.maxAttempts,
        nextAttemptAt: now + policy.stormWindowMs,
        windowStart: rateAt,
        windowEnd: rateAt + policy.stormWindowMs,
      },
    };
  }

  if (latest) {
    // The group's notification is out (or failed): later findings wait for the window's follow-up.
    const start = latest.kind === 'finding' ? latest.windowStart : now;
    const end = latest.kind === 'finding' ? latest.windowEnd : now + policy.dedupeWindowMs;
    return {
      outcome: 'repeat',
      create: {
        channel,
        kind: 'repeat',
        groupKey,
        idempotencyKey: idempotencyKey('repeat', channel, `${groupKey}\u0000${start}`),
        maxAttempts: policy.maxAttempts,
        nextAttemptAt: end,
        windowStart: start,
        windowEnd: end,
      },
    };
  }

  return {
    outcome: 'new',
    create: {
      channel,
      kind: 'finding',
      groupKey,
      idempotencyKey: idempotencyKey('finding', channel, finding.id),
      maxAttempts: policy.maxAttempts,
      nextAttemptAt: now,
      windowStart: now,
      windowEnd: now + policy.dedupeWindowMs,
    },
  };
}

/**
 * Whether a finding may be summarised in the channel's storm: never a critical one, nor one more severe than
 * what the storm is mostly made of (see the module comment).
 */
export function foldsIntoStorm(severity: Severity, view: Pick<ChannelView, 'createdSinceSeverities' | 'openStormSeverities'>): boolean {
  if (severity === 'critical') return false;
  const bulk = stormBulkSeverity(view);
  return bulk === undefined || severityRank(severity) <= severityRank(bulk);
}

/**
 * What a storm is mostly made of: the most common severity among the channel's recent individual
 * notifications and the open storm's findings (a tie goes to the more severe); undefined when nothing is known.
 */
export function stormBulkSeverity(view: Pick<ChannelView, 'createdSinceSeverities' | 'openStormSeverities'>): Severity | undefined {
  const total: SeverityCounts = {};
  for (const counts of [view.createdSinceSeverities, view.openStormSeverities]) {
    for (const [severity, n] of Object.entries(counts ?? {})) total[severity] = (total[severity] ?? 0) + n;
  }
  let bulk: Severity | undefined;
  for (const severity of SEVERITIES) {
    const n = total[severity] ?? 0;
    if (n > 0 && (bulk === undefined || n >= (total[bulk] ?? 0))) bulk = severity;
  }
  return bulk;
}

/** A finding's time on the storm clock: its event time on the `event` clock (never later than now; now when unreadable), else now. */
export function stormClockTime(finding: Finding, clock: StormClock, now: number): number {
  if (clock === 'arrival') return now;
  const at = Date.parse(finding.eventTime);
  return Number.isNaN(at) ? now : Math.min(at, now);
}

/**
 * What the storm rate is measured on: `arrival` — when findings are enqueued (live events, which arrive as they
 * happen); `event` — the findings' event times (a replay of logs: `scan --notify`, the backfill function).
 */
export type StormClock = 'arrival' | 'event';

/** The dedupe group of a finding: its dedupe key, or its own id when the rule gives none. */
export function groupKeyOf(finding: Finding): string {
  return finding.dedupeKey || finding.id;
}
