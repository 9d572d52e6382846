import type { ExcludedValue, LeafValue, ValueCondition } from '../syntax/value-condition.js';
import { endsWithIgnoringCase, equalsIgnoringCase, startsWithIgnoringCase } from './case-insensitive.js';
import { cidrContains } from './cidr.js';
import { isSameIpAddress } from './ip-address.js';
import { wildcardMatches } from './wildcard.js';

/** Whether one leaf value of an event satisfies a field's conditions. Built once per field, called per value. */
export type LeafTest = (value: LeafValue) => boolean;

const anyLeaf: LeafTest = () => true;

/**
 * Folds a field's value conditions (an OR) into one test, with the exact values gathered into sets so a long list
 * costs one lookup. Returns null when the field accepts no value at all, only absence ([{"exists": false}]).
 *
 * Types never mix: like Ruler, which compares JSON text (strings carry their quotes), a string condition never
 * matches a number and a number never matches a string, "300" and 300 included.
 */
export function buildLeafTest(conditions: readonly ValueCondition[]): LeafTest | null {
  if (conditions.some((c) => c.kind === 'exists' && c.present)) return anyLeaf;
  if (conditions.every((c) => c.kind === 'exists')) return null;

  const strings = new Set<string>();
  const numbers = new Set<number>();
  const literals = new Set<boolean | null>();
  const others: LeafTest[] = [];
  for (const condition of conditions) {
    if (condition.kind === 'exists') continue; // only {"exists": false} is left, which is absence, not a value
    if (condition.kind === 'equals-string') strings.add(condition.value);
    else if (condition.kind === 'equals-number') numbers.add(condition.value);
    else if (condition.kind === 'equals-literal') literals.add(condition.value);
    else others.push(conditionTest(condition));
  }
  const tests: LeafTest[] = [];
  if (strings.size > 0) tests.push(memberOf(strings, 'string'));
  if (numbers.size > 0) tests.push(memberOf(numbers, 'number'));
  if (literals.size > 0) tests.push((value) => (value === null || typeof value === 'boolean') && literals.has(value));
  tests.push(...others);
  return anyOf(tests);
}

function conditionTest(condition: Exclude<ValueCondition, { kind: 'equals-string' | 'equals-number' | 'equals-literal' | 'exists' }>): LeafTest {
  switch (condition.kind) {
    case 'equals-ip': {
      const address = condition.address;
      return (value) => typeof value === 'string' && isSameIpAddress(address, value);
    }
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard':
      return excludableTest(condition);
    case 'prefix-ignore-case': {
      const text = condition.value;
      return (value) => typeof value === 'string' && startsWithIgnoringCase(text, value);
    }
    case 'suffix-ignore-case': {
      const text = condition.value;
      return (value) => typeof value === 'string' && endsWithIgnoringCase(text, value);
    }
    case 'numeric': {
      const { min, minInclusive, max, maxInclusive } = condition.range;
      // Bounds are within ±5e9 (and one-sided ranges stop there), so values Ruler cannot compare fail here too.
      return (value) =>
        typeof value === 'number' &&
        (minInclusive ? value >= min : value > min) &&
        (maxInclusive ? value <= max : value < max);
    }
    case 'cidr': {
      const block = condition.block;
      return (value) => typeof value === 'string' && cidrContains(block, value);
    }
    case 'anything-but': {
      // A missing field never reaches here; any present leaf the exclusions do not match does (null included).
      const excluded = buildLeafTest(condition.excluded) ?? anyLeaf;
      return (value) => !excluded(value);
    }
  }
}

function excludableTest(condition: Exclude<ExcludedValue, { kind: 'equals-string' | 'equals-number' }>): LeafTest {
  switch (condition.kind) {
    case 'prefix': {
      const prefix = condition.value;
      return (value) => typeof value === 'string' && value.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = condition.value;
      return (value) => typeof value === 'string' && value.endsWith(suffix);
    }
    case 'equals-ignore-case': {
      const text = condition.value;
      return (value) => typeof value === 'string' && equalsIgnoringCase(text, value);
    }
    case 'wildcard': {
      const pattern = condition.value;
      return (value) => typeof value === 'string' && wildcardMatches(pattern, value);
    }
  }
}

function memberOf<T extends string | number>(values: ReadonlySet<T>, type: 'string' | 'number'): LeafTest {
  if (values.size === 1) {
    const [only] = values;
    return (value) => value === only;
  }
  return (value) => typeof value === type && values.has(value as T);
}

function anyOf(tests: readonly LeafTest[]): LeafTest {
  if (tests.length === 1) return tests[0]!;
  return (value) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(value)) return true;
    return false;
  };
}
