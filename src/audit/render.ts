/**
 * The audit as people and programs read it: a table (one row per control, the reasons under it), JSON (the report
 * plus the compliance summary), and the compliance summary by framework.
 */
import { styleText } from 'node:util';
import type { AuditReport, ControlResult, Verdict } from './types.js';

export interface RenderOptions {
  color?: boolean;
  /** Terminal width to fit reasons into; undefined = no wrapping. */
  width?: number;
  /** Print notes (what met each control, accepted CIS defects, advice) under each row too. */
  verbose?: boolean;
}

const VERDICT_STYLE: Record<Verdict, Parameters<typeof styleText>[0]> = { PASS: 'green', FAIL: 'red', ERROR: 'yellow' };

const FRAMEWORK_NAMES: Record<string, string> = {
  'cis-aws-foundations': 'CIS AWS Foundations',
  'aws-security-hub': 'AWS Security Hub',
  'nist-800-53-r5': 'NIST SP 800-53 r5',
  'pci-dss-v4.0': 'PCI DSS v4.0',
  soc2: 'SOC 2',
  hipaa: 'HIPAA',
  'iso-27001-2022': 'ISO/IEC 27001:2022',
  'apra-cps-234': 'APRA CPS 234',
  'mas-trm': 'MAS TRM',
};

export interface FrameworkSummary {
  framework: string;
  version?: string;
  /** "CIS AWS Foundations v1.4.0". */
  name: string;
  /** Framework control id → the audit controls mapped to it and the combined verdict (FAIL over ERROR over PASS). */
  controls: { id: string; verdict: Verdict; auditControls: string[] }[];
  counts: Record<Verdict, number>;
}

const worst = (a: Verdict, b: Verdict): Verdict => (a === 'FAIL' || b === 'FAIL' ? 'FAIL' : a === 'ERROR' || b === 'ERROR' ? 'ERROR' : 'PASS');

const naturalCompare = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export function summarizeCompliance(report: AuditReport): FrameworkSummary[] {
  const byFramework = new Map<string, FrameworkSummary>();
  for (const control of report.controls) {
    for (const ref of control.compliance) {
      const key = `${ref.framework}|${ref.version ?? ''}`;
      let summary = byFramework.get(key);
      if (!summary) {
        summary = {
          framework: ref.framework,
          ...(ref.version ? { version: ref.version } : {}),
          name: `${FRAMEWORK_NAMES[ref.framework] ?? ref.framework}${ref.version ? ` ${ref.version}` : ''}`,
          controls: [],
          counts: { PASS: 0, FAIL: 0, ERROR: 0 },
        };
        byFramework.set(key, summary);
      }
      for (const id of ref.ids) {
        const existing = summary.controls.find((c) => c.id === id);
        if (existing) {
          existing.verdict = worst(existing.verdict, control.verdict);
          existing.auditControls.push(control.id);
        } else summary.controls.push({ id, verdict: control.verdict, auditControls: [control.id] });
      }
    }
  }
  const order = Object.keys(FRAMEWORK_NAMES);
  const summaries = [...byFramework.values()];
  for (const s of summaries) {
    s.controls.sort((a, b) => naturalCompare(a.id, b.id));
    for (const c of s.controls) s.counts[c.verdict]++;
  }
  return summaries.sort((a, b) => {
    const fa = order.indexOf(a.framework);
    const fb = order.indexOf(b.framework);
    if (fa !== fb) return (fa === -1 ? 99 : fa) - (fb === -1 ? 99 : fb);
    return naturalCompare(b.version ?? '', a.version ?? '');
  });
}

export function renderAuditJson(report: AuditReport): string {
  return `${JSON.stringify({ ...report, compliance: summarizeCompliance(report) }, null, 2)}\n`;
}

function wrap(text: string, width: number | undefined, indent: string): string[] {
  if (width === undefined || width <= indent.length + 20) return [`${indent}${text}`];
  const room = width - indent.length;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(`${indent}${line}`);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(`${indent}${line}`);
  return lines;
}

export function renderAuditTable(report: AuditReport, options: RenderOptions = {}): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string) => (options.color ? styleText(style, text) : text);
  const header = ['RESULT', 'CIS', 'SECURITY HUB', 'CONTROL', 'TITLE'];
  const rows = report.controls.map((c) => [c.verdict, c.cisLabel, c.securityHub.join(', ') || '-', c.id, c.title]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const out: string[] = [];
  const where = `${report.accountId ? `account ${report.accountId}` : 'account (unknown)'}, ${report.regions.length === 1 ? `region ${report.regions[0]}` : `${report.regions.length} regions`}`;
  out.push(`trailguard audit: ${where}, ${report.trails.length} trail${report.trails.length === 1 ? '' : 's'}`);
  out.push(paint('bold', line(header)));
  report.controls.forEach((control, i) => {
    const cells = rows[i]!;
    const text = line(cells);
    out.push(options.color ? paint(VERDICT_STYLE[control.verdict], text.slice(0, widths[0]!)) + text.slice(widths[0]!) : text);
    for (const reason of control.reasons) out.push(...wrap(`- ${reason}`, options.width, '      '));
    if (options.verbose) for (const note of control.notes) out.push(...wrap(`· ${note}`, options.width, '      '));
  });
  return `${out.join('\n')}\n`;
}

export function renderComplianceSummary(report: AuditReport, options: RenderOptions = {}): string {
  const summaries = summarizeCompliance(report);
  const out: string[] = [];
  const counts = report.counts;
  out.push(`Controls: ${counts.PASS} pass, ${counts.FAIL} fail, ${counts.ERROR} error (of ${report.controls.length})`);
  if (summaries.length === 0) return `${out.join('\n')}\n`;
  out.push('Compliance (only the controls this audit covers):');
  const nameWidth = Math.max(...summaries.map((s) => s.name.length));
  for (const s of summaries) {
    const total = s.controls.length;
    const failing = s.controls.filter((c) => c.verdict === 'FAIL').map((c) => c.id);
    const erroring = s.controls.filter((c) => c.verdict === 'ERROR').map((c) => c.id);
    const parts = [`${s.counts.PASS}/${total} pass`];
    if (failing.length > 0) parts.push(`FAIL ${failing.join(' ')}`);
    if (erroring.length > 0) parts.push(`ERROR ${erroring.join(' ')}`);
    out.push(...wrap(`${s.name.padEnd(nameWidth)}  ${parts.join('; ')}`, options.width, '  '));
  }
  return `${out.join('\n')}\n`;
}

/** The verdicts that make `--fail-on` exit 1. */
export function failingControls(report: AuditReport, failOn: readonly Verdict[]): ControlResult[] {
  return report.controls.filter((c) => failOn.includes(c.verdict));
}
