import { buildLeafTest, type LeafTest } from '../../../../src/patterns/eventbridge/operators/leaf-test.js';
import { parsePatternAlternatives } from '../../../../src/patterns/eventbridge/syntax/parse-pattern.js';
import type { LeafValue } from '../../../../src/patterns/eventbridge/syntax/value-condition.js';

/**
 * A deliberately naive transcription of Ruler's array-consistent matching, used as an oracle for the optimised
 * matcher. It follows the Java code step by step:
 *  - Event.loadObject/loadArray: flatten the event into (dot-joined name, value, array membership) fields, where
 *    entering an object or array element of array #id records id -> index, and scalars in arrays record nothing;
 *  - ACFinder / ArrayMembership.checkArrayConsistency: walk the rule's fields in name order, choosing for each a
 *    field of that name whose membership agrees with the memberships chosen so far;
 *  - NameState.getNameTransitions: an {"exists": false} field holds when no field of that name agrees with the
 *    memberships chosen so far.
 * Value conditions are the library's own (buildLeafTest); only the walk is re-implemented here.
 */
export function referenceMatches(pattern: object, event: unknown): boolean {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
  const flat = flattenEvent(event);
  return parsePatternAlternatives(pattern).some((alternative) => {
    const fields = [...alternative.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((field) => ({
        name: field.name,
        test: buildLeafTest(field.conditions),
        acceptsAbsence: field.conditions.some((c) => c.kind === 'exists' && !c.present),
      }));
    return matchFrom(fields, 0, flat, new Map());
  });
}

interface FlatField {
  readonly name: string;
  readonly value: LeafValue;
  readonly membership: ReadonlyMap<number, number>;
}

interface RuleField {
  readonly name: string;
  readonly test: LeafTest | null;
  readonly acceptsAbsence: boolean;
}

function matchFrom(fields: readonly RuleField[], index: number, flat: readonly FlatField[], membership: ReadonlyMap<number, number>): boolean {
  if (index === fields.length) return true;
  const field = fields[index]!;
  const named = flat.filter((f) => f.name === field.name);
  if (field.test !== null) {
    for (const candidate of named) {
      const combined = combine(membership, candidate.membership);
      if (combined !== null && field.test(candidate.value) && matchFrom(fields, index + 1, flat, combined)) return true;
    }
  }
  if (field.acceptsAbsence && !named.some((candidate) => combine(membership, candidate.membership) !== null)) {
    return matchFrom(fields, index + 1, flat, membership);
  }
  return false;
}

function combine(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): Map<number, number> | null {
  const combined = new Map(a);
  for (const [array, element] of b) {
    const existing = combined.get(array);
    if (existing !== undefined && existing !== element) return null;
    combined.set(array, element);
  }
  return combined;
}

function flattenEvent(event: object): FlatField[] {
  const fields: FlatField[] = [];
  let arrayCount = 0;
  const membership = new Map<number, number>();

  const add = (path: readonly string[], value: LeafValue): void => {
    fields.push({ name: path.join('.'), value, membership: new Map(membership) });
  };
  const loadValue = (path: readonly string[], value: unknown): void => {
    if (Array.isArray(value)) loadArray(path, value);
    else if (typeof value === 'object' && value !== null) loadObject(path, value);
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) add(path, value);
  };
  const loadObject = (path: readonly string[], object: object): void => {
    for (const [key, value] of Object.entries(object)) loadValue([...path, key], value);
  };
  const loadArray = (path: readonly string[], array: readonly unknown[]): void => {
    const id = arrayCount++;
    array.forEach((element, index) => {
      if (typeof element === 'object' && element !== null) {
        membership.set(id, index);
        loadValue(path, element);
        membership.delete(id);
      } else {
        loadValue(path, element);
      }
    });
  };
  loadObject([], event);
  return fields;
}
