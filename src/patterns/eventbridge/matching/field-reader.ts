import { MAX_ARRAY_NESTING } from '../limits.js';
import type { LeafValue } from '../syntax/value-condition.js';
import { buildFieldLookup, type FieldLookup, isLeafValue, ownFieldValue } from './field-lookup.js';

/**
 * Reads an event's values for one field the way the matcher sees them: every leaf whose dot-joined key path equals
 * the field's name, through arrays at any depth, however the event splits the name into keys. This is the reading
 * under which CompiledPattern.valuesAt hints are sound, so a rule index should look values up with it.
 */
export interface FieldReader {
  readonly path: readonly string[];
  /** Calls `visit` for each value until it returns true; returns whether one did. */
  someValue(event: unknown, visit: (value: LeafValue) => boolean): boolean;
}

export function compileFieldReader(path: readonly string[]): FieldReader {
  const lookup = buildFieldLookup(path.join('.'));
  return {
    path: [...path],
    someValue: (event, visit) =>
      typeof event === 'object' && event !== null && !Array.isArray(event) && someInObject(event, lookup, 0, visit),
  };
}

function someInObject(node: object, lookup: FieldLookup, token: number, visit: (value: LeafValue) => boolean): boolean {
  const keys = lookup.keysFrom[token]!;
  for (let k = 0; k < keys.length; k++) {
    const child = ownFieldValue(node, keys[k]!);
    if (child !== undefined && someInValue(child, lookup, token + k + 1, visit, 0)) return true;
  }
  return false;
}

function someInValue(value: unknown, lookup: FieldLookup, token: number, visit: (value: LeafValue) => boolean, nesting: number): boolean {
  const complete = token === lookup.tokenCount;
  if (isLeafValue(value)) return complete && visit(value);
  if (typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value)) return !complete && someInObject(value, lookup, token, visit);
  if (nesting >= MAX_ARRAY_NESTING) return false;
  const elements: readonly unknown[] = value;
  for (const element of elements) {
    // Inside an array, only scalars (for a complete name) or containers (to go on) can be the field.
    if (isLeafValue(element) ? complete && visit(element) : someInValue(element, lookup, token, visit, nesting + 1)) return true;
  }
  return false;
}
