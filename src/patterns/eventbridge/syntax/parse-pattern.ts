import { PatternError } from '../../errors.js';
import { MAX_ALTERNATIVES } from '../limits.js';
import { invalidPattern, isJsonObject, joinKeyPath, type JsonObject } from './invalid-pattern.js';
import { parseValueList } from './parse-value-list.js';
import type { ValueCondition } from './value-condition.js';

/** One constrained leaf of a pattern. */
export interface FieldConstraint {
  /**
   * The pattern keys leading to the leaf joined with ".", which is how Ruler names fields: {"a": {"b": [..]}} and
   * {"a.b": [..]} constrain the same field, and either matches an event spelled either way.
   */
  readonly name: string;
  /** Where the constraint was written, for messages (e.g. "detail.$or[1].eventName"). */
  readonly keyPath: string;
  readonly conditions: readonly ValueCondition[];
}

/** An event matches a pattern when it satisfies every field of at least one of its alternatives. */
export type PatternAlternative = ReadonlyMap<string, FieldConstraint>;

const OR = '$or';

/** Ruler refuses these as field names inside a `$or` branch (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). */
const RESERVED_INSIDE_OR: ReadonlySet<string> = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr', 'html',
  '=', '<', '<=', '>', '>=',
  'regex', 'not-wildcard', 'not-equals-ignore-case',
  'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range',
  'ip-address-in-range', 'ip-address-not-in-range',
]);

/**
 * Validates a pattern and flattens it into alternatives the way Ruler's JsonRuleCompiler does: every `$or` forks the
 * alternatives built so far, once per branch, and each leaf is written into every current alternative. Writing
 * replaces an earlier constraint on the same field, so {"a": ["1"], "$or": [{"a": ["2"]}, {"b": ["3"]}]} means
 * (a=2) OR (a=1 AND b=3) — document order decides, as it does in EventBridge.
 *
 * When that reading fails, EventBridge (GenericMachine.addRule) compiles the pattern again with its pre-`$or`
 * compiler, in which "$or" is an ordinary field name; so {"$or": ["a", "b"]} is a valid pattern about a field
 * called "$or". If both readings fail, the `$or`-aware error is the one reported, as it is the more helpful.
 */
export function parsePatternAlternatives(pattern: unknown): PatternAlternative[] {
  if (!isJsonObject(pattern)) throw invalidPattern('', pattern, 'an event pattern must be a JSON object');
  const orAware = new AlternativesBuilder(true);
  try {
    return orAware.build(pattern);
  } catch (orAwareError) {
    if (!(orAwareError instanceof PatternError) || !orAware.sawOrKey) throw orAwareError;
    try {
      return new AlternativesBuilder(false).build(pattern);
    } catch {
      throw orAwareError;
    }
  }
}

type Draft = Map<string, FieldConstraint>;

class AlternativesBuilder {
  sawOrKey = false;

  constructor(private readonly orIsOperator: boolean) {}

  build(pattern: JsonObject): PatternAlternative[] {
    const drafts: Draft[] = [];
    this.readObject(drafts, pattern, '', '', false);
    return drafts;
  }

  private readObject(drafts: Draft[], object: JsonObject, name: string, keyPath: string, insideOr: boolean): void {
    const keys = Object.keys(object);
    if (keys.length === 0) throw invalidPattern(keyPath, object, 'empty objects are not allowed');
    for (const key of keys) {
      const value = object[key];
      const childPath = joinKeyPath(keyPath, key);
      if (key === OR) {
        this.sawOrKey = true;
        if (this.orIsOperator) {
          this.readOr(drafts, value, name, childPath);
          continue;
        }
      }
      if (insideOr && RESERVED_INSIDE_OR.has(key)) {
        throw invalidPattern(childPath, value, `"${key}" is reserved and cannot be used as a field name inside $or`);
      }
      const childName = joinKeyPath(name, key);
      if (isJsonObject(value)) {
        this.readObject(drafts, value, childName, childPath, insideOr);
      } else if (Array.isArray(value)) {
        writeField(drafts, { name: childName, keyPath: childPath, conditions: parseValueList(value, childPath) });
      } else {
        throw invalidPattern(childPath, value, 'a pattern field must be an object or an array of values to match');
      }
    }
  }

  private readOr(drafts: Draft[], branches: unknown, name: string, keyPath: string): void {
    if (!Array.isArray(branches)) throw invalidPattern(keyPath, branches, '$or must be an array of at least two objects');
    const before = drafts.map(copyDraft);
    drafts.length = 0;
    (branches as readonly unknown[]).forEach((branch, index) => {
      const branchPath = `${keyPath}[${index}]`;
      if (!isJsonObject(branch)) throw invalidPattern(branchPath, branch, 'each $or branch must be an object');
      const branchDrafts = before.length === 0 ? [new Map<string, FieldConstraint>()] : before.map(copyDraft);
      this.readObject(branchDrafts, branch, name, branchPath, true);
      drafts.push(...branchDrafts);
      if (drafts.length > MAX_ALTERNATIVES) {
        throw invalidPattern(keyPath, branches, `the pattern expands to more than ${MAX_ALTERNATIVES} $or combinations`);
      }
    });
    if (branches.length < 2) throw invalidPattern(keyPath, branches, '$or must list at least two objects');
  }
}

function writeField(drafts: Draft[], field: FieldConstraint): void {
  if (drafts.length === 0) drafts.push(new Map());
  for (const draft of drafts) draft.set(field.name, field);
}

function copyDraft(draft: Draft): Draft {
  return new Map(draft);
}
