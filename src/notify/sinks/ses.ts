/**
 * Amazon SES API v2 SendEmail with Content.Raw: the MIME message (text + HTML parts, our headers)
 * built by nodemailer's composer, so SES and SMTP send byte-for-byte the same mail; Destination
 * lists the recipients (Bcc never appears in the headers). Retryable: throttling
 * (TooManyRequestsException), server faults, no answer. Permanent: MessageRejected,
 * MailFromDomainNotVerifiedException, SendingPausedException, AccountSuspendedException,
 * NotFoundException, BadRequestException — they need a person, and `notify retry` re-drives them.
 */
import type MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { z } from 'zod';
import type { sesChannelSchema } from '../config.js';
import type { Notification, SendContext, SendResult, Sink } from '../types.js';
import { awsClientConfig, awsDeliveryError } from './aws.js';
import type { SinkDeps } from './context.js';
import { buildEmail } from './email.js';

type SesConfig = z.infer<typeof sesChannelSchema>;

/** The mail as MIME, by nodemailer's composer (loaded on first use, like the SMTP sink's transport). */
export async function composeMime(mail: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  const { default: Composer } = await import('nodemailer/lib/mail-composer/index.js');
  return new Promise((resolve, reject) => new Composer(mail).compile().build((error, message) => (error ? reject(error) : resolve(message))));
}

export async function createSesSink(config: SesConfig, deps: SinkDeps): Promise<Sink> {
  const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
  const client = new SESv2Client(awsClientConfig(config, deps.aws));
  const label = `ses channel "${deps.name}"`;
  return {
    name: deps.name,
    type: 'ses',
    async send(notification: Notification, context: SendContext): Promise<SendResult> {
      const content = deps.renderer.render(notification);
      const raw = await composeMime(buildEmail(content, notification, config));
      try {
        const out = await client.send(
          new SendEmailCommand({
            FromEmailAddress: config.from,
            Destination: { ToAddresses: config.to, ...(config.cc ? { CcAddresses: config.cc } : {}), ...(config.bcc ? { BccAddresses: config.bcc } : {}) },
            Content: { Raw: { Data: raw } },
            ...(config.configurationSet ? { ConfigurationSetName: config.configurationSet } : {}),
            EmailTags: [
              { Name: 'severity', Value: content.severity },
              { Name: 'kind', Value: notification.kind },
            ],
          }),
          { abortSignal: context.signal },
        );
        return { status: out.$metadata.httpStatusCode, detail: `MessageId ${out.MessageId}` };
      } catch (error) {
        throw awsDeliveryError(error, label, context.timeoutMs, context.signal.aborted, { service: 'sesv2', operation: 'SendEmail' });
      }
    },
    close: async () => client.destroy(),
  };
}
