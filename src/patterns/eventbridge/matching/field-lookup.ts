/**
 * Ruler names an event's leaves by joining the keys on the way down with "." (arrays add nothing to the name), and
 * matches a pattern field to every leaf of the same name. An event may therefore spell the field "a.b.c" as nested
 * keys, as one key "a.b.c", or as "a" then "b.c": all are the same field (aws/event-ruler README "Caveat: Compiled
 * rules and JSON keys with dots"; GenericMachine.isFieldStepUsed). A FieldLookup lists, for every position in the
 * name, the keys that could start there, so that finding the field costs only property reads.
 */
export interface FieldLookup {
  readonly name: string;
  /** The name split at its dots. */
  readonly tokenCount: number;
  /** keysFrom[t][k] is tokens t..t+k joined with ".": the event keys that can consume token t onwards. */
  readonly keysFrom: readonly (readonly string[])[];
}

export function buildFieldLookup(name: string): FieldLookup {
  const tokens = name.split('.');
  const keysFrom = tokens.map((_, start) => tokens.slice(start).map((__, length) => tokens.slice(start, start + length + 1).join('.')));
  return { name, tokenCount: tokens.length, keysFrom };
}

/**
 * The value of an event object's own key, or undefined. Inherited properties never count, so a polluted
 * Object.prototype cannot make an event match; functions are not JSON and count as absent too.
 */
export function ownFieldValue(node: object, key: string): unknown {
  const value = (node as Record<string, unknown>)[key];
  if (value === undefined || typeof value === 'function' || !Object.hasOwn(node, key)) return undefined;
  return value;
}

/** Event leaves are JSON scalars; anything else (undefined, bigint, symbol) is not a value Ruler would see. */
export function isLeafValue(value: unknown): value is string | number | boolean | null {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || value === null;
}
