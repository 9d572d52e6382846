import type { FieldValueHint } from '../../types.js';
import type { PatternAlternative } from '../syntax/parse-pattern.js';
import type { ValueCondition } from '../syntax/value-condition.js';

/**
 * CompiledPattern.valuesAt for an EventBridge pattern: what every matching event must hold in the field `path`
 * names (keys joined with ".", as the matcher names fields; see FieldReader). A hint exists only when every
 * alternative constrains the field and every accepted value is an indexable string form:
 *  - an exact string (not an IP literal, which also matches other spellings of the address) -> exact;
 *  - "prefix" with a non-empty string, or a wildcard with a literal before its first '*' -> prefixes;
 *  - "suffix" with a non-empty string, or a wildcard starting with '*' and ending in a literal -> suffixes;
 *  - a wildcard without any '*' -> exact (its unescaped text);
 *  - "equals-ignore-case" with an ASCII string -> ignoreCase, lower-cased. ASCII only, because for other letters
 *    an event spelled with Ruler's per-letter case forms need not lower-case to the same string ("ſ" vs "S").
 * Anything else (numbers, null, booleans, exists, anything-but, numeric, cidr, case-insensitive affixes, an
 * empty prefix or suffix, a wildcard with '*' at both ends) could let a matching event hold a value outside any such list, so the answer is null.
 */
export function fieldValueHint(alternatives: readonly PatternAlternative[], path: readonly string[]): FieldValueHint | null {
  const name = path.join('.');
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  const ignoreCase = new Set<string>();
  const suffixes = new Set<string>();
  for (const alternative of alternatives) {
    const field = alternative.get(name);
    if (field === undefined) return null;
    for (const condition of field.conditions) {
      if (!addHint(condition, exact, prefixes, ignoreCase, suffixes)) return null;
    }
  }
  return { exact: [...exact], prefixes: [...prefixes], ignoreCase: [...ignoreCase], suffixes: [...suffixes] };
}

function addHint(condition: ValueCondition, exact: Set<string>, prefixes: Set<string>, ignoreCase: Set<string>, suffixes: Set<string>): boolean {
  switch (condition.kind) {
    case 'equals-string':
      exact.add(condition.value);
      return true;
    case 'prefix':
      if (condition.value === '') return false;
      prefixes.add(condition.value);
      return true;
    case 'suffix':
      if (condition.value === '') return false;
      suffixes.add(condition.value);
      return true;
    case 'wildcard': {
      const pieces = condition.value.pieces;
      if (pieces.length === 1) {
        exact.add(pieces[0]!);
        return true;
      }
      if (pieces[0] !== '') {
        prefixes.add(pieces[0]!);
        return true;
      }
      const last = pieces[pieces.length - 1]!;
      if (last === '') return false;
      suffixes.add(last);
      return true;
    }
    case 'equals-ignore-case':
      if (!isAscii(condition.value.text)) return false;
      ignoreCase.add(condition.value.text.toLowerCase());
      return true;
    default:
      return false;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
