import { MAX_WILDCARDS_PER_SELECTOR } from '../limits.js';
import type { Selector, SelectorStep } from './ast.js';
import { type Cursor, describeChar, isAsciiLetterOrDigit, syntaxError, unclosedError } from './cursor.js';

/**
 * "Property selectors are alphanumeric strings that support hyphen ("-") and underscore ("_") characters"
 * (Filter pattern syntax, JSON).
 */
function isNameChar(ch: string): boolean {
  return isAsciiLetterOrDigit(ch) || ch === '_' || ch === '-';
}

/**
 * Reads a property selector: "$." then names, "[NUMBER]" array elements ("Array elements are denoted with [NUMBER]
 * syntax, and must follow a property", before 2023), the wildcards ".*" and "[*]" ("You can use the JSON wildcard to
 * select any array element or any JSON object field"), and "['key.with.dots']" ("If the JSON property contains a
 * period (".") then the bracket notation may be used to select that property": { $.['cluster.name'] = "c" }).
 */
export function readSelector(cursor: Cursor): Selector {
  const offset = cursor.pos;
  if (cursor.peek() !== '$') {
    throw syntaxError(`expected a property selector starting with "$." but found ${describeChar(cursor.peek())}`, offset);
  }
  cursor.pos++;
  if (cursor.peek() !== '.') {
    throw syntaxError(`empty selector: a property selector starts with "$." but "$" is followed by ${describeChar(cursor.peek())}`, cursor.pos);
  }
  cursor.pos++;
  const steps: SelectorStep[] = [];
  let wildcards = 0;
  const countWildcard = (at: number): void => {
    wildcards++;
    if (wildcards > MAX_WILDCARDS_PER_SELECTOR) {
      throw syntaxError(`a property selector can use at most ${MAX_WILDCARDS_PER_SELECTOR} wildcard`, at);
    }
  };
  // After "$." or ".": a name, "*" or ['key'].
  let expectProperty = true;
  for (;;) {
    const ch = cursor.peek();
    if (expectProperty) {
      const at = cursor.pos;
      if (ch === '*') {
        cursor.pos++;
        countWildcard(at);
        steps.push({ kind: 'any-key' });
      } else if (ch === '[' && cursor.peek(1) === "'") {
        steps.push({ kind: 'key', key: readBracketKey(cursor) });
      } else if (isNameChar(ch)) {
        steps.push({ kind: 'key', key: cursor.readWhile(isNameChar) });
      } else if (ch === '[') {
        throw syntaxError('an array index must follow a property name', at);
      } else {
        throw syntaxError(`expected a property name after "." but found ${describeChar(ch)}`, at);
      }
      expectProperty = false;
      continue;
    }
    if (ch === '.') {
      cursor.pos++;
      expectProperty = true;
    } else if (ch === '[') {
      const at = cursor.pos;
      if (cursor.peek(1) === "'") {
        steps.push({ kind: 'key', key: readBracketKey(cursor) });
        continue;
      }
      cursor.pos++;
      if (cursor.peek() === '*') {
        cursor.pos++;
        countWildcard(at);
        steps.push({ kind: 'any-index' });
      } else {
        const digits = cursor.readWhile((c) => c >= '0' && c <= '9');
        if (digits === '') throw syntaxError(`expected an array index or * after "[" but found ${describeChar(cursor.peek())}`, cursor.pos);
        steps.push({ kind: 'index', index: Number(digits) });
      }
      if (cursor.peek() !== ']') throw syntaxError(`expected "]" to close the "[" opened at offset ${at} but found ${describeChar(cursor.peek())}`, cursor.pos);
      cursor.pos++;
    } else {
      break;
    }
  }
  return { text: cursor.text.slice(offset, cursor.pos), offset, steps };
}

function readBracketKey(cursor: Cursor): string {
  const open = cursor.pos;
  const close = cursor.text.indexOf("'", open + 2);
  if (close < 0 || close >= cursor.end) throw unclosedError("unterminated ['...'] property name", open, "no closing '");
  const key = cursor.text.slice(open + 2, close);
  cursor.pos = close + 1;
  if (cursor.peek() !== ']') throw syntaxError(`expected "]" after the quoted property name but found ${describeChar(cursor.peek())}`, cursor.pos);
  cursor.pos++;
  return key;
}

export function wildcardCount(selector: Selector): number {
  return selector.steps.filter((s) => s.kind === 'any-key' || s.kind === 'any-index').length;
}
