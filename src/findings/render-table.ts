import { styleText } from 'node:util';
import { SEVERITIES, type Severity } from '../rules/types.js';
import type { Finding } from './types.js';

export interface TableOptions {
  /** Terminal width to fit; undefined = never truncate (output is not a terminal). */
  width?: number;
  color?: boolean;
}

const SEVERITY_STYLE: Record<Severity, Parameters<typeof styleText>[0]> = {
  critical: ['bold', 'red'],
  high: 'red',
  medium: 'yellow',
  low: 'cyan',
  info: 'gray',
};

const GAP = '  ';
/** Narrowest a column gets before the line itself is cut: SEVERITY and TIME keep their width as long as they can. */
const MIN_WIDTHS = [8, 20, 10, 10, 8, 12];

/**
 * Column widths that fit `width` (the terminal's): while the table is too wide, the widest column that can still give
 * is narrowed (to the next widest, or by what is left to cut) — the summary first, then the actor, rule and
 * account/region alike — down to MIN_WIDTHS. Cut cells end in an ellipsis.
 */
export function fitWidths(natural: readonly number[], width: number | undefined): number[] {
  const widths = [...natural];
  if (width === undefined) return widths;
  const total = (): number => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  let excess = total() - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (widths[i]! > (MIN_WIDTHS[i] ?? 8) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    }
    if (widest < 0) break;
    // Down to the next widest column (or the minimum) in one step, never more than the excess.
    const next = Math.max(MIN_WIDTHS[widest] ?? 8, ...widths.filter((w, i) => i !== widest && w < widths[widest]!));
    const cut = Math.max(1, Math.min(excess, widths[widest]! - next));
    widths[widest] = widths[widest]! - cut;
    excess -= cut;
  }
  return widths;
}

/** Findings as an aligned text table, most severe first, then by time; cut to `width` with an ellipsis when given. */
export function renderFindingsTable(findings: readonly Finding[], options: TableOptions = {}): string {
  if (findings.length === 0) return 'No findings.\n';
  const sorted = [...findings].sort(
    (a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.eventTime.localeCompare(b.eventTime) || a.ruleId.localeCompare(b.ruleId),
  );
  const rows = sorted.map((f) => [f.severity.toUpperCase(), f.eventTime, f.ruleId, `${f.account}/${f.region}`, f.actor.name, f.summary]);
  const header = ['SEVERITY', 'TIME', 'RULE', 'ACCOUNT/REGION', 'ACTOR', 'SUMMARY'];
  const widths = fitWidths(
    header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length))),
    options.width,
  );
  const fit = (text: string, width: number, last: boolean): string => {
    if (text.length > width) return width <= 1 ? '…'.slice(0, width) : `${text.slice(0, width - 1)}…`;
    return last ? text : text.padEnd(width);
  };
  const line = (cells: string[], severity?: Severity): string => {
    let text = cells.map((c, i) => fit(c, widths[i]!, i === cells.length - 1)).join(GAP);
    // Narrower than even the narrowest columns allow: the line itself is cut.
    if (options.width !== undefined && text.length > options.width) text = fit(text, options.width, true);
    if (!options.color || severity === undefined) return text;
    const sevWidth = Math.min(widths[0]!, text.length);
    return styleText(SEVERITY_STYLE[severity], text.slice(0, sevWidth)) + text.slice(sevWidth);
  };
  const out = [options.color ? styleText('bold', line(header)) : line(header)];
  sorted.forEach((f, i) => out.push(line(rows[i]!, f.severity)));
  return `${out.join('\n')}\n`;
}
