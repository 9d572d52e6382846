/**
 * The "equals-ignore-case" family, matched the way Ruler matches it (aws/event-ruler EqualsIgnoreCaseParser.java):
 * each UTF-16 unit of the pattern may appear in the event as its own lower-case or its own upper-case form
 * (String.toLowerCase/toUpperCase of that one unit, which JavaScript computes like Java's Locale.ROOT). The event is
 * not case-folded as a whole, so e.g. the Kelvin sign does not match "k", and "ß" matches "ß" or "SS".
 */
export interface CaseInsensitiveText {
  readonly text: string;
  /** For each unit of `text`, the spellings an event may use in its place. */
  readonly spellings: readonly (readonly string[])[];
  /** Lower and upper char codes when every spelling is a single unit, which allows a loop without backtracking. */
  readonly lowerCodes: Uint16Array | null;
  readonly upperCodes: Uint16Array | null;
}

export function caseInsensitive(text: string): CaseInsensitiveText {
  const spellings: string[][] = [];
  let singleUnits = true;
  for (let i = 0; i < text.length; i++) {
    const unit = text[i]!;
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    spellings.push(lower === upper ? [lower] : [lower, upper]);
    if (lower.length !== 1 || upper.length !== 1) singleUnits = false;
  }
  if (!singleUnits) return { text, spellings, lowerCodes: null, upperCodes: null };
  const lowerCodes = new Uint16Array(spellings.map((s) => s[0]!.charCodeAt(0)));
  const upperCodes = new Uint16Array(spellings.map((s) => (s[1] ?? s[0]!).charCodeAt(0)));
  return { text, spellings, lowerCodes, upperCodes };
}

export function equalsIgnoringCase(pattern: CaseInsensitiveText, value: string): boolean {
  if (pattern.lowerCodes !== null) {
    return value.length === pattern.lowerCodes.length && unitsMatchAt(pattern, value, 0);
  }
  return spellingsMatchFrom(pattern.spellings, 0, value, 0, true);
}

export function startsWithIgnoringCase(pattern: CaseInsensitiveText, value: string): boolean {
  if (pattern.lowerCodes !== null) {
    return value.length >= pattern.lowerCodes.length && unitsMatchAt(pattern, value, 0);
  }
  return spellingsMatchFrom(pattern.spellings, 0, value, 0, false);
}

export function endsWithIgnoringCase(pattern: CaseInsensitiveText, value: string): boolean {
  if (pattern.lowerCodes !== null) {
    const start = value.length - pattern.lowerCodes.length;
    return start >= 0 && unitsMatchAt(pattern, value, start);
  }
  return spellingsMatchBackFrom(pattern.spellings, pattern.spellings.length - 1, value, value.length);
}

function unitsMatchAt(pattern: CaseInsensitiveText, value: string, start: number): boolean {
  const lower = pattern.lowerCodes!;
  const upper = pattern.upperCodes!;
  for (let i = 0; i < lower.length; i++) {
    const code = value.charCodeAt(start + i);
    if (code !== lower[i] && code !== upper[i]) return false;
  }
  return true;
}

// Spellings of different lengths ("ß" / "SS") can make more than one split of the event viable, hence backtracking.
function spellingsMatchFrom(
  spellings: readonly (readonly string[])[],
  index: number,
  value: string,
  position: number,
  wholeValue: boolean,
): boolean {
  if (index === spellings.length) return !wholeValue || position === value.length;
  for (const spelling of spellings[index]!) {
    if (value.startsWith(spelling, position) && spellingsMatchFrom(spellings, index + 1, value, position + spelling.length, wholeValue)) {
      return true;
    }
  }
  return false;
}

function spellingsMatchBackFrom(spellings: readonly (readonly string[])[], index: number, value: string, end: number): boolean {
  if (index < 0) return true;
  for (const spelling of spellings[index]!) {
    const start = end - spelling.length;
    if (start >= 0 && value.startsWith(spelling, start) && spellingsMatchBackFrom(spellings, index - 1, value, start)) {
      return true;
    }
  }
  return false;
}
