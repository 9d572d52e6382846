/** Notifications as text blocks (or one JSON object per line) on stdout or stderr. */
import type { z } from 'zod';
import type { stdoutChannelSchema } from '../config.js';
import { DeliveryError } from '../errors.js';
import { renderText } from '../render/text.js';
import type { Notification, SendResult, Sink } from '../types.js';
import type { SinkDeps } from './context.js';
import { notificationRecord } from './jsonl.js';

type StdoutConfig = z.infer<typeof stdoutChannelSchema>;

export function writeAsync(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(new DeliveryError(`write failed: ${error.message}`, { retryable: true })) : resolve()));
  });
}

export async function createStdoutSink(config: StdoutConfig, deps: SinkDeps): Promise<Sink> {
  const stream = config.stream === 'stderr' ? deps.stderr : deps.stdout;
  return {
    name: deps.name,
    type: 'stdout',
    async send(notification: Notification): Promise<SendResult> {
      const content = deps.renderer.render(notification);
      await writeAsync(stream, config.format === 'json' ? `${JSON.stringify(notificationRecord(content, notification, deps.now()))}\n` : `${renderText(content)}\n`);
      return {};
    },
  };
}
