/**
 * Item keys of the single table (see the layout in store.ts) and the sortable encodings in them.
 * Channel names, action ids and kinds never contain "#" (the config schema forbids it), so the keys
 * that join them with "#" are unambiguous.
 */
import type { Key } from './db.js';

/** Epoch milliseconds, zero-padded so string order is time order (15 digits: beyond year 30000). */
export function pad(ms: number): string {
  return String(Math.max(0, Math.trunc(ms))).padStart(15, '0');
}

/** An outbox row's id: its channel and idempotency key (the key is unique per channel, the id per table). */
export function rowId(channel: string, idempotencyKey: string): string {
  return `${channel}:${idempotencyKey}`;
}

export const keys = {
  finding: (id: string): Key => ({ pk: `F#${id}`, sk: 'F' }),
  row: (id: string): Key => ({ pk: `O#${id}`, sk: 'R' }),
  notice: (id: string): Key => ({ pk: `O#${id}`, sk: 'N' }),
  /** A finding attached to a row, in attach order under the row's partition. */
  attachment: (outboxId: string, attachedAt: number, findingId: string): Key => ({ pk: `O#${outboxId}`, sk: `F#${pad(attachedAt)}#${findingId}` }),
  /** The one notification covering a finding on a channel. */
  link: (channel: string, findingId: string): Key => ({ pk: `L#${channel}#${findingId}`, sk: 'L' }),
  groupHead: (channel: string, groupKey: string): Key => ({ pk: `G#${channel}#${groupKey}`, sk: 'G' }),
  stormHead: (channel: string): Key => ({ pk: `S#${channel}`, sk: 'S' }),
  /** One finding/repeat row created on a channel (what `createdSince` counts). */
  created: (channel: string, createdAt: number, outboxId: string): Key => ({ pk: `R#${channel}`, sk: `${pad(createdAt)}#${outboxId}` }),
  decision: (id: string): Key => ({ pk: `D#${id}`, sk: 'D' }),
  claim: (eventId: string, actionId: string): Key => ({ pk: `C#${actionId}#${eventId}`, sk: 'C' }),
  approval: (id: string): Key => ({ pk: `A#${id}`, sk: 'A' }),
};

/** Partition of a row's children (attachments, notice): begins with the row's pk. */
export const ATTACHMENT_PREFIX = 'F#';

/** gsi1 partitions. */
export const gsi1 = {
  /** Outstanding (pending, sending) rows of a channel by the time they become claimable. */
  due: (channel: string) => `DUE#${channel}`,
  dueSort: (claimableAt: number, id: string) => `${pad(claimableAt)}#${id}`,
  /** Decisions of an event, by action then time. */
  event: (eventId: string) => `EV#${eventId}`,
  eventSort: (actionId: string, createdAt: string, id: string) => `${actionId}#${createdAt}#${id}`,
};

/** Number of gsi2 partitions findings are spread over (count() reads them all). */
export const FINDING_SHARDS = 8;

/** gsi2 partitions. */
export const gsi2 = {
  /** Rows in one state, by creation. */
  state: (state: string) => `OUT#${state}`,
  stateSort: (createdAt: number, id: string) => `${pad(createdAt)}#${id}`,
  findings: (shard: number) => `FIND#${shard}`,
  decisions: 'DECISIONS',
  decisionSort: (createdAt: string, id: string) => `${createdAt}#${id}`,
  pendingApprovals: 'APPROVALS#pending',
  approvalSort: (createdAt: string, id: string) => `${createdAt}#${id}`,
};

/** A stable shard for a finding id (FNV-1a). */
export function findingShard(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % FINDING_SHARDS;
}
