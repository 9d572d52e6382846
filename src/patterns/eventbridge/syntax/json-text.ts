import { PatternError } from '../../errors.js';

/**
 * Parses pattern text as strict JSON (RFC 8259) into plain values, exactly as JSON.parse would, duplicate keys
 * included (the last one wins, which is also what EventBridge documents for duplicated pattern keys).
 *
 * JSON.parse is not used because not every Node version says where the text goes wrong, and a rule author needs
 * the position: syntax errors throw PatternError with the 0-based offset.
 */
export function parseJsonText(text: string): unknown {
  return new JsonTextReader(text).readDocument();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ESCAPED: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class JsonTextReader {
  private position = 0;

  constructor(private readonly text: string) {}

  readDocument(): unknown {
    this.skipWhitespace();
    const value = this.readValue();
    this.skipWhitespace();
    if (this.position < this.text.length) this.fail('unexpected text after the end of the JSON value');
    return value;
  }

  private readValue(): unknown {
    const code = this.text.charCodeAt(this.position);
    if (code === 0x7b) return this.readObject();
    if (code === 0x5b) return this.readArray();
    if (code === QUOTE) return this.readString();
    if (code === 0x74) return this.readKeyword('true', true);
    if (code === 0x66) return this.readKeyword('false', false);
    if (code === 0x6e) return this.readKeyword('null', null);
    if (code === 0x2d || isDigit(code)) return this.readNumber();
    return this.fail('expected a JSON value');
  }

  private readObject(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.position++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === 0x7d) {
      this.position++;
      return object;
    }
    for (;;) {
      if (this.text.charCodeAt(this.position) !== QUOTE) this.fail('expected a property name in double quotes');
      const key = this.readString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.position) !== 0x3a) this.fail("expected ':' after the property name");
      this.position++;
      this.skipWhitespace();
      // defineProperty, because assigning "__proto__" would replace the prototype instead of adding a key.
      Object.defineProperty(object, key, { value: this.readValue(), writable: true, enumerable: true, configurable: true });
      this.skipWhitespace();
      const separator = this.text.charCodeAt(this.position);
      this.position++;
      if (separator === 0x7d) return object;
      if (separator !== 0x2c) this.fail("expected ',' or '}' after the property value", this.position - 1);
      this.skipWhitespace();
    }
  }

  private readArray(): unknown[] {
    const array: unknown[] = [];
    this.position++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) === 0x5d) {
      this.position++;
      return array;
    }
    for (;;) {
      array.push(this.readValue());
      this.skipWhitespace();
      const separator = this.text.charCodeAt(this.position);
      this.position++;
      if (separator === 0x5d) return array;
      if (separator !== 0x2c) this.fail("expected ',' or ']' after the array element", this.position - 1);
      this.skipWhitespace();
    }
  }

  private readString(): string {
    const text = this.text;
    let result = '';
    let chunkStart = ++this.position;
    for (;;) {
      const code = text.charCodeAt(this.position);
      if (Number.isNaN(code)) this.fail('unterminated string');
      if (code === QUOTE) {
        result += text.slice(chunkStart, this.position);
        this.position++;
        return result;
      }
      if (code < 0x20) this.fail('control characters must be escaped inside strings');
      if (code === BACKSLASH) {
        result += text.slice(chunkStart, this.position);
        result += this.readEscape();
        chunkStart = this.position;
        continue;
      }
      this.position++;
    }
  }

  private readEscape(): string {
    const escapeStart = this.position;
    const letter = this.text[this.position + 1] ?? '';
    const simple = ESCAPED[letter];
    if (simple !== undefined) {
      this.position += 2;
      return simple;
    }
    if (letter === 'u') {
      const hex = this.text.slice(this.position + 2, this.position + 6);
      if (/^[0-9a-fA-F]{4}$/.test(hex)) {
        this.position += 6;
        return String.fromCharCode(Number.parseInt(hex, 16));
      }
    }
    return this.fail('invalid escape sequence in string', escapeStart);
  }

  private readNumber(): number {
    const text = this.text;
    const start = this.position;
    if (text.charCodeAt(this.position) === 0x2d) this.position++;
    if (text.charCodeAt(this.position) === 0x30) {
      this.position++;
    } else if (isDigit(text.charCodeAt(this.position))) {
      this.skipDigits();
    } else {
      this.fail('expected a digit');
    }
    if (text.charCodeAt(this.position) === 0x2e) {
      this.position++;
      if (!isDigit(text.charCodeAt(this.position))) this.fail('expected a digit after the decimal point');
      this.skipDigits();
    }
    const exponent = text.charCodeAt(this.position);
    if (exponent === 0x65 || exponent === 0x45) {
      this.position++;
      const sign = text.charCodeAt(this.position);
      if (sign === 0x2b || sign === 0x2d) this.position++;
      if (!isDigit(text.charCodeAt(this.position))) this.fail('expected a digit in the exponent');
      this.skipDigits();
    }
    return Number(text.slice(start, this.position));
  }

  private readKeyword<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.position)) this.fail('expected a JSON value');
    this.position += word.length;
    return value;
  }

  private skipDigits(): void {
    while (isDigit(this.text.charCodeAt(this.position))) this.position++;
  }

  private skipWhitespace(): void {
    for (;;) {
      const code = this.text.charCodeAt(this.position);
      if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return;
      this.position++;
    }
  }

  private fail(reason: string, offset = this.position): never {
    const found = offset < this.text.length ? `${JSON.stringify(this.text[offset])}` : 'end of text';
    throw new PatternError(`Event pattern is not valid JSON: ${reason}, found ${found} at position ${offset}`, {
      offset,
    });
  }
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
