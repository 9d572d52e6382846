/**
 * What the detector's rule index may learn from a compiled pattern without knowing its language:
 * a sound over-approximation of the values a matching event can have at one field path.
 *
 * `valuesAt(path)` returns `null` when the pattern does not pin that field down (the field is not
 * constrained in every alternative, or only by operators that cannot be indexed such as
 * anything-but, numeric, cidr, suffix, exists or a wildcard not starting with a literal).
 * Otherwise every event the pattern matches has, at `path` (or, when the value there is an array,
 * in at least one of its elements), a string that
 *  - is one of `exact`, or
 *  - starts with one of `prefixes`, or
 *  - ends with one of `suffixes` (when given), or
 *  - equals one of `ignoreCase` when both are lower-cased.
 */
export interface FieldValueHint {
  exact: string[];
  prefixes: string[];
  ignoreCase: string[];
  suffixes?: string[];
}

export interface CompiledPattern {
  matches(event: unknown): boolean;
  valuesAt(path: readonly string[]): FieldValueHint | null;
}
