import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileEventPattern, compileFieldReader } from '../../../../src/patterns/eventbridge/index.js';
import type { FieldValueHint } from '../../../../src/patterns/types.js';
import {
  arrayHeavyEvent,
  eventObject,
  indexableCondition,
  mostlyIndexablePattern,
  patternPaths,
  patternShapedEvent,
  validPattern,
} from '../support/arbitraries.js';

const hint = (pattern: object, path: string[]): FieldValueHint | null => compileEventPattern(pattern).valuesAt(path);

describe('valuesAt', () => {
  it('lists exact strings', () => {
    expect(hint({ detail: { eventName: ['A', 'B'] } }, ['detail', 'eventName'])).toEqual({ exact: ['A', 'B'], prefixes: [], ignoreCase: [], suffixes: [] });
  });

  it('lists prefixes, wildcard prefixes and lower-cased ignore-case values', () => {
    const pattern = {
      detail: { eventName: [{ prefix: 'Create' }, { wildcard: 'Delete*Policy' }, { wildcard: 'Put\\*X' }, { 'equals-ignore-case': 'StopLogging' }] },
    };
    expect(hint(pattern, ['detail', 'eventName'])).toEqual({ exact: ['Put*X'], prefixes: ['Create', 'Delete'], ignoreCase: ['stoplogging'], suffixes: [] });
  });

  it('takes the union over $or branches when every branch constrains the field', () => {
    const pattern = { source: ['aws.iam'], $or: [{ detail: { eventName: ['A'] } }, { detail: { eventName: [{ prefix: 'B' }] } }] };
    expect(hint(pattern, ['detail', 'eventName'])).toEqual({ exact: ['A'], prefixes: ['B'], ignoreCase: [], suffixes: [] });
    expect(hint(pattern, ['source'])).toEqual({ exact: ['aws.iam'], prefixes: [], ignoreCase: [], suffixes: [] });
  });

  it('gives suffixes for "suffix" and for a wildcard that starts with * and ends in a literal', () => {
    expect(hint({ detail: { errorCode: [{ suffix: 'UnauthorizedOperation' }, { prefix: 'AccessDenied' }] } }, ['detail', 'errorCode'])).toEqual({
      exact: [],
      prefixes: ['AccessDenied'],
      ignoreCase: [],
      suffixes: ['UnauthorizedOperation'],
    });
    expect(hint({ detail: { eventName: [{ wildcard: '*Gateway' }, 'A'] } }, ['detail', 'eventName'])).toEqual({ exact: ['A'], prefixes: [], ignoreCase: [], suffixes: ['Gateway'] });
  });

  it('is null when a branch leaves the field free', () => {
    const pattern = { $or: [{ detail: { eventName: ['A'] } }, { detail: { errorCode: ['X'] } }] };
    expect(hint(pattern, ['detail', 'eventName'])).toBeNull();
  });

  it('is null for fields the pattern does not constrain', () => {
    expect(hint({ source: ['aws.iam'] }, ['detail', 'eventName'])).toBeNull();
    expect(hint({ detail: { eventName: ['A'] } }, ['detail'])).toBeNull();
  });

  it.each([
    [[1]],
    [[null]],
    [[true]],
    [['A', 1]],
    [[{ exists: true }]],
    [['A', { exists: false }]],
    [[{ 'anything-but': 'A' }]],
    [[{ numeric: ['>', 1] }]],
    [[{ cidr: '10.0.0.0/8' }]],
    [[{ suffix: '' }]],
    [[{ prefix: '' }]],
    [[{ prefix: { 'equals-ignore-case': 'A' } }]],
    [[{ suffix: { 'equals-ignore-case': 'A' } }]],
    [[{ wildcard: '*A*' }]],
    [[{ 'equals-ignore-case': 'ſ' }]],
    [['10.0.0.1']],
    [['A', { suffix: 'B' }, { cidr: '10.0.0.0/8' }]],
  ])('is null when %j can match a value outside any list', (values) => {
    expect(hint({ detail: { eventName: values } }, ['detail', 'eventName'])).toBeNull();
  });

  it('names fields the way the matcher does, so dotted keys are the same field', () => {
    expect(hint({ detail: { 'state.status': ['running'] } }, ['detail', 'state', 'status'])?.exact).toEqual(['running']);
    expect(hint({ detail: { state: { status: ['running'] } } }, ['detail.state', 'status'])?.exact).toEqual(['running']);
  });

  it('follows the $or replacement rule', () => {
    // (a=2) OR (a=1 AND b=3): see parse-pattern.test.ts
    expect(hint({ a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] }, ['a'])?.exact.sort()).toEqual(['1', '2']);
  });
});

describe('valuesAt soundness', () => {
  // The contract (src/patterns/types.ts): every event the pattern matches has, at the path, a string that is exact,
  // starts with a prefix, or lower-cases to an ignoreCase entry. Values are read with compileFieldReader, the
  // matcher's own notion of "the values at a path" (arrays at any depth, keys spelled with dots).
  it('never excludes a value a matching event can have', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.oneof(mostlyIndexablePattern, validPattern), fc.oneof(patternShapedEvent, eventObject, arrayHeavyEvent), (pattern, event) => {
        const compiled = compileEventPattern(pattern);
        if (!compiled.matches(event)) return;
        for (const path of [...patternPaths(pattern), ['a'], ['x', 'y']]) {
          const values = compiled.valuesAt(path);
          if (values === null) continue;
          checked++;
          const satisfied = compileFieldReader(path).someValue(
            event,
            (value) =>
              typeof value === 'string' &&
              (values.exact.includes(value) ||
                values.prefixes.some((prefix) => value.startsWith(prefix)) ||
                (values.suffixes ?? []).some((suffix) => value.endsWith(suffix)) ||
                values.ignoreCase.includes(value.toLowerCase())),
          );
          expect(satisfied, `${JSON.stringify(path)} hint ${JSON.stringify(values)} for ${JSON.stringify(event)}`).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
    expect(checked).toBeGreaterThan(60);
  });

  it('holds on patterns made only of indexable values', () => {
    const indexable = indexableCondition;
    const pattern = fc.record({
      a: fc.array(indexable, { minLength: 1, maxLength: 3 }),
      $or: fc.tuple(fc.array(indexable, { minLength: 1, maxLength: 2 }), fc.array(indexable, { minLength: 1, maxLength: 2 })).map(([first, second]) => [
        { x: { y: first } },
        { 'x.y': second },
      ]),
    });
    let checked = 0;
    fc.assert(
      fc.property(pattern, patternShapedEvent, (p, event) => {
        const compiled = compileEventPattern(p);
        if (!compiled.matches(event)) return;
        for (const path of [['a'], ['x', 'y']]) {
          const values = compiled.valuesAt(path)!;
          expect(values).not.toBeNull();
          checked++;
          const satisfied = compileFieldReader(path).someValue(
            event,
            (value) =>
              typeof value === 'string' &&
              (values.exact.includes(value) ||
                values.prefixes.some((prefix) => value.startsWith(prefix)) ||
                (values.suffixes ?? []).some((suffix) => value.endsWith(suffix)) ||
                values.ignoreCase.includes(value.toLowerCase())),
          );
          expect(satisfied).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
    expect(checked).toBeGreaterThan(50);
  });
});
