/**
 * Generic webhook, signed the Standard Webhooks way so any receiver can verify it:
 *   webhook-id: <idempotency key>        the same on every retry of this notification
 *   webhook-timestamp: <unix seconds>     when this attempt was sent
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>
 * The key is the base64 part of a "whsec_..." secret, or the secret's UTF-8 bytes otherwise.
 * Receivers should reject timestamps more than 5 minutes off and de-duplicate on webhook-id.
 * Body: { type, id, timestamp, channel, data: { incidentKey, count, severity, title, summary, findings, stats?, remediation? } };
 * type is trailguard.finding / .repeat / .storm / .remediation (data.remediation: the decision, findings []).
 */
import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import type { webhookChannelSchema } from '../config.js';
import { checkResponse, createHttpClient } from '../http.js';
import type { MessageContent } from '../render/content.js';
import type { Notification, SendContext, SendResult, Sink } from '../types.js';
import type { SinkDeps } from './context.js';

type WebhookConfig = z.infer<typeof webhookChannelSchema>;

export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', signingKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export function buildWebhookBody(content: MessageContent, notification: Notification, now: number): Record<string, unknown> {
  const type = notification.kind === 'finding' ? 'trailguard.finding' : `trailguard.${notification.kind}`;
  return {
    type,
    id: notification.idempotencyKey,
    timestamp: new Date(now).toISOString(),
    channel: notification.channel,
    data: {
      incidentKey: notification.incidentKey,
      count: notification.count,
      severity: content.severity,
      title: content.title,
      summary: content.summary,
      ...(content.countLine ? { note: content.countLine } : {}),
      window: { start: new Date(notification.windowStart).toISOString(), end: new Date(notification.windowEnd).toISOString() },
      findings: notification.findings,
      ...(notification.stats ? { stats: notification.stats } : {}),
      ...(notification.remediation ? { remediation: notification.remediation } : {}),
    },
  };
}

export async function createWebhookSink(config: WebhookConfig, deps: SinkDeps): Promise<Sink> {
  const url = await deps.resolve(config.url, { secret: true });
  const signingSecret = config.signingSecret !== undefined ? await deps.resolve(config.signingSecret, { secret: true }) : undefined;
  const extraHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers ?? {})) extraHeaders[name.toLowerCase()] = await deps.resolve(value, { secret: true });
  const http = createHttpClient();
  const label = `webhook channel "${deps.name}"`;
  return {
    name: deps.name,
    type: 'webhook',
    async send(notification: Notification, context: SendContext): Promise<SendResult> {
      const now = deps.now();
      const body = JSON.stringify(buildWebhookBody(deps.renderer.render(notification), notification, now));
      const timestamp = Math.floor(now / 1000);
      const headers: Record<string, string> = { ...extraHeaders, 'webhook-id': notification.idempotencyKey, 'webhook-timestamp': String(timestamp) };
      if (signingSecret !== undefined) headers['webhook-signature'] = signStandardWebhook(signingSecret, notification.idempotencyKey, timestamp, body);
      const response = await http.post(url, body, headers, context, label);
      checkResponse(response, label);
      return { status: response.status };
    },
    close: () => http.close(),
  };
}
