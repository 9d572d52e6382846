import { TrailguardError } from '../util/errors.js';
/**
 * The small template language of rule `summary`, `dedupe` and `resources`:
 *   text {{ path }} text {{ path || other.path || "literal" }}
 * A path starts at one of the roots below and walks object keys (hyphens allowed, as in
 * `event.detail-type`) or array indexes (`items.0`). The first alternative that is present
 * (not undefined/null/"") is rendered; arrays render comma-joined.
 * Templates are compiled once when a rule loads, so rendering a finding never parses.
 */

export const TEMPLATE_ROOTS = ['rule', 'event', 'detail', 'actor', 'check'] as const;
export type TemplateRoot = (typeof TEMPLATE_ROOTS)[number];
export type TemplateContext = Partial<Record<TemplateRoot, unknown>>;

export class TemplateError extends TrailguardError {
  override readonly name = 'TemplateError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message, { code: 'invalid-template' });
  }
}

type Alternative = { kind: 'path'; root: TemplateRoot; keys: string[] } | { kind: 'literal'; text: string };
type Part = string | Alternative[];

export interface CompiledTemplate {
  readonly source: string;
  /** Renders the template; `missing` stands in for a placeholder none of whose alternatives is present. */
  render(context: TemplateContext, missing?: string): string;
  /** The paths the template reads, for validation and documentation. */
  readonly paths: string[];
}

const PATH_RE = /^[A-Za-z_$][\w$-]*(?:\.[\w$@-]+)*$/;
const MAX_RENDERED_VALUE = 300;

function parseAlternative(text: string, offset: number): Alternative {
  const trimmed = text.trim();
  const quoted = /^"([^"]*)"$/.exec(trimmed) ?? /^'([^']*)'$/.exec(trimmed);
  if (quoted) return { kind: 'literal', text: quoted[1] ?? '' };
  if (!PATH_RE.test(trimmed)) {
    throw new TemplateError(`invalid placeholder "${trimmed}" at offset ${offset}: expected a path like detail.eventName or a quoted literal`, offset);
  }
  const [root, ...keys] = trimmed.split('.');
  if (!(TEMPLATE_ROOTS as readonly string[]).includes(root ?? '')) {
    throw new TemplateError(`unknown placeholder root "${root}" at offset ${offset}: use one of ${TEMPLATE_ROOTS.join(', ')}`, offset);
  }
  return { kind: 'path', root: root as TemplateRoot, keys };
}

/** Parses a template or a bare path expression (`parsePathExpression`); throws TemplateError with the offset. */
export function compileTemplate(source: string): CompiledTemplate {
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
    if (close < 0) throw new TemplateError(`unclosed "{{" at offset ${open}`, open);
    parts.push(parseAlternatives(source.slice(open + 2, close), open + 2));
    cursor = close + 2;
  }
  const stray = parts.find((p): p is string => typeof p === 'string' && p.includes('}}'));
  if (stray !== undefined) {
    const offset = source.indexOf('}}');
    throw new TemplateError(`"}}" without "{{" at offset ${offset}`, offset);
  }
  return makeTemplate(source, parts);
}

/** Compiles a bare expression such as `detail.requestParameters.groupId || detail.requestParameters.groupName`. */
export function compilePathExpression(source: string): CompiledTemplate {
  return makeTemplate(source, [parseAlternatives(source, 0)]);
}

function parseAlternatives(body: string, offset: number): Alternative[] {
  if (body.trim() === '') throw new TemplateError(`empty placeholder at offset ${offset - 2}`, offset - 2);
  const alternatives: Alternative[] = [];
  let at = offset;
  for (const piece of body.split('||')) {
    alternatives.push(parseAlternative(piece, at));
    at += piece.length + 2;
  }
  return alternatives;
}

function makeTemplate(source: string, parts: Part[]): CompiledTemplate {
  const paths = parts.flatMap((p) =>
    typeof p === 'string' ? [] : p.flatMap((a) => (a.kind === 'path' ? [[a.root, ...a.keys].join('.')] : [])),
  );
  return {
    source,
    paths,
    render(context, missing = '') {
      let out = '';
      for (const part of parts) {
        out += typeof part === 'string' ? part : (renderPlaceholder(part, context) ?? missing);
      }
      return out;
    },
  };
}

function renderPlaceholder(alternatives: Alternative[], context: TemplateContext): string | undefined {
  for (const alternative of alternatives) {
    if (alternative.kind === 'literal') return alternative.text;
    const rendered = renderValue(lookup(context[alternative.root], alternative.keys));
    if (rendered !== undefined) return rendered;
  }
  return undefined;
}

/** Walks `keys` from `value`; returns undefined as soon as a step is missing. */
export function lookup(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function renderValue(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    const items = value.map(renderValue).filter((v): v is string => v !== undefined);
    return items.length > 0 ? items.join(', ') : undefined;
  }
  const json = JSON.stringify(value);
  return json.length > MAX_RENDERED_VALUE ? `${json.slice(0, MAX_RENDERED_VALUE - 1)}…` : json;
}
