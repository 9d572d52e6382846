/**
 * Slack incoming webhook (POST JSON to the webhook URL; 200 "ok" on success). The message is Block
 * Kit: a header with the severity emoji and title at the top level, the details in an attachment
 * whose `color` gives the severity bar, and `text` as the notification fallback.
 * Errors: 400 invalid_payload, 403 action_prohibited, 404 channel_not_found, 410 channel_is_archived
 * are permanent; 429 (with Retry-After, in seconds) and 5xx (rollup_error) are retried.
 * Limits honoured: header text 150, section text 3000, a field 2000 (at most 10), button text 75,
 * 50 blocks per message.
 */
import type { z } from 'zod';
import type { slackChannelSchema } from '../config.js';
import { checkResponse, createHttpClient } from '../http.js';
import { stormRuleLines, truncate, type MessageContent } from '../render/content.js';
import type { Notification, SendContext, SendResult, Sink } from '../types.js';
import type { SinkDeps } from './context.js';

type SlackConfig = z.infer<typeof slackChannelSchema>;
type Block = Record<string, unknown>;

/** Slack treats &, < and > as control characters in mrkdwn; everything else is literal. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const mrkdwn = (text: string, max = 3000) => ({ type: 'mrkdwn', text: truncate(text, max) });

export function buildSlackMessage(content: MessageContent, config: Pick<SlackConfig, 'username' | 'iconEmoji' | 'mentions'> = {}): Record<string, unknown> {
  const e = escapeMrkdwn;
  const mention = config.mentions?.[content.severity];
  const header: Block = { type: 'header', text: { type: 'plain_text', text: truncate(`${content.style.emoji} ${content.title}`, 150), emoji: true } };
  const top: Block[] = [header, { type: 'section', text: mrkdwn(`${mention ? `${mention} ` : ''}${e(content.summary)}${content.countLine ? `\n_${e(content.countLine)}_` : ''}`) }];

  const details: Block[] = [];
  const fields = content.facts.slice(0, 10).map((f) => mrkdwn(`*${e(f.label)}*\n${e(f.value)}`, 2000));
  if (fields.length) details.push({ type: 'section', fields });
  if (content.resources.length) details.push({ type: 'section', text: mrkdwn(`*Resources*\n${content.resources.slice(0, 20).map((r) => `• \`${e(r)}\``).join('\n')}`) });
  for (const section of content.sections ?? []) {
    details.push({ type: 'section', text: mrkdwn(`*${e(section.title)}*\n${section.items.slice(0, 20).map((i) => `• ${e(i)}`).join('\n')}`) });
  }
  if (content.storm) {
    details.push({ type: 'section', text: mrkdwn(`*Rules*\n${stormRuleLines(content.storm).map((r) => `• ${e(r)}`).join('\n')}`) });
    if (content.storm.sample.length) details.push({ type: 'section', text: mrkdwn(`*Most severe*\n${content.storm.sample.map((s) => `• ${s.consoleUrl ? `<${s.consoleUrl}|${e(s.severity.toUpperCase())}>` : e(s.severity.toUpperCase())} ${e(s.summary)}`).join('\n')}`) });
  }
  if (content.compliance.length) details.push({ type: 'section', text: mrkdwn(`*Compliance*\n${content.compliance.map((c) => `• ${e(c)}`).join('\n')}${content.attack.length ? `\n• MITRE ATT&amp;CK: ${e(content.attack.join(', '))}` : ''}`) });
  if (content.remediation) {
    const steps = content.remediation.console.map((s, i) => `${i + 1}. ${e(s)}`).join('\n');
    const cli = content.remediation.cli.length ? `\n\`\`\`${content.remediation.cli.map(e).join('\n')}\`\`\`` : '';
    details.push({ type: 'section', text: mrkdwn(`*Remediation*\n${e(content.remediation.summary)}${steps ? `\n${steps}` : ''}${cli}`) });
  }
  if (content.consoleUrl) {
    details.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in CloudTrail console', emoji: true }, url: content.consoleUrl, style: content.severity === 'critical' || content.severity === 'high' ? 'danger' : 'primary' }] });
  }
  details.push({ type: 'context', elements: [mrkdwn(e(content.footer), 2000)] });

  const message: Record<string, unknown> = {
    // The notification/fallback text: what phones and screen readers show.
    text: truncate(`${mention ? `${mention} ` : ''}${content.style.slackEmoji} ${e(content.title)} — ${e(content.summary)}`, 3000),
    blocks: top,
    attachments: [{ color: content.style.color, fallback: truncate(e(content.summary), 300), blocks: details.slice(0, 50 - top.length) }],
  };
  if (config.username) message.username = config.username;
  if (config.iconEmoji) message.icon_emoji = config.iconEmoji;
  return message;
}

export async function createSlackSink(config: SlackConfig, deps: SinkDeps): Promise<Sink> {
  const url = await deps.resolve(config.webhookUrl, { secret: true });
  const http = createHttpClient();
  const label = `slack channel "${deps.name}"`;
  return {
    name: deps.name,
    type: 'slack',
    async send(notification: Notification, context: SendContext): Promise<SendResult> {
      const body = JSON.stringify(buildSlackMessage(deps.renderer.render(notification), config));
      const response = await http.post(url, body, {}, context, label);
      checkResponse(response, label);
      return { status: response.status, detail: response.body.slice(0, 100) };
    },
    close: () => http.close(),
  };
}
