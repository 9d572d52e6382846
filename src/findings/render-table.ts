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

/** Findings as an aligned text table, most severe first, then by time. */
export function renderFindingsTable(findings: readonly Finding[], options: TableOptions = {}): string {
  if (findings.length === 0) return 'No findings.\n';
  const sorted = [...findings].sort(
    (a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.eventTime.localeCompare(b.eventTime) || a.ruleId.localeCompare(b.ruleId),
  );
  const rows = sorted.map((f) => [f.severity.toUpperCase(), f.eventTime, f.ruleId, `${f.account}/${f.region}`, f.actor.name, f.summary]);
  const header = ['SEVERITY', 'TIME', 'RULE', 'ACCOUNT/REGION', 'ACTOR', 'SUMMARY'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // The summary takes what is left of the terminal; the other columns keep their width.
  if (options.width !== undefined) {
    const fixed = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0);
    widths[widths.length - 1] = Math.max(20, options.width - fixed);
  }
  const fit = (text: string, width: number, last: boolean): string => {
    if (text.length > width) return `${text.slice(0, Math.max(0, width - 1))}…`;
    return last ? text : text.padEnd(width);
  };
  const line = (cells: string[], severity?: Severity): string => {
    const text = cells.map((c, i) => fit(c, widths[i]!, i === cells.length - 1)).join('  ');
    if (!options.color || severity === undefined) return text;
    const sevWidth = widths[0]!;
    return styleText(SEVERITY_STYLE[severity], text.slice(0, sevWidth)) + text.slice(sevWidth);
  };
  const out = [options.color ? styleText('bold', line(header)) : line(header)];
  sorted.forEach((f, i) => out.push(line(rows[i]!, f.severity)));
  return `${out.join('\n')}\n`;
}
