import { PatternError } from '../errors.js';
import type { CompiledPattern, FieldValueHint } from '../types.js';
import { fieldValueHint } from './hints/field-value-hint.js';
import { MAX_PATTERN_LENGTH } from './limits.js';
import { type CompiledAlternative, type CompiledField, EventMatcher } from './matching/event-matcher.js';
import { buildFieldLookup, type FieldLookup } from './matching/field-lookup.js';
import { buildLeafTest } from './operators/leaf-test.js';
import { invalidPattern, isJsonObject } from './syntax/invalid-pattern.js';
import { parseJsonText } from './syntax/json-text.js';
import { type FieldConstraint, type PatternAlternative, parsePatternAlternatives } from './syntax/parse-pattern.js';

export interface CompiledEventPattern extends CompiledPattern {
  /** The pattern as parsed (for text input) or as given (for object input). */
  readonly pattern: object;
}

/**
 * Compiles an Amazon EventBridge event pattern (JSON text or an already-parsed object) into a matcher for
 * EventBridge envelopes ({version, id, detail-type, source, account, time, region, resources, detail}).
 * Throws PatternError, and only PatternError, for any pattern EventBridge would refuse.
 */
export function compileEventPattern(pattern: string | object): CompiledEventPattern {
  const parsed = readPattern(pattern);
  const alternatives = parsePatternAlternatives(parsed);
  return new EventPattern(parsed, alternatives);
}

class EventPattern implements CompiledEventPattern {
  private readonly matcher: EventMatcher;

  constructor(
    readonly pattern: object,
    private readonly alternatives: readonly PatternAlternative[],
  ) {
    const lookups = new Map<string, FieldLookup>();
    this.matcher = new EventMatcher(alternatives.map((alternative) => compileAlternative(alternative, lookups)));
  }

  matches(event: unknown): boolean {
    return this.matcher.matches(event);
  }

  valuesAt(path: readonly string[]): FieldValueHint | null {
    return fieldValueHint(this.alternatives, path);
  }
}

function readPattern(pattern: unknown): object {
  if (typeof pattern === 'string') {
    checkLength(pattern.length);
    const parsed = parseJsonText(pattern);
    if (!isJsonObject(parsed)) throw invalidPattern('', parsed, 'an event pattern must be a JSON object');
    return parsed;
  }
  if (!isJsonObject(pattern)) throw invalidPattern('', pattern, 'an event pattern must be a JSON object');
  let text: string | undefined;
  try {
    text = JSON.stringify(pattern) as string | undefined;
  } catch {
    text = undefined; // cycles and BigInts
  }
  if (text === undefined) throw invalidPattern('', pattern, 'an event pattern must be plain JSON data');
  checkLength(text.length);
  return pattern;
}

function checkLength(length: number): void {
  if (length > MAX_PATTERN_LENGTH) {
    throw new PatternError(
      `Invalid event pattern: it is ${length} characters long, EventBridge accepts at most ${MAX_PATTERN_LENGTH}`,
      { key: '', value: length },
    );
  }
}

function compileAlternative(alternative: PatternAlternative, lookups: Map<string, FieldLookup>): CompiledAlternative {
  return [...alternative.values()].sort(byName).map((field) => compileField(field, lookups));
}

function compileField(field: FieldConstraint, lookups: Map<string, FieldLookup>): CompiledField {
  let lookup = lookups.get(field.name);
  if (lookup === undefined) {
    lookup = buildFieldLookup(field.name);
    lookups.set(field.name, lookup);
  }
  return {
    lookup,
    test: buildLeafTest(field.conditions),
    acceptsAbsence: field.conditions.some((c) => c.kind === 'exists' && !c.present),
  };
}

/** Java's String.compareTo order (UTF-16 code units), which is what JavaScript's < on strings uses. */
function byName(a: FieldConstraint, b: FieldConstraint): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
