/**
 * E-mail over SMTP with nodemailer (text + HTML parts, same MIME as SES). Timeouts bound each
 * attempt (connection, greeting, socket inactivity). Errors: a 4xx SMTP reply, a dropped or timed-out
 * connection, DNS — retryable; a 5xx reply (rejected recipient or message), failed authentication,
 * TLS required but refused — permanent.
 */
import type { z } from 'zod';
import type { smtpChannelSchema } from '../config.js';
import { DeliveryError } from '../errors.js';
import type { Notification, SendContext, SendResult, Sink } from '../types.js';
import type { SinkDeps } from './context.js';
import { buildEmail } from './email.js';

type SmtpConfig = z.infer<typeof smtpChannelSchema>;

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROTOCOL', 'ESTREAM']);

export function smtpDeliveryError(error: unknown, label: string): DeliveryError {
  const err = error as { code?: string; responseCode?: number; response?: string; message?: string };
  const status = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const retryable = status !== undefined ? status >= 400 && status < 500 : RETRYABLE_CODES.has(err.code ?? '');
  // nodemailer's message quotes the server's reply; the AUTH exchange is never in it.
  return new DeliveryError(`${label}: ${err.code ?? 'Error'}${status ? ` ${status}` : ''}: ${err.message ?? String(error)}`, { retryable, status, throttled: status === 421 || status === 450 || status === 451 });
}

export async function createSmtpSink(config: SmtpConfig, deps: SinkDeps): Promise<Sink> {
  // Loaded with the first SMTP channel, not with every notifier (a deployed function bundles it only when a channel needs it).
  const { default: nodemailer } = await import('nodemailer');
  const password = config.password !== undefined ? await deps.resolve(config.password, { secret: true }) : undefined;
  const port = config.port ?? 587;
  const label = `smtp channel "${deps.name}"`;
  const transport = (timeoutMs: number) =>
    nodemailer.createTransport({
      host: config.host,
      port,
      secure: config.secure ?? port === 465,
      requireTLS: config.requireTLS ?? (config.ignoreTLS ? false : !(config.secure ?? port === 465)),
      ignoreTLS: config.ignoreTLS ?? false,
      ...(config.username ? { auth: { user: config.username, pass: password ?? '' } } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // nodemailer would log the SMTP transcript (AUTH included) if a logger were set: never.
      logger: false,
      debug: false,
    });
  return {
    name: deps.name,
    type: 'smtp',
    async send(notification: Notification, context: SendContext): Promise<SendResult> {
      const mail = buildEmail(deps.renderer.render(notification), notification, config);
      const transporter = transport(context.timeoutMs);
      const abort = () => transporter.close();
      context.signal.addEventListener('abort', abort, { once: true });
      try {
        const info = await transporter.sendMail(mail);
        if (info.rejected.length > 0 && info.accepted.length === 0) throw new DeliveryError(`${label}: every recipient was rejected: ${info.response}`, { retryable: false });
        return { detail: String(info.response ?? '').slice(0, 200) };
      } catch (error) {
        if (error instanceof DeliveryError) throw error;
        if (context.signal.aborted) throw new DeliveryError(`${label}: no answer within ${context.timeoutMs} ms`, { retryable: true });
        throw smtpDeliveryError(error, label);
      } finally {
        context.signal.removeEventListener('abort', abort);
        transporter.close();
      }
    },
  };
}
