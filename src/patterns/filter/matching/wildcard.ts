/**
 * A string value of a filter pattern as a test on text. "You can use the asterisk '*' wildcard character to match any
 * text at, before, or after a search term. For example, *Event will match PutEvent and GetEvent. Event* will match
 * EventId and EventName. Ev*ent will only match the actual string Ev*ent." (Filter and Pattern Syntax, 2019-2022
 * revisions; the current page keeps "Use the asterisk ("*") as a wild card to match text" and examples *html*, 4*.)
 * So only a leading and a trailing '*' are wildcards; any other '*' is the character itself. Comparisons are
 * case sensitive ("Filter patterns are case sensitive").
 */
export type TextTest = (text: string) => boolean;

export function compileWildcard(pattern: string): TextTest {
  const leading = pattern.startsWith('*');
  const trailing = pattern.length > (leading ? 1 : 0) && pattern.endsWith('*');
  const core = pattern.slice(leading ? 1 : 0, trailing ? pattern.length - 1 : pattern.length);
  if (leading && trailing) return core === '' ? () => true : (text) => text.includes(core);
  if (leading) return core === '' ? () => true : (text) => text.endsWith(core);
  if (trailing) return (text) => text.startsWith(core);
  return (text) => text === core;
}

/** The wildcard pattern as prefix/exact facts, for CompiledPattern.valuesAt. */
export function wildcardShape(pattern: string): { kind: 'exact' | 'prefix'; text: string } | { kind: 'other' } {
  if (pattern.startsWith('*')) return { kind: 'other' };
  if (pattern.endsWith('*')) return { kind: 'prefix', text: pattern.slice(0, -1) };
  return { kind: 'exact', text: pattern };
}
