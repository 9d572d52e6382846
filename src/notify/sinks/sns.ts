/**
 * Amazon SNS Publish with MessageStructure "json": one message per protocol —
 *   default / email: the plain-text message; sms: a short line;
 *   sqs, lambda, http, https, firehose, email-json: the notification as JSON (machine consumers).
 * Limits honoured: the whole message (≤ 256 KB = 262,144 bytes, UTF-8) — the raw CloudTrail record is
 * dropped first, then the text shortened; Subject — AWS documents it as ASCII text that begins with a
 * letter, number or punctuation mark, without line breaks or control characters, under 100
 * characters — so it is transliterated to printable ASCII and cut to 99.
 * Message attributes (severity, rule, account, kind; remediationStatus on remediation notices) let subscriptions filter. On a FIFO topic the
 * idempotency key is the MessageDeduplicationId, so a retried publish inside SNS's 5-minute window
 * is dropped by SNS itself.
 */
import type { z } from 'zod';
import type { snsChannelSchema } from '../config.js';
import { truncate, type MessageContent } from '../render/content.js';
import { renderShort, renderText } from '../render/text.js';
import type { Notification, SendContext, SendResult, Sink } from '../types.js';
import { awsClientConfig, awsDeliveryError } from './aws.js';
import type { SinkDeps } from './context.js';
import { notificationRecord } from './jsonl.js';

type SnsConfig = z.infer<typeof snsChannelSchema>;

export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** Leave room for attributes and the subject within the limit. */
const MESSAGE_BUDGET = SNS_MAX_MESSAGE_BYTES - 8 * 1024;
const MACHINE_PROTOCOLS = ['sqs', 'lambda', 'http', 'https', 'firehose', 'email-json'] as const;

/** Printable ASCII only, no line breaks, starting with a letter, digit or punctuation, under 100 characters. */
export function snsSubject(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/[^\x20-\x7E]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[^A-Za-z0-9!-/:-@[-`{-~]+/, '');
  const subject = ascii.length > 99 ? `${ascii.slice(0, 96)}...` : ascii;
  return subject || 'trailguard notification';
}

export interface SnsMessage {
  Subject: string;
  Message: string;
  MessageStructure: 'json';
  MessageAttributes: Record<string, { DataType: 'String'; StringValue: string }>;
}

export function buildSnsMessage(content: MessageContent, notification: Notification, now: number): SnsMessage {
  const text = renderText(content);
  const sms = truncate(snsSubject(renderShort(content)), 140);
  const record = notificationRecord(content, notification, now);
  const compose = (machine: Record<string, unknown>, body: string): string => {
    const json = JSON.stringify(machine);
    return JSON.stringify({ default: body, email: body, sms, ...Object.fromEntries(MACHINE_PROTOCOLS.map((p) => [p, json])) });
  };
  let message = compose(record, text);
  if (Buffer.byteLength(message) > MESSAGE_BUDGET) {
    // The raw CloudTrail records are the bulk; the responder can open the event from the console link.
    const lean = { ...record, findings: notification.findings.map(({ record: _r, ...rest }) => ({ ...rest, recordOmitted: true })) };
    message = compose(lean, text);
    for (let keep = text.length; Buffer.byteLength(message) > MESSAGE_BUDGET && keep > 200; ) {
      keep = Math.floor(keep / 2);
      message = compose({ ...lean, findings: [] as unknown[], findingsOmitted: true }, truncate(text, keep));
    }
  }
  const attributes: SnsMessage['MessageAttributes'] = {
    severity: { DataType: 'String', StringValue: content.severity },
    kind: { DataType: 'String', StringValue: notification.kind },
    idempotencyKey: { DataType: 'String', StringValue: notification.idempotencyKey },
  };
  if (content.finding && notification.kind !== 'storm') {
    attributes.ruleId = { DataType: 'String', StringValue: content.finding.ruleId };
    if (content.finding.account) attributes.account = { DataType: 'String', StringValue: content.finding.account };
  }
  const decision = notification.remediation;
  if (decision) {
    attributes.remediationStatus = { DataType: 'String', StringValue: decision.status };
    if (decision.ruleId) attributes.ruleId = { DataType: 'String', StringValue: decision.ruleId };
    if (decision.account) attributes.account = { DataType: 'String', StringValue: decision.account };
  }
  return { Subject: snsSubject(content.title), Message: message, MessageStructure: 'json', MessageAttributes: attributes };
}

export async function createSnsSink(config: SnsConfig, deps: SinkDeps): Promise<Sink> {
  const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
  const topicRegion = config.topicArn.split(':')[3];
  const client = new SNSClient(awsClientConfig(config, deps.aws, topicRegion));
  const fifo = config.topicArn.endsWith('.fifo');
  const label = `sns channel "${deps.name}"`;
  return {
    name: deps.name,
    type: 'sns',
    async send(notification: Notification, context: SendContext): Promise<SendResult> {
      const message = buildSnsMessage(deps.renderer.render(notification), notification, deps.now());
      try {
        const out = await client.send(
          new PublishCommand({
            TopicArn: config.topicArn,
            ...message,
            ...(fifo ? { MessageGroupId: `trailguard-${notification.channel}`.slice(0, 128), MessageDeduplicationId: notification.idempotencyKey } : {}),
          }),
          { abortSignal: context.signal },
        );
        return { status: out.$metadata.httpStatusCode, detail: `MessageId ${out.MessageId}` };
      } catch (error) {
        throw awsDeliveryError(error, label, context.timeoutMs, context.signal.aborted, { service: 'sns', operation: 'Publish' });
      }
    },
    close: async () => client.destroy(),
  };
}
