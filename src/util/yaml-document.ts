import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { formatKeyPath } from './key-path.js';

export { formatKeyPath } from './key-path.js';

/** A problem in a YAML file, located as precisely as the document allows. */
export interface YamlProblem {
  message: string;
  /** Dotted key path, e.g. "match.detail.eventName" or "tests.match[0].record". */
  key?: string;
  line?: number;
  column?: number;
}

export interface ParsedYaml<T> {
  value?: T;
  problem?: YamlProblem;
  /** Line/column of a key path in the document (a missing key is placed at its nearest parent). */
  locate(keyPath: readonly PropertyKey[]): { key: string; line?: number; column?: number };
  /** The parsed document before schema validation (for messages that need e.g. the rule id). */
  raw: unknown;
}

/** Parses YAML text and validates it with a zod schema; the first problem comes back located. */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, schema: S): ParsedYaml<z.infer<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const locate = (keyPath: readonly PropertyKey[]) => ({ key: formatKeyPath(keyPath), ...positionOf(doc, lineCounter, keyPath) });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0];
    return { locate, raw: undefined, problem: { message: `invalid YAML: ${yamlError.message.split('\n')[0]}`, line: pos?.line, column: pos?.col } };
  }
  const raw: unknown = doc.toJS();
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { locate, raw, problem: { message: describeIssue(issue), ...locate(issue.path) } };
  }
  return { locate, raw, value: parsed.data };
}


function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    return `${inner ? inner.message : issue.message}${issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : ''}`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `is required (${issue.message.replace(/^Invalid input: /, '')})`;
  if ((issue.code === 'invalid_value' || issue.code === 'invalid_format') && issue.input !== undefined) return `${issue.message} (got ${JSON.stringify(issue.input)})`;
  return issue.message;
}

function positionOf(doc: Document, lineCounter: LineCounter, keyPath: readonly PropertyKey[]): { line?: number; column?: number } {
  for (let depth = keyPath.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(keyPath.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) {
      const pos = lineCounter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}
