/** Small statistics and formatting helpers for the benchmark (pure functions, no I/O). */

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** Applies `f` to each figure of a summary (e.g. turn milliseconds into a rate; a decreasing `f` swaps min and max). */
export function mapSummary(s: Summary, f: (v: number) => number): Summary {
  const a = f(s.min);
  const b = f(s.max);
  return { median: f(s.median), min: Math.min(a, b), max: Math.max(a, b), n: s.n };
}

/**
 * Ratio of two paired sample lists, round by round (`a[i] / b[i]`): pairing the runs of one round cancels part of
 * the machine's drift, which a ratio of two medians would not.
 */
export function pairedRatios(a: readonly number[], b: readonly number[]): Summary {
  const n = Math.min(a.length, b.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push(a[i]! / b[i]!);
  return summarize(ratios);
}

const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** 1234567.8 → "1,234,568"; with `decimals`, "1,234,567.80". */
export function num(v: number, decimals = 0): string {
  if (!Number.isFinite(v)) return String(v);
  const [int, frac] = Math.abs(v).toFixed(decimals).split('.');
  return (v < 0 ? '-' : '') + group(int!) + (frac ? '.' + frac : '');
}

/** Three significant digits at most, without exponent: 0.0123, 1.23, 12.3, 123, 1,234. */
export function sig(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return num(v, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

export function ms(v: number): string {
  return v >= 10_000 ? `${num(v / 1000, 1)} s` : `${sig(v)} ms`;
}

export function mb(bytes: number): string {
  return `${num(bytes / 1e6, 1)} MB`;
}

/** "median (min–max)" with the given formatter. */
export function spread(s: Summary, fmt: (v: number) => string = sig): string {
  if (s.n <= 1) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}
