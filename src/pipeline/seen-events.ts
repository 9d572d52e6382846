/**
 * The CloudTrail events a scan has already evaluated, to skip records CloudTrail delivered more than once (the same
 * event in two trails' log files, a re-delivered file, the same file scanned twice).
 *
 * An event is its account and eventID, as the finding id has it (src/findings/build.ts). Each is kept as a 64-bit
 * fingerprint (two 32-bit words side by side) in an open-addressing table with linear probing: 16 bytes per event at
 * most (the table is at most half full), against ~100 for a Set of strings. Two different events share a fingerprint with a probability of about
 * n²/2⁶⁵ — for four million events, one in two million — and the later one would then be taken for a duplicate.
 *
 * Memory is bounded: past `limit` distinct events the table stops growing. Events already in it are still recognised;
 * later ones are evaluated without being remembered, and counted in `unchecked`, so the summary can say that
 * duplicates among them were not looked for.
 */

/** Default bound: 4,194,304 distinct events, a table of 8,388,608 slots (64 MiB). */
export const DEFAULT_SEEN_EVENTS_LIMIT = 4 * 1024 * 1024;

const INITIAL_SLOTS = 1 << 12;

export class SeenEvents {
  /** Slot i is words 2i (high) and 2i+1 (low); 0, 0 is an empty slot. */
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  /** Events evaluated without being remembered because the table was full. */
  unchecked = 0;

  constructor(readonly limit = DEFAULT_SEEN_EVENTS_LIMIT) {
    this.table = new Uint32Array(INITIAL_SLOTS * 2);
    this.mask = INITIAL_SLOTS - 1;
  }

  /** Distinct events remembered. */
  get size(): number {
    return this.count;
  }

  /** Whether the table stopped growing. */
  get full(): boolean {
    return this.count >= this.limit;
  }

  /**
   * True when this (account, eventID) was seen before; otherwise remembers it (while there is room) and returns
   * false.
   */
  seen(account: string, eventId: string): boolean {
    // Two 32-bit lanes over account, a separator and the eventID (cyrb53's mixing, both lanes kept whole).
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let i = 0; i < account.length; i++) {
      const ch = account.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ 0x10000, 2654435761);
    h2 = Math.imul(h2 ^ 0x10000, 1597334677);
    for (let i = 0; i < eventId.length; i++) {
      const ch = eventId.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    let hi = h1 >>> 0;
    const lo = h2 >>> 0;
    if (hi === 0 && lo === 0) hi = 1;

    const table = this.table;
    const mask = this.mask;
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    for (;;) {
      const sh = table[slot * 2]!;
      const sl = table[slot * 2 + 1]!;
      if (sh === 0 && sl === 0) break;
      if (sh === hi && sl === lo) return true;
      slot = (slot + 1) & mask;
    }
    if (this.count >= this.limit) {
      this.unchecked++;
      return false;
    }
    table[slot * 2] = hi;
    table[slot * 2 + 1] = lo;
    this.count++;
    if (this.count * 4 > table.length) this.grow();
    return false;
  }

  private grow(): void {
    const old = this.table;
    const slots = old.length; // twice the old slot count
    const table = new Uint32Array(slots * 2);
    const mask = slots - 1;
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i]!;
      const lo = old[i + 1]!;
      if (hi === 0 && lo === 0) continue;
      let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
      while (table[slot * 2] !== 0 || table[slot * 2 + 1] !== 0) slot = (slot + 1) & mask;
      table[slot * 2] = hi;
      table[slot * 2 + 1] = lo;
    }
    this.table = table;
    this.mask = mask;
  }
}
