import { describe, expect, it } from 'vitest';
import { compileFieldReader } from '../../../../src/patterns/eventbridge/index.js';
import type { LeafValue } from '../../../../src/patterns/eventbridge/index.js';

function valuesAt(path: readonly string[], event: unknown): LeafValue[] {
  const values: LeafValue[] = [];
  compileFieldReader(path).someValue(event, (value) => {
    values.push(value);
    return false;
  });
  return values;
}

describe('compileFieldReader', () => {
  it('reads a nested field', () => {
    expect(valuesAt(['detail', 'eventName'], { detail: { eventName: 'RunInstances' } })).toEqual(['RunInstances']);
  });

  it('reads every element of arrays on the way and at the end', () => {
    const event = { detail: { items: [{ tags: ['a', 'b'] }, { tags: 'c' }, { other: 1 }, [{ tags: [['d']] }]] } };
    expect(valuesAt(['detail', 'items', 'tags'], event)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('reads keys spelled with dots, as the matcher does', () => {
    const event = { 'detail.eventName': 'A', detail: { eventName: 'B', 'x.y': 'C' }, 'detail.x': { y: 'D' } };
    expect(valuesAt(['detail', 'eventName'], event).sort()).toEqual(['A', 'B']);
    expect(valuesAt(['detail', 'x', 'y'], event).sort()).toEqual(['C', 'D']);
  });

  it('reads only leaves: not objects, not scalars that sit higher up', () => {
    expect(valuesAt(['a'], { a: { b: 1 } })).toEqual([]);
    expect(valuesAt(['a', 'b'], { a: ['x', { b: 1 }] })).toEqual([1]);
    expect(valuesAt(['a'], { a: null })).toEqual([null]);
  });

  it('stops at the first value the visitor accepts', () => {
    const seen: LeafValue[] = [];
    const found = compileFieldReader(['a']).someValue({ a: [1, 2, 3] }, (value) => {
      seen.push(value);
      return value === 2;
    });
    expect(found).toBe(true);
    expect(seen).toEqual([1, 2]);
  });

  it('reads nothing from events that are not objects', () => {
    expect(valuesAt(['a'], null)).toEqual([]);
    expect(valuesAt(['a'], [{ a: 1 }])).toEqual([]);
    expect(valuesAt(['a'], 'a')).toEqual([]);
  });
});
