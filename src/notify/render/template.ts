/**
 * Message templates (`templates.title`, `templates.summary`), in trailguard's one template language — the same
 * engine, syntax and limits as rule summaries (src/util/template.ts):
 *   {{ finding.actor.name }} changed {{ finding.eventName }} ({{ count }}x)
 *   {{ finding.facts.groupId || "unknown group" }}
 * Roots: `finding` (the Finding, including `record` — the raw CloudTrail event), `count` (findings
 * this notification covers), `channel` (its name), `severity` (upper case, e.g. CRITICAL).
 * Arrays render comma-joined, objects as JSON; each value is capped (MAX_RENDERED_VALUE) so a template cannot
 * explode a message.
 */
import { compileTemplateIn, TemplateError, type TemplateLanguage } from '../../util/template.js';

export const NOTIFY_TEMPLATE_ROOTS = ['finding', 'count', 'channel', 'severity'] as const;
export type NotifyTemplateRoot = (typeof NOTIFY_TEMPLATE_ROOTS)[number];
export type NotifyTemplateContext = { finding: unknown; count: number; channel: string; severity: string };

export class NotifyTemplateError extends TemplateError {
  override readonly name: string = 'NotifyTemplateError';
  constructor(message: string, offset = 0) {
    super(message, offset);
  }
}

export interface NotifyTemplate {
  readonly source: string;
  render(context: NotifyTemplateContext): string;
}

const NOTIFY_TEMPLATES: TemplateLanguage<NotifyTemplateRoot> = {
  roots: NOTIFY_TEMPLATE_ROOTS,
  examplePath: 'finding.actor.name',
  error: (message, offset) => new NotifyTemplateError(message, offset),
};

export function compileNotifyTemplate(source: string): NotifyTemplate {
  const template = compileTemplateIn(NOTIFY_TEMPLATES, source);
  return { source, render: (context) => template.render(context) };
}
