/**
 * A remediation decision as a message: the decision's headline as the title ("AUTO-MITIGATED: …",
 * "DRY-RUN: would …", "APPROVAL NEEDED: … (approve with `trailguard remediate approve ID`, expires …)",
 * "REMEDIATION FAILED: …", "SKIPPED: … (reason)"), a colour and emoji per status rather than per
 * severity, what to do next, the facts of the event, and the planned calls with their outcomes.
 * Every sink renders it like a finding (same MessageContent), so every channel type carries it.
 */
import type { DecisionStatus, RemediationDecision } from '../../remediate/types.js';
import type { Severity } from '../../rules/types.js';
import type { Notification } from '../types.js';
import { formatTime, singleLine, type Fact, type MessageContent } from './content.js';
import type { SeverityStyle } from './severity.js';

export const REMEDIATION_STYLES: Record<DecisionStatus, SeverityStyle> = {
  executed: { label: 'AUTO-MITIGATED', emoji: '✅', slackEmoji: ':white_check_mark:', color: '#2E7D32', teamsStyle: 'good', teamsColor: 'Good' },
  'dry-run': { label: 'DRY-RUN', emoji: '📝', slackEmoji: ':memo:', color: '#1E88E5', teamsStyle: 'accent', teamsColor: 'Accent' },
  'pending-approval': { label: 'APPROVAL NEEDED', emoji: '✋', slackEmoji: ':raised_hand:', color: '#FB8C00', teamsStyle: 'warning', teamsColor: 'Warning' },
  failed: { label: 'REMEDIATION FAILED', emoji: '❌', slackEmoji: ':x:', color: '#B71C1C', teamsStyle: 'attention', teamsColor: 'Attention' },
  skipped: { label: 'SKIPPED', emoji: '⏭️', slackEmoji: ':next_track_button:', color: '#757575', teamsStyle: 'default', teamsColor: 'Default' },
};

/**
 * Whether a decision needs a person (a failure to check by hand, a plan to approve): incident channels
 * (PagerDuty, OpsGenie) raise it on the finding's alert; the other decisions are informational there.
 */
export function decisionNeedsAPerson(decision: RemediationDecision): boolean {
  return decision.status === 'failed' || decision.status === 'pending-approval';
}

/** The severity a decision is shown and mapped with: its finding's; without a finding, high for a failure and info otherwise. */
export function decisionSeverity(decision: RemediationDecision): Severity {
  return decision.finding?.severity ?? (decision.status === 'failed' ? 'high' : 'info');
}

/**
 * The incident key of the finding a decision acts on — the same `trailguard:<dedupe key>` as the
 * finding's own notifications — so PagerDuty / OpsGenie attach the notice to that alert. A decision
 * on a bare record has a key of its own per event and action.
 */
export function remediationIncidentKey(decision: RemediationDecision): string {
  if (decision.finding) return `trailguard:${decision.finding.dedupeKey || decision.finding.id}`;
  return `trailguard:remediation:${decision.eventId || decision.id}:${decision.actionId}`;
}

function nextStep(d: RemediationDecision): string {
  const calls = d.plan?.calls.length ?? 0;
  switch (d.status) {
    case 'executed':
      return (d.outcomes ?? []).length > 0 && (d.outcomes ?? []).every((o) => o.status === 'already-done')
        ? 'Nothing was left to undo: the change was already reverted.'
        : `trailguard made ${calls} call${calls === 1 ? '' : 's'} and the change is undone. Find out why it was made.`;
    case 'dry-run':
      return `Nothing was changed (dry-run).${d.ruleId ? ` To act on events like this one, set remediation.rules.${d.ruleId}.mode to approve or enforce.` : ''}`;
    case 'pending-approval':
      return `Nothing is changed until someone approves: \`trailguard remediate approve ${d.approvalId ?? '?'}\` (or \`trailguard remediate reject ${d.approvalId ?? '?'}\`)${d.expiresAt ? ` before ${formatTime(d.expiresAt)}` : ''}; unapproved, the plan expires.`;
    case 'failed':
      return `The change may still be in place: check it and undo it by hand${calls > 0 && d.mode !== 'dry-run' ? `, or fix the cause and re-run the plan: \`trailguard remediate retry ${d.id}\`` : ''}. Error: ${d.error ?? 'unknown error'}`;
    case 'skipped':
      return `Not acted on (${d.reason ?? 'skipped'})${d.detail ? `: ${d.detail}` : ''}.`;
  }
}

export function renderRemediation(n: Notification): MessageContent {
  const d = n.remediation;
  if (!d) throw new Error(`notification ${n.id} on ${n.channel} carries no remediation decision`);
  const title = singleLine(d.message);
  const base = REMEDIATION_STYLES[d.status];
  // "ALREADY REMEDIATED" is an executed decision too: the label follows the headline.
  const label = /^([A-Z][A-Z -]*[A-Z]):/.exec(title)?.[1] ?? base.label;
  const style: SeverityStyle = { ...base, label };
  const severity = decisionSeverity(d);
  const finding = d.finding;

  const facts: Fact[] = [{ label: 'Status', value: `${d.status} (mode ${d.mode})` }, { label: 'Action', value: d.actionId }];
  if (finding) facts.push({ label: 'Rule', value: `${finding.ruleId} (${finding.severity})` });
  else if (d.ruleId) facts.push({ label: 'Rule', value: d.ruleId });
  facts.push({ label: 'Who', value: d.actor || '(unknown)' });
  facts.push({ label: 'What', value: `${d.eventName || '(unknown)'} (${d.eventSource || 'unknown source'})` });
  facts.push({ label: 'Where', value: `account ${d.account || '(unknown)'}, ${d.region || '(no region)'}` });
  facts.push({ label: 'When', value: formatTime(d.eventTime) });
  if (d.approvalId) facts.push({ label: 'Approval', value: `${d.approvalId}${d.expiresAt ? `, expires ${formatTime(d.expiresAt)}` : ''}` });
  if (d.status === 'failed' && d.error) facts.push({ label: 'Error', value: d.error });
  if (d.status === 'skipped') facts.push({ label: 'Reason', value: d.reason ?? 'skipped' });

  const sections: { title: string; items: string[] }[] = [];
  if (d.plan?.calls.length) {
    sections.push({
      title: d.status === 'executed' || d.status === 'failed' ? 'Calls made' : 'Planned calls',
      items: d.plan.calls.map((call, i) => {
        const o = d.outcomes?.[i];
        const outcome = o ? ` [${o.status}${o.error ? `: ${o.error.code}: ${o.error.message}` : ''}${o.detail ? `: ${o.detail}` : ''}]` : '';
        return `${call.service}:${call.operation} in ${call.account}/${call.region}: ${call.description}${outcome}`;
      }),
    });
  }
  if (d.plan?.kept.length) sections.push({ title: 'Left in place (allowed by policy)', items: d.plan.kept });
  if (d.plan?.notes.length) sections.push({ title: 'Notes', items: d.plan.notes });

  return {
    kind: n.kind,
    channel: n.channel,
    severity,
    style,
    title,
    summary: finding ? `${nextStep(d)}\nFinding: ${finding.title} — ${finding.summary}` : nextStep(d),
    facts,
    resources: [...new Set((d.plan?.resources ?? []).map((r) => r.id))],
    sections,
    compliance: [],
    attack: [],
    consoleUrl: finding?.consoleUrl,
    footer: `trailguard · remediation ${d.actionId} · decision ${d.id}${finding ? ` · finding ${finding.id}` : ''}`,
    remediationDecision: d,
    test: false,
  };
}
