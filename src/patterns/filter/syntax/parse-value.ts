import type { ComparisonOperator, ValueLiteral } from './ast.js';
import { type Cursor, describeChar, isAsciiLetterOrDigit, isSpace, syntaxError, unclosedError } from './cursor.js';
import { checkRegexSource } from '../regex/parse-regex.js';

/**
 * Characters an unquoted value may hold. The guide says "Strings that consist entirely of alphanumeric characters do
 * not need to be quoted" and "Strings that have unicode and other characters such as '@', '$', '\' etc. must be
 * enclosed in double quotes" (Filter and Pattern Syntax before 2023), yet its own examples and the CIS filters write
 * 123.123.*, kms.amazonaws.com, 4*, *.html* and +1000 unquoted. So: letters, digits, '_' and the characters those
 * documented values use ('.', '*', '-', '+').
 */
export function isUnquotedValueChar(ch: string): boolean {
  return isAsciiLetterOrDigit(ch) || ch === '_' || ch === '.' || ch === '*' || ch === '-' || ch === '+';
}

/** "An integer with an optional + or - sign, a decimal with an optional + or - sign, or a number in scientific notation". */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseNumberText(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

const OPERATOR_CHARS = '=!<>';
const OPERATORS: readonly string[] = ['=', '!=', '<', '<=', '>', '>='];

export function isOperatorChar(ch: string): boolean {
  return ch !== '' && OPERATOR_CHARS.includes(ch);
}

/** Reads a comparison operator at the cursor (the caller checked that one starts there). */
export function readOperator(cursor: Cursor): ComparisonOperator {
  const offset = cursor.pos;
  const run = cursor.readWhile(isOperatorChar);
  if (!OPERATORS.includes(run)) {
    throw syntaxError(`unknown operator ${run} (expected one of =, !=, <, <=, >, >=)`, offset);
  }
  return run as ComparisonOperator;
}

/**
 * Reads the value after `operator`: "quoted", %regex% or an unquoted word. `terminators` are the characters that may
 * directly follow an unquoted value in this context (besides spaces and the end of the text).
 */
export function readValue(cursor: Cursor, operator: ComparisonOperator, terminators: string): ValueLiteral {
  cursor.skipSpaces();
  const offset = cursor.pos;
  const ch = cursor.peek();
  let value: ValueLiteral;
  if (ch === '"') {
    value = { kind: 'string', text: readQuoted(cursor), quoted: true, offset };
  } else if (ch === '%') {
    value = { kind: 'regex', source: readRegex(cursor), offset };
  } else {
    const text = cursor.readWhile(isUnquotedValueChar);
    if (text === '') {
      throw syntaxError(`expected a value after ${operator} but found ${describeChar(ch)}`, offset);
    }
    const next = cursor.peek();
    if (next !== '' && !isSpace(next) && !terminators.includes(next)) {
      throw syntaxError(`${describeChar(next)} cannot appear in an unquoted value; put the value in double quotes`, cursor.pos);
    }
    const number = parseNumberText(text);
    value = number === undefined ? { kind: 'string', text, quoted: false, offset } : { kind: 'number', text, value: number, offset };
  }
  if (operator !== '=' && operator !== '!=' && value.kind !== 'number') {
    const what = value.kind === 'regex' ? 'a regex' : `"${value.kind === 'string' ? value.text : ''}"`;
    throw syntaxError(`${operator} compares numbers, but ${what} is not a number`, offset);
  }
  return value;
}

/**
 * Reads "...". Inside, \" stands for a double quote and \\ for a backslash; any other backslash is kept as it is
 * (the guide documents no escapes; these two are needed to write a quote at all).
 */
export function readQuoted(cursor: Cursor): string {
  const open = cursor.pos;
  cursor.pos++;
  let text = '';
  let from = cursor.pos;
  while (!cursor.atEnd()) {
    const ch = cursor.peek();
    if (ch === '"') {
      text += cursor.text.slice(from, cursor.pos);
      cursor.pos++;
      return text;
    }
    if (ch === '\\' && (cursor.peek(1) === '"' || cursor.peek(1) === '\\')) {
      text += cursor.text.slice(from, cursor.pos) + cursor.peek(1);
      cursor.pos += 2;
      from = cursor.pos;
      continue;
    }
    cursor.pos++;
  }
  throw unclosedError('unterminated string', open, 'no closing double quote');
}

/** Reads %regex% and checks the regex; returns the text between the percent signs. */
export function readRegex(cursor: Cursor): string {
  const open = cursor.pos;
  const close = cursor.text.indexOf('%', open + 1);
  if (close < 0 || close >= cursor.end) throw unclosedError('unterminated regex', open, 'no closing %');
  const source = cursor.text.slice(open + 1, close);
  checkRegexSource(source, open + 1);
  cursor.pos = close + 1;
  return source;
}
