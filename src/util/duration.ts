/**
 * The one duration syntax of trailguard, in the config file and on the command line: a number and a unit —
 * ms, s, m, h, d or w ("500ms", "90s", "2m", "24h", "7d", "2w"); fractions allowed ("1.5h"). A bare number
 * takes the caller's default unit where it gives one (timeouts: seconds).
 */
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
export type DurationUnit = keyof typeof UNIT_MS;

/** Milliseconds of a duration, or undefined when the text is not one (or its unit is not among `units`). */
export function parseDuration(text: string, options: { defaultUnit?: DurationUnit; units?: readonly DurationUnit[] } = {}): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2]?.toLowerCase() ?? options.defaultUnit) as DurationUnit | undefined;
  if (unit === undefined || (options.units && !options.units.includes(unit))) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[unit]);
}
