import { expect } from 'vitest';
import { PatternError } from '../../../../src/patterns/errors.js';
import { compileEventPattern } from '../../../../src/patterns/eventbridge/index.js';

/**
 * Asserts that compiling `pattern` fails with a PatternError that names the offending key path and shows the
 * offending value in its message, and returns the error for further checks.
 */
export function expectPatternError(
  pattern: string | object,
  expected: { key: string; shows: string; reason?: RegExp },
): PatternError {
  let thrown: unknown;
  try {
    compileEventPattern(pattern);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `pattern ${describe(pattern)} should be refused`).toBeInstanceOf(PatternError);
  const error = thrown as PatternError;
  expect(error.key).toBe(expected.key);
  if (expected.key !== '') expect(error.message).toContain(`"${expected.key}"`);
  expect(error.message).toContain(expected.shows);
  if (expected.reason) expect(error.message).toMatch(expected.reason);
  return error;
}

function describe(pattern: string | object): string {
  if (typeof pattern === 'string') return pattern;
  try {
    return JSON.stringify(pattern);
  } catch {
    return String(pattern);
  }
}
