/** Fast, allocation-light UTC time formatting for generated records (times are integer epoch seconds). */

const PAD2: string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

let cachedDay = Number.NaN;
let cachedPrefix = '';

function dayPrefix(day: number): string {
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11); // "YYYY-MM-DDT"
  }
  return cachedPrefix;
}

/** `2026-11-16T09:04:05Z`: the CloudTrail eventTime format (second precision, Z). */
export function isoSeconds(t: number): string {
  const day = Math.floor(t / 86_400);
  const sod = t - day * 86_400;
  const h = (sod / 3600) | 0;
  const m = ((sod % 3600) / 60) | 0;
  const s = sod % 60;
  return dayPrefix(day) + PAD2[h]! + ':' + PAD2[m]! + ':' + PAD2[s]! + 'Z';
}

/** `20261116T0905Z`: the timestamp in CloudTrail log file names. */
export function fileStamp(t: number): string {
  const d = new Date(t * 1000);
  return (
    d.getUTCFullYear() + PAD2[d.getUTCMonth() + 1]! + PAD2[d.getUTCDate()]! + 'T' + PAD2[d.getUTCHours()]! + PAD2[d.getUTCMinutes()]! + 'Z'
  );
}

/** `20261116T010000Z`: the timestamp in digest file names (seconds precision). */
export function digestStamp(t: number): string {
  const d = new Date(t * 1000);
  return fileStamp(t).slice(0, -1) + PAD2[d.getUTCSeconds()]! + 'Z';
}

/** [yyyy, mm, dd] path parts of the day containing t. */
export function datePath(t: number): [string, string, string] {
  const d = new Date(t * 1000);
  return [String(d.getUTCFullYear()), PAD2[d.getUTCMonth() + 1]!, PAD2[d.getUTCDate()]!];
}

/**
 * `Nov 16, 2026, 10:04:05 AM`: the Java-style date string STS and KMS put into responseElements
 * (credentials.expiration, deletionDate).
 */
export function javaDate(t: number): string {
  const d = new Date(t * 1000);
  const h24 = d.getUTCHours();
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${PAD2[d.getUTCMinutes()]}:${PAD2[d.getUTCSeconds()]} ${h24 < 12 ? 'AM' : 'PM'}`;
}

/** Lambda's `2026-11-16T10:04:05.000+0000` (lastModified). */
export function lambdaTime(t: number): string {
  return isoSeconds(t).slice(0, -1) + '.000+0000';
}

export const FIVE_MINUTES = 300;
