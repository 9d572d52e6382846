import type { Term } from './ast.js';
import { Cursor, describeChar, isAsciiLetterOrDigit, isSpace, syntaxError } from './cursor.js';
import { readQuoted } from './parse-value.js';

/**
 * "Metric filter terms that include characters other than alphanumeric or underscore must be placed inside double
 * quotes" (Filter and Pattern Syntax before 2023; "Enclose exact phrases and terms that include non-alphanumeric
 * characters in double quotation marks" today).
 */
function isTermChar(ch: string): boolean {
  return isAsciiLetterOrDigit(ch) || ch === '_';
}

/**
 * Parses a pattern of terms for unstructured log events: ERROR, "exact phrase", ?optional and -excluded terms
 * separated by spaces (Filter pattern syntax, "Using filter patterns to match terms in unstructured log events").
 */
export function parseTermPattern(text: string): Term[] {
  const c = new Cursor(text);
  const terms: Term[] = [];
  for (;;) {
    c.skipSpaces();
    if (c.atEnd()) return terms;
    const offset = c.pos;
    let kind: Term['kind'] = 'include';
    if (c.peek() === '?' || c.peek() === '-') {
      kind = c.peek() === '?' ? 'optional' : 'exclude';
      c.pos++;
      // Older revisions of the guide write the exclusion as "ERROR" - "Exiting": a space may follow the sign.
      c.skipSpaces();
    }
    const at = c.pos;
    const ch = c.peek();
    let term: string;
    let quoted: boolean;
    if (ch === '"') {
      term = readQuoted(c);
      quoted = true;
    } else {
      term = c.readWhile(isTermChar);
      quoted = false;
      if (term === '') {
        if (ch === '') throw syntaxError(`expected a term after ${describeChar(text[offset]!)}`, at);
        throw unquotedCharError(ch, at);
      }
    }
    const next = c.peek();
    if (next !== '' && !isSpace(next)) {
      if (quoted) throw syntaxError(`expected a space after the quoted term but found ${describeChar(next)}`, c.pos);
      throw unquotedCharError(next, c.pos);
    }
    terms.push({ kind, text: term, quoted, offset });
  }
}

function unquotedCharError(ch: string, at: number) {
  if (ch === '%') return syntaxError('a regex (%...%) cannot be combined with terms: it must be the whole filter pattern', at);
  if (ch === '{' || ch === '[') {
    return syntaxError(`${describeChar(ch)} can only start a JSON ({...}) or space-delimited ([...]) pattern at the beginning; quote the term to search for it`, at);
  }
  return syntaxError(`${describeChar(ch)} cannot appear in an unquoted term; put terms with characters other than letters, digits and _ in double quotes`, at);
}
