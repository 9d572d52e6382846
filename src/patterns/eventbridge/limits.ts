/**
 * The bounds EventBridge puts on event patterns, kept together so each one carries its source.
 */

/**
 * "Event pattern: 2048 characters maximum."
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
 */
export const MAX_PATTERN_LENGTH = 2048;

/**
 * Numeric matching "is limited to values between -5.0e9 and +5.0e9 inclusive" (aws/event-ruler README.md,
 * EventBridge content-filtering guide). Ruler's ComparableNumber refuses numeric operands outside it, and cannot
 * represent event values outside it as numbers, so such values never satisfy a numeric comparison.
 */
export const NUMERIC_LIMIT = 5e9;

/**
 * `$or` is compiled into one flat alternative per combination of branches (Ruler's JsonRuleCompiler), so a few
 * nested `$or`s multiply quickly. EventBridge is reported to refuse patterns past 1000 combinations; the cap also
 * keeps a 2 KB pattern from expanding into billions of alternatives here.
 */
export const MAX_ALTERNATIVES = 1000;

/**
 * Not an EventBridge rule: bounds recursion through arrays nested directly in arrays, so that a pathological event
 * cannot overflow the stack. Values nested deeper are treated as absent.
 */
export const MAX_ARRAY_NESTING = 512;
