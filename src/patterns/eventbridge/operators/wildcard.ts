import { invalidPattern } from '../syntax/invalid-pattern.js';

/**
 * `{"wildcard": "arn:aws:iam::*:role/*"}` (EventBridge "Wildcard matching"; aws/event-ruler WildcardParser.java):
 * '*' matches any run of characters, possibly empty; "\*" is a literal asterisk and "\\" a literal backslash; a
 * backslash before anything else, a trailing backslash, and two consecutive wildcards are refused. Only strings
 * match.
 */
export interface WildcardPattern {
  readonly text: string;
  /**
   * The literal runs between wildcards, unescaped: "a*b*" is ["a", "b", ""]. A single piece means the pattern has
   * no wildcard at all and is an exact match.
   */
  readonly pieces: readonly string[];
}

export function parseWildcard(text: string, keyPath: string): WildcardPattern {
  const pieces: string[] = [];
  let piece = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '*') {
      if (text[i + 1] === '*') {
        throw invalidPattern(keyPath, text, `consecutive wildcard characters at position ${i} are not allowed`);
      }
      pieces.push(piece);
      piece = '';
    } else if (char === '\\') {
      const escaped = text[i + 1];
      if (escaped !== '*' && escaped !== '\\') {
        throw invalidPattern(keyPath, text, `invalid escape at position ${i}: only "\\*" and "\\\\" are allowed`);
      }
      piece += escaped;
      i++;
    } else {
      piece += char;
    }
  }
  pieces.push(piece);
  return { text, pieces };
}

/**
 * Greedy leftmost placement of the middle pieces is exact for '*'-only globs: taking the earliest occurrence
 * always leaves the most room for the pieces after it.
 */
export function wildcardMatches(pattern: WildcardPattern, value: string): boolean {
  const pieces = pattern.pieces;
  const last = pieces.length - 1;
  const first = pieces[0]!;
  if (last === 0) return value === first;
  const final = pieces[last]!;
  const end = value.length - final.length;
  if (end < first.length || !value.startsWith(first) || !value.endsWith(final)) return false;
  let position = first.length;
  for (let i = 1; i < last; i++) {
    const piece = pieces[i]!;
    const found = value.indexOf(piece, position);
    if (found < 0 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}
