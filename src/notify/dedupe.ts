/**
 * Turning findings into notifications on one channel: de-duplication windows and storm summaries.
 *
 * De-duplication (per channel, per dedupe key, window W): the first finding of a key opens a
 * notification that is sent at once. Findings with the same key that arrive while it is still
 * waiting to be sent join it (one notification, with a count). Findings that arrive after it went
 * out but within W join one follow-up "repeat" notification, sent when the window closes. So a key
 * produces at most two notifications per window, and the count says how many findings they stand for.
 *
 * Storms (per channel, threshold N per window S): once N individual notifications were created on a
 * channel within the last S, further findings join one storm summary for the channel, sent when its
 * window closes. Nothing is dropped: every finding is linked to exactly one notification per channel
 * and stays in the store.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../findings/types.js';
import type { ChannelView, EnqueuePlan, NotificationKind } from '../store/types.js';

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
 * there first.
 */
export function planEnqueue(view: ChannelView, finding: Finding, channel: string, policy: WindowPolicy, now: number): EnqueuePlan {
  if (view.covering !== undefined) return { outcome: 'duplicate', outboxId: view.covering };
  const groupKey = groupKeyOf(finding);
  const latest = policy.dedupeWindowMs > 0 ? view.latestInGroup : undefined;
  if (latest && latest.state === 'pending') return { outcome: latest.kind === 'repeat' ? 'repeat' : 'joined', attachTo: latest };

  if (policy.stormThreshold > 0 && view.createdSince >= policy.stormThreshold) {
    if (view.openStorm) return { outcome: 'storm', attachTo: view.openStorm };
    return {
      outcome: 'storm',
      create: {
        channel,
        kind: 'storm',
        groupKey: `storm:${now}`,
        idempotencyKey: idempotencyKey('storm', channel, String(now)),
        maxAttempts: policy.maxAttempts,
        nextAttemptAt: now + policy.stormWindowMs,
        windowStart: now,
        windowEnd: now + policy.stormWindowMs,
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

/** The dedupe group of a finding: its dedupe key, or its own id when the rule gives none. */
export function groupKeyOf(finding: Finding): string {
  return finding.dedupeKey || finding.id;
}
