import { parseDuration } from '../util/duration.js';
import { UsageError } from './usage-error.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A duration option ("90s", "2m", "1h", "500ms", or a number of seconds) in milliseconds; anything else is a usage error. */
export function parseDurationOption(name: string, value: string): number {
  const ms = parseDuration(value, { defaultUnit: 's' });
  if (ms === undefined) throw new UsageError(`${name} "${value}" is not a duration (e.g. 30s, 2m, 1h)`);
  return ms;
}

/**
 * Reads --since/--until: an ISO 8601 date or date-time ("2026-11-20", "2026-11-20T10:00:00Z",
 * "2026-11-20T12:00+02:00"), or a duration before now ("90m", "24h", "7d", "2w"). A time without an
 * offset is UTC, like CloudTrail's eventTime. Impossible dates (2026-02-30) are refused, not rolled over.
 */
export function parseTimeOption(name: string, value: string, now = Date.now()): Date {
  const text = value.trim();
  const ago = parseDuration(text, { units: ['s', 'm', 'h', 'd', 'w'] });
  if (ago !== undefined) return new Date(now - ago);
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = iso;
    const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
    const utc = new Date(Date.UTC(...fields));
    const valid =
      utc.getUTCFullYear() === fields[0] && utc.getUTCMonth() === fields[1] && utc.getUTCDate() === fields[2] &&
      utc.getUTCHours() === fields[3] && utc.getUTCMinutes() === fields[4] && utc.getUTCSeconds() === fields[5];
    if (!valid) throw new UsageError(`${name} "${value}" is not a real date and time`);
    const offsetMinutes = zone.toUpperCase() === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
    return new Date(utc.getTime() + Math.round(Number(`0${fraction}`) * 1000) - offsetMinutes * 60_000);
  }
  throw new UsageError(`${name} "${value}" is neither an ISO 8601 time (2026-11-20T10:00:00Z) nor a duration ago (30m, 24h, 7d)`);
}
