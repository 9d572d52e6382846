/**
 * The one wildcard matcher of trailguard, for names written with `*` by people: principal ARN allowlists and the
 * loop guard's identities (remediation), rule-id lists of notification routes, IAM wildcards in trust policies
 * (rules/checks). Not for the pattern languages: EventBridge's `wildcard` operator and the CloudWatch Logs filter
 * pattern's `*` have their own documented semantics (src/patterns).
 *
 * `*` matches any run of characters (also none, also `/` and `:`); with `singleCharacter`, `?` matches exactly one
 * character (IAM); every other character matches itself. No regular expression is built from the pattern: the match
 * is an iterative walk with backtracking to the last `*`, linear in practice and safe for any input.
 */

export interface GlobOptions {
  /** `?` matches one character (IAM policy wildcards); otherwise it is literal. */
  singleCharacter?: boolean;
  /** Compare without case (IAM actions are case-insensitive). */
  ignoreCase?: boolean;
}

/** Does `value` match the wildcard `pattern`? */
export function globMatch(pattern: string, value: string, options: GlobOptions = {}): boolean {
  const p = options.ignoreCase ? pattern.toLowerCase() : pattern;
  const v = options.ignoreCase ? value.toLowerCase() : value;
  const one = options.singleCharacter === true;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < v.length) {
    if (i < p.length && p[i] !== '*' && (p[i] === v[j] || (one && p[i] === '?'))) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}

/** Does the pattern hold a wildcard (so that it is not simply compared)? */
export function hasWildcard(pattern: string, options: GlobOptions = {}): boolean {
  return pattern.includes('*') || (options.singleCharacter === true && pattern.includes('?'));
}

/** A predicate for a list of patterns: true when any matches (patterns without a wildcard are compared exactly). */
export function globListMatcher(patterns: readonly string[], options: GlobOptions = {}): (value: string) => boolean {
  const exact = new Set(patterns.filter((p) => !hasWildcard(p, options)).map((p) => (options.ignoreCase ? p.toLowerCase() : p)));
  const globs = patterns.filter((p) => hasWildcard(p, options));
  return (value) => exact.has(options.ignoreCase ? value.toLowerCase() : value) || globs.some((g) => globMatch(g, value, options));
}
