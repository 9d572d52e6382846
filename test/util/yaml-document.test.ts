import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseYamlWithSchema } from '../../src/util/yaml-document.js';
import { knownKeysAt } from '../../src/util/zod-keys.js';

const schema = z.strictObject({
  name: z.string(),
  size: z.number().optional(),
  nested: z.strictObject({ colour: z.enum(['red', 'blue']).optional(), shape: z.string().optional() }).optional(),
  byName: z.record(z.string().regex(/^[a-z]+$/, 'must be lower-case letters'), z.number()).optional(),
  things: z
    .array(
      z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('cat'), whiskers: z.number().optional() }),
        z.strictObject({ type: z.literal('dog'), bark: z.string().optional(), fetches: z.boolean().optional() }),
      ]),
    )
    .optional(),
});

describe('parseYamlWithSchema', () => {
  it('a valid document: the value, no problems', () => {
    const parsed = parseYamlWithSchema('name: x\nsize: 3\n', schema);
    expect(parsed.value).toEqual({ name: 'x', size: 3 });
    expect(parsed.problems).toEqual([]);
    expect(parsed.problem).toBeUndefined();
  });

  it('every problem at once, in document order: unknown keys at the key, bad values at the value, missing keys at their mapping', () => {
    const text = ['size: big', 'nested:', '  shape: round', '  colur: red', 'byName:', '  Bad: 1', 'things:', '  - { type: dog, barks: loud }', 'extra: 1', ''].join('\n');
    const parsed = parseYamlWithSchema(text, schema);
    expect(parsed.value).toBeUndefined();
    expect(parsed.problems).toEqual([
      { key: 'name', line: 1, column: 1, message: 'is required (expected string, received undefined)' },
      { key: 'size', line: 1, column: 7, message: 'Invalid input: expected number, received string' },
      { key: 'nested', line: 4, column: 3, message: 'unknown key "colur" (did you mean "colour"?)' },
      { key: 'byName.Bad', line: 6, column: 3, message: 'must be lower-case letters (got "Bad")' },
      { key: 'things[0]', line: 8, column: 18, message: 'unknown key "barks" (did you mean "bark"?)' },
      { key: '', line: 9, column: 1, message: 'unknown key "extra"' },
    ]);
    expect(parsed.problem).toEqual(parsed.problems[0]);
  });

  it('every YAML syntax error, located', () => {
    const parsed = parseYamlWithSchema('name: [x\nsize: 1\n', schema);
    expect(parsed.problems.length).toBeGreaterThan(0);
    expect(parsed.problems.every((p) => p.message.startsWith('invalid YAML: ') && p.line !== undefined)).toBe(true);
    // The position is given once, as line and column, not again inside the message.
    expect(parsed.problems.map((p) => p.message).join('\n')).not.toMatch(/at line \d+, column \d+/);
    expect(parsed.raw).toBeUndefined();
  });
});

describe('knownKeysAt', () => {
  it('looks through optional, arrays, records and unions', () => {
    expect(knownKeysAt(schema, [])).toEqual(['name', 'size', 'nested', 'byName', 'things']);
    expect(knownKeysAt(schema, ['nested'])).toEqual(['colour', 'shape']);
    expect(knownKeysAt(schema, ['things', 0], { type: 'dog', bark: 'x' })).toEqual(['type', 'bark', 'fetches']);
    expect(knownKeysAt(schema, ['things', 0], { type: 'cat', whiskers: 3 })).toEqual(['type', 'whiskers']);
    expect(knownKeysAt(schema, ['byName', 'x'])).toEqual([]);
    expect(knownKeysAt(schema, ['nowhere'])).toEqual([]);
  });
});
