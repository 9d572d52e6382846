/** Printing: plain-text tables, goal verdicts and the markdown summary for the README. */

export type Verdict = 'PASS' | 'MISS' | 'SKIP';

/** One goal as measured: `figure` is what was seen, `goal` the target, in words. */
export interface GoalResult {
  measurement: string;
  figure: string;
  goal: string;
  verdict: Verdict;
  /** Why it was skipped, or a short qualification. */
  note?: string;
}

export function verdict(pass: boolean): Verdict {
  return pass ? 'PASS' : 'MISS';
}

export function skipped(measurement: string, goal: string, reason: string): GoalResult {
  return { measurement, figure: '—', goal, verdict: 'SKIP', note: reason };
}

/** A plain-text table; `right` lists the indexes of right-aligned (numeric) columns. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (text: string, i: number): string => (right.includes(i) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (cells: readonly string[]): string => cells.map((c, i) => cell(c, i)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function section(title: string): string {
  return `\n## ${title}\n`;
}

export function goalLine(g: GoalResult): string {
  const note = g.note ? `  (${g.note})` : '';
  return `  [${g.verdict}] ${g.measurement}: ${g.figure}, goal ${g.goal}${note}`;
}

export function markdownSummary(goals: readonly GoalResult[], machine: string): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = goals.map((g) => `| ${esc(g.measurement)} | ${esc(g.figure)} | ${esc(g.goal)} | ${g.verdict}${g.note ? ` (${esc(g.note)})` : ''} |`);
  return ['| measurement | figure | goal | result |', '| --- | --- | --- | --- |', ...rows, '', machine].join('\n');
}
