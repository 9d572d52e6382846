import type { FieldValueHint } from '../../types.js';
import type { JsonExpression } from '../syntax/ast.js';
import { wildcardShape } from '../matching/wildcard.js';

/**
 * CompiledPattern.valuesAt for a JSON filter pattern: the strings that the field `path` (keys from the root of the
 * JSON log event, e.g. ["eventName"] for $.eventName) must hold in every event the pattern matches, or null when the
 * pattern does not pin the field down.
 *
 * A condition `$.a.b = VALUE` on exactly that path constrains it when VALUE is a string without a leading wildcard:
 * no '*' at the ends gives an exact value, a trailing '*' a prefix. Such a condition only holds when the field is a
 * string or number value node - not an array (see json-matcher.ts) - so the hint is sound for the field as a scalar.
 * Anything else leaves the field free: !=, numeric comparisons and unquoted numbers (a JSON number 5 has no string
 * value), regex, IS, NOT EXISTS, a leading wildcard, wildcard selectors or array indexes.
 * An && holds only if each operand does, so any constraining operand is a sound hint (the smallest is kept); an ||
 * constrains the field only if every alternative does (the union).
 */
export function jsonValuesAt(expression: JsonExpression, path: readonly string[]): FieldValueHint | null {
  switch (expression.kind) {
    case 'condition':
      return conditionHint(expression, path);
    case 'and': {
      let best: FieldValueHint | null = null;
      for (const operand of expression.operands) {
        const hint = jsonValuesAt(operand, path);
        if (hint !== null && (best === null || size(hint) < size(best))) best = hint;
      }
      return best;
    }
    case 'or': {
      const exact = new Set<string>();
      const prefixes = new Set<string>();
      for (const operand of expression.operands) {
        const hint = jsonValuesAt(operand, path);
        if (hint === null) return null;
        for (const value of hint.exact) exact.add(value);
        for (const value of hint.prefixes) prefixes.add(value);
      }
      return { exact: [...exact], prefixes: [...prefixes], ignoreCase: [] };
    }
  }
}

function conditionHint(condition: Extract<JsonExpression, { kind: 'condition' }>, path: readonly string[]): FieldValueHint | null {
  const { selector, test } = condition;
  if (test.kind !== 'compare' || test.operator !== '=' || test.value.kind !== 'string') return null;
  if (selector.steps.length !== path.length) return null;
  for (let i = 0; i < path.length; i++) {
    const step = selector.steps[i]!;
    if (step.kind !== 'key' || step.key !== path[i]) return null;
  }
  const shape = wildcardShape(test.value.text);
  if (shape.kind === 'exact') return { exact: [shape.text], prefixes: [], ignoreCase: [] };
  if (shape.kind === 'prefix' && shape.text !== '') return { exact: [], prefixes: [shape.text], ignoreCase: [] };
  return null;
}

function size(hint: FieldValueHint): number {
  return hint.exact.length + hint.prefixes.length + hint.ignoreCase.length;
}
