import { parseIpAddress } from '../operators/ip-address.js';
import { invalidPattern, isJsonObject } from './invalid-pattern.js';
import { parseMatchExpression } from './parse-match-expression.js';
import type { ValueCondition } from './value-condition.js';

/**
 * A field's array of accepted values (EventBridge: "the value to match is in a JSON array"): strings, numbers,
 * true, false, null, or operator objects, any of which may match. Empty arrays and nested arrays are refused.
 */
export function parseValueList(values: readonly unknown[], keyPath: string): ValueCondition[] {
  if (values.length === 0) throw invalidPattern(keyPath, values, 'empty arrays are not allowed');
  return values.map((value) => parseValue(value, keyPath));
}

function parseValue(value: unknown, keyPath: string): ValueCondition {
  if (typeof value === 'string') {
    // Ruler's JsonRuleCompiler turns an exact string that is an IP literal into an address match.
    const address = parseIpAddress(value);
    return address === null ? { kind: 'equals-string', value } : { kind: 'equals-ip', text: value, address };
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw invalidPattern(keyPath, value, 'NaN is not a JSON number');
    return { kind: 'equals-number', value };
  }
  if (typeof value === 'boolean' || value === null) return { kind: 'equals-literal', value };
  if (isJsonObject(value)) return parseMatchExpression(value, keyPath);
  if (Array.isArray(value)) {
    throw invalidPattern(keyPath, value, 'values to match must be strings, numbers, true, false, null or operator objects, not arrays');
  }
  throw invalidPattern(keyPath, value, 'values to match must be JSON values');
}
