/**
 * PagerDuty Events API v2: POST https://events.pagerduty.com/v2/enqueue with
 *   { routing_key, event_action: "trigger", dedup_key, payload: { summary (≤1024), source, severity
 *     (critical|error|warning|info), timestamp, component, group, class, custom_details }, links, client }
 * 202 = accepted; 400 = invalid event (not retried); 429 and 5xx = retry after some time.
 * `dedup_key` (≤255) is the notification's incident key — the finding's dedupe key — so a retried
 * or repeated alert is added to the open alert instead of opening a second incident.
 *
 * Remediation notices never open an incident of their own:
 *   - REMEDIATION FAILED and APPROVAL NEEDED need a person: they are `trigger` events with the
 *     finding's own dedup_key, so PagerDuty adds them to the finding's open alert (its timeline shows
 *     them). If that alert is no longer open, this opens one — for the finding, not a second one.
 *   - AUTO-MITIGATED, DRY-RUN and SKIPPED are informational: Change Events
 *     (POST /v2/change/enqueue {routing_key, payload{summary, timestamp, source, custom_details}, links}),
 *     which never create incidents and show under the service's recent changes and the incident's
 *     related changes. Change events have no dedup key: a crash between sending and recording the
 *     delivery can repeat one (harmless, at-least-once like Slack).
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { pagerDutyChannelSchema } from '../config.js';
import { checkResponse, createHttpClient, snippet } from '../http.js';
import { stormRuleLines, truncate, type MessageContent } from '../render/content.js';
import { decisionNeedsAPerson } from '../render/remediation.js';
import { PAGERDUTY_SEVERITY } from '../render/severity.js';
import type { Notification, SendContext, SendResult, Sink } from '../types.js';
import type { SinkDeps } from './context.js';

type PagerDutyConfig = z.infer<typeof pagerDutyChannelSchema>;

export const PAGERDUTY_ENDPOINT = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_CHANGE_ENDPOINT = 'https://events.pagerduty.com/v2/change/enqueue';

/** Where change events go: configured, else beside a configured events endpoint, else PagerDuty's. */
export function changeEndpointFor(config: Pick<PagerDutyConfig, 'endpoint' | 'changeEndpoint'>): string {
  if (config.changeEndpoint) return config.changeEndpoint;
  if (config.endpoint && /\/v2\/enqueue\/?$/.test(config.endpoint)) return config.endpoint.replace(/\/v2\/enqueue\/?$/, '/v2/change/enqueue');
  return PAGERDUTY_CHANGE_ENDPOINT;
}

/** Events API payloads are limited to 512 KB. */
const MAX_EVENT_BYTES = 500 * 1024;

/** A key within PagerDuty's 255 characters: as is when it fits, else a digest that is just as stable. */
export function fitKey(key: string, max: number): string {
  if (key.length <= max) return key;
  return `trailguard:sha256:${createHash('sha256').update(key).digest('hex')}`;
}

export function buildPagerDutyEvent(content: MessageContent, notification: Notification, routingKey: string, config: Pick<PagerDutyConfig, 'source' | 'severityMap'> = {}): Record<string, unknown> {
  // A storm summary is about a channel, not one event: no single finding's component/class.
  const finding = notification.kind === 'storm' ? undefined : content.finding;
  const severity = config.severityMap?.[content.severity] ?? PAGERDUTY_SEVERITY[content.severity];
  const details: Record<string, unknown> = {
    summary: content.summary,
    ...Object.fromEntries(content.facts.map((f) => [f.label.toLowerCase().replace(/\s+/g, '_'), f.value])),
    occurrences: notification.count,
  };
  if (content.countLine) details.note = content.countLine;
  if (content.resources.length) details.resources = content.resources;
  if (content.compliance.length) details.compliance = content.compliance;
  if (content.attack.length) details.mitre_attack = content.attack;
  if (content.remediation) details.remediation = [content.remediation.summary, ...content.remediation.console.map((s, i) => `${i + 1}. ${s}`), ...content.remediation.cli.map((c) => `$ ${c}`)];
  if (content.storm) {
    details.rules = stormRuleLines(content.storm);
    details.most_severe = content.storm.sample.map((s) => `${s.severity.toUpperCase()}: ${s.summary}`);
  }
  if (finding) {
    details.finding_id = finding.id;
    details.event_id = finding.eventId;
  }
  const event: Record<string, unknown> = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: fitKey(notification.incidentKey, 255),
    payload: {
      summary: truncate(content.title, 1024),
      source: config.source ?? (finding ? `aws:${finding.account || 'unknown'}:${finding.region || 'global'}` : 'trailguard'),
      severity,
      ...(finding ? { timestamp: finding.eventTime, component: finding.eventSource, group: finding.account, class: finding.ruleId } : { class: 'storm' }),
      custom_details: details,
    },
    client: 'trailguard',
  };
  if (content.consoleUrl) {
    event.client_url = content.consoleUrl;
    event.links = [{ href: content.consoleUrl, text: 'Event in the CloudTrail console' }];
  }
  return event;
}

/** A remediation notice: a trigger on the finding's incident key, or a change event (see the module comment). */
export function buildPagerDutyRemediationEvent(
  content: MessageContent,
  notification: Notification,
  routingKey: string,
  config: Pick<PagerDutyConfig, 'source' | 'severityMap'> = {},
): { kind: 'trigger' | 'change'; event: Record<string, unknown> } {
  const d = notification.remediation!;
  const details: Record<string, unknown> = {
    status: d.status,
    mode: d.mode,
    action: d.actionId,
    ...(d.ruleId ? { rule: d.ruleId } : {}),
    ...Object.fromEntries(content.facts.map((f) => [f.label.toLowerCase().replace(/\s+/g, '_'), f.value])),
    next_step: content.summary,
    decision_id: d.id,
    event_id: d.eventId,
    ...(d.finding ? { finding_id: d.finding.id } : {}),
  };
  for (const section of content.sections ?? []) details[section.title.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')] = section.items;
  const source = config.source ?? `aws:${d.account || 'unknown'}:${d.region || 'global'}`;
  const links = content.consoleUrl ? [{ href: content.consoleUrl, text: 'Event in the CloudTrail console' }] : undefined;
  if (decisionNeedsAPerson(d)) {
    const severity = config.severityMap?.[content.severity] ?? PAGERDUTY_SEVERITY[content.severity];
    return {
      kind: 'trigger',
      event: {
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: fitKey(notification.incidentKey, 255),
        payload: { summary: truncate(content.title, 1024), source, severity, timestamp: d.createdAt, component: d.eventSource || undefined, group: d.account || undefined, class: `remediation:${d.status}`, custom_details: details },
        client: 'trailguard',
        ...(links ? { client_url: content.consoleUrl, links } : {}),
      },
    };
  }
  return {
    kind: 'change',
    event: {
      routing_key: routingKey,
      payload: { summary: truncate(content.title, 1024), timestamp: d.createdAt, source, custom_details: details },
      ...(links ? { links } : {}),
    },
  };
}

/** PagerDuty answers {"status":"invalid event","message":...,"errors":[...]} on 400. */
function pagerDutyError(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; errors?: string[] };
    return [parsed.message, ...(parsed.errors ?? [])].filter(Boolean).join('; ');
  } catch {
    return snippet(body);
  }
}

export async function createPagerDutySink(config: PagerDutyConfig, deps: SinkDeps): Promise<Sink> {
  const routingKey = await deps.resolve(config.routingKey, { secret: true });
  const endpoint = config.endpoint ?? PAGERDUTY_ENDPOINT;
  const changeEndpoint = changeEndpointFor(config);
  const http = createHttpClient();
  const label = `pagerduty channel "${deps.name}"`;
  return {
    name: deps.name,
    type: 'pagerduty',
    async send(notification: Notification, context: SendContext): Promise<SendResult> {
      const content = deps.renderer.render(notification);
      if (notification.kind === 'remediation') {
        const built = buildPagerDutyRemediationEvent(content, notification, routingKey, config);
        const url = built.kind === 'change' ? changeEndpoint : endpoint;
        const response = await http.post(url, JSON.stringify(built.event), {}, context, label);
        checkResponse(response, label, pagerDutyError);
        return { status: response.status, detail: built.kind === 'change' ? 'change event' : `dedup_key ${fitKey(notification.incidentKey, 255)}` };
      }
      let event = buildPagerDutyEvent(content, notification, routingKey, config);
      if (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES) event = buildPagerDutyEvent({ ...content, remediation: undefined, resources: content.resources.slice(0, 20) }, notification, routingKey, config);
      const response = await http.post(endpoint, JSON.stringify(event), {}, context, label);
      checkResponse(response, label, pagerDutyError);
      return { status: response.status, detail: `dedup_key ${fitKey(notification.incidentKey, 255)}` };
    },
    close: () => http.close(),
  };
}
