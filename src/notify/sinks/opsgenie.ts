/**
 * OpsGenie Alert API: POST {base}/v2/alerts with "Authorization: GenieKey <key>"; base is
 * https://api.opsgenie.com, or https://api.eu.opsgenie.com for EU accounts. Creation is
 * asynchronous: a valid request is answered 202 {result, took, requestId}.
 * Field limits: message 130, alias 512, description 15000, tags 20 × 50, details 8000 in total,
 * entity 512, source 100, note 25000. `alias` de-duplicates: while an alert with the same alias is
 * open, OpsGenie increments its count instead of creating another — so the alias is the incident key.
 * Priority P1..P5 from severity.
 *
 * Remediation notices use the alias of the finding they act on, so they never open a second alert:
 *   - REMEDIATION FAILED and APPROVAL NEEDED need a person: created as alerts with the finding's alias
 *     (OpsGenie folds them into the open alert, counting them, with the headline as a note); if the
 *     finding's alert is closed, this opens one for the finding again.
 *   - AUTO-MITIGATED, DRY-RUN and SKIPPED are notes on the finding's alert:
 *     POST {base}/v2/alerts/{alias}/notes?identifierType=alias {note, user, source}. OpsGenie processes
 *     requests asynchronously: a note for an alert that does not exist (the finding was never sent to
 *     this channel) is accepted (202) and then dropped by OpsGenie — route notices with
 *     `notifications.remediation.channels: inherit` (the default) so they go where their finding went.
 */
import type { z } from 'zod';
import type { opsGenieChannelSchema } from '../config.js';
import { checkResponse, createHttpClient, snippet } from '../http.js';
import { truncate, type MessageContent } from '../render/content.js';
import { decisionNeedsAPerson } from '../render/remediation.js';
import { OPSGENIE_PRIORITY } from '../render/severity.js';
import { renderText } from '../render/text.js';
import type { Notification, SendContext, SendResult, Sink } from '../types.js';
import type { SinkDeps } from './context.js';
import { fitKey } from './pagerduty.js';

type OpsGenieConfig = z.infer<typeof opsGenieChannelSchema>;

export const OPSGENIE_ENDPOINTS = { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' } as const;

/** Keeps the details map within OpsGenie's 8000 characters (keys and values together). */
function fitDetails(details: Record<string, string>, max = 8000): Record<string, string> {
  const out: Record<string, string> = {};
  let used = 0;
  for (const [key, raw] of Object.entries(details)) {
    const room = max - used - key.length;
    if (room < 20) break;
    const value = truncate(raw, Math.min(room, 1000));
    out[key] = value;
    used += key.length + value.length;
  }
  return out;
}

export function buildOpsGenieAlert(content: MessageContent, notification: Notification, config: Pick<OpsGenieConfig, 'responders' | 'visibleTo' | 'tags' | 'priorityMap'> = {}): Record<string, unknown> {
  const finding = notification.kind === 'storm' ? undefined : content.finding;
  const tags = [...new Set(['trailguard', content.severity, ...(finding ? [finding.ruleId, ...finding.tags] : ['storm']), ...(config.tags ?? [])])].slice(0, 20).map((t) => truncate(t, 50));
  const details: Record<string, string> = Object.fromEntries(content.facts.map((f) => [f.label, f.value]));
  details.Occurrences = String(notification.count);
  if (finding) {
    details['Finding id'] = finding.id;
    if (finding.consoleUrl) details['CloudTrail console'] = finding.consoleUrl;
  }
  if (content.compliance.length) details.Compliance = content.compliance.join(' | ');
  const alert: Record<string, unknown> = {
    message: truncate(content.title, 130),
    alias: fitKey(notification.incidentKey, 512),
    description: truncate(renderText(content), 15000),
    tags,
    details: fitDetails(details),
    entity: truncate(finding ? `aws:${finding.account || 'unknown'}:${finding.region || 'global'}` : `trailguard:${notification.channel}`, 512),
    source: 'trailguard',
    priority: config.priorityMap?.[content.severity] ?? OPSGENIE_PRIORITY[content.severity],
  };
  if (content.countLine) alert.note = truncate(content.countLine, 25000);
  if (config.responders?.length) alert.responders = config.responders;
  if (config.visibleTo?.length) alert.visibleTo = config.visibleTo;
  return alert;
}

/** A remediation notice: an alert on the finding's alias, or a note on that alert (see the module comment). */
export function buildOpsGenieRemediation(content: MessageContent, notification: Notification, config: Pick<OpsGenieConfig, 'responders' | 'visibleTo' | 'tags' | 'priorityMap'> = {}): { path: string; body: Record<string, unknown> } {
  const d = notification.remediation!;
  const alias = fitKey(notification.incidentKey, 512);
  if (decisionNeedsAPerson(d)) {
    const details: Record<string, string> = Object.fromEntries(content.facts.map((f) => [f.label, f.value]));
    details['Decision id'] = d.id;
    if (d.finding) details['Finding id'] = d.finding.id;
    const alert: Record<string, unknown> = {
      message: truncate(content.title, 130),
      alias,
      description: truncate(renderText(content), 15000),
      tags: [...new Set(['trailguard', 'remediation', d.status, content.severity, ...(d.ruleId ? [d.ruleId] : []), ...(config.tags ?? [])])].slice(0, 20).map((t) => truncate(t, 50)),
      details: fitDetails(details),
      entity: truncate(`aws:${d.account || 'unknown'}:${d.region || 'global'}`, 512),
      source: 'trailguard',
      priority: config.priorityMap?.[content.severity] ?? OPSGENIE_PRIORITY[content.severity],
      note: truncate(content.title, 25000),
    };
    if (config.responders?.length) alert.responders = config.responders;
    if (config.visibleTo?.length) alert.visibleTo = config.visibleTo;
    return { path: '/v2/alerts', body: alert };
  }
  return {
    path: `/v2/alerts/${encodeURIComponent(alias)}/notes?identifierType=alias`,
    body: { note: truncate(renderText(content), 25000), user: 'trailguard', source: 'trailguard' },
  };
}

export async function createOpsGenieSink(config: OpsGenieConfig, deps: SinkDeps): Promise<Sink> {
  const apiKey = await deps.resolve(config.apiKey, { secret: true });
  const base = (config.endpoint ?? OPSGENIE_ENDPOINTS[config.region ?? 'us']).replace(/\/+$/, '');
  const http = createHttpClient();
  const label = `opsgenie channel "${deps.name}"`;
  return {
    name: deps.name,
    type: 'opsgenie',
    async send(notification: Notification, context: SendContext): Promise<SendResult> {
      const content = deps.renderer.render(notification);
      const { path, body } = notification.kind === 'remediation' ? buildOpsGenieRemediation(content, notification, config) : { path: '/v2/alerts', body: buildOpsGenieAlert(content, notification, config) };
      const response = await http.post(`${base}${path}`, JSON.stringify(body), { authorization: `GenieKey ${apiKey}` }, context, label);
      checkResponse(response, label, (body) => {
        try {
          return (JSON.parse(body) as { message?: string }).message ?? snippet(body);
        } catch {
          return snippet(body);
        }
      });
      let requestId: string | undefined;
      try {
        requestId = (JSON.parse(response.body) as { requestId?: string }).requestId;
      } catch {
        // A 2xx without a JSON body still means accepted.
      }
      return { status: response.status, detail: requestId ? `requestId ${requestId}` : undefined };
    },
    close: () => http.close(),
  };
}
