/**
 * watch's checkpoints and seen events in the SQLite store (the optional WatchStateStore: only SQLite has it, see
 * src/store/types.ts): kept across reopening the file, a checkpoint that never moves back, pruning by event time.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'trailguard-watch-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite watch state', () => {
  it('keeps checkpoints and seen ids per source, across reopening', async () => {
    const file = join(dir, 'a.db');
    const store = openSqliteStore(file);
    expect(await store.watch.checkpoint('cloudtrail:us-east-1')).toBeUndefined();
    await store.watch.markSeen('cloudtrail:us-east-1', [{ id: 'e1', time: 1_000 }, { id: 'e2', time: 2_000 }], 5_000);
    await store.watch.markSeen('cloudtrail:us-east-1', [{ id: 'e1', time: 1_000 }], 6_000);
    await store.watch.markSeen('cloudtrail:eu-west-1', [{ id: 'e1', time: 1_000 }], 6_000);
    expect(await store.watch.advance('cloudtrail:us-east-1', 10_000, 0, 7_000)).toBe(0);
    await store.close();

    const again = openSqliteStore(file);
    try {
      expect(await again.watch.checkpoint('cloudtrail:us-east-1')).toBe(10_000);
      expect(await again.watch.seen('cloudtrail:us-east-1', ['e1', 'e2', 'e3'])).toEqual(new Set(['e1', 'e2']));
      expect(await again.watch.seenCount('cloudtrail:eu-west-1')).toBe(1);
      // Never back; pruning forgets what is older than the cut-off, in that source only.
      expect(await again.watch.advance('cloudtrail:us-east-1', 9_000, 1_500, 8_000)).toBe(1);
      expect(await again.watch.checkpoint('cloudtrail:us-east-1')).toBe(10_000);
      expect(await again.watch.seen('cloudtrail:us-east-1', ['e1', 'e2'])).toEqual(new Set(['e2']));
      expect(await again.watch.seenCount('cloudtrail:eu-west-1')).toBe(1);
      // Lookups larger than one statement's parameters.
      const many = Array.from({ length: 1_200 }, (_, i) => ({ id: `m${i}`, time: 20_000 + i }));
      await again.watch.markSeen('logs:us-east-1:g', many, 9_000);
      expect((await again.watch.seen('logs:us-east-1:g', many.map((e) => e.id))).size).toBe(1_200);
    } finally {
      await again.close();
    }
  });
});
