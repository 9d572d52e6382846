import { TrailguardError } from '../../util/errors.js';
/**
 * Message templates (`templates.title`, `templates.summary`), in the same syntax as rule summaries:
 *   {{ finding.actor.name }} changed {{ finding.eventName }} ({{ count }}x)
 *   {{ finding.facts.groupId || "unknown group" }}
 * Roots: `finding` (the Finding, including `record` — the raw CloudTrail event), `count` (findings
 * this notification covers), `channel` (its name), `severity` (upper case, e.g. CRITICAL).
 * Arrays render comma-joined, objects as JSON; each value is capped so a template cannot explode a message.
 */

export const NOTIFY_TEMPLATE_ROOTS = ['finding', 'count', 'channel', 'severity'] as const;
export type NotifyTemplateContext = { finding: unknown; count: number; channel: string; severity: string };

export class NotifyTemplateError extends TrailguardError {
  override readonly name = 'NotifyTemplateError';
  constructor(message: string) {
    super(message, { code: 'invalid-template' });
  }
}

type Alternative = { kind: 'path'; keys: string[] } | { kind: 'literal'; text: string };
type Part = string | Alternative[];

export interface NotifyTemplate {
  readonly source: string;
  render(context: NotifyTemplateContext): string;
}

const PATH = /^[A-Za-z_$][\w$-]*(?:\.[\w$@-]+)*$/;
const MAX_VALUE = 500;

export function compileNotifyTemplate(source: string): NotifyTemplate {
  const parts: Part[] = [];
  let cursor = 0;
  while (cursor < source.length) {
    const open = source.indexOf('{{', cursor);
    if (open < 0) {
      parts.push(source.slice(cursor));
      break;
    }
    if (open > cursor) parts.push(source.slice(cursor, open));
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new NotifyTemplateError(`unclosed "{{" at offset ${open}`);
    parts.push(
      source
        .slice(open + 2, close)
        .split('||')
        .map((alt) => parseAlternative(alt, open + 2)),
    );
    cursor = close + 2;
  }
  return {
    source,
    render(context) {
      return parts
        .map((part) => {
          if (typeof part === 'string') return part;
          for (const alt of part) {
            if (alt.kind === 'literal') return alt.text;
            const value = lookup(context, alt.keys);
            if (value !== undefined && value !== null && value !== '') return format(value);
          }
          return '';
        })
        .join('');
    },
  };
}

function parseAlternative(text: string, offset: number): Alternative {
  const trimmed = text.trim();
  const quoted = /^"([^"]*)"$/.exec(trimmed) ?? /^'([^']*)'$/.exec(trimmed);
  if (quoted) return { kind: 'literal', text: quoted[1] ?? '' };
  if (!PATH.test(trimmed)) throw new NotifyTemplateError(`invalid placeholder "${trimmed}" at offset ${offset}: expected a path like finding.actor.name or a quoted literal`);
  const keys = trimmed.split('.');
  if (!(NOTIFY_TEMPLATE_ROOTS as readonly string[]).includes(keys[0]!)) {
    throw new NotifyTemplateError(`unknown placeholder root "${keys[0]}" at offset ${offset}: use one of ${NOTIFY_TEMPLATE_ROOTS.join(', ')}`);
  }
  return { kind: 'path', keys };
}

function lookup(context: NotifyTemplateContext, keys: readonly string[]): unknown {
  let value: unknown = context;
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function format(value: unknown): string {
  const text = Array.isArray(value) ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
