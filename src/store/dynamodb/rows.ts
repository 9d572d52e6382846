/**
 * Outbox row items: the row as stored (see the layout in store.ts) and back, and the index attributes each
 * state carries. A row is on the due index (gsi1, `DUE#<channel>`) exactly while it is pending or sending,
 * sorted by when it becomes claimable (pending: nextAttemptAt; sending: leaseUntil); it is always on the
 * state index (gsi2, `OUT#<state>`), sorted by creation.
 */
import type { DeliveryState, NotificationKind, OutboxRow } from '../types.js';
import type { Item } from './db.js';
import { gsi1, gsi2, keys } from './keys.js';

export const ROW_TYPE = 'row';

function num(item: Item, name: string): number | undefined {
  const v = item[name];
  return typeof v === 'number' ? v : undefined;
}

function str(item: Item, name: string): string | undefined {
  const v = item[name];
  return typeof v === 'string' ? v : undefined;
}

export function toRow(item: Item): OutboxRow {
  const optional = <K extends keyof OutboxRow>(name: K, value: OutboxRow[K] | undefined) => (value === undefined ? {} : { [name]: value });
  return {
    id: str(item, 'id') ?? '',
    channel: str(item, 'channel') ?? '',
    kind: str(item, 'kind') as NotificationKind,
    groupKey: str(item, 'groupKey') ?? '',
    idempotencyKey: str(item, 'idempotencyKey') ?? '',
    state: str(item, 'state') as DeliveryState,
    count: num(item, 'count') ?? 0,
    attempts: num(item, 'attempts') ?? 0,
    maxAttempts: num(item, 'maxAttempts') ?? 0,
    nextAttemptAt: num(item, 'nextAttemptAt') ?? 0,
    ...optional('leaseUntil', num(item, 'leaseUntil')),
    ...optional('claimedBy', str(item, 'claimedBy')),
    windowStart: num(item, 'windowStart') ?? 0,
    windowEnd: num(item, 'windowEnd') ?? 0,
    ...optional('lastError', str(item, 'lastError')),
    ...optional('lastStatus', num(item, 'lastStatus')),
    createdAt: num(item, 'createdAt') ?? 0,
    updatedAt: num(item, 'updatedAt') ?? 0,
    ...optional('deliveredAt', num(item, 'deliveredAt')),
  };
}

/** What a new row is made of. */
export interface RowSpec {
  id: string;
  channel: string;
  kind: NotificationKind;
  groupKey: string;
  idempotencyKey: string;
  count: number;
  maxAttempts: number;
  nextAttemptAt: number;
  windowStart: number;
  windowEnd: number;
  now: number;
}

/** A new pending row and its item. */
export function newRow(spec: RowSpec): { row: OutboxRow; item: Item } {
  const row: OutboxRow = {
    id: spec.id,
    channel: spec.channel,
    kind: spec.kind,
    groupKey: spec.groupKey,
    idempotencyKey: spec.idempotencyKey,
    state: 'pending',
    count: spec.count,
    attempts: 0,
    maxAttempts: spec.maxAttempts,
    nextAttemptAt: spec.nextAttemptAt,
    windowStart: spec.windowStart,
    windowEnd: spec.windowEnd,
    createdAt: spec.now,
    updatedAt: spec.now,
  };
  const item: Item = {
    ...keys.row(spec.id),
    type: ROW_TYPE,
    ...row,
    dueKey: gsi1.due(spec.channel),
    gsi1pk: gsi1.due(spec.channel),
    gsi1sk: gsi1.dueSort(spec.nextAttemptAt, spec.id),
    gsi2pk: gsi2.state('pending'),
    gsi2sk: gsi2.stateSort(spec.now, spec.id),
  };
  return { row, item };
}

/** When an outstanding row becomes claimable: its next attempt (pending) or its lease's end (sending). */
export function claimableAt(row: OutboxRow): number | undefined {
  if (row.state === 'pending') return row.nextAttemptAt;
  if (row.state === 'sending') return row.leaseUntil ?? row.nextAttemptAt;
  return undefined;
}
