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

/**
 * Affixes (prefixes or suffixes) keyed by a hash of their characters, which the lookup computes while walking
 * the value once: no substring is cut and no string hashed per event. Two affixes with the same hash share a
 * list, which only adds candidates (the full pattern decides), never hides one.
 */
interface AffixTable<T> {
  byHash: Map<number, Entry<T>[]>;
  /** The code units an affix starts with (prefixes: its first, suffixes: its last): most values are turned away by this alone. */
  edge: CodeUnitSet;
  /** hasLength[n] = 1 when some affix is n characters long (only there is the table asked). */
  hasLength: Uint8Array;
  /**
   * hashSeen[hash & HASH_FILTER_MASK] = 1 for every affix's hash: most prefixes of a value are no affix, and this
   * turns them away with one array load instead of a Map lookup.
   */
  hashSeen: Uint8Array;
  /** The longest affix: the walk stops there. */
  longest: number;
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
  /** equals-ignore-case values by the hash of their lower-case form (see foldedHash). */
  ignoreCase: Map<number, Entry<T>[]>;
  /** Which (first character, length) an ASCII value must have for some equals-ignore-case value to admit it. */
  ignoreCaseShapes: IgnoreCaseShapes;
  prefixes: AffixTable<T>;
  suffixes: AffixTable<T>;
}

/** FNV-1a step, kept within V8's small-integer range so Map keys stay unboxed. */
const HASH_SEED = 0x811c9dc5 & 0x3fffffff;
function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193) & 0x3fffffff;
}

function stringHash(text: string): number {
  let hash = HASH_SEED;
  for (let i = 0; i < text.length; i++) hash = hashStep(hash, text.charCodeAt(i));
  return hash;
}

/**
 * The hash of `text.toLowerCase()`, without building it when the text is ASCII (where lower-casing is A-Z → a-z
 * and nothing else); other text is lower-cased first, as the pattern's equals-ignore-case does.
 */
function foldedHash(text: string): number {
  let hash = HASH_SEED;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) return stringHash(text.toLowerCase());
    hash = hashStep(hash, code >= 65 && code <= 90 ? code | 32 : code);
  }
  return hash;
}

const HASH_FILTER_MASK = 4095;

function newAffixTable<T>(): AffixTable<T> {
  return { byHash: new Map(), edge: new CodeUnitSet(), hasLength: new Uint8Array(1), hashSeen: new Uint8Array(HASH_FILTER_MASK + 1), longest: 0 };
}

/** A set of UTF-16 code units: a flag array for ASCII, a Set for the rest. */
class CodeUnitSet {
  private readonly ascii = new Uint8Array(128);
  private readonly other = new Set<number>();
  add(code: number): void {
    if (code < 128) this.ascii[code] = 1;
    else this.other.add(code);
  }
  has(code: number): boolean {
    return code < 128 ? this.ascii[code] === 1 : this.other.size > 0 && this.other.has(code);
  }
}

/**
 * A cheap pre-check for equals-ignore-case lookups: which (folded first character, length) a value must have for
 * some equals-ignore-case hint of the field to admit it. Hints are ASCII (see field-value-hint.ts), and a value
 * whose lower-case form equals an ASCII string has its length (only U+0130 changes length when lower-cased, and
 * into non-ASCII) and, when its first character is ASCII, that character folded. A value starting with a
 * non-ASCII character, or a field with a non-ASCII hint, always takes the hash lookup.
 */
class IgnoreCaseShapes {
  private static readonly LENGTHS = 64;
  private readonly shapes = new Uint8Array(128 * IgnoreCaseShapes.LENGTHS);
  private nonAscii = false;
  add(value: string): void {
    const lower = value.toLowerCase();
    // eslint-disable-next-line no-control-regex
    if (lower.length === 0 || /[^\x00-\x7f]/.test(lower)) this.nonAscii = true;
    else this.shapes[lower.charCodeAt(0) * IgnoreCaseShapes.LENGTHS + Math.min(lower.length, IgnoreCaseShapes.LENGTHS - 1)] = 1;
  }
  mayAdmit(value: string): boolean {
    if (this.nonAscii || value.length === 0) return true;
    const first = value.charCodeAt(0);
    if (first >= 128) return true;
    const folded = first >= 65 && first <= 90 ? first | 32 : first;
    return this.shapes[folded * IgnoreCaseShapes.LENGTHS + Math.min(value.length, IgnoreCaseShapes.LENGTHS - 1)] === 1;
  }
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
        ignoreCaseShapes: new IgnoreCaseShapes(),
        prefixes: newAffixTable(),
        suffixes: newAffixTable(),
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
    for (const field of this.fields) field.used = field.exact.size + field.ignoreCase.size + field.prefixes.byHash.size + field.suffixes.byHash.size > 0;
  }

  /** How the rules are spread over the index, for diagnostics and the benchmark. */
  stats(): { indexed: Record<string, number>; unindexed: number } {
    const indexed: Record<string, number> = {};
    for (const field of this.fields) {
      const rules = new Set<T>();
      const lists = [...field.exact.values(), ...field.ignoreCase.values(), ...field.prefixes.byHash.values(), ...field.suffixes.byHash.values()];
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
    // pop() is inlined; assigning length calls into the runtime, which showed in profiles at one call per event.
    while (found.length > 0) found.pop();
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
    if (field.ignoreCase.size > 0 && field.ignoreCaseShapes.mayAdmit(value)) this.take(field.ignoreCase.get(foldedHash(value)));
    const length = value.length;
    if (length === 0) return;
    const prefixes = field.prefixes;
    if (prefixes.longest > 0 && prefixes.edge.has(value.charCodeAt(0))) {
      const end = Math.min(length, prefixes.longest);
      let hash = HASH_SEED;
      for (let i = 0; i < end; i++) {
        hash = hashStep(hash, value.charCodeAt(i));
        if (prefixes.hasLength[i + 1] === 1 && prefixes.hashSeen[hash & HASH_FILTER_MASK] === 1) this.take(prefixes.byHash.get(hash));
      }
    }
    const suffixes = field.suffixes;
    if (suffixes.longest > 0 && suffixes.edge.has(value.charCodeAt(length - 1))) {
      const end = Math.min(length, suffixes.longest);
      let hash = HASH_SEED;
      for (let i = 1; i <= end; i++) {
        hash = hashStep(hash, value.charCodeAt(length - i));
        if (suffixes.hasLength[i] === 1 && suffixes.hashSeen[hash & HASH_FILTER_MASK] === 1) this.take(suffixes.byHash.get(hash));
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
      for (const value of hint.ignoreCase) {
        push(field.ignoreCase, foldedHash(value), entry);
        field.ignoreCaseShapes.add(value);
      }
      for (const value of hint.prefixes) pushAffix(field.prefixes, stringHash(value), value.charCodeAt(0), value.length, entry);
      // A suffix is hashed from its last character backwards, as the lookup walks the value.
      for (const value of hint.suffixes ?? []) pushAffix(field.suffixes, stringHash(value.split('').reverse().join('')), value.charCodeAt(value.length - 1), value.length, entry);
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

function push<K, T>(map: Map<K, Entry<T>[]>, key: K, entry: Entry<T>): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else if (!list.includes(entry)) list.push(entry);
}

function pushAffix<T>(table: AffixTable<T>, hash: number, edge: number, length: number, entry: Entry<T>): void {
  table.edge.add(edge);
  if (length >= table.hasLength.length) {
    const grown = new Uint8Array(length + 1);
    grown.set(table.hasLength);
    table.hasLength = grown;
  }
  table.hasLength[length] = 1;
  table.hashSeen[hash & HASH_FILTER_MASK] = 1;
  table.longest = Math.max(table.longest, length);
  push(table.byHash, hash, entry);
}

