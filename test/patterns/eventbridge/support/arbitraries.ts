import fc from 'fast-check';

/**
 * Patterns and events drawn from a deliberately small vocabulary, so that random events match random patterns
 * often enough for properties about matches to be exercised. Keys include a dotted one ("x.y"), since Ruler joins
 * keys with "." and an event may spell a field either way.
 */
export const EVENT_KEYS = ['a', 'b', 'c', 'x', 'y', 'x.y'] as const;
const PATTERN_KEYS = ['a', 'b', 'c', 'x', 'x.y'] as const;
const STRINGS = ['p', 'q', 'pq', 'P', 'Pq', '', '10.0.0.1', '10.0.0.200', '010.0.0.1', '2001:db8::1'] as const;
const NUMBERS = [0, 1, 2, 1.5, -3] as const;

export const scalarValue: fc.Arbitrary<string | number | boolean | null> = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(true, false, null),
);

/** Event-shaped JSON: objects with vocabulary keys, arrays (including arrays of arrays), scalars. */
export const eventValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: scalarValue, weight: 4 },
    { arbitrary: tie('object'), weight: 2 },
    { arbitrary: fc.array(tie('value'), { maxLength: 3 }), weight: 2 },
  ),
  object: fc.dictionary(fc.constantFrom(...EVENT_KEYS), tie('value'), { maxKeys: 4 }),
})).value;

export const eventObject: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(fc.constantFrom(...EVENT_KEYS), eventValue, {
  minKeys: 1,
  maxKeys: 5,
});

const smallObject = fc.dictionary(fc.constantFrom(...EVENT_KEYS), fc.oneof(scalarValue, fc.array(scalarValue, { maxLength: 2 })), {
  maxKeys: 4,
});

/** Events whose fields are mostly arrays of small objects, where array consistency decides most outcomes. */
export const arrayHeavyEvent: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.constantFrom(...EVENT_KEYS),
  fc.oneof(
    scalarValue,
    smallObject,
    fc.array(fc.oneof(smallObject, fc.array(smallObject, { maxLength: 2 }), smallObject.map((o) => ({ a: o, b: [o] }))), {
      maxLength: 4,
    }),
  ),
  { minKeys: 1, maxKeys: 4 },
);

const leafOrLeaves = fc.oneof(scalarValue, fc.array(scalarValue, { maxLength: 3 }));

/**
 * Events shaped like the patterns of `validPattern` (fields a, b, c, x.y spelled nested, dotted, or through arrays of
 * objects), so that a good share of them match and properties about matching events get exercised.
 */
export const patternShapedEvent: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    a: leafOrLeaves,
    b: fc.oneof(leafOrLeaves, fc.record({ a: leafOrLeaves }, { requiredKeys: [] })),
    c: leafOrLeaves,
    x: fc.oneof(
      leafOrLeaves,
      fc.record({ y: leafOrLeaves, a: leafOrLeaves }, { requiredKeys: [] }),
      fc.array(fc.record({ y: leafOrLeaves }, { requiredKeys: [] }), { maxLength: 3 }),
    ),
    'x.y': leafOrLeaves,
  },
  { requiredKeys: [] },
);

/** Every kind of value condition, with operands from the same vocabulary. */
export const valueCondition: fc.Arbitrary<unknown> = fc.oneof(
  scalarValue,
  fc.constantFrom<unknown>(
    { prefix: 'p' },
    { prefix: '' },
    { suffix: 'q' },
    { 'equals-ignore-case': 'PQ' },
    { prefix: { 'equals-ignore-case': 'P' } },
    { suffix: { 'equals-ignore-case': 'Q' } },
    { wildcard: 'p*' },
    { wildcard: '*q' },
    { wildcard: 'p*q' },
    { wildcard: '*' },
    { numeric: ['>', 0] },
    { numeric: ['<=', 1.5] },
    { numeric: ['>=', 1, '<', 2] },
    { numeric: ['=', 2] },
    { exists: true },
    { exists: false },
    { 'anything-but': 'p' },
    { 'anything-but': ['p', 'q'] },
    { 'anything-but': 1 },
    { 'anything-but': [1, 2] },
    { 'anything-but': { prefix: 'p' } },
    { 'anything-but': { suffix: ['q', 'x'] } },
    { 'anything-but': { 'equals-ignore-case': 'P' } },
    { 'anything-but': { wildcard: 'p*' } },
    { cidr: '10.0.0.0/24' },
    { cidr: '2001:db8::/32' },
  ),
);

/** The conditions CompiledPattern.valuesAt can turn into hints. */
export const indexableCondition: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  'p',
  'q',
  'P',
  'pq',
  { prefix: 'p' },
  { wildcard: 'p*q' },
  { wildcard: 'q' },
  { 'equals-ignore-case': 'pQ' },
);

/** Valid patterns: nested objects, value lists, and `$or` with two or three branches, a few levels deep. */
export const validPattern: fc.Arbitrary<Record<string, unknown>> = patternsOf(valueCondition);

/** Valid patterns whose values are mostly ones valuesAt can index, so that hints are often non-null. */
export const mostlyIndexablePattern: fc.Arbitrary<Record<string, unknown>> = patternsOf(
  fc.oneof({ arbitrary: indexableCondition, weight: 6 }, { arbitrary: valueCondition, weight: 1 }),
);

function patternsOf(condition: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const valueList = fc.array(condition, { minLength: 1, maxLength: 3 });
  return fc
    .oneof(
      { arbitrary: patternOfDepth(0, valueList), weight: 3 },
      { arbitrary: patternOfDepth(1, valueList), weight: 2 },
      { arbitrary: patternOfDepth(2, valueList), weight: 1 },
    )
    .filter((pattern) => JSON.stringify(pattern).length <= 2048);
}

function patternOfDepth(depth: number, valueList: fc.Arbitrary<unknown[]>): fc.Arbitrary<Record<string, unknown>> {
  const fieldValue =
    depth === 0
      ? valueList
      : fc.oneof({ arbitrary: valueList, weight: 3 }, { arbitrary: patternOfDepth(depth - 1, valueList), weight: 1 });
  const or =
    depth === 0
      ? fc.constant(null)
      : fc.option(fc.array(patternOfDepth(depth - 1, valueList), { minLength: 2, maxLength: 3 }), { freq: 3 });
  return fc
    .tuple(fc.dictionary(fc.constantFrom(...PATTERN_KEYS), fieldValue, { minKeys: 1, maxKeys: depth === 2 ? 3 : 2 }), or)
    .map(([fields, branches]) => (branches === null ? fields : { ...fields, $or: branches }));
}

/** Every field name a pattern constrains, split back into keys, for asking valuesAt about. */
export function patternPaths(pattern: unknown, prefix: readonly string[] = []): string[][] {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return [];
  const paths: string[][] = [];
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(value)) {
      for (const branch of value) paths.push(...patternPaths(branch, prefix));
    } else if (Array.isArray(value)) {
      paths.push([...prefix, key]);
    } else {
      paths.push(...patternPaths(value, [...prefix, key]));
    }
  }
  return paths;
}
