import { expect } from 'vitest';
import { PatternError } from '../../../../src/patterns/errors.js';
import { compileFilterPattern } from '../../../../src/patterns/filter/index.js';

/**
 * Asserts that compiling `text` fails with a PatternError at `offset` whose message contains `says` and names that
 * offset, and returns the error.
 */
export function expectFilterError(text: string, offset: number, says: string | RegExp): PatternError {
  let thrown: unknown;
  try {
    compileFilterPattern(text);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `${JSON.stringify(text)} should be refused`).toBeInstanceOf(PatternError);
  const error = thrown as PatternError;
  expect(error.offset, `offset of the error for ${JSON.stringify(text)}: ${error.message}`).toBe(offset);
  expect(error.message).toContain(`at offset ${offset}`);
  if (typeof says === 'string') expect(error.message).toContain(says);
  else expect(error.message).toMatch(says);
  return error;
}

/** Compiles and matches in one step. */
export function matches(pattern: string, input: object | string): boolean {
  return compileFilterPattern(pattern).matches(input);
}
