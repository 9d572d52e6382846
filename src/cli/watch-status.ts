/**
 * `watch`'s one-line status on a terminal's stderr, redrawn after every poll cycle: the sources, when the last poll
 * finished, how many events were evaluated, and the lag (how far the newest evaluated event is behind now, CloudTrail's
 * own delivery delay included). Cleared before anything else is written to the same terminal.
 */
import type { PollReport } from '../watch/loop.js';

export interface StatusLine {
  update(reports: readonly PollReport[], now: number): void;
  /** Erases the line (before a finding, a warning, or at exit). */
  clear(): void;
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function statusLine(stream: NodeJS.WriteStream, labels: readonly string[]): StatusLine {
  let drawn = false;
  let events = 0;
  let newest: number | undefined;
  const failing = new Set<string>();
  return {
    update(reports, now) {
      for (const r of reports) {
        events += r.evaluated;
        if (r.newestEventTime !== undefined && (newest === undefined || r.newestEventTime > newest)) newest = r.newestEventTime;
        if (r.ok) failing.delete(r.label);
        else if (!r.stopped) failing.add(r.label);
      }
      const where = labels.length <= 3 ? labels.join(', ') : `${labels.length} regions`;
      const parts = [
        `watching ${where}`,
        `last poll ${new Date(now).toISOString().slice(11, 19)}Z`,
        `${events.toLocaleString('en-US')} events`,
        `lag ${newest === undefined ? '-' : formatAge(now - newest)}`,
        ...(failing.size > 0 ? [`failing: ${[...failing].join(', ')}`] : []),
      ];
      const text = parts.join(' | ');
      const width = stream.columns ?? 120;
      stream.write(`\r\x1b[K${text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text}`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
