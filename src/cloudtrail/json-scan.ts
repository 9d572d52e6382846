/**
 * Small, tolerant JSON scanners used only on the error path of the decoder:
 * locating the first syntax error precisely (line / column / offset, with a human message),
 * finding where a top-level value ends (forwards and backwards) without parsing it,
 * and recovering the complete elements of a damaged `{"Records":[...]}` or `[...]` document.
 *
 * Nothing here runs for well-formed input: the hot path is a single `JSON.parse` per document.
 */

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const LBRACE = 123; // {
const RBRACE = 125; // }
const LBRACK = 91; // [
const RBRACK = 93; // ]
const COMMA = 44; // ,
const COLON = 58; // :

export function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** First index >= i (and < end) that is not JSON whitespace, or `end`. */
export function skipWs(t: string, i: number, end: number = t.length): number {
  while (i < end && isWs(t.charCodeAt(i))) i++;
  return i;
}

/** Last index <= i (and >= lo) that is not JSON whitespace, or `lo - 1`. */
export function skipWsBack(t: string, i: number, lo = 0): number {
  while (i >= lo && isWs(t.charCodeAt(i))) i--;
  return i;
}

/** End (exclusive) of the JSON string whose opening quote is at `i`, or -1 when it is not closed before `end`. */
export function stringEnd(t: string, i: number, end: number = t.length): number {
  let j = i + 1;
  for (;;) {
    const q = t.indexOf('"', j);
    if (q < 0 || q >= end) return -1;
    let k = q - 1;
    let n = 0;
    while (k > i && t.charCodeAt(k) === BACKSLASH) {
      n++;
      k--;
    }
    if ((n & 1) === 0) return q + 1;
    j = q + 1;
  }
}

/**
 * End (exclusive) of the JSON value starting at `i` (which must not be whitespace), found by bracket and
 * string matching only — the value is not validated. -1 when the value is not closed before `end`.
 */
export function findValueEnd(t: string, i: number, end: number = t.length): number {
  const c0 = t.charCodeAt(i);
  if (c0 === QUOTE) return stringEnd(t, i, end);
  if (c0 !== LBRACE && c0 !== LBRACK) {
    let j = i;
    while (j < end) {
      const c = t.charCodeAt(j);
      if (isWs(c) || c === COMMA || c === RBRACE || c === RBRACK || c === LBRACE || c === LBRACK || c === QUOTE || c === COLON) break;
      j++;
    }
    return j;
  }
  let depth = 0;
  for (let j = i; j < end; j++) {
    const c = t.charCodeAt(j);
    if (c === QUOTE) {
      const e = stringEnd(t, j, end);
      if (e < 0) return -1;
      j = e - 1;
    } else if (c === LBRACE || c === LBRACK) {
      depth++;
    } else if (c === RBRACE || c === RBRACK) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/**
 * Start index of the object or array whose closing bracket is at `e`, scanning backwards (strings are
 * skipped using the rule that a quote preceded by an odd number of backslashes is escaped).
 * -1 when no matching opening bracket is found at or after `lo`.
 */
export function findValueStartReverse(t: string, e: number, lo = 0): number {
  let depth = 0;
  for (let j = e; j >= lo; j--) {
    const c = t.charCodeAt(j);
    if (c === QUOTE) {
      // j is a closing quote (we are outside strings): find the opening one.
      let q = j - 1;
      for (;;) {
        q = t.lastIndexOf('"', q);
        if (q < lo) return -1;
        let k = q - 1;
        let n = 0;
        while (k >= lo && t.charCodeAt(k) === BACKSLASH) {
          n++;
          k--;
        }
        if ((n & 1) === 0) break;
        q--;
      }
      j = q;
    } else if (c === RBRACE || c === RBRACK) {
      depth++;
    } else if (c === LBRACE || c === LBRACK) {
      depth--;
      if (depth === 0) return j;
      if (depth < 0) return -1;
    }
  }
  return -1;
}

export interface JsonError {
  /** Character offset of the error in the text. */
  offset: number;
  message: string;
}

function describeChar(t: string, i: number): string {
  if (i >= t.length) return 'end of input';
  const c = t.charCodeAt(i);
  if (c < 32) return `control character U+${c.toString(16).padStart(4, '0').toUpperCase()}`;
  const ch = t[i] ?? '';
  return `'${ch === "'" ? "\\'" : ch}'`;
}

function scanString(t: string, i: number, end: number): number | JsonError {
  // t[i] is the opening quote.
  for (let j = i + 1; j < end; j++) {
    const c = t.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c < 32) return { offset: j, message: `${describeChar(t, j)} inside a string (must be escaped)` };
    if (c === BACKSLASH) {
      const d = t.charCodeAt(j + 1);
      if (d === 117 /* u */) {
        for (let k = j + 2; k < j + 6; k++) {
          const h = t.charCodeAt(k);
          const hex = (h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102);
          if (!hex) return { offset: k < end ? k : end, message: k < end ? 'invalid \\u escape in a string' : 'unterminated string' };
        }
        j += 5;
      } else if (d === QUOTE || d === BACKSLASH || d === 47 || d === 98 || d === 102 || d === 110 || d === 114 || d === 116) {
        j++;
      } else if (j + 1 >= end) {
        return { offset: end, message: `unterminated string (it starts at offset ${i})` };
      } else {
        return { offset: j, message: `invalid escape '\\${t[j + 1] ?? ''}' in a string` };
      }
    }
  }
  return { offset: end, message: `unterminated string (it starts at offset ${i})` };
}

function scanNumber(t: string, i: number, end: number): number | JsonError {
  let j = i;
  if (t.charCodeAt(j) === 45) j++;
  const digitsFrom = j;
  if (t.charCodeAt(j) === 48) j++;
  else while (j < end && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) j++;
  if (j === digitsFrom) return { offset: j, message: `invalid number: expected a digit, found ${describeChar(t, j)}` };
  if (t.charCodeAt(j) === 46) {
    j++;
    const f = j;
    while (j < end && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) j++;
    if (j === f) return { offset: j, message: `invalid number: expected a digit after '.', found ${describeChar(t, j)}` };
  }
  const e = t.charCodeAt(j);
  if (e === 101 || e === 69) {
    j++;
    const s = t.charCodeAt(j);
    if (s === 43 || s === 45) j++;
    const f = j;
    while (j < end && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) j++;
    if (j === f) return { offset: j, message: `invalid number: expected a digit in the exponent, found ${describeChar(t, j)}` };
  }
  return j;
}

const OBJ = 1;
const ARR = 2;

/**
 * The first syntax error of the JSON text `t[start, end)` (which must hold exactly one value), or undefined
 * when it is valid. Iterative, so arbitrarily deep nesting cannot overflow the stack.
 */
export function findJsonError(t: string, start = 0, end: number = t.length): JsonError | undefined {
  const stack: number[] = [];
  let i = start;
  // 0: expect a value; 1: after a value; 2: expect a key or '}' (just after '{'); 3: expect a key (after ',')
  let state = 0;
  for (;;) {
    i = skipWs(t, i, end);
    if (state === 0) {
      if (i >= end) return { offset: end, message: 'unexpected end of input: expected a value' };
      const c = t.charCodeAt(i);
      if (c === LBRACE) {
        stack.push(OBJ);
        i++;
        state = 2;
      } else if (c === LBRACK) {
        stack.push(ARR);
        i++;
        const k = skipWs(t, i, end);
        if (k < end && t.charCodeAt(k) === RBRACK) {
          stack.pop();
          i = k + 1;
          state = 1;
        }
      } else if (c === QUOTE) {
        const r = scanString(t, i, end);
        if (typeof r !== 'number') return r;
        i = r;
        state = 1;
      } else if (c === 45 || (c >= 48 && c <= 57)) {
        const r = scanNumber(t, i, end);
        if (typeof r !== 'number') return r;
        i = r;
        state = 1;
      } else if (t.startsWith('true', i) || t.startsWith('null', i)) {
        i += 4;
        state = 1;
      } else if (t.startsWith('false', i)) {
        i += 5;
        state = 1;
      } else {
        return { offset: i, message: `unexpected ${describeChar(t, i)}: expected a value` };
      }
    } else if (state === 1) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (i < end) return { offset: i, message: `unexpected ${describeChar(t, i)} after the end of the JSON value` };
        return undefined;
      }
      if (i >= end) {
        return { offset: end, message: `unexpected end of input: expected ',' or '${top === OBJ ? '}' : ']'}'` };
      }
      const c = t.charCodeAt(i);
      if (c === COMMA) {
        i++;
        state = top === OBJ ? 3 : 0;
      } else if ((top === OBJ && c === RBRACE) || (top === ARR && c === RBRACK)) {
        stack.pop();
        i++;
      } else {
        return {
          offset: i,
          message: `unexpected ${describeChar(t, i)}: expected ',' or '${top === OBJ ? '}' : ']'}' after ${top === OBJ ? 'a property value' : 'an array element'}`,
        };
      }
    } else {
      if (i >= end) return { offset: end, message: 'unexpected end of input: expected a property name' };
      const c = t.charCodeAt(i);
      if (state === 2 && c === RBRACE) {
        stack.pop();
        i++;
        state = 1;
        continue;
      }
      if (c !== QUOTE) {
        return { offset: i, message: `unexpected ${describeChar(t, i)}: expected a double-quoted property name${state === 2 ? " or '}'" : ''}` };
      }
      const r = scanString(t, i, end);
      if (typeof r !== 'number') return r;
      i = skipWs(t, r, end);
      if (i >= end) return { offset: end, message: "unexpected end of input: expected ':' after a property name" };
      if (t.charCodeAt(i) !== COLON) return { offset: i, message: `unexpected ${describeChar(t, i)}: expected ':' after a property name` };
      i++;
      state = 0;
    }
  }
}

/** 1-based line and column of character offset `offset`. O(offset); error path only. */
export function lineColumn(t: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  let i = t.indexOf('\n');
  while (i >= 0 && i < offset) {
    line++;
    lineStart = i + 1;
    i = t.indexOf('\n', lineStart);
  }
  return { line, column: offset - lineStart + 1 };
}

/** Whether the text is known to be one byte per character (pure ASCII), so character offsets are byte offsets. */
export function byteOffsetOf(t: string, charOffset: number, ascii: boolean): number {
  return ascii ? charOffset : Buffer.byteLength(t.slice(0, charOffset), 'utf8');
}

/**
 * Count of records whose text lies in `t[from, to)`, estimated from their required keys: each CloudTrail
 * record has exactly one `eventName`, one `eventSource` and one `eventTime` (or `@timestamp`) key, and a
 * single point of damage can break at most one of the three, so the largest of the three counts is exact
 * for valid records.
 */
export function countRecordKeys(t: string, from: number, to: number): number {
  const a = countKey(t, '"eventName"', from, to);
  const b = countKey(t, '"eventSource"', from, to);
  const c = countKey(t, '"eventTime"', from, to) + countKey(t, '"@timestamp"', from, to);
  return Math.max(a, b, c);
}

function countKey(t: string, key: string, from: number, to: number): number {
  let n = 0;
  let i = t.indexOf(key, from);
  while (i >= 0 && i + key.length <= to) {
    const k = skipWs(t, i + key.length, to);
    if (k < to && t.charCodeAt(k) === COLON) n++;
    i = t.indexOf(key, i + key.length);
  }
  return n;
}

export interface SalvagedElement {
  /** The parsed element. */
  value: unknown;
  /** Index in the array (counting every element slot, recovered or not, as well as it can be known). */
  index: number;
  /** Character offset of the element in the text. */
  offset: number;
}

export interface SalvageResult {
  /** What the element array was: the value of a top-level `Records` key, or a top-level array. */
  container: 'records' | 'array' | 'none';
  /** Elements recovered before the damage, in order. */
  before: SalvagedElement[];
  /** Elements recovered after the damage (when the end of the document is intact), in order. */
  after: SalvagedElement[];
  /** The unreadable stretch [from, to) in characters. */
  damagedFrom: number;
  damagedTo: number;
  /**
   * Records lost in the unreadable stretch: exact for valid records (see countRecordKeys), 1 for a partial
   * element at the end of a truncated document, 0 when only brackets or separators were damaged.
   * Undefined when nothing in the document could be located (not an element array at all).
   */
  lost: number | undefined;
  /** True when the document simply ends early (truncated) rather than being damaged in the middle. */
  truncated: boolean;
}

/** Locate the element array of a `{"Records":[` or `[` document; returns the index just after '[', or -1. */
function locateArray(t: string, end: number): { at: number; container: 'records' | 'array' } | undefined {
  let i = skipWs(t, 0, end);
  const c = t.charCodeAt(i);
  if (c === LBRACK) return { at: i + 1, container: 'array' };
  if (c !== LBRACE) return undefined;
  i++;
  for (;;) {
    i = skipWs(t, i, end);
    if (t.charCodeAt(i) !== QUOTE) return undefined;
    const ke = stringEnd(t, i, end);
    if (ke < 0) return undefined;
    const key = t.slice(i + 1, ke - 1);
    i = skipWs(t, ke, end);
    if (t.charCodeAt(i) !== COLON) return undefined;
    i = skipWs(t, i + 1, end);
    if (key === 'Records' && t.charCodeAt(i) === LBRACK) return { at: i + 1, container: 'records' };
    if (key === 'Records' && i >= end) return { at: end, container: 'records' }; // truncated right after the key
    if (i >= end) return undefined;
    const ve = findValueEnd(t, i, end);
    if (ve < 0) return undefined;
    i = skipWs(t, ve, end);
    if (t.charCodeAt(i) !== COMMA) return undefined;
    i++;
  }
}

function tryParse(s: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(s) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Recover every complete element of the element array of a damaged document: forwards from its start up to
 * the damage, and backwards from its end down to the damage when the end is intact. Elements are accepted
 * only when they parse on their own and are separated from their neighbours by ',' (or the array brackets).
 */
export function salvageElements(t: string): SalvageResult {
  const end = t.length;
  const loc = locateArray(t, end);
  const before: SalvagedElement[] = [];
  let fwdEnd = 0; // characters [0, fwdEnd) are accounted for by the forward pass
  let closed = false;
  if (loc) {
    let i = loc.at;
    fwdEnd = i;
    for (;;) {
      i = skipWs(t, i, end);
      if (i >= end) break;
      if (t.charCodeAt(i) === RBRACK) {
        closed = true;
        fwdEnd = i + 1;
        break;
      }
      const e = findValueEnd(t, i, end);
      if (e < 0 || e === i) break;
      const j = skipWs(t, e, end);
      const sep = j < end ? t.charCodeAt(j) : -1;
      if (sep !== COMMA && sep !== RBRACK && sep !== -1) break;
      const p = tryParse(t.slice(i, e));
      if (!p.ok) break;
      before.push({ value: p.value, index: before.length, offset: i });
      if (sep === COMMA) {
        i = j + 1;
        fwdEnd = i;
      } else if (sep === RBRACK) {
        closed = true;
        fwdEnd = j + 1;
        break;
      } else {
        fwdEnd = j;
        break;
      }
    }
  }
  const container = loc ? loc.container : 'none';
  let closedDirty = false;
  if (closed) {
    // The array closed: the document is readable only if nothing but the closing brace (or further keys) follows.
    let k = skipWs(t, fwdEnd, end);
    if (container === 'records' && t.charCodeAt(k) === RBRACE) k = skipWs(t, k + 1, end);
    const clean = k >= end || (container === 'records' && t.charCodeAt(k) === COMMA);
    if (!clean) {
      // Either junk after the document, or a ']' where a ',' should be: records after it are intact, so
      // their keys count them exactly.
      closed = false;
      closedDirty = true;
    }
  }

  // Backward pass from an intact end: `]` (array) or `]}` (Records object).
  const after: SalvagedElement[] = [];
  let revStart = end; // characters [revStart, end) are accounted for by the backward pass
  let reachedOpen = false;
  if (!closed) {
    let j = skipWsBack(t, end - 1, fwdEnd);
    let ok = j >= fwdEnd;
    if (ok && container !== 'array' && t.charCodeAt(j) === RBRACE) j = skipWsBack(t, j - 1, fwdEnd);
    else if (container === 'records') ok = false;
    if (ok && t.charCodeAt(j) === RBRACK) {
      revStart = j;
      j = skipWsBack(t, j - 1, fwdEnd);
      const rev: { value: unknown; offset: number }[] = [];
      while (j >= fwdEnd) {
        const c = t.charCodeAt(j);
        if (c === LBRACK) {
          // The array's opening bracket: everything after it was recovered.
          reachedOpen = true;
          revStart = j + 1;
          break;
        }
        if (c !== RBRACE && c !== RBRACK) break;
        const s = findValueStartReverse(t, j, fwdEnd);
        if (s < 0) break;
        const k = skipWsBack(t, s - 1, fwdEnd);
        const sep = k >= fwdEnd ? t.charCodeAt(k) : -1;
        if (sep !== COMMA && sep !== LBRACK) break;
        const p = tryParse(t.slice(s, j + 1));
        if (!p.ok) break;
        rev.push({ value: p.value, offset: s });
        revStart = s;
        if (sep === LBRACK) {
          reachedOpen = true;
          break;
        }
        j = skipWsBack(t, k - 1, fwdEnd);
      }
      for (let r = rev.length - 1; r >= 0; r--) {
        const x = rev[r];
        if (x) after.push({ value: x.value, index: -1, offset: x.offset });
      }
    }
  }

  const damagedFrom = fwdEnd;
  const damagedTo = closed ? end : revStart;
  let lost: number | undefined;
  const truncated = !closed && after.length === 0 && !reachedOpen && revStart === end;
  if (closed) {
    // Every element was read; the damage is after the array (closing brace, trailing keys or garbage).
    lost = 0;
  } else if (!loc && !reachedOpen && after.length === 0) {
    const k = countRecordKeys(t, 0, end);
    lost = k > 0 ? k : undefined;
  } else if (reachedOpen && !loc) {
    lost = countRecordKeys(t, 0, revStart);
  } else if (closedDirty) {
    lost = countRecordKeys(t, damagedFrom, damagedTo);
  } else {
    const k = countRecordKeys(t, damagedFrom, damagedTo);
    if (k > 0) lost = k;
    else {
      // No record key in the stretch: a partial element (some '{' or '"') counts as one, bare punctuation as none.
      let hasContent = false;
      for (let q = damagedFrom; q < damagedTo; q++) {
        const c = t.charCodeAt(q);
        if (c === LBRACE || c === QUOTE || c === LBRACK) {
          hasContent = true;
          break;
        }
      }
      lost = hasContent ? 1 : 0;
    }
  }
  // Index the elements after the damage: they follow the elements before it and the lost ones.
  let idx = before.length + (lost ?? 0);
  for (const a of after) a.index = idx++;
  return { container, before, after, damagedFrom, damagedTo, lost, truncated };
}

