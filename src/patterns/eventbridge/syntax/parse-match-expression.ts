import { caseInsensitive } from '../operators/case-insensitive.js';
import { parseCidr } from '../operators/cidr.js';
import { parseWildcard } from '../operators/wildcard.js';
import { invalidPattern, isJsonObject, type JsonObject } from './invalid-pattern.js';
import { parseAnythingBut } from './parse-anything-but.js';
import { parseNumericRange } from './parse-numeric.js';
import type { ValueCondition } from './value-condition.js';

/**
 * One operator object inside a field's value array, e.g. {"prefix": "Create"}. Operator names are case-sensitive
 * and exactly one operator is allowed per object ("Only one key allowed in match expression"); to combine
 * operators, list several objects (OR) or repeat the field inside `$or`. Like Ruler, the operand is validated
 * before the object's other keys are noticed.
 */
export function parseMatchExpression(expression: JsonObject, keyPath: string): ValueCondition {
  const operators = Object.keys(expression);
  const operator = operators[0];
  if (operator === undefined) {
    throw invalidPattern(keyPath, expression, 'an operator object must name an operator such as "prefix"');
  }
  const condition = parseOperator(operator, expression[operator], expression, keyPath);
  if (operators.length > 1) {
    throw invalidPattern(
      keyPath,
      expression,
      `an operator object holds exactly one operator, this one has ${operators.map((o) => `"${o}"`).join(', ')}`,
    );
  }
  return condition;
}

function parseOperator(operator: string, operand: unknown, expression: JsonObject, keyPath: string): ValueCondition {
  switch (operator) {
    case 'prefix':
      return parseAffix('prefix', operand, keyPath);
    case 'suffix':
      return parseAffix('suffix', operand, keyPath);
    case 'equals-ignore-case':
      return { kind: 'equals-ignore-case', value: caseInsensitive(requireString(operator, operand, keyPath)) };
    case 'wildcard':
      return { kind: 'wildcard', value: parseWildcard(requireString(operator, operand, keyPath), keyPath) };
    case 'anything-but':
      return parseAnythingBut(operand, keyPath);
    case 'numeric':
      return { kind: 'numeric', range: parseNumericRange(operand, keyPath) };
    case 'cidr':
      return { kind: 'cidr', block: parseCidr(requireString(operator, operand, keyPath), keyPath) };
    case 'exists':
      if (typeof operand !== 'boolean') throw invalidPattern(keyPath, operand, 'the value of "exists" must be true or false');
      return { kind: 'exists', present: operand };
    default:
      throw invalidPattern(keyPath, expression, `unrecognized operator "${operator}" (operator names are case-sensitive)`);
  }
}

/** "prefix"/"suffix" take a string, or {"equals-ignore-case": string} to ignore case. */
function parseAffix(operator: 'prefix' | 'suffix', operand: unknown, keyPath: string): ValueCondition {
  if (typeof operand === 'string') return { kind: operator, value: operand };
  if (!isJsonObject(operand)) throw invalidPattern(keyPath, operand, `the value of "${operator}" must be a string`);
  const nested = Object.keys(operand);
  if (nested[0] !== 'equals-ignore-case') {
    throw invalidPattern(keyPath, operand, `"${operator}" only accepts a nested "equals-ignore-case"`);
  }
  const text = requireString('equals-ignore-case', operand['equals-ignore-case'], keyPath);
  if (nested.length > 1) throw invalidPattern(keyPath, operand, `"${operator}" holds exactly one nested operator`);
  return { kind: operator === 'prefix' ? 'prefix-ignore-case' : 'suffix-ignore-case', value: caseInsensitive(text) };
}

function requireString(operator: string, operand: unknown, keyPath: string): string {
  if (typeof operand !== 'string') throw invalidPattern(keyPath, operand, `the value of "${operator}" must be a string`);
  return operand;
}
