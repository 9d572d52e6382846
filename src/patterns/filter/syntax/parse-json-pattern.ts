import { MAX_REGEX_PER_PATTERN, MAX_WILDCARD_SELECTORS_PER_PATTERN } from '../limits.js';
import type { ConditionTest, JsonExpression, ValueLiteral } from './ast.js';
import { Cursor, describeChar, isSpace, syntaxError, unclosedError } from './cursor.js';
import { isOperatorChar, readOperator, readValue } from './parse-value.js';
import { readSelector, wildcardCount } from './parse-selector.js';

/**
 * Parses a JSON filter pattern, "{ SELECTOR OPERATOR VALUE }" conditions joined by && and || with parentheses.
 * "Compound expressions support the use of parentheses ("()") and the following standard order of operations:
 * () > && > ||" (Filter pattern syntax, JSON): a || b && c is a || (b && c).
 *
 * `open` is the offset of the "{"; the pattern must end with the matching "}" (spaces aside).
 */
export function parseJsonPattern(text: string, open: number): JsonExpression {
  const parser = new JsonPatternParser(new Cursor(text, open + 1));
  return parser.parsePattern(open);
}

/** What may directly follow an unquoted value inside a JSON pattern. */
const VALUE_TERMINATORS = ')}&|';

class JsonPatternParser {
  private regexes = 0;
  private wildcards = 0;

  constructor(private readonly cursor: Cursor) {}

  parsePattern(open: number): JsonExpression {
    const c = this.cursor;
    c.skipSpaces();
    if (c.peek() === '}') throw syntaxError('empty JSON filter pattern: expected a condition such as $.eventName = "ConsoleLogin"', c.pos);
    if (c.atEnd()) throw unclosedError('unclosed "{"', open, 'expected a condition and "}"');
    const expression = this.parseOr();
    c.skipSpaces();
    if (c.atEnd()) throw unclosedError('unclosed "{"', open, 'expected "}" at the end of the pattern');
    if (c.peek() === ')') throw syntaxError('unexpected ")" without a matching "("', c.pos);
    if (c.peek() !== '}') throw betweenConditions(c);
    c.pos++;
    c.skipSpaces();
    if (!c.atEnd()) throw syntaxError(`unexpected ${describeChar(c.peek())} after the closing "}"`, c.pos);
    return expression;
  }

  private parseOr(): JsonExpression {
    const operands = [this.parseAnd()];
    for (;;) {
      this.cursor.skipSpaces();
      if (!this.cursor.startsWith('||')) break;
      const at = this.cursor.pos;
      this.cursor.pos += 2;
      operands.push(this.parseAnd('||', at));
    }
    return operands.length === 1 ? operands[0]! : { kind: 'or', operands };
  }

  private parseAnd(after?: string, afterOffset?: number): JsonExpression {
    const operands = [this.parseUnary(after, afterOffset)];
    for (;;) {
      this.cursor.skipSpaces();
      if (!this.cursor.startsWith('&&')) break;
      const at = this.cursor.pos;
      this.cursor.pos += 2;
      operands.push(this.parseUnary('&&', at));
    }
    return operands.length === 1 ? operands[0]! : { kind: 'and', operands };
  }

  private parseUnary(after?: string, afterOffset?: number): JsonExpression {
    const c = this.cursor;
    c.skipSpaces();
    const ch = c.peek();
    if (ch === '(') {
      const open = c.pos;
      c.pos++;
      c.skipSpaces();
      if (c.peek() === ')') throw syntaxError('empty parentheses: expected a condition', c.pos);
      const inner = this.parseOr();
      c.skipSpaces();
      if (c.peek() !== ')') {
        if (c.atEnd() || c.peek() === '}') throw unclosedError('unclosed parenthesis', open, `expected ")" before ${describeChar(c.peek())}`);
        throw betweenConditions(c);
      }
      c.pos++;
      return inner;
    }
    if (ch !== '$') {
      const where = after === undefined ? '' : ` after ${after} at offset ${afterOffset}`;
      if (ch === '&' || ch === '|') {
        const op = c.startsWith('&&') ? '&&' : c.startsWith('||') ? '||' : ch;
        throw syntaxError(`expected a condition${where} but found ${op === ch ? `the single ${describeChar(ch)} (write && or ||)` : op}`, c.pos);
      }
      throw syntaxError(`expected a condition starting with "$."${where} but found ${describeChar(ch)}`, c.pos);
    }
    return this.parseCondition();
  }

  private parseCondition(): JsonExpression {
    const c = this.cursor;
    const offset = c.pos;
    const selector = readSelector(c);
    this.wildcards += wildcardCount(selector);
    if (this.wildcards > MAX_WILDCARD_SELECTORS_PER_PATTERN) {
      throw syntaxError(`a filter pattern can use at most ${MAX_WILDCARD_SELECTORS_PER_PATTERN} wildcard selectors`, offset);
    }
    const selectorEnd = c.pos;
    c.skipSpaces();
    const ch = c.peek();
    let test: ConditionTest;
    if (isOperatorChar(ch)) {
      const operator = readOperator(c);
      const value = readValue(c, operator, VALUE_TERMINATORS);
      this.countRegex(value);
      test = { kind: 'compare', operator, value };
    } else if (/[A-Za-z]/.test(ch) && c.pos > selectorEnd) {
      test = this.parseKeywordTest(selector.text);
    } else {
      throw syntaxError(
        `expected an operator after ${selector.text} (=, !=, <, <=, >, >=, IS TRUE, IS FALSE, IS NULL or NOT EXISTS) but found ${describeChar(ch)}`,
        c.pos,
      );
    }
    return { kind: 'condition', selector, test, offset };
  }

  /** IS TRUE | IS FALSE | IS NULL | NOT EXISTS. "The variables IS NOT and EXISTS currently aren't supported." */
  private parseKeywordTest(selectorText: string): ConditionTest {
    const c = this.cursor;
    const at = c.pos;
    const word = this.readWord();
    if (word === 'IS') {
      const valueAt = this.requireSpaceThenWordStart('IS');
      const value = this.readWord();
      if (value === 'TRUE') return { kind: 'is', value: true };
      if (value === 'FALSE') return { kind: 'is', value: false };
      if (value === 'NULL') return { kind: 'is', value: null };
      if (value === 'NOT') throw syntaxError('IS NOT is not supported (CloudWatch Logs accepts IS TRUE, IS FALSE, IS NULL and NOT EXISTS)', at);
      throw syntaxError(`expected TRUE, FALSE or NULL after IS but found ${value === '' ? describeChar(c.peek()) : value}`, valueAt);
    }
    if (word === 'NOT') {
      const valueAt = this.requireSpaceThenWordStart('NOT');
      const value = this.readWord();
      if (value === 'EXISTS') return { kind: 'not-exists' };
      throw syntaxError(`expected EXISTS after NOT but found ${value === '' ? describeChar(c.peek()) : value}`, valueAt);
    }
    if (word === 'EXISTS') throw syntaxError('EXISTS is not supported; only NOT EXISTS is (use $.field = * to require a value)', at);
    throw syntaxError(`unknown operator ${word} after ${selectorText} (expected =, !=, <, <=, >, >=, IS or NOT EXISTS)`, at);
  }

  private readWord(): string {
    return this.cursor.readWhile((ch) => /[A-Za-z]/.test(ch));
  }

  private requireSpaceThenWordStart(keyword: string): number {
    const c = this.cursor;
    if (!isSpace(c.peek())) throw syntaxError(`expected a space after ${keyword} but found ${describeChar(c.peek())}`, c.pos);
    c.skipSpaces();
    return c.pos;
  }

  private countRegex(value: ValueLiteral): void {
    if (value.kind !== 'regex') return;
    this.regexes++;
    if (this.regexes > MAX_REGEX_PER_PATTERN) {
      throw syntaxError(`a JSON filter pattern can hold at most ${MAX_REGEX_PER_PATTERN} regex`, value.offset);
    }
  }
}

/** After a complete condition, only &&, ||, ")" or "}" may come. */
function betweenConditions(c: Cursor) {
  const ch = c.peek();
  if (ch === '&' || ch === '|') return syntaxError(`expected && or || between conditions but found a single ${describeChar(ch)}`, c.pos);
  return syntaxError(`expected && or || between conditions but found ${describeChar(ch)}`, c.pos);
}
