/**
 * The parsed forms of the four kinds of CloudWatch Logs filter pattern. Offsets are 0-based positions in the
 * pattern text, kept for error messages.
 */

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * A value on the right of an operator.
 *  - string: quoted, or unquoted and not a number. A leading and/or trailing '*' is a wildcard; a '*' anywhere else
 *    is the character itself ("Ev*ent will only match the actual string Ev*ent", Filter and Pattern Syntax before 2023).
 *  - number: an unquoted number ("An integer with an optional + or - sign, a decimal ..., or a number in scientific
 *    notation"); `text` is kept because an unquoted number is also a valid unquoted string.
 *  - regex: %...%, already checked against the supported regex syntax.
 */
export type ValueLiteral =
  | { readonly kind: 'string'; readonly text: string; readonly quoted: boolean; readonly offset: number }
  | { readonly kind: 'number'; readonly text: string; readonly value: number; readonly offset: number }
  | { readonly kind: 'regex'; readonly source: string; readonly offset: number };

/** One step of a JSON property selector after the leading "$". */
export type SelectorStep =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  /** $.* and .*: every field of an object. */
  | { readonly kind: 'any-key' }
  /** [*]: every element of an array. */
  | { readonly kind: 'any-index' };

export interface Selector {
  /** The selector as written, e.g. "$.userIdentity.type". */
  readonly text: string;
  readonly offset: number;
  readonly steps: readonly SelectorStep[];
}

export type ConditionTest =
  | { readonly kind: 'compare'; readonly operator: ComparisonOperator; readonly value: ValueLiteral }
  | { readonly kind: 'is'; readonly value: true | false | null }
  | { readonly kind: 'not-exists' };

export type JsonExpression =
  | { readonly kind: 'and' | 'or'; readonly operands: readonly JsonExpression[] }
  | { readonly kind: 'condition'; readonly selector: Selector; readonly test: ConditionTest; readonly offset: number };

/** A term of an unstructured-text pattern. */
export interface Term {
  /** include: must appear; exclude (-term): must not appear; optional (?term): any one of them must appear. */
  readonly kind: 'include' | 'exclude' | 'optional';
  readonly text: string;
  readonly quoted: boolean;
  readonly offset: number;
}

/** A condition inside one field of a space-delimited pattern: [..., status_code = 4* && status_code != 403, ...]. */
export type FieldExpression =
  | { readonly kind: 'and' | 'or'; readonly operands: readonly FieldExpression[] }
  | { readonly kind: 'compare'; readonly operator: ComparisonOperator; readonly value: ValueLiteral; readonly offset: number };

export type DelimitedSlot =
  | { readonly kind: 'ellipsis'; readonly offset: number }
  | {
      readonly kind: 'field';
      /** null for an empty slot ("[..., status_code=4*,]" names only the fields it tests). */
      readonly name: string | null;
      readonly condition: FieldExpression | null;
      readonly offset: number;
    };
