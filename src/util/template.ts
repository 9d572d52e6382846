import { TrailguardError } from './errors.js';
/**
 * The one template language of trailguard — rule `summary`, `dedupe` and `resources` (src/rules/template.ts) and
 * notification titles and summaries (src/notify/render/template.ts) — each caller with its own roots:
 *
 *   text {{ path }} text {{ path || other.path || "literal" }}
 *
 * A path starts at one of the caller's roots and walks object keys (hyphens allowed, as in `event.detail-type`) or
 * array indexes (`items.0`). The first alternative that is present (not undefined, null, "" or an empty array) is
 * rendered: strings as they are, numbers and booleans as text, arrays comma-joined (absent items left out), objects
 * as compact JSON. Every rendered value is capped at MAX_RENDERED_VALUE characters, so no event can blow a summary,
 * a dedupe key or a message up. Templates are compiled once (when a rule or a config loads), so rendering never parses.
 */

/** The most characters one placeholder renders; a longer value is cut and ends in "…". */
export const MAX_RENDERED_VALUE = 500;

export class TemplateError extends TrailguardError {
  override readonly name: string = 'TemplateError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message, { code: 'invalid-template' });
  }
}

export interface TemplateLanguage<Root extends string> {
  /** The names a path may start with. */
  roots: readonly Root[];
  /** A path the caller's users know, for the "expected a path like ..." message. */
  examplePath: string;
  /** The caller's error class (e.g. NotifyTemplateError); TemplateError by default. */
  error?: (message: string, offset: number) => TemplateError;
}

export type TemplateValues<Root extends string> = Partial<Record<Root, unknown>>;

export interface CompiledTemplate<Root extends string = string> {
  readonly source: string;
  /** Renders the template; `missing` stands in for a placeholder none of whose alternatives is present. */
  render(context: TemplateValues<Root>, missing?: string): string;
  /** The paths the template reads, for validation and documentation. */
  readonly paths: string[];
}

type Alternative<Root extends string> = { kind: 'path'; root: Root; keys: string[] } | { kind: 'literal'; text: string };
type Part<Root extends string> = string | Alternative<Root>[];

const PATH_RE = /^[A-Za-z_$][\w$-]*(?:\.[\w$@-]+)*$/;

/** Parses a template; throws the language's error (a TemplateError) with the offset of what is wrong. */
export function compileTemplateIn<Root extends string>(language: TemplateLanguage<Root>, source: string): CompiledTemplate<Root> {
  const fail = language.error ?? ((message: string, offset: number) => new TemplateError(message, offset));
  const parts: Part<Root>[] = [];
  const text = (start: number, end: number): void => {
    const piece = source.slice(start, end);
    const stray = piece.indexOf('}}');
    if (stray >= 0) throw fail(`"}}" without "{{" at offset ${start + stray}`, start + stray);
    parts.push(piece);
  };
  let cursor = 0;
  while (cursor < source.length) {
    const open = source.indexOf('{{', cursor);
    if (open < 0) {
      text(cursor, source.length);
      break;
    }
    if (open > cursor) text(cursor, open);
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw fail(`unclosed "{{" at offset ${open}`, open);
    parts.push(parseAlternatives(language, fail, source.slice(open + 2, close), open + 2));
    cursor = close + 2;
  }
  return makeTemplate(source, parts);
}

/** Compiles a bare expression such as `detail.requestParameters.groupId || detail.requestParameters.groupName`. */
export function compileExpressionIn<Root extends string>(language: TemplateLanguage<Root>, source: string): CompiledTemplate<Root> {
  const fail = language.error ?? ((message: string, offset: number) => new TemplateError(message, offset));
  return makeTemplate(source, [parseAlternatives(language, fail, source, 0)]);
}

function parseAlternatives<Root extends string>(
  language: TemplateLanguage<Root>,
  fail: (message: string, offset: number) => TemplateError,
  body: string,
  offset: number,
): Alternative<Root>[] {
  if (body.trim() === '') throw fail(`empty placeholder at offset ${offset - 2}`, offset - 2);
  const alternatives: Alternative<Root>[] = [];
  let at = offset;
  for (const piece of body.split('||')) {
    alternatives.push(parseAlternative(language, fail, piece, at));
    at += piece.length + 2;
  }
  return alternatives;
}

function parseAlternative<Root extends string>(
  language: TemplateLanguage<Root>,
  fail: (message: string, offset: number) => TemplateError,
  text: string,
  offset: number,
): Alternative<Root> {
  const trimmed = text.trim();
  const quoted = /^"([^"]*)"$/.exec(trimmed) ?? /^'([^']*)'$/.exec(trimmed);
  if (quoted) return { kind: 'literal', text: quoted[1] ?? '' };
  if (!PATH_RE.test(trimmed)) {
    throw fail(`invalid placeholder "${trimmed}" at offset ${offset}: expected a path like ${language.examplePath} or a quoted literal`, offset);
  }
  const [root, ...keys] = trimmed.split('.');
  if (!(language.roots as readonly string[]).includes(root ?? '')) {
    throw fail(`unknown placeholder root "${root}" at offset ${offset}: use one of ${language.roots.join(', ')}`, offset);
  }
  return { kind: 'path', root: root as Root, keys };
}

function makeTemplate<Root extends string>(source: string, parts: Part<Root>[]): CompiledTemplate<Root> {
  const paths = parts.flatMap((p) => (typeof p === 'string' ? [] : p.flatMap((a) => (a.kind === 'path' ? [[a.root, ...a.keys].join('.')] : []))));
  return {
    source,
    paths,
    render(context, missing = '') {
      let out = '';
      for (const part of parts) out += typeof part === 'string' ? part : (renderPlaceholder(part, context) ?? missing);
      return out;
    },
  };
}

function renderPlaceholder<Root extends string>(alternatives: Alternative<Root>[], context: TemplateValues<Root>): string | undefined {
  for (const alternative of alternatives) {
    if (alternative.kind === 'literal') return alternative.text;
    const rendered = renderValue(lookup(context[alternative.root], alternative.keys));
    if (rendered !== undefined) return cap(rendered);
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
  return JSON.stringify(value);
}

function cap(text: string): string {
  if (text.length <= MAX_RENDERED_VALUE) return text;
  // Never cut a surrogate pair in two.
  let end = MAX_RENDERED_VALUE - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
