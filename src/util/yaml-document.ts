import { LineCounter, isMap, isNode, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { formatKeyPath } from './key-path.js';
import { didYouMean } from './suggest.js';
import { knownKeysAt } from './zod-keys.js';

export { formatKeyPath } from './key-path.js';

/** A problem in a YAML file, located as precisely as the document allows. */
export interface YamlProblem {
  message: string;
  /** Dotted key path, e.g. "match.detail.eventName" or "tests.match[0].record" (for an unknown key: the mapping it is in). */
  key?: string;
  line?: number;
  column?: number;
}

export interface ParsedYaml<T> {
  value?: T;
  /** Every problem of the document, in the order they appear in it; empty when it is valid. */
  problems: YamlProblem[];
  /** The first of `problems`. */
  problem?: YamlProblem;
  /** Line/column of a key path's value in the document (a missing key is placed at its nearest parent). */
  locate(keyPath: readonly PropertyKey[]): { key: string; line?: number; column?: number };
  /** The parsed document before schema validation (for messages that need e.g. the rule id). */
  raw: unknown;
}

/**
 * Parses YAML text and validates it with a zod schema. Every problem comes back (all YAML syntax errors, or else all
 * schema issues), each located: an unknown key at the key itself, with the closest known key suggested; a bad value
 * at the value; a missing key at the mapping that lacks it.
 */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, schema: S): ParsedYaml<z.infer<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const locate = (keyPath: readonly PropertyKey[]) => ({ key: formatKeyPath(keyPath), ...positionOf(doc, lineCounter, keyPath) });
  const result = (problems: YamlProblem[], raw: unknown, value?: z.infer<S>): ParsedYaml<z.infer<S>> => {
    const sorted = sortProblems(problems);
    return { locate, raw, problems: sorted, ...(sorted[0] ? { problem: sorted[0] } : {}), ...(value !== undefined ? { value } : {}) };
  };
  if (doc.errors.length > 0) {
    return result(
      doc.errors.map((error) => {
        const pos = error.linePos?.[0];
        // The yaml library ends its message with the position and a code frame; the position is ours to give, once.
        const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return { message: `invalid YAML: ${message}`, ...(pos ? { line: pos.line, column: pos.col } : {}) };
      }),
      undefined,
    );
  }
  const raw: unknown = doc.toJS();
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return result([], raw, parsed.data as z.infer<S>);
  const problems: YamlProblem[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path, issue.input);
      for (const key of issue.keys) {
        problems.push({ message: `unknown key "${key}"${didYouMean(key, known)}`, key: formatKeyPath(issue.path), ...keyPositionOf(doc, lineCounter, issue.path, key) });
      }
    } else if (issue.code === 'invalid_key') {
      const last = issue.path.at(-1);
      const at = last !== undefined ? keyPositionOf(doc, lineCounter, issue.path.slice(0, -1), last) : {};
      problems.push({ message: describeIssue(issue), key: formatKeyPath(issue.path), ...(at.line !== undefined ? at : positionOf(doc, lineCounter, issue.path)) });
    } else {
      problems.push({ message: describeIssue(issue), ...locate(issue.path) });
    }
  }
  return result(problems, raw);
}

/** Problems in document order (unlocated ones last), without repeats. */
function sortProblems(problems: readonly YamlProblem[]): YamlProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const id = `${p.line}:${p.column}:${p.key}:${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const order = (p: YamlProblem) => (p.line === undefined ? Infinity : p.line * 1e6 + (p.column ?? 0));
  return unique.map((p, i) => ({ p, i })).sort((a, b) => order(a.p) - order(b.p) || a.i - b.i).map(({ p }) => p);
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

/** Where the key `key` of the mapping at `mapPath` is written; the mapping's own position when it cannot be found. */
function keyPositionOf(doc: Document, lineCounter: LineCounter, mapPath: readonly PropertyKey[], key: PropertyKey): { line?: number; column?: number } {
  const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath as unknown[], true);
  if (isMap(map)) {
    for (const pair of map.items) {
      const keyNode = pair.key;
      const name = isScalar(keyNode) ? keyNode.value : keyNode;
      if (String(name) === String(key) && isNode(keyNode) && keyNode.range) {
        const pos = lineCounter.linePos(keyNode.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
  }
  return positionOf(doc, lineCounter, mapPath);
}
