import { UsageError } from './usage-error.js';

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Reads --since/--until: an ISO 8601 date or date-time ("2026-11-20", "2026-11-20T10:00:00Z"),
 * or a duration before now ("90m", "24h", "7d", "2w").
 */
export function parseTimeOption(name: string, value: string, now = Date.now()): Date {
  const relative = RELATIVE.exec(value.trim());
  if (relative) return new Date(now - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = Date.parse(value);
    if (!Number.isNaN(time)) return new Date(time);
  }
  throw new UsageError(`${name} "${value}" is neither an ISO 8601 time (2026-11-20T10:00:00Z) nor a duration ago (30m, 24h, 7d)`);
}
