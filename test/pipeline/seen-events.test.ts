/**
 * The duplicate check's memory: every (account, eventID) seen twice is recognised, distinct ones never are, and past
 * its bound it stops remembering (counting what it did not check) instead of growing.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeenEvents } from '../../src/pipeline/seen-events.js';

describe('SeenEvents', () => {
  it('recognises an event the second time, keyed by account and eventID', () => {
    const seen = new SeenEvents();
    expect(seen.seen('123456789012', 'be68461e-96e3-5795-8cb7-6c8c49465fd4')).toBe(false);
    expect(seen.seen('123456789012', 'be68461e-96e3-5795-8cb7-6c8c49465fd4')).toBe(true);
    // The same eventID in another account is another event (as the finding id has it).
    expect(seen.seen('111122223333', 'be68461e-96e3-5795-8cb7-6c8c49465fd4')).toBe(false);
    // The separator keeps "1" + "23" apart from "12" + "3".
    expect(seen.seen('1', '23')).toBe(false);
    expect(seen.seen('12', '3')).toBe(false);
    expect(seen.size).toBe(4);
  });

  it('200,000 random eventIDs: none taken for a duplicate, every one recognised again after the table grew', () => {
    const seen = new SeenEvents();
    const ids = Array.from({ length: 200_000 }, () => randomUUID());
    let first = 0;
    for (const id of ids) if (seen.seen('123456789012', id)) first++;
    expect(first).toBe(0);
    expect(seen.size).toBe(200_000);
    let again = 0;
    for (const id of ids) if (seen.seen('123456789012', id)) again++;
    expect(again).toBe(200_000);
    expect(seen.unchecked).toBe(0);
  });

  it('stops growing at its limit: remembered events are still recognised, later ones are counted as unchecked', () => {
    const seen = new SeenEvents(1000);
    const ids = Array.from({ length: 1500 }, (_, i) => `event-${i}`);
    for (const id of ids) expect(seen.seen('a', id)).toBe(false);
    expect(seen.size).toBe(1000);
    expect(seen.full).toBe(true);
    expect(seen.unchecked).toBe(500);
    expect(ids.slice(0, 1000).every((id) => seen.seen('a', id))).toBe(true);
    // Not remembered: seen "again" but not recognised, and counted again.
    expect(seen.seen('a', 'event-1200')).toBe(false);
    expect(seen.unchecked).toBe(501);
  });
});
