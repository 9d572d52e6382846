import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../../../src/patterns/filter/index.js';
import { cloudTrailLikeRecord, expression, render } from '../support/arbitraries.js';

function hint(pattern: string, path: readonly string[]) {
  return compileFilterPattern(pattern).valuesAt(path);
}

describe('valuesAt', () => {
  it('an exact string pins the field; a trailing * gives a prefix; a middle * is a character', () => {
    expect(hint('{ $.eventName = ConsoleLogin }', ['eventName'])).toEqual({ exact: ['ConsoleLogin'], prefixes: [], ignoreCase: [] });
    expect(hint('{ $.eventName = "Delete*" }', ['eventName'])).toEqual({ exact: [], prefixes: ['Delete'], ignoreCase: [] });
    expect(hint('{ $.eventName = Ev*ent }', ['eventName'])).toEqual({ exact: ['Ev*ent'], prefixes: [], ignoreCase: [] });
    expect(hint('{ $.userIdentity.type = "Root" }', ['userIdentity', 'type'])).toEqual({ exact: ['Root'], prefixes: [], ignoreCase: [] });
    expect(hint("{ $.['a.b'] = x }", ['a.b'])).toEqual({ exact: ['x'], prefixes: [], ignoreCase: [] });
  });

  it('is null for what does not pin the field to strings', () => {
    for (const pattern of [
      '{ $.eventName = "*Login" }',
      '{ $.eventName = * }',
      '{ $.eventName != ConsoleLogin }',
      '{ $.eventName = %^Console% }',
      '{ $.eventName = 5 }',
      '{ $.eventName > 5 }',
      '{ $.eventName IS NULL }',
      '{ $.eventName NOT EXISTS }',
      '{ $.* = ConsoleLogin }',
      '{ $.eventName[0] = ConsoleLogin }',
      '{ $.other = ConsoleLogin }',
      '{ $.eventName.x = ConsoleLogin }',
      '{ $.eventName = ConsoleLogin || $.eventSource = x }',
      "{ $.['eventName.x'] = y }",
      'ConsoleLogin',
      '[eventName = ConsoleLogin]',
      '%ConsoleLogin%',
      '',
    ]) {
      expect(hint(pattern, ['eventName']), pattern).toBeNull();
    }
    expect(hint("{ $.['a.b'] = x }", ['a', 'b'])).toBeNull();
    expect(hint('{ $.a.b = x }', ['a.b'])).toBeNull();
  });

  it('&& keeps the tightest operand; || needs every alternative and unites them', () => {
    expect(hint('{ $.eventName = A && $.eventSource = s }', ['eventName'])).toEqual({ exact: ['A'], prefixes: [], ignoreCase: [] });
    expect(hint('{ ($.eventName = A || $.eventName = B) && $.eventName = A }', ['eventName'])).toEqual({ exact: ['A'], prefixes: [], ignoreCase: [] });
    expect(hint('{ $.eventName = A || $.eventName = B* || ($.eventName = C && $.x = 1) }', ['eventName'])).toEqual({
      exact: ['A', 'C'],
      prefixes: ['B'],
      ignoreCase: [],
    });
    expect(hint('{ $.eventName = A || $.eventName = A }', ['eventName'])).toEqual({ exact: ['A'], prefixes: [], ignoreCase: [] });
  });

  it('is sound: every record a pattern matches holds an allowed string at the path', () => {
    const paths = [['eventName'], ['eventSource'], ['errorCode'], ['userIdentity', 'type'], ['additionalEventData', 'MFAUsed']];
    let constrained = 0;
    fc.assert(
      fc.property(expression, fc.array(cloudTrailLikeRecord, { maxLength: 8 }), (e, records) => {
        const pattern = compileFilterPattern(render(e));
        for (const path of paths) {
          const allowed = pattern.valuesAt(path);
          if (allowed === null) continue;
          constrained++;
          for (const record of records.filter((r) => pattern.matches(r))) {
            let value: unknown = record;
            for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
            expect(typeof value, `${render(e)} matched ${JSON.stringify(record)}`).toBe('string');
            const text = value as string;
            expect(allowed.exact.includes(text) || allowed.prefixes.some((p) => text.startsWith(p)), `${render(e)} allowed ${JSON.stringify(allowed)}, matched ${text}`).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
    expect(constrained).toBeGreaterThan(100);
  });
});
