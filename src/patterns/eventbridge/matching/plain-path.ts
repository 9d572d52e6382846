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

/**
 * While one event is evaluated against many rules (the detector asks the index, then each candidate rule), the
 * same fields are read again and again; inside an event scope each reader remembers its answer for that event.
 * The scope guarantees the event is not changed meanwhile, which a plain call could not assume.
 */
let scopedEvent: unknown;
let scopeGeneration = 0;

export function withEventScope<T>(event: object, evaluate: () => T): T {
  const outer = scopedEvent;
  scopedEvent = event;
  scopeGeneration++;
  try {
    return evaluate();
  } finally {
    scopedEvent = outer;
    scopeGeneration++;
  }
}

/** The reader for a dot-joined field name ("detail.userIdentity.type"); shared by every pattern naming the field. */
export function plainPathReader(name: string): PlainPathReader {
  let reader = readers.get(name);
  if (reader === undefined) {
    reader = remembering(generate(name.split('.')));
    readers.set(name, reader);
  }
  return reader;
}

function remembering(read: PlainPathReader): PlainPathReader {
  let generation = -1;
  let value: PlainValue = COMPLEX;
  return (event) => {
    if (event !== scopedEvent) return read(event);
    if (generation !== scopeGeneration) {
      value = read(event);
      generation = scopeGeneration;
    }
    return value;
  };
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
      // An own property set to undefined is as absent as a missing one (the full search agrees).
      `if (value === undefined) return MISSING;`,
      `if (typeof value === 'function') return COMPLEX;`,
      // Inherited or own? Object.hasOwn is slow on objects of many shapes (a CloudTrail record has a shape of its
      // own), so ask it only when the answer is not already known: on a plain object (prototype Object.prototype)
      // whose prototype has no such property, a defined value can only be an own one.
      `if ((OBJECT_PROTOTYPE[${key}] !== undefined || getPrototypeOf(node) !== OBJECT_PROTOTYPE) && !hasOwn(node, ${key})) return COMPLEX;`,
      `node = value; }`,
    );
  }
  lines.push(`return node === null || typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? node : COMPLEX;`);
  const factory = new Function('MISSING', 'COMPLEX', 'hasOwn', 'getPrototypeOf', 'OBJECT_PROTOTYPE', `return function ${functionName(keys)}(event) {\n${lines.join('\n')}\n};`) as (
    missing: typeof MISSING,
    complex: typeof COMPLEX,
    hasOwn: (o: object, k: PropertyKey) => boolean,
    getPrototypeOf: (o: object) => unknown,
    objectPrototype: object,
  ) => PlainPathReader;
  return factory(MISSING, COMPLEX, Object.hasOwn, Object.getPrototypeOf, Object.prototype);
}

/** "readPlainPath_detail_userIdentity_type": each reader under its own name in CPU profiles; only identifier characters, so no key becomes code. */
function functionName(keys: readonly string[]): string {
  return `readPlainPath_${keys.join('_').replace(/[^A-Za-z0-9_$]/g, '_')}`.slice(0, 120);
}
