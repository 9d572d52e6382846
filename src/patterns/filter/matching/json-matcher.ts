import type { ConditionTest, JsonExpression, SelectorStep } from '../syntax/ast.js';
import { compileValueTest } from './value-test.js';

/** A compiled JSON filter pattern: is it true of this parsed log event? */
export type JsonTest = (event: object) => boolean;

/** Visits the node a selector step leads to; returns true to stop (a match was found). */
type NodeVisitor = (node: unknown) => boolean;

/**
 * Compiles a JSON filter pattern to closures, once. Matching reads properties and allocates nothing.
 *
 * Selectors follow only what they spell: a name reads an object's own property, [N] an array element, .* every field
 * of an object and [*] every element of an array; nothing else looks inside arrays. A condition holds when some node
 * the selector reaches satisfies it (one node without wildcards).
 *
 * Comparisons (=, !=, <, <=, >, >=) need a value node: "Property selectors point to value nodes in JSON log events.
 * Value nodes can be strings or numbers." "If a property selector points to an array or object, the filter pattern
 * won't match the log format" - "both {$.users = 1} and {$.users != 1} will fail to match a log event where users is
 * an array" (Filter and Pattern Syntax). So != is false for a missing field, an object, an array, null or a boolean:
 * { $.user.phone != "x" } does not match an event without user.phone (reported against CloudWatch Logs in
 * DataBiosphere/azul#5884 and in DevelopersIO "cloudwatch-logs-json-notexists-false", which pair it with
 * "|| $.user.phone NOT EXISTS").
 * IS TRUE / IS FALSE / IS NULL test for the JSON literal true, false, null; NOT EXISTS holds when the selector reaches
 * nothing at all (a null value exists).
 */
export function compileJsonExpression(expression: JsonExpression): JsonTest {
  switch (expression.kind) {
    case 'and': {
      const operands = expression.operands.map(compileJsonExpression);
      return (event) => {
        for (let i = 0; i < operands.length; i++) if (!operands[i]!(event)) return false;
        return true;
      };
    }
    case 'or': {
      const operands = expression.operands.map(compileJsonExpression);
      return (event) => {
        for (let i = 0; i < operands.length; i++) if (operands[i]!(event)) return true;
        return false;
      };
    }
    case 'condition': {
      const { steps } = expression.selector;
      if (expression.test.kind === 'not-exists') {
        const reach = compileSteps(steps, 0, () => true);
        return (event) => !reach(event);
      }
      const reach = compileSteps(steps, 0, compileLeaf(expression.test));
      return (event) => reach(event);
    }
  }
}

function compileLeaf(test: Exclude<ConditionTest, { kind: 'not-exists' }>): NodeVisitor {
  if (test.kind === 'is') {
    const expected = test.value;
    return (node) => node === expected;
  }
  const valueTest = compileValueTest(test.operator, test.value);
  return (node) => {
    if (typeof node === 'string') return valueTest.string(node);
    if (typeof node === 'number') return Number.isFinite(node) && valueTest.number(node);
    return false;
  };
}

function compileSteps(steps: readonly SelectorStep[], index: number, leaf: NodeVisitor): NodeVisitor {
  if (index === steps.length) return leaf;
  const next = compileSteps(steps, index + 1, leaf);
  const step = steps[index]!;
  switch (step.kind) {
    case 'key': {
      const key = step.key;
      return (node) => {
        if (!isObject(node)) return false;
        const child = ownValue(node, key);
        return child !== undefined && next(child);
      };
    }
    case 'index': {
      const position = step.index;
      return (node) => {
        if (!Array.isArray(node) || position >= node.length) return false;
        const child: unknown = node[position];
        return isPresent(child) && next(child);
      };
    }
    case 'any-key':
      return (node) => {
        if (!isObject(node)) return false;
        for (const key in node) {
          const child = ownValue(node, key);
          if (child !== undefined && next(child)) return true;
        }
        return false;
      };
    case 'any-index':
      return (node) => {
        if (!Array.isArray(node)) return false;
        const elements: readonly unknown[] = node;
        for (let i = 0; i < elements.length; i++) {
          const child = elements[i];
          if (isPresent(child) && next(child)) return true;
        }
        return false;
      };
  }
}

/** A JSON object: not null, not an array. */
function isObject(node: unknown): node is object {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** Values JSON can hold; undefined and functions are what an absent key looks like in a JavaScript object. */
function isPresent(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function';
}

/** An own property only: a polluted Object.prototype cannot make an event match. */
function ownValue(node: object, key: string): unknown {
  if (!Object.hasOwn(node, key)) return undefined;
  const value = (node as Record<string, unknown>)[key];
  return isPresent(value) ? value : undefined;
}
