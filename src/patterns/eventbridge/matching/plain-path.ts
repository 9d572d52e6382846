/**
 * Reading one field of an event along plain nested objects, as fast as a hand-written `event.detail.eventName`.
 *
 * Generic code that reads `node[key]` for many different keys makes V8's property caches megamorphic: on a busy
 * scan that alone cost more than matching (bench/, rule scaling). So each field name gets its own small function,
 * generated once when a pattern or the rule index is built, whose property reads are literal keys with their own
 * inline caches. The keys are embedded as JSON string literals, so no pattern text can become code.
 *
 * The reader answers only the plain case — one key per name part, objects all the way down, a scalar (or
 * nothing) at the end — and says COMPLEX for everything Ruler's naming makes subtle: an array on the way or at
 * the end, an object where the leaf should be, a longer key with dots that could also spell the name, an
 * inherited property or a function. The caller then asks the full search (EventMatcher, FieldReader).
 */
import type { LeafValue } from '../syntax/value-condition.js';

/** Certainly no value of this name: the walk met a missing key or a scalar before the name's end. */
export const MISSING: unique symbol = Symbol('missing');
/** Only the full search can tell. */
export const COMPLEX: unique symbol = Symbol('complex');

export type PlainValue = LeafValue | typeof MISSING | typeof COMPLEX;
export type PlainPathReader = (event: unknown) => PlainValue;

const readers = new Map<string, PlainPathReader>();

/** The reader for a dot-joined field name ("detail.userIdentity.type"); shared by every pattern naming the field. */
export function plainPathReader(name: string): PlainPathReader {
  let reader = readers.get(name);
  if (reader === undefined) {
    reader = generate(name.split('.'));
    readers.set(name, reader);
  }
  return reader;
}

function generate(keys: readonly string[]): PlainPathReader {
  const lines: string[] = ['let node = event;'];
  for (let t = 0; t < keys.length; t++) {
    const key = JSON.stringify(keys[t]);
    // Longer keys that would consume this part and more ("b.c" where the plain key is "b").
    const dotted = keys.slice(t + 1).map((_, extra) => JSON.stringify(keys.slice(t, t + extra + 2).join('.')));
    lines.push(
      t === 0
        ? `if (typeof node !== 'object' || node === null || Array.isArray(node)) return COMPLEX;`
        : `if (typeof node !== 'object' || node === null) return MISSING; if (Array.isArray(node)) return COMPLEX;`,
      ...dotted.map((k) => `if (node[${k}] !== undefined) return COMPLEX;`),
      `{ const value = node[${key}];`,
      `if (value === undefined) return hasOwn(node, ${key}) ? COMPLEX : MISSING;`,
      `if (typeof value === 'function' || !hasOwn(node, ${key})) return COMPLEX;`,
      `node = value; }`,
    );
  }
  lines.push(`return node === null || typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? node : COMPLEX;`);
  const factory = new Function('MISSING', 'COMPLEX', 'hasOwn', `return function readPlainPath(event) {\n${lines.join('\n')}\n};`) as (
    missing: typeof MISSING,
    complex: typeof COMPLEX,
    hasOwn: (o: object, k: PropertyKey) => boolean,
  ) => PlainPathReader;
  return factory(MISSING, COMPLEX, Object.hasOwn);
}
