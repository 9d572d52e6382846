/**
 * PagerDuty Events API v2: POST https://events.pagerduty.com/v2/enqueue with
 *   { routing_key, event_action: "trigger", dedup_key, payload: { summary (≤1024), source, severity
 *     (critical|error|warning|info), timestamp, component, group, class, custom_details }, links, client }
 * 202 = accepted; 400 = invalid event (not retried); 429 and 5xx = retry after some time.
 * `dedup_key` (≤255) is the notification's incident key — the finding's dedupe key — so a retried
 * or repeated alert is added to the open alert instead of opening a second incident.
 */
import { createHash } from 'node:crypto';
import type { Agent } from 'undici';
import type { z } from 'zod';
import type { pagerDutyChannelSchema } from '../config.js';
import { checkResponse, createHttpAgent, postJson, snippet } from '../http.js';
import { truncate, type MessageContent } from '../render/content.js';
import { PAGERDUTY_SEVERITY } from '../render/severity.js';
import type { Notification, SendContext, SendResult, Sink } from '../types.js';
import type { SinkDeps } from './context.js';

type PagerDutyConfig = z.infer<typeof pagerDutyChannelSchema>;

export const PAGERDUTY_ENDPOINT = 'https://events.pagerduty.com/v2/enqueue';
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
    details.top_rules = Object.fromEntries(content.storm.topRules.map((r) => [r.ruleId, r.count]));
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

export async function createPagerDutySink(config: PagerDutyConfig, deps: SinkDeps): Promise<Sink> {
  const routingKey = await deps.resolve(config.routingKey, { secret: true });
  const endpoint = config.endpoint ?? PAGERDUTY_ENDPOINT;
  const agent: Agent = createHttpAgent();
  const label = `pagerduty channel "${deps.name}"`;
  return {
    name: deps.name,
    type: 'pagerduty',
    async send(notification: Notification, context: SendContext): Promise<SendResult> {
      const content = deps.renderer.render(notification);
      let event = buildPagerDutyEvent(content, notification, routingKey, config);
      if (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES) event = buildPagerDutyEvent({ ...content, remediation: undefined, resources: content.resources.slice(0, 20) }, notification, routingKey, config);
      const response = await postJson(agent, endpoint, JSON.stringify(event), {}, context, label);
      // PagerDuty answers {"status":"invalid event","message":...,"errors":[...]} on 400.
      checkResponse(response, label, (body) => {
        try {
          const parsed = JSON.parse(body) as { message?: string; errors?: string[] };
          return [parsed.message, ...(parsed.errors ?? [])].filter(Boolean).join('; ');
        } catch {
          return snippet(body);
        }
      });
      return { status: response.status, detail: `dedup_key ${fitKey(notification.incidentKey, 255)}` };
    },
    close: () => agent.close(),
  };
}
