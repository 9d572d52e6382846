/**
 * A JSON Lines file, appended to: one notification per line with its idempotency key, so a reader
 * can drop the rare duplicate line a crash between write and commit can leave.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { jsonlChannelSchema } from '../config.js';
import { DeliveryError } from '../errors.js';
import type { MessageContent } from '../render/content.js';
import type { Notification, SendResult, Sink } from '../types.js';
import type { SinkDeps } from './context.js';

type JsonlConfig = z.infer<typeof jsonlChannelSchema>;

export function notificationRecord(content: MessageContent, notification: Notification, now: number): Record<string, unknown> {
  return {
    id: notification.idempotencyKey,
    sentAt: new Date(now).toISOString(),
    channel: notification.channel,
    kind: notification.kind,
    incidentKey: notification.incidentKey,
    count: notification.count,
    severity: content.severity,
    title: content.title,
    summary: content.summary,
    findingIds: notification.findings.map((f) => f.id),
    ...(notification.stats ? { stats: notification.stats } : {}),
    ...(notification.remediation ? { remediation: notification.remediation } : {}),
    findings: notification.findings,
  };
}

export async function createJsonlSink(config: JsonlConfig, deps: SinkDeps): Promise<Sink> {
  const file = path.resolve(config.path);
  await mkdir(path.dirname(file), { recursive: true });
  return {
    name: deps.name,
    type: 'jsonl',
    async send(notification: Notification): Promise<SendResult> {
      const line = `${JSON.stringify(notificationRecord(deps.renderer.render(notification), notification, deps.now()))}\n`;
      try {
        await appendFile(file, line);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A full disk may clear; a missing permission will not.
        throw new DeliveryError(`jsonl channel "${deps.name}": cannot append to ${file}: ${code ?? (error as Error).message}`, { retryable: code !== 'EACCES' && code !== 'EISDIR' && code !== 'EROFS' });
      }
      return {};
    },
  };
}
