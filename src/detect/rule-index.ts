import { COMPLEX, compileFieldReader, plainPathReader, type FieldReader, type PlainPathReader, type PlainValue } from '../patterns/eventbridge/index.js';
import type { FieldValueHint } from '../patterns/types.js';

/**
 * An index from field values to the rules that can only match events carrying them, so the
 * detector evaluates a handful of candidate rules per event instead of every rule.
 *
 * Each rule is filed under ONE field (the first in `INDEX_FIELDS` that its pattern pins down), by
 * exact value, lower-cased value, prefix or suffix. Rules whose pattern pins none of these fields
 * are evaluated for every event. A rule that also pins another index field to exact values (a rule
 * filed by eventName usually names its eventSource too) is checked against that field before it is
 * handed out, which turns away most of the candidates a shared eventName or prefix would let in.
 * The hints come from the pattern compiler and are sound over-approximations, so the index never
 * hides a match; the full pattern still decides.
 */
export const INDEX_FIELDS: readonly (readonly string[])[] = [
  ['detail', 'eventName'],
  ['detail', 'eventSource'],
  ['source'],
  ['detail-type'],
  // For rules about who or how rather than which call: CIS "root account usage", "unauthorized API calls".
  ['detail', 'errorCode'],
  ['detail', 'userIdentity', 'type'],
];

/** Strings sharing a first character, with the lengths present among them (usually one or two). */
interface AffixBucket<T> {
  lengths: number[];
  byAffix: Map<string, T[]>;
}

interface FieldIndex<T> {
  path: readonly string[];
  /** The field read along plain objects; COMPLEX sends the lookup to `reader`. */
  readPlain: PlainPathReader;
  /** Reads the field exactly as the pattern matcher does (dotted keys, arrays at any depth), which is what keeps the hints sound. */
  reader: FieldReader;
  /** Per-field visitor handed to the reader, allocated once rather than per event. */
  onValue: (value: unknown) => boolean;
  used: boolean;
  exact: Map<string, T[]>;
  ignoreCase: Map<string, T[]>;
  /** Prefixes by their first character code, suffixes by their last: one bucket lookup per value, then a slice per length in it. */
  prefixes: Map<number, AffixBucket<T>>;
  suffixes: Map<number, AffixBucket<T>>;
}

export interface Indexable {
  valuesAt(path: readonly string[]): FieldValueHint | null;
}

export class RuleIndex<T extends { pattern: Indexable }> {
  private readonly fields: FieldIndex<T>[];
  /** Rules no field pins down: candidates for every event. */
  readonly unindexed: readonly T[];
  private readonly positions = new Map<T, number>();
  private readonly stamps: Uint32Array;
  private epoch = 0;
  private readonly found: T[] = [];
  /** Per rule position: the index of the second field it pins to exact values (-1: none), and those values. */
  private readonly secondaryField: Int8Array;
  private readonly secondaryValues: (Set<string> | undefined)[];
  /** Fields some rule uses as its second field, and their simple values for the event being looked up. */
  private readonly secondaryFields: number[] = [];
  private readonly secondaryOfEvent: PlainValue[] = [];

  constructor(rules: readonly T[]) {
    this.fields = INDEX_FIELDS.map((path) => {
      const field: FieldIndex<T> = {
        path,
        readPlain: plainPathReader(path.join('.')),
        reader: compileFieldReader(path),
        onValue: (value) => {
          if (typeof value === 'string') this.visitValue(field, value);
          return false;
        },
        used: false,
        exact: new Map(),
        ignoreCase: new Map(),
        prefixes: new Map(),
        suffixes: new Map(),
      };
      return field;
    });
    const unindexed: T[] = [];
    this.secondaryField = new Int8Array(rules.length).fill(-1);
    this.secondaryValues = new Array(rules.length);
    rules.forEach((rule, i) => {
      this.positions.set(rule, i);
      const primary = this.file(rule);
      if (primary < 0) unindexed.push(rule);
      else this.fileSecondary(rule, i, primary);
    });
    this.secondaryOfEvent = this.fields.map(() => COMPLEX);
    this.unindexed = unindexed;
    this.stamps = new Uint32Array(rules.length);
    for (const field of this.fields) field.used = field.exact.size + field.ignoreCase.size + field.prefixes.size + field.suffixes.size > 0;
  }

  /** How the rules are spread over the index, for diagnostics and the benchmark. */
  stats(): { indexed: Record<string, number>; unindexed: number } {
    const indexed: Record<string, number> = {};
    for (const field of this.fields) {
      const rules = new Set<T>();
      const lists = [...field.exact.values(), ...field.ignoreCase.values(), ...[...field.prefixes.values(), ...field.suffixes.values()].flatMap((b) => [...b.byAffix.values()])];
      for (const list of lists) for (const r of list) rules.add(r);
      indexed[field.path.join('.')] = rules.size;
    }
    return { indexed, unindexed: this.unindexed.length };
  }

  /**
   * The rules that may match `event`, each once. The returned array is reused by the next call:
   * read it before asking again (the index is not re-entrant).
   */
  candidates(event: unknown): readonly T[] {
    this.nextEpoch();
    const found = this.found;
    found.length = 0;
    for (let i = 0; i < this.unindexed.length; i++) found.push(this.unindexed[i]!);
    for (const g of this.secondaryFields) {
      const field = this.fields[g]!;
      this.secondaryOfEvent[g] = field.readPlain(event);
    }
    for (const field of this.fields) {
      if (!field.used) continue;
      const value = field.readPlain(event);
      if (typeof value === 'string') this.visitValue(field, value);
      else if (value === COMPLEX) field.reader.someValue(event, field.onValue);
    }
    return found;
  }

  private visitValue(field: FieldIndex<T>, value: string): void {
    this.take(field.exact.get(value));
    if (field.ignoreCase.size > 0) this.take(field.ignoreCase.get(value.toLowerCase()));
    if (value.length === 0) return;
    const prefixBucket = field.prefixes.size > 0 ? field.prefixes.get(value.charCodeAt(0)) : undefined;
    if (prefixBucket) {
      for (const length of prefixBucket.lengths) {
        if (length > value.length) break;
        this.take(prefixBucket.byAffix.get(length === value.length ? value : value.slice(0, length)));
      }
    }
    const suffixBucket = field.suffixes.size > 0 ? field.suffixes.get(value.charCodeAt(value.length - 1)) : undefined;
    if (suffixBucket) {
      for (const length of suffixBucket.lengths) {
        if (length > value.length) break;
        this.take(suffixBucket.byAffix.get(length === value.length ? value : value.slice(value.length - length)));
      }
    }
  }

  private take(list: T[] | undefined): void {
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      const rule = list[i]!;
      const position = this.positions.get(rule)!;
      if (this.stamps[position] === this.epoch) continue;
      this.stamps[position] = this.epoch;
      const g = this.secondaryField[position]!;
      if (g >= 0) {
        const value = this.secondaryOfEvent[g]!;
        // A plain string outside the rule's values, or certainly no value: the rule cannot match.
        // (A number, boolean or null there is no string at all: such an event cannot match either.)
        if (value !== COMPLEX && (typeof value !== 'string' || !this.secondaryValues[position]!.has(value))) continue;
      }
      this.found.push(rule);
    }
  }

  private nextEpoch(): void {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
  }

  /** Files the rule under its first pinned field; returns that field's index, or -1. */
  private file(rule: T): number {
    for (let f = 0; f < this.fields.length; f++) {
      const field = this.fields[f]!;
      const hint = rule.pattern.valuesAt(field.path);
      // An empty affix admits every string: such a hint pins nothing, so the rule cannot be filed here.
      if (hint === null || hint.prefixes.includes('') || (hint.suffixes ?? []).includes('')) continue;
      for (const value of hint.exact) push(field.exact, value, rule);
      for (const value of hint.ignoreCase) push(field.ignoreCase, value.toLowerCase(), rule);
      for (const value of hint.prefixes) pushAffix(field.prefixes, value.charCodeAt(0), value, rule);
      for (const value of hint.suffixes ?? []) pushAffix(field.suffixes, value.charCodeAt(value.length - 1), value, rule);
      return f;
    }
    return -1;
  }

  /** Remembers a second field the rule pins to exact values only (anything looser could not be checked by a Set). */
  private fileSecondary(rule: T, position: number, primary: number): void {
    for (let g = 0; g < this.fields.length; g++) {
      if (g === primary) continue;
      const hint = rule.pattern.valuesAt(this.fields[g]!.path);
      if (hint === null || hint.exact.length === 0 || hint.prefixes.length + hint.ignoreCase.length + (hint.suffixes?.length ?? 0) > 0) continue;
      this.secondaryField[position] = g;
      this.secondaryValues[position] = new Set(hint.exact);
      if (!this.secondaryFields.includes(g)) this.secondaryFields.push(g);
      return;
    }
  }
}

function push<T>(map: Map<string, T[]>, key: string, rule: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [rule]);
  else if (!list.includes(rule)) list.push(rule);
}

function pushAffix<T>(buckets: Map<number, AffixBucket<T>>, char: number, affix: string, rule: T): void {
  let bucket = buckets.get(char);
  if (bucket === undefined) buckets.set(char, (bucket = { lengths: [], byAffix: new Map() }));
  if (!bucket.lengths.includes(affix.length)) bucket.lengths = [...bucket.lengths, affix.length].sort((a, b) => a - b);
  push(bucket.byAffix, affix, rule);
}
