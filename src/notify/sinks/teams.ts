/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received", answers
 * 202) or a legacy incoming webhook (answers 200 "1"). Both take the same envelope:
 *   { "type": "message", "attachments": [{ "contentType": "application/vnd.microsoft.card.adaptive",
 *     "contentUrl": null, "content": <Adaptive Card> }] }
 * Workflows accept Adaptive Cards only. The card uses schema 1.4 elements (Container styles,
 * FactSet, Action.OpenUrl; Markdown in TextBlock and FactSet values) and stays under Teams' ~28 KB
 * message limit. Legacy connectors report throttling inside a 200 body ("... HTTP error 429"), so
 * that text is treated as a 429.
 */
import type { z } from 'zod';
import type { teamsChannelSchema } from '../config.js';
import { DeliveryError } from '../errors.js';
import { checkResponse, createHttpClient } from '../http.js';
import { stormRuleLines, truncate, type MessageContent } from '../render/content.js';
import type { Notification, SendContext, SendResult, Sink } from '../types.js';
import type { SinkDeps } from './context.js';

type TeamsConfig = z.infer<typeof teamsChannelSchema>;
type Element = Record<string, unknown>;

/** Teams rejects bigger messages with 413; leave room for the envelope. */
export const TEAMS_MAX_BYTES = 27 * 1024;

/**
 * Teams renders a Markdown subset in TextBlock and FactSet values (bold, italic, lists, links; no
 * code spans): backslash-escape the characters that would turn event text into emphasis or links.
 */
function md(text: string): string {
  return text.replace(/([*_[\]])/g, '\\$1');
}

const textBlock = (text: string, extra: Element = {}): Element => ({ type: 'TextBlock', text, wrap: true, ...extra });

export function buildTeamsMessage(content: MessageContent, options: { compact?: boolean } = {}): Record<string, unknown> {
  const body: Element[] = [
    {
      type: 'Container',
      style: content.style.teamsStyle,
      bleed: true,
      items: [
        textBlock(`${content.style.emoji} ${content.style.label}`, { weight: 'Bolder', color: content.style.teamsColor, size: 'Small' }),
        textBlock(md(truncate(content.title, 300)), { weight: 'Bolder', size: 'Large', spacing: 'None' }),
      ],
    },
    textBlock(md(content.summary)),
  ];
  if (content.countLine) body.push(textBlock(`_${md(content.countLine)}_`, { isSubtle: true, spacing: 'Small' }));
  body.push({ type: 'FactSet', facts: content.facts.map((f) => ({ title: f.label, value: md(f.value) })) });
  if (content.resources.length) body.push(textBlock(`**Resources**\n\n${content.resources.slice(0, 20).map((r) => `- ${md(r)}`).join('\n')}`));
  for (const section of content.sections ?? []) body.push(textBlock(`**${md(section.title)}**\n\n${section.items.slice(0, 20).map((i) => `- ${md(i)}`).join('\n')}`));
  if (content.storm) {
    body.push(textBlock(`**Rules**\n\n${stormRuleLines(content.storm).map((r) => `- ${md(r)}`).join('\n')}`));
    if (content.storm.sample.length) body.push(textBlock(`**Most severe**\n\n${content.storm.sample.map((s) => `- ${s.severity.toUpperCase()}: ${md(s.summary)}`).join('\n')}`));
  }
  if (!options.compact) {
    if (content.compliance.length) body.push(textBlock(`**Compliance**\n\n${content.compliance.map((c) => `- ${md(c)}`).join('\n')}`));
    if (content.remediation) {
      const steps = content.remediation.console.map((s, i) => `${i + 1}. ${md(s)}`).join('\n');
      const cli = content.remediation.cli.map((c) => `- ${md(c)}`).join('\n');
      body.push(textBlock(`**Remediation**\n\n${md(content.remediation.summary)}${steps ? `\n\n${steps}` : ''}${cli ? `\n\n${cli}` : ''}`));
    }
  }
  body.push(textBlock(md(content.footer), { isSubtle: true, size: 'Small' }));
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
  };
  if (content.consoleUrl) card.actions = [{ type: 'Action.OpenUrl', title: 'Open in CloudTrail console', url: content.consoleUrl }];
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}

export async function createTeamsSink(config: TeamsConfig, deps: SinkDeps): Promise<Sink> {
  const url = await deps.resolve(config.webhookUrl, { secret: true });
  const http = createHttpClient();
  const label = `teams channel "${deps.name}"`;
  return {
    name: deps.name,
    type: 'teams',
    async send(notification: Notification, context: SendContext): Promise<SendResult> {
      const content = deps.renderer.render(notification);
      let body = JSON.stringify(buildTeamsMessage(content));
      if (Buffer.byteLength(body) > TEAMS_MAX_BYTES) body = JSON.stringify(buildTeamsMessage(content, { compact: true }));
      const response = await http.post(url, body, {}, context, label);
      checkResponse(response, label);
      if (/HTTP error 429/.test(response.body)) throw new DeliveryError(`${label}: throttled (HTTP error 429 in a ${response.status} answer)`, { retryable: true, status: 429, throttled: true });
      return { status: response.status };
    },
    close: () => http.close(),
  };
}
