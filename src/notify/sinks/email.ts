/**
 * The e-mail both SES and SMTP send: multipart/alternative with a text and an HTML part, a
 * Message-ID derived from the idempotency key (a re-sent alert is recognisably the same message),
 * X-Trailguard-* headers for mail rules, and the subject from the title (RFC 2047-encoded by
 * nodemailer's MIME composer when it is not ASCII).
 */
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { MessageContent } from '../render/content.js';
import { renderHtml, renderText } from '../render/text.js';
import type { Notification } from '../types.js';

export interface EmailAddresses {
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string[];
}

export function messageIdFor(notification: Notification): string {
  return `<${notification.idempotencyKey}@trailguard.notify>`;
}

export function buildEmail(content: MessageContent, notification: Notification, addresses: EmailAddresses): Mail.Options {
  return {
    from: addresses.from,
    to: addresses.to,
    ...(addresses.cc?.length ? { cc: addresses.cc } : {}),
    ...(addresses.bcc?.length ? { bcc: addresses.bcc } : {}),
    ...(addresses.replyTo?.length ? { replyTo: addresses.replyTo } : {}),
    subject: `${content.style.emoji} ${content.title}`,
    text: renderText(content),
    html: renderHtml(content),
    messageId: messageIdFor(notification),
    headers: {
      'X-Trailguard-Id': notification.idempotencyKey,
      'X-Trailguard-Severity': content.severity,
      'X-Trailguard-Kind': notification.kind,
      ...(content.finding && notification.kind !== 'storm' ? { 'X-Trailguard-Rule': content.finding.ruleId } : {}),
      ...(notification.remediation
        ? { 'X-Trailguard-Remediation-Status': notification.remediation.status, ...(notification.remediation.ruleId ? { 'X-Trailguard-Rule': notification.remediation.ruleId } : {}) }
        : {}),
    },
  };
}
