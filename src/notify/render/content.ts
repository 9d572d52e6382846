/**
 * What every channel shows, before it is shaped for that channel: a title, a one-line summary, the
 * who / what / where / when, compliance, remediation steps and the console link — or, for a storm,
 * the counts. Sinks turn this into Block Kit, an Adaptive Card, a PagerDuty payload, an e-mail...
 */
import type { Actor } from '../../cloudtrail/types.js';
import type { Finding } from '../../findings/types.js';
import type { RemediationDecision } from '../../remediate/types.js';
import type { Compliance, Severity } from '../../rules/types.js';
import { severityRank } from '../../rules/types.js';
import type { TemplatesConfig } from '../config.js';
import type { Notification } from '../types.js';
import { SEVERITY_STYLES, type SeverityStyle } from './severity.js';
import { renderRemediation } from './remediation.js';
import { compileNotifyTemplate, type NotifyTemplate } from './template.js';

export interface Fact {
  label: string;
  value: string;
}

export interface StormRule {
  ruleId: string;
  /** The rule's most severe finding in the storm. */
  severity: Severity;
  count: number;
  /** Its findings by severity, when not all of one ("high 3 · medium 1"). */
  severities?: string;
}

export interface StormView {
  total: number;
  /** "critical 3 · high 40 · medium 900" */
  severityLine: string;
  /** The rules the storm is made of, most severe first, then by count (at most MAX_STORM_RULES). */
  rules: StormRule[];
  /** Rules left out of `rules`, and how many findings they hold. */
  moreRules?: { rules: number; findings: number };
  accounts: { account: string; count: number }[];
  /** A few of the most severe findings. */
  sample: { severity: Severity; title: string; summary: string; consoleUrl?: string }[];
  windowText: string;
  /** First and last event time of its findings ("2021-07-29 00:07:58 UTC – 2021-07-29 23:54:55 UTC"). */
  eventsText?: string;
}

/** How many rules a storm summary lists by name (the rest are counted). */
export const MAX_STORM_RULES = 20;

/** A storm's rules as lines every channel shows: "HIGH root-account-usage: 564", then "… 3 more rules (12 findings)". */
export function stormRuleLines(storm: StormView): string[] {
  const lines = storm.rules.map((r) => `${r.severity.toUpperCase()} ${r.ruleId}: ${r.count.toLocaleString('en-US')}${r.severities ? ` (${r.severities})` : ''}`);
  if (storm.moreRules) lines.push(`… ${plural(storm.moreRules.rules, 'more rule')} (${plural(storm.moreRules.findings, 'finding')})`);
  return lines;
}

/** "critical 3 · high 40" from counts by severity, most severe first. */
export function severityLineOf(counts: Record<string, number>): string {
  return (Object.entries(counts) as [Severity, number][])
    .filter(([, c]) => c > 0)
    .sort(([a], [b]) => severityRank(b) - severityRank(a))
    .map(([s, c]) => `${s} ${c.toLocaleString('en-US')}`)
    .join(' · ');
}

export interface MessageContent {
  kind: Notification['kind'];
  channel: string;
  severity: Severity;
  style: SeverityStyle;
  title: string;
  summary: string;
  /** "Seen 12 times in this window" — absent for a single finding. */
  countLine?: string;
  /** Who, What, Where, When, Source IP, Rule — in that order, only those that are known. */
  facts: Fact[];
  resources: string[];
  /** "CIS AWS Foundations v3.0.0: 4.5", "NIST 800-53 r5: AU-6, SI-4" ... */
  compliance: string[];
  attack: string[];
  remediation?: { summary: string; console: string[]; cli: string[] };
  consoleUrl?: string;
  storm?: StormView;
  /** "trailguard · rule cloudtrail-disabled · finding 3f2a…" */
  footer: string;
  /** The primary finding (absent for an empty storm and for a remediation notice). */
  finding?: Finding;
  /** Extra titled lists (a remediation notice's calls and their outcomes, what was kept, notes). */
  sections?: { title: string; items: string[] }[];
  /** The decision a remediation notice reports. */
  remediationDecision?: RemediationDecision;
  test: boolean;
}

const FRAMEWORK_LABELS: Record<keyof Compliance, string> = {
  'cis-aws-foundations': 'CIS AWS Foundations',
  'aws-security-hub': 'AWS Security Hub',
  'nist-800-53-r5': 'NIST 800-53 r5',
  'pci-dss-v4.0': 'PCI DSS v4.0',
  soc2: 'SOC 2',
  hipaa: 'HIPAA',
  'iso-27001-2022': 'ISO 27001:2022',
  'apra-cps-234': 'APRA CPS 234',
  'mas-trm': 'MAS TRM',
};

export function complianceLines(compliance: Compliance): string[] {
  const lines: string[] = [];
  for (const [framework, value] of Object.entries(compliance) as [keyof Compliance, unknown][]) {
    const label = FRAMEWORK_LABELS[framework] ?? framework;
    if (Array.isArray(value)) {
      if (value.length) lines.push(`${label}: ${value.join(', ')}`);
    } else if (value && typeof value === 'object') {
      // CIS is keyed by benchmark version; show the newest version first, then the others compactly.
      const versions = Object.entries(value as Record<string, string[]>).sort(([a], [b]) => compareVersions(b, a));
      if (versions.length) lines.push(`${label}: ${versions.map(([v, ids]) => `${v} ${ids.join(', ')}`).join('; ')}`);
    }
  }
  return lines;
}

function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function describeActor(actor: Actor): string {
  const details: string[] = [];
  if (actor.type === 'AssumedRole' && actor.sessionIssuerName && !actor.name.includes(actor.sessionIssuerName)) details.push(`role ${actor.sessionIssuerName}`);
  details.push(actor.type);
  if (actor.invokedBy) details.push(`via ${actor.invokedBy}`);
  if (actor.mfa === true) details.push('MFA');
  if (actor.mfa === false) details.push('no MFA');
  return `${actor.name} (${details.join(', ')})`;
}

/** "2026-11-20 10:01:02 UTC" — unambiguous for responders in any time zone. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '')} UTC`;
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

export function factsOf(finding: Finding): Fact[] {
  const facts: Fact[] = [{ label: 'Who', value: describeActor(finding.actor) }];
  if (finding.actor.arn) facts.push({ label: 'Principal', value: finding.actor.arn });
  const failed = finding.errorCode ? ` — failed: ${finding.errorCode}` : '';
  facts.push({ label: 'What', value: `${finding.eventName} (${finding.eventSource})${failed}` });
  facts.push({ label: 'Where', value: `account ${finding.account || '(unknown)'}, ${finding.region || '(no region)'}` });
  facts.push({ label: 'When', value: formatTime(finding.eventTime) });
  if (finding.sourceIp) facts.push({ label: 'Source IP', value: finding.sourceIp });
  facts.push({ label: 'Rule', value: finding.ruleId });
  return facts;
}

export interface RenderOptions {
  templates?: TemplatesConfig;
}

/** Compiled templates per channel, so rendering never parses. */
export class ContentRenderer {
  private readonly title?: NotifyTemplate;
  private readonly summary?: NotifyTemplate;

  constructor(options: RenderOptions = {}) {
    if (options.templates?.title) this.title = compileNotifyTemplate(options.templates.title);
    if (options.templates?.summary) this.summary = compileNotifyTemplate(options.templates.summary);
  }

  /** Templates apply to findings; a remediation notice's title is always the decision's headline. */
  render(notification: Notification): MessageContent {
    if (notification.kind === 'remediation') return renderRemediation(notification);
    return notification.kind === 'storm' ? this.renderStorm(notification) : this.renderFinding(notification);
  }

  private renderFinding(n: Notification): MessageContent {
    const finding = n.findings[0];
    if (!finding) throw new Error(`notification ${n.id} on ${n.channel} covers no finding`);
    const style = SEVERITY_STYLES[finding.severity];
    const context = { finding, count: n.count, channel: n.channel, severity: style.label };
    const test = n.kind === 'test';
    const title = `${test ? '[TEST] ' : ''}${this.title?.render(context) || `${style.label}: ${finding.title}`}`;
    const summary = this.summary?.render(context) || finding.summary;
    let countLine: string | undefined;
    if (n.kind === 'repeat') countLine = `${plural(n.count, 'more occurrence')} since the first alert (${formatTime(new Date(n.windowStart).toISOString())}); the latest is shown.`;
    else if (n.count > 1) countLine = `Seen ${n.count} times (same dedupe key); the first is shown.`;
    if (countLine && n.stats && Object.keys(n.stats.byAccount).length > 1) countLine += ` Accounts: ${topEntries(n.stats.byAccount, 5).map(([a, c]) => `${a} (${c})`).join(', ')}.`;
    return {
      kind: n.kind,
      channel: n.channel,
      severity: finding.severity,
      style,
      title: singleLine(title),
      summary,
      countLine,
      facts: factsOf(finding),
      resources: finding.resources,
      compliance: complianceLines(finding.compliance),
      attack: finding.attack,
      remediation: finding.remediation && { summary: finding.remediation.summary, console: finding.remediation.console ?? [], cli: finding.remediation.cli ?? [] },
      consoleUrl: finding.consoleUrl,
      footer: `trailguard · rule ${finding.ruleId} · finding ${finding.id}${test ? ' · test message' : ''}`,
      finding,
      test,
    };
  }

  private renderStorm(n: Notification): MessageContent {
    const stats = n.stats ?? { total: n.count, bySeverity: {}, byRule: {}, byRuleSeverity: {}, byAccount: {} };
    const worst = (Object.keys(stats.bySeverity) as Severity[]).sort((a, b) => severityRank(b) - severityRank(a))[0] ?? n.findings[0]?.severity ?? 'info';
    const style = SEVERITY_STYLES[worst];
    const windowText = `${formatTime(new Date(n.windowStart).toISOString())} – ${formatTime(new Date(n.windowEnd).toISOString())} (${formatDuration(n.windowEnd - n.windowStart)})`;
    const severityLine = severityLineOf(stats.bySeverity);
    // Every rule with its severity, the most severe first: a rare severe rule is never cut off by a frequent routine one.
    const rules = Object.entries(stats.byRule)
      .map(([ruleId, count]): StormRule => {
        const bySeverity = stats.byRuleSeverity?.[ruleId] ?? {};
        const severities = (Object.keys(bySeverity) as Severity[]).sort((a, b) => severityRank(b) - severityRank(a));
        return { ruleId, count, severity: severities[0] ?? 'info', ...(severities.length > 1 ? { severities: severityLineOf(bySeverity) } : {}) };
      })
      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.count - a.count || a.ruleId.localeCompare(b.ruleId));
    const listed = rules.slice(0, MAX_STORM_RULES);
    const left = rules.slice(MAX_STORM_RULES);
    const eventsText =
      stats.firstEventTime && stats.lastEventTime ? (stats.firstEventTime === stats.lastEventTime ? formatTime(stats.firstEventTime) : `${formatTime(stats.firstEventTime)} – ${formatTime(stats.lastEventTime)}`) : undefined;
    const storm: StormView = {
      total: stats.total,
      severityLine,
      rules: listed,
      ...(left.length > 0 ? { moreRules: { rules: left.length, findings: left.reduce((sum, r) => sum + r.count, 0) } } : {}),
      accounts: topEntries(stats.byAccount, 10).map(([account, count]) => ({ account, count })),
      sample: n.findings.slice(0, 5).map((f) => ({ severity: f.severity, title: f.title, summary: f.summary, consoleUrl: f.consoleUrl })),
      windowText,
      ...(eventsText ? { eventsText } : {}),
    };
    const facts: Fact[] = [{ label: 'Window', value: windowText }];
    if (eventsText) facts.push({ label: 'Events', value: eventsText });
    facts.push({ label: 'Severity', value: severityLine }, { label: 'Rules', value: `${plural(rules.length, 'rule')}: ${rules.slice(0, 3).map((r) => `${r.ruleId} (${r.count.toLocaleString('en-US')})`).join(', ')}${rules.length > 3 ? ', …' : ''}` });
    facts.push({ label: 'Accounts', value: storm.accounts.map((a) => `${a.account} (${a.count})`).join(', ') });
    return {
      kind: 'storm',
      channel: n.channel,
      severity: worst,
      style,
      title: `${style.label}: alert storm on ${n.channel} — ${plural(stats.total, 'finding')} summarised`,
      summary: `Too many findings for one channel in a short time: ${plural(stats.total, 'finding')} (${severityLine}) from ${plural(rules.length, 'rule')} are summarised here instead of sent one by one. Each is in the store; see \`trailguard notify status\` and the scan output.`,
      facts,
      resources: [],
      compliance: [],
      attack: [],
      storm,
      footer: `trailguard · storm summary · ${n.idempotencyKey}`,
      finding: n.findings[0],
      test: false,
    };
  }
}

export function topEntries(counts: Record<string, number>, limit: number): [string, number][] {
  return Object.entries(counts)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, limit);
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

export function singleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cuts to at most `max` UTF-16 units without splitting a character, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}
