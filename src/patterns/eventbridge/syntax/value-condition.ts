import type { CaseInsensitiveText } from '../operators/case-insensitive.js';
import type { CidrBlock } from '../operators/cidr.js';
import type { IpAddress } from '../operators/ip-address.js';
import type { WildcardPattern } from '../operators/wildcard.js';

/** A leaf of an event: what a pattern's value conditions are tested against. */
export type LeafValue = string | number | boolean | null;

/** Inclusive/exclusive bounds of a `numeric` condition; a one-sided condition is bounded by ±NUMERIC_LIMIT. */
export interface NumericRange {
  readonly min: number;
  readonly minInclusive: boolean;
  readonly max: number;
  readonly maxInclusive: boolean;
}

/** One element of a pattern's value array, validated. The list of them for a field is an OR. */
export type ValueCondition =
  | { readonly kind: 'equals-string'; readonly value: string }
  /** A plain string that is an IP literal: Ruler matches it as an address, so other spellings of it match too. */
  | { readonly kind: 'equals-ip'; readonly text: string; readonly address: IpAddress }
  | { readonly kind: 'equals-number'; readonly value: number }
  | { readonly kind: 'equals-literal'; readonly value: boolean | null }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'suffix'; readonly value: string }
  | { readonly kind: 'prefix-ignore-case'; readonly value: CaseInsensitiveText }
  | { readonly kind: 'suffix-ignore-case'; readonly value: CaseInsensitiveText }
  | { readonly kind: 'equals-ignore-case'; readonly value: CaseInsensitiveText }
  | { readonly kind: 'wildcard'; readonly value: WildcardPattern }
  | { readonly kind: 'numeric'; readonly range: NumericRange }
  | { readonly kind: 'cidr'; readonly block: CidrBlock }
  | { readonly kind: 'exists'; readonly present: boolean }
  /** Matches any present leaf that none of `excluded` matches (so values of another type always match). */
  | { readonly kind: 'anything-but'; readonly excluded: readonly ExcludedValue[] };

export type ExcludedValue = Extract<
  ValueCondition,
  { kind: 'equals-string' | 'equals-number' | 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard' }
>;
