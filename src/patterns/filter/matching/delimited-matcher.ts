import type { DelimitedSlot, FieldExpression } from '../syntax/ast.js';
import type { TextMatcher } from './term-matcher.js';
import { compileValueTest } from './value-test.js';

type FieldTest = ((text: string) => boolean) | null;

/**
 * A space-delimited pattern over a log line. The line is split at spaces; "Characters between brackets ("[]") and
 * double quotation marks ("") are considered single fields" (the brackets and quotes themselves are not part of the
 * field: "$request": "GET /products/index.html HTTP/1.0" in the guide's extracted-fields example).
 *
 * Without "...", the line must have exactly as many fields as the pattern: "[w1=ERROR, w2] matches pattern 2" of
 * "ERROR WARN message" / "ERROR message" / "WARN message" (Filter and Pattern Syntax, 2019-2022 revisions). "..."
 * stands for any number of fields, "as many fields as needed".
 *
 * Field boundaries are kept in buffers that grow as needed, so matching allocates only the text of fields that carry a
 * condition. Not re-entrant.
 */
export function compileDelimited(slots: readonly DelimitedSlot[]): TextMatcher {
  const segments: FieldTest[][] = [[]];
  for (const slot of slots) {
    if (slot.kind === 'ellipsis') segments.push([]);
    else segments[segments.length - 1]!.push(slot.condition === null ? null : compileFieldExpression(slot.condition));
  }
  const fields = new LineFields();
  if (segments.length === 1) {
    const only = segments[0]!;
    return (line) => {
      fields.split(line);
      return fields.count === only.length && fields.matchAt(line, only, 0);
    };
  }
  const head = segments[0]!;
  const tail = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  return (line) => {
    fields.split(line);
    const count = fields.count;
    if (count < head.length + tail.length) return false;
    if (!fields.matchAt(line, head, 0) || !fields.matchAt(line, tail, count - tail.length)) return false;
    // Each middle segment at its leftmost place: the fields' tests are independent, so leftmost is never worse.
    let from = head.length;
    const limit = count - tail.length;
    for (const segment of middle) {
      let at = from;
      while (at + segment.length <= limit && !fields.matchAt(line, segment, at)) at++;
      if (at + segment.length > limit) return false;
      from = at + segment.length;
    }
    return true;
  };
}

function compileFieldExpression(expression: FieldExpression): (text: string) => boolean {
  switch (expression.kind) {
    case 'compare': {
      const test = compileValueTest(expression.operator, expression.value);
      return (text) => test.field(text);
    }
    case 'and': {
      const operands = expression.operands.map(compileFieldExpression);
      return (text) => operands.every((operand) => operand(text));
    }
    case 'or': {
      const operands = expression.operands.map(compileFieldExpression);
      return (text) => operands.some((operand) => operand(text));
    }
  }
}

function isSeparator(code: number): boolean {
  return code === 32 || code === 9;
}

class LineFields {
  starts = new Int32Array(16);
  ends = new Int32Array(16);
  count = 0;

  split(line: string): void {
    this.count = 0;
    const length = line.length;
    let i = 0;
    for (;;) {
      while (i < length && isSeparator(line.charCodeAt(i))) i++;
      if (i >= length) return;
      const ch = line[i];
      if (ch === '"' || ch === '[') {
        const close = line.indexOf(ch === '"' ? '"' : ']', i + 1);
        if (close >= 0) {
          this.push(i + 1, close);
          i = close + 1;
          continue;
        }
      }
      const start = i;
      while (i < length && !isSeparator(line.charCodeAt(i))) i++;
      this.push(start, i);
    }
  }

  matchAt(line: string, tests: readonly FieldTest[], at: number): boolean {
    for (let k = 0; k < tests.length; k++) {
      const test = tests[k];
      if (test != null && !test(line.slice(this.starts[at + k], this.ends[at + k]))) return false;
    }
    return true;
  }

  private push(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      const ends = new Int32Array(this.count * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }
}
