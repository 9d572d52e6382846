import { PatternError } from '../errors.js';
import type { FieldValueHint } from '../types.js';
import { jsonValuesAt } from './hints/values-at.js';
import { MAX_PATTERN_LENGTH } from './limits.js';
import { compileDelimited } from './matching/delimited-matcher.js';
import { compileJsonExpression, type JsonTest } from './matching/json-matcher.js';
import { compileTerms, isBlank, type TextMatcher } from './matching/term-matcher.js';
import { compileRegex } from './regex/regex-program.js';
import type { JsonExpression } from './syntax/ast.js';
import { Cursor, describeChar, syntaxError } from './syntax/cursor.js';
import { parseDelimitedPattern } from './syntax/parse-delimited-pattern.js';
import { parseJsonPattern } from './syntax/parse-json-pattern.js';
import { parseTermPattern } from './syntax/parse-term-pattern.js';
import { readRegex } from './syntax/parse-value.js';

export type FilterPatternKind = 'json' | 'terms' | 'space-delimited' | 'regex' | 'match-all';

export interface CompiledFilterPattern {
  readonly kind: FilterPatternKind;
  /** The pattern as given. */
  readonly text: string;
  /**
   * input: a log event's message, or an already-parsed object (a CloudTrail record). A JSON pattern parses a string
   * message as JSON (a message that is not a JSON object does not match); the other kinds match an object against its
   * JSON text (JSON.stringify), which is what CloudWatch Logs stores for a CloudTrail record. Never throws.
   */
  matches(input: object | string): boolean;
  /**
   * The values a JSON pattern allows at `path` (keys from the event root: ["eventName"] for $.eventName), a sound
   * over-approximation as in CompiledPattern.valuesAt, or null.
   */
  valuesAt(path: readonly string[]): FieldValueHint | null;
}

/**
 * Compiles a CloudWatch Logs filter pattern - the syntax of metric filters, subscription filters, FilterLogEvents and
 * Live Tail (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html). The kind is
 * decided by the first character that is not a space: "{" a JSON pattern, "[" a space-delimited pattern, "%" a regex
 * pattern, anything else terms; an empty or blank pattern, or one made only of blank quoted terms (" "), matches
 * every event.
 *
 * Throws PatternError, and only PatternError, for a pattern CloudWatch Logs would refuse; its offset is the 0-based
 * position of the problem in `text`.
 */
export function compileFilterPattern(text: string): CompiledFilterPattern {
  if (typeof text !== 'string') {
    throw new PatternError(`Invalid filter pattern: expected a string, got ${text === null ? 'null' : typeof text}`, { offset: 0 });
  }
  if (text.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(
      `Invalid filter pattern: it is ${text.length} characters long, CloudWatch Logs accepts at most ${MAX_PATTERN_LENGTH} (the excess starts at offset ${MAX_PATTERN_LENGTH})`,
      { offset: MAX_PATTERN_LENGTH },
    );
  }
  const cursor = new Cursor(text);
  cursor.skipSpaces();
  switch (cursor.peek()) {
    case '{':
      return new JsonFilterPattern(text, parseJsonPattern(text, cursor.pos));
    case '[':
      return new TextFilterPattern('space-delimited', text, compileDelimited(parseDelimitedPattern(text, cursor.pos)));
    case '%':
      return new TextFilterPattern('regex', text, compileStandaloneRegex(cursor));
    default: {
      const terms = parseTermPattern(text);
      if (terms.every((term) => term.quoted && term.kind !== 'exclude' && isBlank(term.text))) return new MatchAll(text);
      return new TextFilterPattern('terms', text, compileTerms(terms));
    }
  }
}

/** %regex% as the whole pattern: "Regular expressions (regex) can be used to create standalone filter patterns". */
function compileStandaloneRegex(cursor: Cursor): TextMatcher {
  const open = cursor.pos;
  const source = readRegex(cursor);
  cursor.skipSpaces();
  if (!cursor.atEnd()) {
    throw syntaxError(`unexpected ${describeChar(cursor.peek())} after the regex: a regex filter pattern is a single %regex%`, cursor.pos);
  }
  const program = compileRegex(source, open + 1);
  return (message) => program.test(message);
}

class JsonFilterPattern implements CompiledFilterPattern {
  readonly kind = 'json';
  private readonly test: JsonTest;

  constructor(
    readonly text: string,
    private readonly expression: JsonExpression,
  ) {
    this.test = compileJsonExpression(expression);
  }

  matches(input: object | string): boolean {
    try {
      let event: unknown = input;
      if (typeof input === 'string') event = JSON.parse(input);
      return typeof event === 'object' && event !== null && !Array.isArray(event) && this.test(event);
    } catch {
      // Not JSON; or an object no JSON could produce (a throwing getter, a revoked proxy).
      return false;
    }
  }

  valuesAt(path: readonly string[]): FieldValueHint | null {
    return jsonValuesAt(this.expression, path);
  }
}

class TextFilterPattern implements CompiledFilterPattern {
  constructor(
    readonly kind: 'terms' | 'space-delimited' | 'regex',
    readonly text: string,
    private readonly test: TextMatcher,
  ) {}

  matches(input: object | string): boolean {
    try {
      const message = typeof input === 'string' ? input : typeof input === 'object' && input !== null ? (JSON.stringify(input) as string | undefined) : undefined;
      return message !== undefined && this.test(message);
    } catch {
      // JSON.stringify on a cycle or a BigInt: not a log event.
      return false;
    }
  }

  valuesAt(): FieldValueHint | null {
    return null;
  }
}

class MatchAll implements CompiledFilterPattern {
  readonly kind = 'match-all';

  constructor(readonly text: string) {}

  matches(input: object | string): boolean {
    return typeof input === 'string' || (typeof input === 'object' && input !== null);
  }

  valuesAt(): FieldValueHint | null {
    return null;
  }
}
