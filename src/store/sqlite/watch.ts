/**
 * `trailguard watch`'s state in the local store: one checkpoint per source and the ids of recently evaluated
 * events (see WatchStateStore in ../types.ts). Seen ids are kept with their event time so that pruning is one
 * indexed range delete when the checkpoint moves.
 */
import type Database from 'better-sqlite3';
import type { SeenEvent, WatchStateStore } from '../types.js';
import type { Migration } from './database.js';

export const WATCH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'watch checkpoints and seen events',
    up: (db) =>
      db.exec(`CREATE TABLE watch_checkpoints (
        source TEXT PRIMARY KEY,
        checkpoint INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE watch_seen (
        source TEXT NOT NULL,
        event_id TEXT NOT NULL,
        event_time INTEGER NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (source, event_id)
      ) WITHOUT ROWID;
      CREATE INDEX watch_seen_time ON watch_seen (source, event_time);`),
  },
];

/** SQLite limits bound parameters per statement (32,766 since 3.32); lookups go in chunks well below it. */
const CHUNK = 500;

export class SqliteWatchState implements WatchStateStore {
  private readonly getCheckpoint: Database.Statement;
  private readonly upsertCheckpoint: Database.Statement;
  private readonly insertSeen: Database.Statement;
  private readonly prune: Database.Statement;
  private readonly countSeen: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly transaction: <T>(fn: () => T) => T,
  ) {
    this.getCheckpoint = db.prepare('SELECT checkpoint FROM watch_checkpoints WHERE source = ?');
    // MAX(): a checkpoint never moves back, whatever order two writers commit in.
    this.upsertCheckpoint = db.prepare(`INSERT INTO watch_checkpoints (source, checkpoint, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (source) DO UPDATE SET checkpoint = MAX(checkpoint, excluded.checkpoint), updated_at = excluded.updated_at`);
    this.insertSeen = db.prepare('INSERT OR IGNORE INTO watch_seen (source, event_id, event_time, seen_at) VALUES (?, ?, ?, ?)');
    this.prune = db.prepare('DELETE FROM watch_seen WHERE source = ? AND event_time < ?');
    this.countSeen = db.prepare('SELECT COUNT(*) AS n FROM watch_seen WHERE source = ?');
  }

  async checkpoint(source: string): Promise<number | undefined> {
    return (this.getCheckpoint.get(source) as { checkpoint: number } | undefined)?.checkpoint;
  }

  async seen(source: string, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const rows = this.db
        .prepare(`SELECT event_id FROM watch_seen WHERE source = ? AND event_id IN (${chunk.map(() => '?').join(',')})`)
        .all(source, ...chunk) as { event_id: string }[];
      for (const row of rows) found.add(row.event_id);
    }
    return found;
  }

  async markSeen(source: string, events: readonly SeenEvent[], now: number): Promise<void> {
    if (events.length === 0) return;
    this.transaction(() => {
      for (const event of events) this.insertSeen.run(source, event.id, Math.trunc(event.time), now);
    });
  }

  async advance(source: string, checkpoint: number, pruneBefore: number, now: number): Promise<number> {
    return this.transaction(() => {
      this.upsertCheckpoint.run(source, Math.trunc(checkpoint), now);
      return this.prune.run(source, Math.trunc(pruneBefore)).changes;
    });
  }

  async seenCount(source: string): Promise<number> {
    return (this.countSeen.get(source) as { n: number }).n;
  }
}
