import { compileFieldReader, type FieldReader } from '../patterns/eventbridge/index.js';
import type { FieldValueHint } from '../patterns/types.js';

/**
 * An index from field values to the rules that can only match events carrying them, so the
 * detector evaluates a handful of candidate rules per event instead of every rule.
 *
 * Each rule is filed under ONE field (the most selective one its pattern pins down, in the
 * order of `INDEX_FIELDS`), by exact value, lower-cased value or prefix. Rules whose pattern
 * pins none of these fields are evaluated for every event. The hints come from the pattern
 * compiler and are sound over-approximations, so the index never hides a match; the full
 * pattern still decides.
 */
export const INDEX_FIELDS: readonly (readonly string[])[] = [
  ['detail', 'eventName'],
  ['detail', 'eventSource'],
  ['source'],
  ['detail-type'],
];

interface FieldIndex<T> {
  path: readonly string[];
  /** Reads the field exactly as the pattern matcher does (dotted keys, arrays at any depth), which is what keeps the hints sound. */
  reader: FieldReader;
  /** Per-field visitor handed to the reader, allocated once rather than per event. */
  onValue: (value: unknown) => boolean;
  used: boolean;
  exact: Map<string, T[]>;
  ignoreCase: Map<string, T[]>;
  prefixes: Map<string, T[]>;
  /** Distinct prefix lengths, so a lookup slices the value once per length rather than scanning every prefix. */
  prefixLengths: number[];
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
  private visit: (rule: T) => void = () => {};

  constructor(rules: readonly T[]) {
    this.fields = INDEX_FIELDS.map((path) => {
      const field: FieldIndex<T> = {
        path,
        reader: compileFieldReader(path),
        onValue: (value) => {
          if (typeof value === 'string') this.visitValue(field, value);
          return false;
        },
        used: false,
        exact: new Map(),
        ignoreCase: new Map(),
        prefixes: new Map(),
        prefixLengths: [],
      };
      return field;
    });
    const unindexed: T[] = [];
    rules.forEach((rule, i) => {
      this.positions.set(rule, i);
      if (!this.file(rule)) unindexed.push(rule);
    });
    this.unindexed = unindexed;
    this.stamps = new Uint32Array(rules.length);
    for (const field of this.fields) {
      field.prefixLengths = [...new Set([...field.prefixes.keys()].map((p) => p.length))].sort((a, b) => a - b);
      field.used = field.exact.size + field.ignoreCase.size + field.prefixes.size > 0;
    }
  }

  /** How the rules are spread over the index, for diagnostics and the benchmark. */
  stats(): { indexed: Record<string, number>; unindexed: number } {
    const indexed: Record<string, number> = {};
    for (const field of this.fields) {
      const rules = new Set<T>();
      for (const map of [field.exact, field.ignoreCase, field.prefixes]) for (const list of map.values()) for (const r of list) rules.add(r);
      indexed[field.path.join('.')] = rules.size;
    }
    return { indexed, unindexed: this.unindexed.length };
  }

  /** Calls `visit` once for each rule that may match `event` (each at most once). Not re-entrant. */
  forEachCandidate(event: unknown, visit: (rule: T) => void): void {
    this.nextEpoch();
    this.visit = visit;
    for (const rule of this.unindexed) visit(rule);
    for (const field of this.fields) if (field.used) field.reader.someValue(event, field.onValue);
  }

  private visitValue(field: FieldIndex<T>, value: string): void {
    this.visitList(field.exact.get(value));
    if (field.ignoreCase.size > 0) this.visitList(field.ignoreCase.get(value.toLowerCase()));
    for (const length of field.prefixLengths) {
      if (length > value.length) break;
      this.visitList(field.prefixes.get(value.slice(0, length)));
    }
  }

  private visitList(list: T[] | undefined): void {
    if (list === undefined) return;
    for (const rule of list) {
      const position = this.positions.get(rule)!;
      if (this.stamps[position] === this.epoch) continue;
      this.stamps[position] = this.epoch;
      this.visit(rule);
    }
  }

  private nextEpoch(): number {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
    return this.epoch;
  }

  private file(rule: T): boolean {
    for (const field of this.fields) {
      const hint = rule.pattern.valuesAt(field.path);
      if (hint === null) continue;
      for (const value of hint.exact) push(field.exact, value, rule);
      for (const value of hint.ignoreCase) push(field.ignoreCase, value.toLowerCase(), rule);
      for (const value of hint.prefixes) push(field.prefixes, value, rule);
      return true;
    }
    return false;
  }
}

function push<T>(map: Map<string, T[]>, key: string, rule: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [rule]);
  else if (!list.includes(rule)) list.push(rule);
}
