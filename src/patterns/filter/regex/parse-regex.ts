import { MAX_REGEX_STATES } from '../limits.js';
import { describeChar, syntaxError, unclosedError } from '../syntax/cursor.js';

/**
 * The regex dialect of filter patterns (Filter pattern syntax, "Supported regular expressions (regex) syntax"):
 * "Filter patterns with regex can only include the following": letters and digits; the symbols ':', '_', '#', '=',
 * '@', '/', ';', ',', '-'; the operators '^', '$', '?', '[', ']', '{', '}', '|', '\', '*', '+', '.'. "The ( and )
 * operators are not supported. You cannot use parentheses to define a subpattern." "Multi-byte characters are not
 * supported." The space is accepted too: the guide's own example is %^starting|^initializing|^shutting down%.
 * Documented escapes: \d \D \s \S \w \W \xhh, and "\" before an operator for "the literal meaning of an operator".
 */
const SYMBOLS = ':_#=@/;,-';
const OPERATORS = '^$?[]{}|\\*+.';

/** Character tables cover code points 0..255 (\xhh reaches 0xFF); `above` says what happens past 255. */
export const ABOVE_NONE = 0;
export const ABOVE_ALL = 1;
/** Every code point past 255 but the line terminators U+2028 and U+2029 (what '.' matches there). */
export const ABOVE_ALL_BUT_LINE_TERMINATORS = 2;

export interface CharMatcher {
  /** table[c] === 1 when code point c (< 256) matches. */
  readonly table: Uint8Array;
  readonly above: number;
}

export type RegexNode =
  | { readonly kind: 'char'; readonly matcher: CharMatcher }
  | { readonly kind: 'bol' }
  | { readonly kind: 'eol' }
  | { readonly kind: 'repeat'; readonly node: RegexNode; readonly min: number; readonly max: number }
  | { readonly kind: 'seq'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alt'; readonly branches: readonly RegexNode[] };

/** Checks a %regex% body against the supported syntax; `base` is its offset in the pattern, for error positions. */
export function checkRegexSource(source: string, base: number): void {
  parseRegex(source, base);
}

/** Parses a %regex% body (without the percent signs). Throws PatternError with the offset of the first problem. */
export function parseRegex(source: string, base: number): RegexNode {
  if (source === '') throw syntaxError('empty regex: %% must hold a regular expression', base - 1);
  checkCharacters(source, base);
  const parser = new RegexParser(source, base);
  const node = parser.parseAlternation();
  const states = countStates(node);
  if (states > MAX_REGEX_STATES) {
    throw syntaxError(
      `regex too large: its repetitions expand to ${states} states, more than the ${MAX_REGEX_STATES} this engine accepts`,
      base,
    );
  }
  return node;
}

function checkCharacters(source: string, base: number): void {
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    const code = ch.charCodeAt(0);
    if (code > 0x7f) throw syntaxError('multi-byte characters are not supported in a regex', base + i);
    if (ch === '(' || ch === ')') {
      throw syntaxError(`${describeChar(ch)} is not supported in a regex: parentheses cannot define a subpattern (match them with \\x28 and \\x29)`, base + i);
    }
    const allowed =
      (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || ch === ' ' || SYMBOLS.includes(ch) || OPERATORS.includes(ch);
    if (!allowed) throw syntaxError(`${describeChar(ch)} is not supported in a regex (use \\x${hex(code)} to match it)`, base + i);
  }
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(2, '0');
}

function emptyTable(): Uint8Array {
  return new Uint8Array(256);
}

function charOf(code: number): CharMatcher {
  const table = emptyTable();
  table[code] = 1;
  return { table, above: ABOVE_NONE };
}

function rangeTable(ranges: readonly (readonly [number, number])[]): Uint8Array {
  const table = emptyTable();
  for (const [from, to] of ranges) for (let c = from; c <= to; c++) table[c] = 1;
  return table;
}

const DIGITS: readonly (readonly [number, number])[] = [[48, 57]];
const WORD: readonly (readonly [number, number])[] = [[48, 57], [65, 90], [97, 122], [95, 95]];
/** \s: "Whitespace characters include the tab (\t), space ( ), and newline (\n) characters"; with \r \f \v as in Java. */
const SPACE: readonly (readonly [number, number])[] = [[9, 13], [32, 32]];

function classEscape(letter: string): CharMatcher | undefined {
  const ranges = letter === 'd' || letter === 'D' ? DIGITS : letter === 'w' || letter === 'W' ? WORD : letter === 's' || letter === 'S' ? SPACE : undefined;
  if (ranges === undefined) return undefined;
  const table = rangeTable(ranges);
  if (letter === letter.toLowerCase()) return { table, above: ABOVE_NONE };
  // "The uppercase operator denotes the inverse of its lowercase counterpart."
  for (let c = 0; c < 256; c++) table[c] = table[c] === 1 ? 0 : 1;
  return { table, above: ABOVE_ALL };
}

/** '.' "Matches any single character" but, as in Java and JavaScript, not a line terminator. */
function anyButLineTerminator(): CharMatcher {
  const table = emptyTable().fill(1);
  table[10] = 0;
  table[13] = 0;
  table[0x85] = 0;
  return { table, above: ABOVE_ALL_BUT_LINE_TERMINATORS };
}

const QUANTIFIER_START = '*+?{';
const MAX_BOUND = 100_000;

class RegexParser {
  private i = 0;

  constructor(
    private readonly src: string,
    private readonly base: number,
  ) {}

  private error(message: string, at = this.i): never {
    throw syntaxError(message, this.base + at);
  }

  parseAlternation(): RegexNode {
    const branches = [this.parseSequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.parseSequence());
    }
    if (this.i < this.src.length) this.error(`unexpected ${describeChar(this.src[this.i]!)} in regex`);
    return branches.length === 1 ? branches[0]! : { kind: 'alt', branches };
  }

  private parseSequence(): RegexNode {
    const items: RegexNode[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|') {
      const atom = this.parseAtom();
      const ch = this.src[this.i];
      if (ch !== undefined && QUANTIFIER_START.includes(ch)) {
        if (atom.kind !== 'char') this.error(`nothing to repeat: ${ch} follows an anchor`);
        items.push(this.parseQuantifier(atom));
      } else {
        items.push(atom);
      }
    }
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  }

  private parseQuantifier(atom: RegexNode): RegexNode {
    const at = this.i;
    const ch = this.src[this.i]!;
    this.i++;
    let min: number;
    let max: number;
    if (ch === '*') [min, max] = [0, Infinity];
    else if (ch === '+') [min, max] = [1, Infinity];
    else if (ch === '?') [min, max] = [0, 1];
    else [min, max] = this.parseBounds(at);
    // A '?' right after a quantifier makes it lazy; for a yes/no match that changes nothing.
    if (this.src[this.i] === '?') this.i++;
    const next = this.src[this.i];
    if (next !== undefined && QUANTIFIER_START.includes(next)) this.error(`${describeChar(next)} cannot follow another quantifier`);
    return { kind: 'repeat', node: atom, min, max };
  }

  /** {m}, {m,}, {,n}, {m,n}: "Either m or n can be omitted". */
  private parseBounds(open: number): [number, number] {
    const low = this.readDigits();
    let high: string;
    if (this.src[this.i] === ',') {
      this.i++;
      high = this.readDigits();
      if (low === '' && high === '') this.error('a repetition {m,n} needs m, n or both', open);
    } else {
      if (low === '') this.error('expected a number after { in a repetition {m,n} (write \\{ for a literal brace)', this.i);
      high = low;
    }
    if (this.src[this.i] !== '}') this.error(`expected } to close the repetition opened at offset ${this.base + open} but found ${describeChar(this.src[this.i] ?? '')}`);
    this.i++;
    const min = low === '' ? 0 : Number(low);
    const max = high === '' ? Infinity : Number(high);
    if (min > MAX_BOUND || (max !== Infinity && max > MAX_BOUND)) this.error(`repetition bound too large (at most ${MAX_BOUND})`, open);
    if (min > max) this.error(`repetition {${low},${high}} has its minimum above its maximum`, open);
    return [min, max];
  }

  private readDigits(): string {
    const start = this.i;
    while (this.i < this.src.length && this.src[this.i]! >= '0' && this.src[this.i]! <= '9') this.i++;
    return this.src.slice(start, this.i);
  }

  private parseAtom(): RegexNode {
    const ch = this.src[this.i]!;
    switch (ch) {
      case '.':
        this.i++;
        return { kind: 'char', matcher: anyButLineTerminator() };
      case '^':
        this.i++;
        return { kind: 'bol' };
      case '$':
        this.i++;
        return { kind: 'eol' };
      case '[':
        return { kind: 'char', matcher: this.parseClass() };
      case '\\':
        return { kind: 'char', matcher: this.parseEscape().matcher };
      case '*':
      case '+':
      case '?':
      case '{':
        return this.error(`nothing to repeat before ${describeChar(ch)}`);
      default:
        this.i++;
        return { kind: 'char', matcher: charOf(ch.charCodeAt(0)) };
    }
  }

  /** After a backslash: a class escape, \xhh, or an escaped symbol standing for itself. */
  private parseEscape(): { matcher: CharMatcher; code?: number } {
    const at = this.i;
    this.i++;
    const ch = this.src[this.i];
    if (ch === undefined) this.error('a regex cannot end with a lone \\', at);
    this.i++;
    const cls = classEscape(ch);
    if (cls !== undefined) return { matcher: cls };
    if (ch === 'x') {
      const digits = this.src.slice(this.i, this.i + 2);
      if (!/^[0-9A-Fa-f]{2}$/.test(digits)) this.error('\\x must be followed by two hexadecimal digits', at);
      this.i += 2;
      const code = parseInt(digits, 16);
      return { matcher: charOf(code), code };
    }
    const code = ch.charCodeAt(0);
    const letterOrDigit = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (letterOrDigit) this.error(`unsupported escape \\${ch} (supported: \\d \\D \\s \\S \\w \\W \\xhh and \\ before a symbol)`, at);
    return { matcher: charOf(code), code };
  }

  /** [abc], [^a-z], [\d_-]: "Defines a character class. Matches the character list or character range". */
  private parseClass(): CharMatcher {
    const open = this.i;
    this.i++;
    let negated = false;
    if (this.src[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const table = emptyTable();
    let above = ABOVE_NONE;
    let empty = true;
    for (;;) {
      const ch = this.src[this.i];
      if (ch === undefined) throw unclosedError('unclosed character class', this.base + open, 'expected "]"');
      if (ch === ']') {
        if (empty) this.error('empty character class []', open);
        this.i++;
        break;
      }
      if (ch === '[') this.error('[ inside a character class must be escaped as \\[');
      empty = false;
      let from: number | undefined;
      if (ch === '\\') {
        const escaped = this.parseEscape();
        if (escaped.code === undefined) {
          for (let c = 0; c < 256; c++) if (escaped.matcher.table[c] === 1) table[c] = 1;
          if (escaped.matcher.above !== ABOVE_NONE) above = ABOVE_ALL;
          continue;
        }
        from = escaped.code;
      } else {
        from = ch.charCodeAt(0);
        this.i++;
      }
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== undefined && this.src[this.i + 1] !== ']') {
        const dash = this.i;
        this.i++;
        let to: number;
        if (this.src[this.i] === '\\') {
          const escaped = this.parseEscape();
          if (escaped.code === undefined) this.error('a class escape cannot end a range', dash);
          to = escaped.code;
        } else {
          to = this.src.charCodeAt(this.i);
          this.i++;
        }
        if (from > to) this.error(`range ${String.fromCharCode(from)}-${String.fromCharCode(to)} is out of order`, dash - 1);
        for (let c = from; c <= to; c++) table[c] = 1;
      } else {
        table[from] = 1;
      }
    }
    if (negated) {
      for (let c = 0; c < 256; c++) table[c] = table[c] === 1 ? 0 : 1;
      above = above === ABOVE_NONE ? ABOVE_ALL : ABOVE_NONE;
    }
    return { table, above };
  }
}

/** States of the compiled machine (see regex-program.ts): one per character test or branch point. */
export function countStates(node: RegexNode): number {
  switch (node.kind) {
    case 'char':
    case 'bol':
    case 'eol':
      return 1;
    case 'repeat': {
      if (node.max === 0) return 1;
      const inner = countStates(node.node);
      if (node.max === Infinity) return node.min * inner + inner + 1;
      return node.min * inner + (node.max - node.min) * (inner + 1);
    }
    case 'seq':
      if (node.items.length === 0) return 1;
      return node.items.reduce((n, item) => n + countStates(item), 0);
    case 'alt':
      return node.branches.reduce((n, branch) => n + countStates(branch), 0) + node.branches.length;
  }
}
