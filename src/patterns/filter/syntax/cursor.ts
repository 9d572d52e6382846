import { PatternError } from '../../errors.js';

/**
 * The error for a filter pattern CloudWatch Logs would refuse: the message says what was expected and where, and
 * PatternError.offset carries the same 0-based position in the pattern text.
 */
export function syntaxError(message: string, offset: number): PatternError {
  return new PatternError(`Invalid filter pattern: ${message} at offset ${offset}`, { offset });
}

/** For a construct left open ("unclosed parenthesis opened at offset 2"): the message names the offset itself. */
export function unclosedError(what: string, open: number, expected: string): PatternError {
  return new PatternError(`Invalid filter pattern: ${what} opened at offset ${open}: ${expected}`, { offset: open });
}

/** Spaces between the parts of a pattern: space, tab, line breaks. */
export function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

export function isAsciiLetterOrDigit(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** How a character is shown in an error message. */
export function describeChar(ch: string): string {
  if (ch === '') return 'the end of the pattern';
  if (ch === "'") return `"'"`;
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}

/** A read position over the pattern text; the parsers advance it and report errors at it. */
export class Cursor {
  pos: number;

  constructor(
    readonly text: string,
    start = 0,
    readonly end = text.length,
  ) {
    this.pos = start;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The character `ahead` places on, or '' past the end. */
  peek(ahead = 0): string {
    const at = this.pos + ahead;
    return at < this.end ? this.text[at]! : '';
  }

  startsWith(word: string): boolean {
    return this.pos + word.length <= this.end && this.text.startsWith(word, this.pos);
  }

  skipSpaces(): void {
    while (this.pos < this.end && isSpace(this.text[this.pos]!)) this.pos++;
  }

  /** Reads the longest run of characters accepted by `accept`. */
  readWhile(accept: (ch: string) => boolean): string {
    const start = this.pos;
    while (this.pos < this.end && accept(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }
}
