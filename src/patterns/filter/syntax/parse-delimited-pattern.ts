import { MAX_REGEX_PER_PATTERN } from '../limits.js';
import type { DelimitedSlot, FieldExpression } from './ast.js';
import { Cursor, describeChar, isAsciiLetterOrDigit, syntaxError, unclosedError } from './cursor.js';
import { isOperatorChar, readOperator, readValue } from './parse-value.js';

function isFieldNameChar(ch: string): boolean {
  return isAsciiLetterOrDigit(ch) || ch === '_';
}

/** What may directly follow an unquoted value inside a field: the next field, the end, or && / ||. */
const VALUE_TERMINATORS = ',]&|';

/**
 * Parses a space-delimited pattern (Filter pattern syntax, "Using filter patterns to match terms in space-delimited
 * log events"): "enclose the filter pattern in brackets ("[]"), and specify fields with names that are separated by
 * commas"; "..." stands for any number of fields; a field may carry conditions, joined by && and ||
 * ("[w1=ERROR || w1=WARNING, w2]", "status_code = 4* && status_code != 403"). An empty field ("[..., status_code=4*,]")
 * is an unnamed field.
 *
 * `open` is the offset of the "["; the pattern must end with "]" (spaces aside).
 */
export function parseDelimitedPattern(text: string, open: number): DelimitedSlot[] {
  const c = new Cursor(text, open + 1);
  const slots: DelimitedSlot[] = [];
  let regexes = 0;
  for (;;) {
    c.skipSpaces();
    const offset = c.pos;
    if (c.atEnd()) throw unclosedError('unclosed "["', open, 'expected "]" at the end of the pattern');
    if (c.startsWith('...')) {
      c.pos += 3;
      slots.push({ kind: 'ellipsis', offset });
    } else if (c.peek() === ',' || c.peek() === ']') {
      slots.push({ kind: 'field', name: null, condition: null, offset });
    } else {
      const [name, condition] = parseField(c);
      slots.push({ kind: 'field', name, condition, offset });
      for (const at of regexOffsets(condition)) {
        regexes++;
        if (regexes > MAX_REGEX_PER_PATTERN) {
          throw syntaxError(`a space-delimited filter pattern can hold at most ${MAX_REGEX_PER_PATTERN} regex`, at);
        }
      }
    }
    c.skipSpaces();
    const ch = c.peek();
    if (ch === ',') {
      c.pos++;
      continue;
    }
    if (ch === ']') {
      c.pos++;
      c.skipSpaces();
      if (!c.atEnd()) throw syntaxError(`unexpected ${describeChar(c.peek())} after the closing "]"`, c.pos);
      if (slots.length === 1 && slots[0]!.kind === 'field' && slots[0]!.name === null) {
        throw syntaxError('empty space-delimited pattern: expected at least one field name or ...', open);
      }
      return slots;
    }
    if (ch === '') throw unclosedError('unclosed "["', open, 'expected "]" at the end of the pattern');
    throw syntaxError(`expected "," or "]" after a field but found ${describeChar(ch)}`, c.pos);
  }
}

/** name, or name OP value joined with && and || (&& binding tighter, as in JSON patterns). */
function parseField(c: Cursor): [string, FieldExpression | null] {
  const nameAt = c.pos;
  const name = c.readWhile(isFieldNameChar);
  if (name === '') throw syntaxError(`expected a field name, "..." or "," but found ${describeChar(c.peek())}`, nameAt);
  c.skipSpaces();
  if (!isOperatorChar(c.peek())) return [name, null];
  const first = parseComparison(c, name, nameAt, true);
  const orOperands: FieldExpression[] = [];
  let andOperands: FieldExpression[] = [first];
  for (;;) {
    c.skipSpaces();
    if (c.startsWith('&&')) {
      c.pos += 2;
      andOperands.push(parseComparison(c, name, c.pos, false));
    } else if (c.startsWith('||')) {
      c.pos += 2;
      orOperands.push(group('and', andOperands));
      andOperands = [parseComparison(c, name, c.pos, false)];
    } else {
      break;
    }
  }
  orOperands.push(group('and', andOperands));
  return [name, group('or', orOperands)];
}

function group(kind: 'and' | 'or', operands: FieldExpression[]): FieldExpression {
  return operands.length === 1 ? operands[0]! : { kind, operands };
}

/**
 * One `name OP value`. After && or ||, the condition names its field again ("status_code = 404 || status_code =
 * 410"); it must be the same field: a condition tests the field it is written in.
 */
function parseComparison(c: Cursor, field: string, at: number, nameRead: boolean): FieldExpression {
  if (!nameRead) {
    c.skipSpaces();
    const nameAt = c.pos;
    const name = c.readWhile(isFieldNameChar);
    if (name === '') throw syntaxError(`expected a condition on ${field} but found ${describeChar(c.peek())}`, nameAt);
    if (name !== field) {
      throw syntaxError(`a condition in the field ${field} tests ${name}; conditions joined by && or || must test the same field`, nameAt);
    }
    c.skipSpaces();
    if (!isOperatorChar(c.peek())) throw syntaxError(`expected an operator after ${name} but found ${describeChar(c.peek())}`, c.pos);
    at = nameAt;
  }
  const operator = readOperator(c);
  const value = readValue(c, operator, VALUE_TERMINATORS);
  return { kind: 'compare', operator, value, offset: at };
}

function regexOffsets(expression: FieldExpression | null): number[] {
  if (expression === null) return [];
  if (expression.kind === 'compare') return expression.value.kind === 'regex' ? [expression.value.offset] : [];
  return expression.operands.flatMap(regexOffsets);
}
