import { NUMERIC_LIMIT } from '../limits.js';
import { invalidPattern } from './invalid-pattern.js';
import type { NumericRange } from './value-condition.js';

const NUMERIC_OPERATORS: ReadonlySet<string> = new Set(['=', '<', '<=', '>', '>=']);

/**
 * `{"numeric": [">", 0, "<=", 5]}`, with the grammar Ruler's JsonRuleCompiler accepts: "=", "<" or "<=" followed
 * by one number; or ">" / ">=" followed by one number and optionally by "<" / "<=" and a second, larger number.
 * Nothing else: no upper bound first, no two lower bounds, no third term. Operands must be JSON numbers within
 * ±5.0e9 (ComparableNumber), and a range's lower bound must be below its upper bound (Range.ensureValidRange).
 */
export function parseNumericRange(operand: unknown, keyPath: string): NumericRange {
  if (!Array.isArray(operand)) throw invalidPattern(keyPath, operand, 'the value of "numeric" must be an array');
  const terms: readonly unknown[] = operand;
  const operator = terms[0];
  if (typeof operator !== 'string') {
    throw invalidPattern(keyPath, operand, 'a numeric expression must start with one of "=", "<", "<=", ">", ">="');
  }
  if (!NUMERIC_OPERATORS.has(operator)) {
    throw invalidPattern(keyPath, operand, `unrecognized numeric operator "${operator}"`);
  }
  const value = numericOperand(terms, 1, operator, keyPath);
  switch (operator) {
    case '=':
      expectEnd(terms, 2, keyPath);
      return { min: value, minInclusive: true, max: value, maxInclusive: true };
    case '<':
    case '<=':
      expectEnd(terms, 2, keyPath);
      return { min: -NUMERIC_LIMIT, minInclusive: true, max: value, maxInclusive: operator === '<=' };
    default:
      return lowerBoundedRange(terms, value, operator === '>=', keyPath);
  }
}

function lowerBoundedRange(terms: readonly unknown[], min: number, minInclusive: boolean, keyPath: string): NumericRange {
  if (terms.length === 2) return { min, minInclusive, max: NUMERIC_LIMIT, maxInclusive: true };
  const upperOperator = terms[2];
  if (upperOperator !== '<' && upperOperator !== '<=') {
    throw invalidPattern(
      keyPath,
      terms,
      `a lower bound may only be followed by "<" or "<=" and an upper bound, not ${JSON.stringify(upperOperator)}`,
    );
  }
  const max = numericOperand(terms, 3, upperOperator, keyPath);
  expectEnd(terms, 4, keyPath);
  if (min >= max) throw invalidPattern(keyPath, terms, 'the lower bound must be less than the upper bound');
  return { min, minInclusive, max, maxInclusive: upperOperator === '<=' };
}

function numericOperand(terms: readonly unknown[], index: number, operator: string, keyPath: string): number {
  const value = terms[index];
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw invalidPattern(keyPath, terms, `the value after "${operator}" must be a number`);
  }
  if (Math.abs(value) > NUMERIC_LIMIT) {
    throw invalidPattern(keyPath, terms, `numeric values must be between -5.0e9 and 5.0e9 inclusive, ${value} is not`);
  }
  return value;
}

function expectEnd(terms: readonly unknown[], length: number, keyPath: string): void {
  if (terms.length > length) throw invalidPattern(keyPath, terms, 'too many terms in numeric expression');
}
