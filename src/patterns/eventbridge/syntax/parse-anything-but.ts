import { NUMERIC_LIMIT } from '../limits.js';
import { caseInsensitive } from '../operators/case-insensitive.js';
import { parseWildcard } from '../operators/wildcard.js';
import { invalidPattern, isJsonObject } from './invalid-pattern.js';
import type { ExcludedValue, ValueCondition } from './value-condition.js';

type NestedOperator = 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard';
const NESTED_OPERATORS: ReadonlySet<string> = new Set<NestedOperator>(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);

/**
 * `anything-but`, as Ruler's JsonRuleCompiler accepts it:
 *  - a string, a number, or a non-empty list of only strings or only numbers ("x-limit": [{"anything-but": [100, 200]}]);
 *  - an object holding exactly one of prefix / suffix / equals-ignore-case / wildcard, whose value is a string or a
 *    list of strings; prefix and suffix refuse the empty string ("Null prefix/suffix not allowed").
 * null and booleans are refused everywhere, as are numbers inside the object form.
 */
export function parseAnythingBut(operand: unknown, keyPath: string): ValueCondition {
  if (isJsonObject(operand)) return { kind: 'anything-but', excluded: parseNestedOperator(operand, keyPath) };
  if (typeof operand === 'string') return { kind: 'anything-but', excluded: [{ kind: 'equals-string', value: operand }] };
  if (typeof operand === 'number') {
    return { kind: 'anything-but', excluded: [{ kind: 'equals-number', value: anythingButNumber(operand, operand, keyPath) }] };
  }
  if (Array.isArray(operand)) return { kind: 'anything-but', excluded: parseExcludedList(operand, keyPath) };
  throw invalidPattern(keyPath, operand, 'the value of "anything-but" must be a string, a number, a list of them, or an object');
}

function parseExcludedList(values: readonly unknown[], keyPath: string): ExcludedValue[] {
  const excluded: ExcludedValue[] = [];
  for (const value of values) {
    if (typeof value === 'string') excluded.push({ kind: 'equals-string', value });
    else if (typeof value === 'number') excluded.push({ kind: 'equals-number', value: anythingButNumber(value, values, keyPath) });
    else throw invalidPattern(keyPath, values, 'an "anything-but" list may only hold strings or numbers');
  }
  if (excluded.length === 0) throw invalidPattern(keyPath, values, 'an "anything-but" list must not be empty');
  const strings = excluded.filter((e) => e.kind === 'equals-string').length;
  if (strings !== 0 && strings !== excluded.length) {
    throw invalidPattern(keyPath, values, 'an "anything-but" list must hold only strings or only numbers, not both');
  }
  return excluded;
}

function parseNestedOperator(operand: Readonly<Record<string, unknown>>, keyPath: string): ExcludedValue[] {
  const operators = Object.keys(operand);
  const operator = operators[0];
  if (operator === undefined) throw invalidPattern(keyPath, operand, 'an "anything-but" object needs an operator');
  if (!NESTED_OPERATORS.has(operator)) {
    throw invalidPattern(
      keyPath,
      operand,
      `"anything-but" supports prefix, suffix, equals-ignore-case and wildcard, not "${operator}"`,
    );
  }
  const nested = operator as NestedOperator;
  const value = operand[nested];
  const texts = nestedStrings(nested, value, keyPath);
  if (operators.length > 1) throw invalidPattern(keyPath, operand, 'an "anything-but" object holds exactly one operator');
  return texts.map((text) => excludedValue(nested, text, keyPath));
}

function nestedStrings(operator: NestedOperator, value: unknown, keyPath: string): string[] {
  if (typeof value === 'string') return [checkedNestedString(operator, value, value, keyPath)];
  if (Array.isArray(value)) {
    const values: readonly unknown[] = value;
    if (values.length === 0) throw invalidPattern(keyPath, values, `an "anything-but" ${operator} list must not be empty`);
    return values.map((item) => {
      if (typeof item !== 'string') throw invalidPattern(keyPath, values, `"anything-but" ${operator} values must be strings`);
      return checkedNestedString(operator, item, values, keyPath);
    });
  }
  if (typeof value === 'number') throw invalidPattern(keyPath, value, `"anything-but" ${operator} values must be strings`);
  throw invalidPattern(keyPath, value, `the value of "anything-but" ${operator} must be a string or a list of strings`);
}

function checkedNestedString(operator: NestedOperator, text: string, found: unknown, keyPath: string): string {
  if (text === '' && (operator === 'prefix' || operator === 'suffix')) {
    throw invalidPattern(keyPath, found, `an "anything-but" ${operator} must not be empty`);
  }
  return text;
}

function excludedValue(operator: NestedOperator, text: string, keyPath: string): ExcludedValue {
  switch (operator) {
    case 'prefix':
      return { kind: 'prefix', value: text };
    case 'suffix':
      return { kind: 'suffix', value: text };
    case 'equals-ignore-case':
      return { kind: 'equals-ignore-case', value: caseInsensitive(text) };
    case 'wildcard':
      return { kind: 'wildcard', value: parseWildcard(text, keyPath) };
  }
}

function anythingButNumber(value: number, found: unknown, keyPath: string): number {
  if (Number.isNaN(value) || Math.abs(value) > NUMERIC_LIMIT) {
    throw invalidPattern(keyPath, found, 'numbers in "anything-but" must be between -5.0e9 and 5.0e9 inclusive');
  }
  return value;
}
