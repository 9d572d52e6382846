/** Plain-text and HTML renderings of a message: stdout, SNS, the e-mail text and HTML parts, descriptions. */
import { stormRuleLines, type MessageContent } from './content.js';

export function renderText(content: MessageContent): string {
  const lines: string[] = [`${content.style.emoji} ${content.title}`, '', content.summary];
  if (content.countLine) lines.push(content.countLine);
  lines.push('');
  const width = Math.max(...content.facts.map((f) => f.label.length));
  for (const fact of content.facts) lines.push(`${`${fact.label}:`.padEnd(width + 2)}${fact.value}`);
  if (content.resources.length) lines.push('', 'Resources:', ...content.resources.map((r) => `  - ${r}`));
  for (const section of content.sections ?? []) lines.push('', `${section.title}:`, ...section.items.map((i) => `  - ${i}`));
  if (content.storm) {
    lines.push('', 'Rules:', ...stormRuleLines(content.storm).map((r) => `  - ${r}`));
    if (content.storm.sample.length) lines.push('', 'Most severe:', ...content.storm.sample.map((s) => `  - [${s.severity.toUpperCase()}] ${s.summary}`));
  }
  if (content.compliance.length) lines.push('', 'Compliance:', ...content.compliance.map((c) => `  - ${c}`));
  if (content.attack.length) lines.push(`MITRE ATT&CK: ${content.attack.join(', ')}`);
  if (content.remediation) {
    lines.push('', `Remediation: ${content.remediation.summary}`);
    content.remediation.console.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`));
    if (content.remediation.cli.length) lines.push('  CLI:', ...content.remediation.cli.map((c) => `    $ ${c}`));
  }
  if (content.consoleUrl) lines.push('', `Event in the CloudTrail console: ${content.consoleUrl}`);
  lines.push('', `-- ${content.footer}`);
  return `${lines.join('\n')}\n`;
}

/** A few words for a pager or SMS: severity, title, account. */
export function renderShort(content: MessageContent): string {
  const d = content.remediationDecision;
  if (d) return `${content.title} (${d.account}/${d.region})`;
  const where = content.finding && content.kind !== 'storm' ? ` (${content.finding.account}/${content.finding.region})` : '';
  return `${content.style.label}: ${content.title.replace(/^[A-Z]+: /, '')}${where}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** E-mail HTML: inline styles only (mail clients drop <style>), one table, readable without images. */
export function renderHtml(content: MessageContent): string {
  const e = escapeHtml;
  const section = (title: string, body: string) => `<h3 style="margin:18px 0 6px;font-size:14px;color:#333">${e(title)}</h3>${body}`;
  const list = (items: string[], ordered = false) =>
    `<${ordered ? 'ol' : 'ul'} style="margin:0;padding-left:20px">${items.map((i) => `<li style="margin:2px 0">${e(i)}</li>`).join('')}</${ordered ? 'ol' : 'ul'}>`;
  const parts: string[] = [];
  parts.push(
    `<div style="border-left:6px solid ${content.style.color};padding:8px 14px;margin-bottom:12px">` +
      `<div style="font-size:12px;font-weight:bold;color:${content.style.color}">${e(content.style.emoji)} ${e(content.style.label)}</div>` +
      `<div style="font-size:18px;font-weight:bold;margin-top:4px">${e(content.title)}</div></div>`,
  );
  parts.push(`<p style="margin:0 0 8px">${e(content.summary)}</p>`);
  if (content.countLine) parts.push(`<p style="margin:0 0 8px;color:#555"><em>${e(content.countLine)}</em></p>`);
  parts.push(
    `<table style="border-collapse:collapse;font-size:13px">${content.facts
      .map((f) => `<tr><td style="padding:3px 12px 3px 0;color:#555;vertical-align:top;white-space:nowrap"><strong>${e(f.label)}</strong></td><td style="padding:3px 0">${e(f.value)}</td></tr>`)
      .join('')}</table>`,
  );
  if (content.resources.length) parts.push(section('Resources', list(content.resources)));
  for (const extra of content.sections ?? []) parts.push(section(extra.title, list(extra.items)));
  if (content.storm) {
    parts.push(section('Rules', list(stormRuleLines(content.storm))));
    if (content.storm.sample.length) parts.push(section('Most severe', list(content.storm.sample.map((s) => `[${s.severity.toUpperCase()}] ${s.summary}`))));
  }
  if (content.compliance.length) parts.push(section('Compliance', list(content.compliance)));
  if (content.attack.length) parts.push(`<p style="font-size:13px;color:#555">MITRE ATT&amp;CK: ${e(content.attack.join(', '))}</p>`);
  if (content.remediation) {
    let body = `<p style="margin:0 0 6px">${e(content.remediation.summary)}</p>`;
    if (content.remediation.console.length) body += list(content.remediation.console, true);
    if (content.remediation.cli.length) body += `<pre style="background:#f4f4f4;padding:8px;font-size:12px;white-space:pre-wrap">${content.remediation.cli.map((c) => `$ ${e(c)}`).join('\n')}</pre>`;
    parts.push(section('Remediation', body));
  }
  if (content.consoleUrl) {
    parts.push(`<p style="margin:18px 0"><a href="${e(content.consoleUrl)}" style="background:${content.style.color};color:#fff;padding:8px 14px;text-decoration:none;border-radius:3px">Open the event in the CloudTrail console</a></p>`);
  }
  parts.push(`<p style="font-size:11px;color:#888;margin-top:18px">${e(content.footer)}</p>`);
  return `<!DOCTYPE html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;max-width:720px">${parts.join('\n')}</body></html>`;
}
