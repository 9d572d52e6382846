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

/** A filed rule with what the lookup needs about it, so handing it out costs no map lookups. */
interface Entry<T> {
  rule: T;
  position: number;
  /** The other index fields the rule pins, with what it admits there: checked before the rule is handed out. */
  secondary: SecondaryCheck[];
}

interface SecondaryCheck {
  field: number;
  exact: Set<string>;
  prefixes: readonly string[];
  suffixes: readonly string[];
  ignoreCase: Set<string>;
}

/** Whether a plain string value is one the hint admits (exact, prefix, suffix or case-insensitive). */
function admits(check: SecondaryCheck, value: string): boolean {
  if (check.exact.has(value)) return true;
  for (const prefix of check.prefixes) if (value.startsWith(prefix)) return true;
  for (const suffix of check.suffixes) if (value.endsWith(suffix)) return true;
  return check.ignoreCase.size > 0 && check.ignoreCase.has(value.toLowerCase());
}

/** Strings sharing a first character, with the lengths present among them (usually one or two). */
interface AffixBucket<T> {
  lengths: number[];
  byAffix: Map<string, Entry<T>[]>;
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
  exact: Map<string, Entry<T>[]>;
  ignoreCase: Map<string, Entry<T>[]>;
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
  private readonly stamps: Uint32Array;
  private epoch = 0;
  private readonly found: T[] = [];
  /** The event being looked up, and the plain values of its secondary fields read so far (by epoch). */
  private event: unknown;
  private readonly secondaryOfEvent: PlainValue[] = [];
  private readonly secondaryEpoch: Uint32Array = new Uint32Array(INDEX_FIELDS.length);

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
    rules.forEach((rule, position) => {
      const entry: Entry<T> = { rule, position, secondary: [] };
      const primary = this.file(entry);
      if (primary < 0) unindexed.push(rule);
      else this.fileSecondary(entry, primary);
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
      for (const list of lists) for (const entry of list) rules.add(entry.rule);
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
    this.event = event;
    for (const field of this.fields) {
      if (!field.used) continue;
      const value = field.readPlain(event);
      if (typeof value === 'string') this.visitValue(field, value);
      else if (value === COMPLEX) field.reader.someValue(event, field.onValue);
    }
    this.event = undefined;
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

  private take(list: Entry<T>[] | undefined): void {
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (this.stamps[entry.position] === this.epoch) continue;
      this.stamps[entry.position] = this.epoch;
      if (entry.secondary.length > 0 && !this.passesSecondary(entry.secondary)) continue;
      this.found.push(entry.rule);
    }
  }

  /**
   * A plain string the rule does not admit at one of its other pinned fields, or certainly no value there (a
   * number, boolean or null is no string either), means the rule cannot match. Only values the full reader must
   * judge (COMPLEX) let it through unchecked.
   */
  private passesSecondary(checks: readonly SecondaryCheck[]): boolean {
    for (let c = 0; c < checks.length; c++) {
      const check = checks[c]!;
      // Read once per event, and only when some candidate needs it.
      if (this.secondaryEpoch[check.field] !== this.epoch) {
        this.secondaryOfEvent[check.field] = this.fields[check.field]!.readPlain(this.event);
        this.secondaryEpoch[check.field] = this.epoch;
      }
      const value = this.secondaryOfEvent[check.field]!;
      if (value === COMPLEX) continue;
      if (typeof value !== 'string' || !admits(check, value)) return false;
    }
    return true;
  }

  private nextEpoch(): void {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
  }

  /** Files the rule under its first pinned field; returns that field's index, or -1. */
  private file(entry: Entry<T>): number {
    const rule = entry.rule;
    for (let f = 0; f < this.fields.length; f++) {
      const field = this.fields[f]!;
      const hint = rule.pattern.valuesAt(field.path);
      // An empty affix admits every string: such a hint pins nothing, so the rule cannot be filed here.
      if (hint === null || hint.prefixes.includes('') || (hint.suffixes ?? []).includes('')) continue;
      for (const value of hint.exact) push(field.exact, value, entry);
      for (const value of hint.ignoreCase) push(field.ignoreCase, value.toLowerCase(), entry);
      for (const value of hint.prefixes) pushAffix(field.prefixes, value.charCodeAt(0), value, entry);
      for (const value of hint.suffixes ?? []) pushAffix(field.suffixes, value.charCodeAt(value.length - 1), value, entry);
      return f;
    }
    return -1;
  }

  /** Remembers the other index fields the rule pins, cheapest to check (exact values only) first. */
  private fileSecondary(entry: Entry<T>, primary: number): void {
    for (let g = 0; g < this.fields.length; g++) {
      if (g === primary) continue;
      const hint = entry.rule.pattern.valuesAt(this.fields[g]!.path);
      if (hint === null || hint.prefixes.includes('') || (hint.suffixes ?? []).includes('')) continue;
      entry.secondary.push({
        field: g,
        exact: new Set(hint.exact),
        prefixes: hint.prefixes,
        suffixes: hint.suffixes ?? [],
        ignoreCase: new Set(hint.ignoreCase.map((v) => v.toLowerCase())),
      });
    }
    const looseness = (c: SecondaryCheck) => c.prefixes.length + c.suffixes.length + c.ignoreCase.size;
    entry.secondary.sort((a, b) => looseness(a) - looseness(b));
  }
}

function push<T>(map: Map<string, Entry<T>[]>, key: string, entry: Entry<T>): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else if (!list.includes(entry)) list.push(entry);
}

function pushAffix<T>(buckets: Map<number, AffixBucket<T>>, char: number, affix: string, entry: Entry<T>): void {
  let bucket = buckets.get(char);
  if (bucket === undefined) buckets.set(char, (bucket = { lengths: [], byAffix: new Map() }));
  if (!bucket.lengths.includes(affix.length)) bucket.lengths = [...bucket.lengths, affix.length].sort((a, b) => a - b);
  push(bucket.byAffix, affix, entry);
}
