import type { Reject } from '../cloudtrail/types.js';
import type { ScanSummary } from '../pipeline/scan.js';
import { SEVERITIES } from '../rules/types.js';

const n = (value: number) => value.toLocaleString('en-US');

/** Location of a reject the way editors and humans read it: file:line, file#index, file@offset. */
export function formatRejectLocation(reject: Reject): string {
  const { source, line, index, offset, envelope } = reject.location;
  let where = source;
  if (line !== undefined) where += `:${line}`;
  else if (index !== undefined) where += `#${index}`;
  if (offset !== undefined && line === undefined) where += `@${offset}`;
  if (envelope && envelope.length > 0) where += ` (${envelope.join(' > ')})`;
  return where;
}

/** The closing summary of a scan: inputs, what became of every record, findings per rule, speed. */
export function renderScanSummary(summary: ScanSummary, extra: { rules: number; dedupeLimit?: number }): string {
  const lines: string[] = [];
  const seconds = summary.elapsedMs / 1000;
  lines.push(
    `Scanned ${n(summary.files)} file${summary.files === 1 ? '' : 's'} (${(summary.bytes / 1_048_576).toFixed(1)} MiB) with ${extra.rules} rules in ${seconds.toFixed(2)} s (${n(summary.recordsPerSecond)} records/s)`,
  );
  const recordParts = [`${n(summary.records)} read`, `${n(summary.evaluated)} evaluated`];
  if (summary.outsideWindow > 0) recordParts.push(`${n(summary.outsideWindow)} outside --since/--until`);
  if (summary.undatable > 0) recordParts.push(`${n(summary.undatable)} with an unreadable eventTime`);
  if (summary.duplicates > 0) recordParts.push(`${n(summary.duplicates)} duplicate${summary.duplicates === 1 ? '' : 's'} skipped (eventID already evaluated)`);
  const broken = summary.rejects - summary.skipped;
  recordParts.push(`${n(broken)} rejected`);
  if (summary.skipped > 0) recordParts.push(`${n(summary.skipped)} skipped`);
  lines.push(`Records: ${recordParts.join(', ')}`);
  if (summary.rejects > 0) {
    const kinds = Object.entries(summary.rejectsByKind)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, count]) => `${kind} ${n(count)}`);
    const covered = summary.recordsInRejects > 0 ? `; they stand for ${n(summary.recordsInRejects)} records` : '';
    const unknown = summary.rejectsOfUnknownSize > 0 ? ` plus ${n(summary.rejectsOfUnknownSize)} of unknown size` : '';
    lines.push(`Rejected/skipped: ${kinds.join(', ')}${covered}${unknown}`);
  }
  if (summary.uncheckedForDuplicates > 0) {
    lines.push(
      `Duplicates: the check remembers ${n(extra.dedupeLimit ?? 0)} distinct events; ${n(summary.uncheckedForDuplicates)} later records were evaluated without it (scan fewer files at a time to check them all)`,
    );
  }
  if (summary.ruleErrors > 0) {
    const byRule = Object.entries(summary.ruleErrorsByRule)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([id, count]) => `${id} ${n(count)}`);
    lines.push(`Rule errors: ${n(summary.ruleErrors)} (${byRule.join(', ')}): those rules were not evaluated on those events`);
  }
  if (summary.findings === 0) {
    lines.push('Findings: none');
  } else {
    const bySeverity = [...SEVERITIES]
      .reverse()
      .filter((s) => summary.findingsBySeverity[s])
      .map((s) => `${summary.findingsBySeverity[s]} ${s}`);
    lines.push(`Findings: ${n(summary.findings)} (${bySeverity.join(', ')})`);
    const byRule = Object.entries(summary.findingsByRule).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const width = Math.max(...byRule.map(([id]) => id.length));
    for (const [id, count] of byRule) lines.push(`  ${id.padEnd(width)}  ${n(count)}`);
  }
  return `${lines.join('\n')}\n`;
}
