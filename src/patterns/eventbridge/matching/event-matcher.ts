import { MAX_ARRAY_NESTING } from '../limits.js';
import type { LeafTest } from '../operators/leaf-test.js';
import type { LeafValue } from '../syntax/value-condition.js';
import { type FieldLookup, isLeafValue, ownFieldValue } from './field-lookup.js';
import { COMPLEX, MISSING, plainPathReader, type PlainPathReader } from './plain-path.js';

export interface CompiledField {
  readonly lookup: FieldLookup;
  /** null when the field accepts only absence ([{"exists": false}]). */
  readonly test: LeafTest | null;
  /** [{"exists": false}] is among the field's values. */
  readonly acceptsAbsence: boolean;
}

/** The fields of one alternative, sorted by name: Ruler walks a rule's fields in that order. */
export type CompiledAlternative = readonly CompiledField[];

/** Continue the search with the next field once a leaf matches. */
const FIND_MATCH = 0;
/** Only ask whether any leaf of the field is reachable (for absence). */
const FIND_ANY = 1;
type SearchMode = typeof FIND_MATCH | typeof FIND_ANY;

const NEWLY_BOUND = 0;
const ALREADY_BOUND = 1;
const CONFLICT = 2;
type Binding = typeof NEWLY_BOUND | typeof ALREADY_BOUND | typeof CONFLICT;

const NO_EVENT: object = Object.freeze({});

const SIMPLE_NO = 0;
const SIMPLE_YES = 1;
/** The event has an array, an object leaf, a dotted key or an inherited property on a field's way: ask the full search. */
const SIMPLE_UNKNOWN = 2;
type SimpleVerdict = typeof SIMPLE_NO | typeof SIMPLE_YES | typeof SIMPLE_UNKNOWN;

/** One field with its plain-path reader. */
interface SimpleField {
  readonly field: CompiledField;
  readonly read: PlainPathReader;
}

/**
 * Fields of one alternative in the order the fast path tries them, cheapest-to-refuse first for the events a
 * rule index lets through: the index files rules by eventName and turns away candidates of another service
 * (eventSource) before the pattern runs, so a candidate's eventName, eventSource and source almost always
 * hold. The rule's other conditions (who, from where, which error, which parameters) decide: they go first.
 */
const LAST_NAMES = ['detail.eventSource', 'source', 'detail.eventName', 'detail-type'];

function simpleFields(fields: CompiledAlternative): SimpleField[] {
  const plan = fields.map((field) => ({ field, read: plainPathReader(field.lookup.name) }));
  const rank = (f: SimpleField): number => (LAST_NAMES.includes(f.field.lookup.name) ? 1 : 0);
  return plan.sort((a, b) => rank(a) - rank(b));
}

/**
 * Decides whether an event matches any alternative, with Ruler's array consistency (rulesForJSONEvent, the
 * behaviour EventBridge has): every field must find a matching leaf, and two leaves found inside objects that are
 * different elements of the same array may not be combined. {"items": {"a": [1], "b": [2]}} therefore needs one
 * element of "items" holding both a=1 and b=2. A scalar's own position in its array does not count.
 *
 * The search is a depth-first walk over the fields in name order. Each choice of leaf binds the arrays on its way
 * (array -> element index) and later fields may only pass through the same elements; an [{"exists": false}] field
 * holds when no leaf of that name is reachable through the elements bound so far — which, as in Ruler, depends on
 * the fields that sort before it.
 *
 * State lives on the instance and is reused, so a match allocates nothing; instances are therefore not re-entrant.
 */
export class EventMatcher {
  private fields: readonly CompiledField[] = [];
  private root: object = NO_EVENT;
  private readonly boundArrays: (readonly unknown[] | undefined)[] = [];
  private readonly boundIndexes: number[] = [];
  private boundCount = 0;
  private boundHighWater = 0;
  private readonly simple: readonly (readonly SimpleField[])[];

  constructor(private readonly alternatives: readonly CompiledAlternative[]) {
    this.simple = alternatives.map(simpleFields);
  }

  matches(event: unknown): boolean {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return false;
    this.root = event;
    let matched = false;
    try {
      for (let i = 0; i < this.alternatives.length && !matched; i++) {
        const verdict = simpleMatch(event, this.simple[i]!);
        if (verdict !== SIMPLE_UNKNOWN) {
          matched = verdict === SIMPLE_YES;
          continue;
        }
        this.fields = this.alternatives[i]!;
        this.boundCount = 0;
        matched = this.matchFieldsFrom(0);
      }
    } finally {
      // No catch: parsed JSON cannot throw here, so whatever does (a getter that throws, a revoked proxy, a bug in
      // this engine) reaches the caller — the detector reports it per rule (onRuleError) instead of it passing for
      // "no match". The event is released either way.
      this.releaseEvent();
    }
    return matched;
  }

  private matchFieldsFrom(index: number): boolean {
    const fields = this.fields;
    if (index === fields.length) return true;
    const field = fields[index]!;
    if (field.test !== null && this.searchObject(this.root, field, index, 0, FIND_MATCH)) return true;
    return (
      field.acceptsAbsence &&
      !this.searchObject(this.root, field, index, 0, FIND_ANY) &&
      this.matchFieldsFrom(index + 1)
    );
  }

  /** Tries every key of `node` that can spell the field's name from `token` on. */
  private searchObject(node: object, field: CompiledField, index: number, token: number, mode: SearchMode): boolean {
    const keys = field.lookup.keysFrom[token]!;
    for (let k = 0; k < keys.length; k++) {
      const child = ownFieldValue(node, keys[k]!);
      if (child !== undefined && this.visit(child, field, index, token + k + 1, mode, 0)) return true;
    }
    return false;
  }

  private visit(value: unknown, field: CompiledField, index: number, token: number, mode: SearchMode, nesting: number): boolean {
    if (token === field.lookup.tokenCount) return this.visitLeaves(value, field, index, mode, nesting);
    if (typeof value !== 'object' || value === null) return false;
    if (!Array.isArray(value)) return this.searchObject(value, field, index, token, mode);
    if (nesting >= MAX_ARRAY_NESTING) return false;
    const elements: readonly unknown[] = value;
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i];
      // A scalar element has the array's own, shorter name: it cannot be this field.
      if (typeof element !== 'object' || element === null) continue;
      const binding = this.bind(elements, i);
      if (binding === CONFLICT) continue;
      const found = this.visit(element, field, index, token, mode, nesting + 1);
      if (binding === NEWLY_BOUND) this.boundCount--;
      if (found) return true;
    }
    return false;
  }

  /** The field's name is complete: its leaves are `value` itself or the scalars of the arrays it holds. */
  private visitLeaves(value: unknown, field: CompiledField, index: number, mode: SearchMode, nesting: number): boolean {
    if (isLeafValue(value)) return this.onLeaf(value, field, index, mode);
    // An object is not a leaf: "Exists matching only works on leaf nodes" (EventBridge content filtering).
    if (!Array.isArray(value) || nesting >= MAX_ARRAY_NESTING) return false;
    const elements: readonly unknown[] = value;
    for (let i = 0; i < elements.length; i++) {
      const element = elements[i];
      if (isLeafValue(element)) {
        if (this.onLeaf(element, field, index, mode)) return true;
        continue;
      }
      if (!Array.isArray(element)) continue;
      const binding = this.bind(elements, i);
      if (binding === CONFLICT) continue;
      const found = this.visitLeaves(element, field, index, mode, nesting + 1);
      if (binding === NEWLY_BOUND) this.boundCount--;
      if (found) return true;
    }
    return false;
  }

  private onLeaf(value: LeafValue, field: CompiledField, index: number, mode: SearchMode): boolean {
    return mode === FIND_ANY || (field.test!(value) && this.matchFieldsFrom(index + 1));
  }

  private bind(array: readonly unknown[], elementIndex: number): Binding {
    for (let k = 0; k < this.boundCount; k++) {
      if (this.boundArrays[k] === array) return this.boundIndexes[k] === elementIndex ? ALREADY_BOUND : CONFLICT;
    }
    this.boundArrays[this.boundCount] = array;
    this.boundIndexes[this.boundCount] = elementIndex;
    this.boundCount++;
    if (this.boundCount > this.boundHighWater) this.boundHighWater = this.boundCount;
    return NEWLY_BOUND;
  }

  /** Drops references into the event so a compiled pattern does not keep the last event alive. */
  private releaseEvent(): void {
    this.root = NO_EVENT;
    for (let k = 0; k < this.boundHighWater; k++) this.boundArrays[k] = undefined;
    this.boundHighWater = 0;
  }
}

/**
 * The fast path, for the common event: every field of the alternative lies along plain nested objects, spelled
 * with one key per name part, ending in a scalar (or missing). There each field has at most one leaf, array
 * consistency cannot arise and absence is plain absence, so the full search would give the same answer as
 * testing each leaf; the fields can be tried in any order and the first failure decides. Anything else (an
 * array, an object or array where the leaf should be, a dotted key that could also spell the field, an
 * inherited property) answers SIMPLE_UNKNOWN and the full search decides.
 */
function simpleMatch(root: object, fields: readonly SimpleField[]): SimpleVerdict {
  for (let f = 0; f < fields.length; f++) {
    const { field, read } = fields[f]!;
    const value = read(root);
    if (value === COMPLEX) return SIMPLE_UNKNOWN;
    if (value === MISSING) {
      if (!field.acceptsAbsence) return SIMPLE_NO;
      continue;
    }
    if (field.test === null || !field.test(value)) return SIMPLE_NO;
  }
  return SIMPLE_YES;
}
